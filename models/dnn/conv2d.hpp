// conv2d: multi-channel 2-D convolution with stride and zero padding.
//
//   y[o][r][c] = phi( b[o] + sum_{i, u, v} W[o][i][u][v] * x_pad[i][r*s_h + u][c*s_w + v] )
//
// with x_pad the input surrounded by p_h rows and p_w columns of zeros. As in PyTorch's
// nn.Conv2d (and every DNN library), this is a cross-correlation: the kernel is not flipped.
// Output size: H_out = floor((H + 2 p_h - k_h) / s_h) + 1, likewise W_out.
//
// Layouts (row-major, last index fastest):
//   x  in_channels x height x width            (one image, PyTorch's C x H x W)
//   W  out_channels x in_channels x k_h x k_w  (nn.Conv2d.weight)
//   b  out_channels                            (nn.Conv2d.bias)
//   y  out_channels x H_out x W_out
// Parameters (Conv2d::Shape): in_channels, height, width, out_channels, kernel_h, kernel_w
// (all >= 1, no defaults), stride_h = stride_w = 1, pad_h = pad_w = 0 (>= 0 pixels, each
// smaller than the kernel size); phi identity (default), relu, sigmoid or tanh.
// Not supported: dilation, groups, padding modes other than zeros.
// HDF5 tensors (io/tensor_file.hpp, docs/dnn.md): weight [out_ch, in_ch, k_h, k_w],
// bias [out_ch].
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/dnn/activation.hpp"
#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

class Conv2d final : public Module {
 public:
  struct Shape {
    std::size_t in_channels = 0, height = 0, width = 0;
    std::size_t out_channels = 0, kernel_h = 0, kernel_w = 0;
    std::size_t stride_h = 1, stride_w = 1;
    std::size_t pad_h = 0, pad_w = 0;
    std::size_t out_height() const;
    std::size_t out_width() const;
  };

  // Sizes are checked (ConfigError naming the parameter and its value).
  Conv2d(const Shape& shape, std::vector<double> weights, std::vector<double> bias,
         Activation phi = Activation::identity);

  std::string_view kind() const override { return "conv2d"; }
  std::size_t input_size() const override;
  std::size_t output_size() const override;
  void forward(std::span<const double> x, std::span<double> y) override;
  // Stateless between calls: a checkpoint saves nothing of it.
  void save_state(const StateSection&) const override {}
  void load_state(const StateSource&) override {}

  const Shape& shape() const { return shape_; }
  Activation activation() const { return phi_; }
  std::span<const double> weights() const { return weights_; }
  std::span<const double> bias() const { return bias_; }

 private:
  double at(std::span<const double> x, std::size_t o, std::size_t r, std::size_t c) const;

  Shape shape_;
  Activation phi_;
  std::vector<double> weights_, bias_;
};

// Checks a shape on its own (used by the constructor and by loaders before reading tensors).
void validate(const Conv2d::Shape& shape);

}  // namespace spikeflow::dnn
