#include "models/dnn/rate_learning.hpp"

#include <cmath>
#include <string>

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

std::string_view rate_rule_name(RateRule rule) {
  switch (rule) {
    case RateRule::hebb:
      return "hebb";
    case RateRule::oja:
      return "oja";
    case RateRule::bcm:
      return "bcm";
  }
  return "oja";
}

RateRule parse_rate_rule(std::string_view name) {
  for (const RateRule r : {RateRule::hebb, RateRule::oja, RateRule::bcm})
    if (name == rate_rule_name(r)) return r;
  throw ConfigError(
      concat("learning rule must be one of hebb, oja, bcm, got '", std::string(name), "'"));
}

RateLearning::RateLearning(const Params& params, std::size_t outputs) : params_(params) {
  if (!(params.eta > 0.0) || !std::isfinite(params.eta))
    throw ConfigError(concat("learning rule ", rate_rule_name(params.rule),
                             ": eta must be > 0, got ", params.eta));
  if (params.rule == RateRule::bcm) {
    if (!(params.tau_theta >= 1.0) || !std::isfinite(params.tau_theta))
      throw ConfigError(
          concat("learning rule bcm: tau_theta must be >= 1 update, got ", params.tau_theta));
    if (!(params.theta0 >= 0.0) || !std::isfinite(params.theta0))
      throw ConfigError(concat("learning rule bcm: theta0 must be >= 0, got ", params.theta0));
  }
  theta_.assign(outputs, params.theta0);
}

void RateLearning::reset() {
  theta_.assign(theta_.size(), params_.theta0);
}

void RateLearning::update(std::span<double> weights, std::span<const double> x,
                          std::span<const double> y) {
  const std::size_t in = x.size(), out = y.size();
  if (out != theta_.size() || weights.size() != in * out)
    throw ConfigError(concat("learning rule ", rate_rule_name(params_.rule), ": weights have ",
                             weights.size(), " values for ", out, " outputs x ", in,
                             " inputs, expected ", theta_.size(), " outputs"));
  const double eta = params_.eta;
  for (std::size_t i = 0; i < out; ++i) {
    double* w = weights.data() + i * in;
    const double yi = y[i];
    switch (params_.rule) {
      case RateRule::hebb:
        for (std::size_t j = 0; j < in; ++j) w[j] += eta * yi * x[j];
        break;
      case RateRule::oja:
        for (std::size_t j = 0; j < in; ++j) w[j] += eta * (yi * x[j] - yi * yi * w[j]);
        break;
      case RateRule::bcm: {
        const double factor = eta * yi * (yi - theta_[i]);
        for (std::size_t j = 0; j < in; ++j) w[j] += factor * x[j];
        theta_[i] += (yi * yi - theta_[i]) / params_.tau_theta;
        break;
      }
    }
  }
}

LearningDense::LearningDense(Dense layer, const RateLearning::Params& params)
    : layer_(std::move(layer)), rule_(params, layer_.output_size()) {}

void LearningDense::forward(std::span<const double> x, std::span<double> y) {
  layer_.forward(x, y);
  if (learning_) rule_.update(layer_.weights(), x, y);
}

}  // namespace spikeflow::dnn
