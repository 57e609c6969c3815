#include "models/dnn/conv2d.hpp"

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

std::size_t Conv2d::Shape::out_height() const {
  return (height + 2 * pad_h - kernel_h) / stride_h + 1;
}
std::size_t Conv2d::Shape::out_width() const {
  return (width + 2 * pad_w - kernel_w) / stride_w + 1;
}

void validate(const Conv2d::Shape& s) {
  const auto at_least_one = [](const char* name, std::size_t value) {
    if (value < 1) throw ConfigError(concat("conv2d: ", name, " must be >= 1, got ", value));
  };
  at_least_one("in_channels", s.in_channels);
  at_least_one("height", s.height);
  at_least_one("width", s.width);
  at_least_one("out_channels", s.out_channels);
  at_least_one("kernel_h", s.kernel_h);
  at_least_one("kernel_w", s.kernel_w);
  at_least_one("stride_h", s.stride_h);
  at_least_one("stride_w", s.stride_w);
  if (s.pad_h >= s.kernel_h)
    throw ConfigError(concat("conv2d: pad_h must be < kernel_h = ", s.kernel_h, ", got ", s.pad_h));
  if (s.pad_w >= s.kernel_w)
    throw ConfigError(concat("conv2d: pad_w must be < kernel_w = ", s.kernel_w, ", got ", s.pad_w));
  if (s.kernel_h > s.height + 2 * s.pad_h)
    throw ConfigError(concat("conv2d: kernel_h must be <= height + 2 pad_h = ",
                             s.height + 2 * s.pad_h, ", got ", s.kernel_h));
  if (s.kernel_w > s.width + 2 * s.pad_w)
    throw ConfigError(concat("conv2d: kernel_w must be <= width + 2 pad_w = ",
                             s.width + 2 * s.pad_w, ", got ", s.kernel_w));
}

Conv2d::Conv2d(const Shape& shape, std::vector<double> weights, std::vector<double> bias,
               Activation phi)
    : shape_(shape), phi_(phi), weights_(std::move(weights)), bias_(std::move(bias)) {
  validate(shape_);
  detail::check_tensor("conv2d", "weight [out_channels, in_channels, kernel_h, kernel_w]",
                       shape_.out_channels * shape_.in_channels * shape_.kernel_h * shape_.kernel_w,
                       weights_.size());
  detail::check_tensor("conv2d", "bias [out_channels]", shape_.out_channels, bias_.size());
}

std::size_t Conv2d::input_size() const {
  return shape_.in_channels * shape_.height * shape_.width;
}
std::size_t Conv2d::output_size() const {
  return shape_.out_channels * shape_.out_height() * shape_.out_width();
}

// One output value. Kernel taps that fall on the zero padding are skipped rather than
// multiplied by zero, which gives the same sum (adding +0.0 changes nothing).
double Conv2d::at(std::span<const double> x, std::size_t o, std::size_t r, std::size_t c) const {
  const Shape& s = shape_;
  const std::size_t kernel_size = s.kernel_h * s.kernel_w;
  double sum = bias_[o];
  for (std::size_t i = 0; i < s.in_channels; ++i) {
    const double* w = weights_.data() + (o * s.in_channels + i) * kernel_size;
    const double* plane = x.data() + i * s.height * s.width;
    for (std::size_t u = 0; u < s.kernel_h; ++u) {
      const std::size_t row_pad = r * s.stride_h + u;  // row in the padded image
      if (row_pad < s.pad_h || row_pad >= s.pad_h + s.height) continue;
      const double* in_row = plane + (row_pad - s.pad_h) * s.width;
      for (std::size_t v = 0; v < s.kernel_w; ++v) {
        const std::size_t col_pad = c * s.stride_w + v;
        if (col_pad < s.pad_w || col_pad >= s.pad_w + s.width) continue;
        sum += w[u * s.kernel_w + v] * in_row[col_pad - s.pad_w];
      }
    }
  }
  return sum;
}

void Conv2d::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_size(), x.size(), output_size(), y.size());
  const std::size_t rows = shape_.out_height(), cols = shape_.out_width();
  for (std::size_t o = 0; o < shape_.out_channels; ++o)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c)
        y[(o * rows + r) * cols + c] = apply(phi_, at(x, o, r, c));
}

}  // namespace spikeflow::dnn
