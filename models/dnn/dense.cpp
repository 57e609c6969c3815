#include "models/dnn/dense.hpp"

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

Dense::Dense(std::vector<double> weights, std::vector<double> bias, std::size_t in, std::size_t out,
             Activation phi)
    : in_(in), out_(out), phi_(phi), weights_(std::move(weights)), bias_(std::move(bias)) {
  if (in == 0 || out == 0)
    throw ConfigError(concat("dense: in and out must be >= 1, got in = ", in, ", out = ", out));
  detail::check_tensor("dense", "weight [out, in]", in * out, weights_.size());
  detail::check_tensor("dense", "bias [out]", out, bias_.size());
}

void Dense::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), in_, x.size(), out_, y.size());
  for (std::size_t i = 0; i < out_; ++i) {
    const double* row = weights_.data() + i * in_;
    double sum = 0.0;
    for (std::size_t j = 0; j < in_; ++j) sum += row[j] * x[j];
    y[i] = apply(phi_, sum + bias_[i]);
  }
}

}  // namespace spikeflow::dnn
