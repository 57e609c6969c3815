// dense: a fully connected layer.
//
//   y_i = phi( sum_j W_ij x_j + b_i ),   i < out, j < in
//
// Parameters:
//   W    out x in, row-major (W[i * in + j]); PyTorch's nn.Linear.weight has this shape and
//        order, so it loads unchanged.
//   b    out values (nn.Linear.bias).
//   phi  identity (default), relu, sigmoid or tanh (models/dnn/activation.hpp).
// Units are those of the data: W maps input units to output units.
// Numerical method: the sum runs over j in order, in double, without fused multiply-add
// (the build switches contraction off), so results are the same on every machine.
// HDF5 tensors (io/tensor_file.hpp, docs/dnn.md): weight [out, in], bias [out].
//
// Example:
//   dnn::Dense layer(std::vector<double>{1, 2, 3, 4}, {0.5, -0.5}, 2, 2, dnn::Activation::relu);
//   layer.forward(x, y);  // y = relu(W x + b)
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/dnn/activation.hpp"
#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

class Dense final : public Module {
 public:
  // `weights` has out * in values, `bias` has out; sizes are checked (ConfigError).
  Dense(std::vector<double> weights, std::vector<double> bias, std::size_t in, std::size_t out,
        Activation phi = Activation::identity);

  std::string_view kind() const override { return "dense"; }
  std::size_t input_size() const override { return in_; }
  std::size_t output_size() const override { return out_; }
  void forward(std::span<const double> x, std::span<double> y) override;
  // Stateless between calls: a checkpoint saves nothing of it.
  void save_state(const StateSection&) const override {}
  void load_state(const StateSource&) override {}

  Activation activation() const { return phi_; }
  // Row-major out x in. Mutable so that learning rules (rate_learning.hpp) can update it.
  std::span<double> weights() { return weights_; }
  std::span<const double> weights() const { return weights_; }
  std::span<double> bias() { return bias_; }
  std::span<const double> bias() const { return bias_; }

 private:
  std::size_t in_, out_;
  Activation phi_;
  std::vector<double> weights_, bias_;
};

}  // namespace spikeflow::dnn
