#include "models/rate.hpp"

#include <cmath>

#include "engine/error.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::models {

namespace {

struct NamedTransfer {
  const char* name;
  TransferFunction phi;
};
constexpr NamedTransfer kTransfers[] = {{"relu", TransferFunction::relu},
                                        {"threshold_linear", TransferFunction::threshold_linear},
                                        {"sigmoid", TransferFunction::sigmoid},
                                        {"tanh", TransferFunction::tanh},
                                        {"lif", TransferFunction::lif}};

void validate(const RateParams& p) {
  if (!(p.tau >= 0.0) || !std::isfinite(p.tau))
    throw ConfigError(concat("rate: tau must be >= 0 ms, got ", p.tau));
  require_finite("rate", "b", p.b, "the input unit");
  require_positive("rate", "gain", p.gain, "(1 / input unit)");
  require_finite("rate", "theta", p.theta, "the input unit");
  require_positive("rate", "r_max", p.r_max, "Hz");
  if (p.phi == TransferFunction::lif)
    throw ConfigError(
        "rate: phi lif is not yet available (the LIF transfer function, "
        "models/lif_transfer.hpp, has not landed); use relu, threshold_linear, sigmoid or tanh");
}

}  // namespace

TransferFunction transfer_function(const std::string& name) {
  std::string known;
  for (const auto& t : kTransfers) {
    if (name == t.name) return t.phi;
    known += concat(known.empty() ? "" : ", ", t.name);
  }
  throw ConfigError(concat("rate: phi must be one of ", known, ", got '", name, "'"));
}

const char* transfer_function_name(TransferFunction phi) {
  for (const auto& t : kTransfers)
    if (t.phi == phi) return t.name;
  return "?";
}

double transfer(const RateParams& p, double x) {
  switch (p.phi) {
    case TransferFunction::relu:
      return std::max(0.0, x);
    case TransferFunction::threshold_linear:
      return std::min(p.r_max, p.gain * std::max(0.0, x - p.theta));
    case TransferFunction::sigmoid:
      return p.r_max / (1.0 + std::exp(-p.gain * (x - p.theta)));
    case TransferFunction::tanh:
      return p.r_max * std::tanh(p.gain * (x - p.theta));
    case TransferFunction::lif:
      break;
  }
  throw ConfigError("rate: phi lif is not yet available");
}

RatePopulation::RatePopulation(NeuronIndex size, const RateParams& params)
    : size_(size), params_(params), r_(size, 0.0), I_(size, 0.0), sum_(size, 0.0) {
  validate(params_);
}

void RatePopulation::prepare(const TimeGrid& grid) {
  k_ = update_interval_steps("rate", params_.update_interval, grid);
  const double h = static_cast<double>(k_) * grid.dt();
  decay_ = params_.tau > 0.0 ? std::exp(-h / params_.tau) : 0.0;
}

void RatePopulation::update(NeuronRange range, Step step, const StepInput& in, SpikeSink&) {
  for (NeuronIndex i = range.begin; i < range.end; ++i)
    sum_[i] += in.excitatory[i] + in.inhibitory[i] + in.current[i];
  if ((step + 1) % k_ != 0) return;

  const double inv_k = 1.0 / static_cast<double>(k_);
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    I_[i] = sum_[i] * inv_k;
    sum_[i] = 0.0;
    const double phi = transfer(params_, I_[i] + params_.b);
    r_[i] = phi + (r_[i] - phi) * decay_;
  }
}

std::span<double> RatePopulation::state(std::string_view name) {
  return find_state(name, {{"r", &r_}, {"I", &I_}});
}

std::unique_ptr<Adapter> make_rate(NeuronIndex size, const RateParams& params) {
  return std::make_unique<RatePopulation>(size, params);
}

}  // namespace spikeflow::models
