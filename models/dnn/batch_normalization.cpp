#include "models/dnn/batch_normalization.hpp"

#include <cmath>

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

BatchNormalization::BatchNormalization(std::size_t channels, std::size_t features, Tensors tensors,
                                       double eps)
    : channels_(channels), features_(features), tensors_(std::move(tensors)), eps_(eps) {
  if (channels < 1 || features < 1)
    throw ConfigError(concat("batch_normalization: channels and features must be >= 1, got ",
                             channels, " and ", features));
  if (!(eps > 0.0) || !std::isfinite(eps))
    throw ConfigError(concat("batch_normalization: eps must be > 0, got ", eps));
  const char* kind = "batch_normalization";
  detail::check_tensor(kind, "weight (gamma) [channels]", channels, tensors_.gamma.size());
  detail::check_tensor(kind, "bias (beta) [channels]", channels, tensors_.beta.size());
  detail::check_tensor(kind, "running_mean [channels]", channels, tensors_.running_mean.size());
  detail::check_tensor(kind, "running_var [channels]", channels, tensors_.running_var.size());
  for (std::size_t c = 0; c < channels; ++c)
    if (!(tensors_.running_var[c] >= 0.0))
      throw ConfigError(concat("batch_normalization: running_var[", c, "] must be >= 0, got ",
                               tensors_.running_var[c]));

  scale_.resize(channels);
  for (std::size_t c = 0; c < channels; ++c)
    scale_[c] = tensors_.gamma[c] / std::sqrt(tensors_.running_var[c] + eps_);
}

void BatchNormalization::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_size(), x.size(), output_size(), y.size());
  for (std::size_t c = 0; c < channels_; ++c) {
    const double mean = tensors_.running_mean[c], beta = tensors_.beta[c];
    for (std::size_t k = 0; k < features_; ++k) {
      const std::size_t at = c * features_ + k;
      y[at] = (x[at] - mean) * scale_[c] + beta;
    }
  }
}

}  // namespace spikeflow::dnn
