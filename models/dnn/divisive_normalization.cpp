#include "models/dnn/divisive_normalization.hpp"

#include <cmath>

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

DivisiveNormalization::DivisiveNormalization(std::size_t size, const Params& params,
                                             std::vector<double> weights)
    : size_(size), params_(params), weights_(std::move(weights)) {
  if (size < 1) throw ConfigError(concat("divisive_normalization: size must be >= 1, got ", size));
  if (!(params.n > 0.0) || !std::isfinite(params.n))
    throw ConfigError(concat("divisive_normalization: n must be > 0, got ", params.n));
  if (!(params.sigma > 0.0) || !std::isfinite(params.sigma))
    throw ConfigError(concat("divisive_normalization: sigma must be > 0, got ", params.sigma));
  if (weights_.empty()) weights_.assign(size * size, 1.0);
  detail::check_tensor("divisive_normalization", "weight [size, size]", size * size,
                       weights_.size());
  for (std::size_t k = 0; k < weights_.size(); ++k)
    if (!(weights_[k] >= 0.0) || !std::isfinite(weights_[k]))
      throw ConfigError(concat("divisive_normalization: weight[", k / size, "][", k % size,
                               "] must be >= 0 and finite, got ", weights_[k]));
  sigma_n_ = power(params.sigma);
  drive_.resize(size);
}

double DivisiveNormalization::power(double x) const {
  const double r = x > 0.0 ? x : 0.0;
  return params_.n == 2.0 ? r * r : std::pow(r, params_.n);
}

void DivisiveNormalization::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), size_, x.size(), size_, y.size());
  for (std::size_t j = 0; j < size_; ++j) drive_[j] = power(x[j]);
  for (std::size_t i = 0; i < size_; ++i) {
    const double* w = weights_.data() + i * size_;
    double pool = 0.0;
    for (std::size_t j = 0; j < size_; ++j) pool += w[j] * drive_[j];
    y[i] = drive_[i] / (sigma_n_ + pool);
  }
}

}  // namespace spikeflow::dnn
