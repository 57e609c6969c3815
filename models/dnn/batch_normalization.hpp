// batch_normalization, inference form: a fixed affine map per channel from statistics
// stored at training time (Ioffe & Szegedy 2015; PyTorch's BatchNorm1d/2d in eval mode).
//
//   y[c][k] = gamma_c (x[c][k] - mean_c) / sqrt(var_c + eps) + beta_c,
//   c < channels, k < features (values per channel)
//
// Layout: channels x features, row-major: a vector of C units is channels = C, features = 1
// (BatchNorm1d on N x C); an image C x H x W is channels = C, features = H * W (BatchNorm2d).
// Parameters: channels, features (>= 1), gamma ("weight" in PyTorch), beta ("bias"),
// running mean and var (var >= 0), eps > 0 (default 1e-5, PyTorch's default).
// Unlike divisive normalisation, the output does not depend on the other inputs of the same
// stimulus: doubling every input doubles the centred output; nothing saturates.
// Numerical method: scale_c = gamma_c / sqrt(var_c + eps) is precomputed and
// y = (x - mean_c) scale_c + beta_c; centring first keeps full relative precision for x near
// the mean (folding the mean into a shift would cancel there).
// HDF5 tensors (io/tensor_file.hpp, docs/dnn.md): weight, bias, running_mean, running_var,
// each [channels].
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

class BatchNormalization final : public Module {
 public:
  struct Tensors {
    std::vector<double> gamma, beta, running_mean, running_var;  // each `channels` values
  };

  BatchNormalization(std::size_t channels, std::size_t features, Tensors tensors,
                     double eps = 1e-5);

  std::string_view kind() const override { return "batch_normalization"; }
  std::size_t input_size() const override { return channels_ * features_; }
  std::size_t output_size() const override { return channels_ * features_; }
  void forward(std::span<const double> x, std::span<double> y) override;
  // Stateless between calls: a checkpoint saves nothing of it.
  void save_state(const StateSection&) const override {}
  void load_state(const StateSource&) override {}

  const Tensors& tensors() const { return tensors_; }
  double eps() const { return eps_; }

 private:
  std::size_t channels_, features_;
  Tensors tensors_;
  double eps_;
  std::vector<double> scale_;
};

}  // namespace spikeflow::dnn
