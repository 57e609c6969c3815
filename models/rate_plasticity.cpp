#include "models/rate_plasticity.hpp"

#include <algorithm>
#include <cmath>

#include "engine/error.hpp"

namespace spikeflow::models {

namespace {

// floor(a / b) for b > 0 and any sign of a.
Step floor_div(Step a, Step b) {
  const Step q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

}  // namespace

RatePlasticity::RatePlasticity(const RatePlasticityParams& params) : params_(params) {
  const std::string name(dnn::rate_rule_name(params_.rule));
  if (params_.rule == dnn::RateRule::bcm)
    throw ConfigError(
        "rate plasticity: rule must be hebb or oja on a projection, got 'bcm' "
        "(bcm is available on learning_dense modules)");
  if (!(params_.eta > 0.0) || !std::isfinite(params_.eta))
    throw ConfigError(concat(name, ": eta must be > 0, got ", params_.eta));
  if (std::isnan(params_.w_min) || std::isnan(params_.w_max) || !(params_.w_min < params_.w_max))
    throw ConfigError(
        concat(name, ": w_max must be > w_min = ", params_.w_min, ", got ", params_.w_max));
}

std::string RatePlasticity::describe() const {
  std::string text = concat(rule(), ", eta ", params_.eta);
  if (std::isfinite(params_.w_min) || std::isfinite(params_.w_max))
    text += concat(", w in [", params_.w_min, ", ", params_.w_max, "]");
  return text;
}

void RatePlasticity::set_update_intervals(Step source, Step target) {
  k_source_ = std::max<Step>(1, source);
  k_target_ = std::max<Step>(1, target);
}

void RatePlasticity::prepare(const TimeGrid&, NeuronIndex sources, NeuronIndex targets, Step window,
                             Step max_delay) {
  sources_ = sources;
  targets_ = targets;
  // The updates a lookup can reach back to, and those the current window writes: at most
  // (window + k_t + max_delay) / k_s + 2 of them are live at once.
  rows_ = static_cast<std::size_t>((window + k_target_ + max_delay) / k_source_ + 3);
  history_.assign(rows_ * sources_, 0.0);
}

void RatePlasticity::begin_graded_window(Step begin, Step end, std::span<const GradedValue> pre,
                                         std::span<const GradedValue> post) {
  // The source's updates of this window: clear their rows (they held update m - rows_),
  // then write the nonzero outputs.
  for (Step s = begin; s < end; ++s) {
    if ((s + 1) % k_source_ != 0) continue;
    const auto row = static_cast<std::size_t>((s + 1) / k_source_ - 1) % rows_;
    std::fill_n(history_.begin() + static_cast<std::ptrdiff_t>(row * sources_), sources_, 0.0);
  }
  for (const GradedValue& g : pre) {
    const auto row = static_cast<std::size_t>((g.step + 1) / k_source_ - 1) % rows_;
    history_[row * sources_ + g.index] = g.value;
  }

  // The target's outputs at its updates of this window.
  first_update_ = ((begin + k_target_) / k_target_) * k_target_ - 1;  // first u >= begin
  const Step updates = first_update_ < end ? (end - 1 - first_update_) / k_target_ + 1 : 0;
  window_y_.assign(static_cast<std::size_t>(updates) * targets_, 0.0);
  for (const GradedValue& g : post) {
    const auto k = static_cast<std::size_t>((g.step - first_update_) / k_target_);
    window_y_[k * targets_ + g.index] = g.value;
  }
}

double RatePlasticity::held(NeuronIndex source, Step t, Step delay) const {
  const Step m = floor_div(t - delay, k_source_) - 1;
  if (m < 0) return 0.0;  // before the source's first update
  return history_[(static_cast<std::size_t>(m) % rows_) * sources_ + source];
}

void RatePlasticity::on_target_update(Step step, NeuronIndex source, Step delay,
                                      GroupTargets targets, double* weights,
                                      std::uint32_t count) const {
  double x = 0.0;
  for (Step t = step - k_target_ + 1; t <= step; ++t) x += held(source, t, delay);
  x /= static_cast<double>(k_target_);

  const double* y =
      window_y_.data() + static_cast<std::size_t>((step - first_update_) / k_target_) * targets_;
  const double eta = params_.eta;
  const bool oja = params_.rule == dnn::RateRule::oja;
  for (std::uint32_t k = 0; k < count; ++k) {
    const double yi = y[targets[k]];
    if (yi == 0.0) continue;
    double w = weights[k];
    w += oja ? eta * (yi * x - yi * yi * w) : eta * yi * x;
    weights[k] = std::min(std::max(w, params_.w_min), params_.w_max);
  }
}

std::uint64_t RatePlasticity::state_bytes() const {
  return (history_.capacity() + window_y_.capacity()) * sizeof(double);
}

void RatePlasticity::save_state(const StateSection& out) const {
  out.write("history", history_);
}

void RatePlasticity::load_state(const StateSource& in) {
  in.read("history", history_);
}

std::unique_ptr<Plasticity> make_rate_plasticity(const RatePlasticityParams& params) {
  return std::make_unique<RatePlasticity>(params);
}

}  // namespace spikeflow::models
