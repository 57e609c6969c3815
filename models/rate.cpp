#include "models/rate.hpp"

#include <cmath>

#include "engine/error.hpp"
#include "models/lif_common.hpp"
#include "models/lif_transfer.hpp"

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
                                        {"lif", TransferFunction::lif},
                                        {"siegert", TransferFunction::siegert}};

bool uses_neuron(TransferFunction phi) {
  return phi == TransferFunction::lif || phi == TransferFunction::siegert;
}

bool derives_sigma(const RateParams& p) {
  return p.phi == TransferFunction::siegert && !p.sigma.has_value();
}

void require_non_negative(const char* name, double value, const char* unit) {
  if (!(value >= 0.0) || !std::isfinite(value))
    throw ConfigError(concat("rate: ", name, " must be >= 0 ", unit, ", got ", value));
}

void validate(const RateParams& p) {
  if (!(p.tau >= 0.0) || !std::isfinite(p.tau))
    throw ConfigError(concat("rate: tau must be >= 0 ms, got ", p.tau));
  require_finite("rate", "b", p.b, "the input unit");
  require_positive("rate", "gain", p.gain, "(1 / input unit)");
  require_finite("rate", "theta", p.theta, "the input unit");
  require_positive("rate", "r_max", p.r_max, "Hz");
  if (!uses_neuron(p.phi)) return;
  validate_membrane("rate", p.neuron);
  if (p.sigma) require_non_negative("sigma", *p.sigma, "mV");
  require_non_negative("J_exc", p.J_exc, "mV");
  require_non_negative("J_inh", p.J_inh, "mV");
  require_non_negative("tau_syn", p.tau_syn, "ms");
}

double lif_transfer(const RateParams& p, double x, double noise) {
  const MembraneParams& m = p.neuron;
  const LifTransfer neuron = lif_transfer_of(m);
  const double mu = m.E_L + m.tau_m * x / m.C_m;
  if (p.phi == TransferFunction::lif) return lif_rate_deterministic(mu, neuron);
  const double sigma = p.sigma ? *p.sigma : std::sqrt(std::max(0.0, m.tau_m * noise / m.C_m));
  return siegert_rate(mu, sigma, neuron, p.tau_syn);
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

double transfer(const RateParams& p, double x, double noise) {
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
    case TransferFunction::siegert:
      return lif_transfer(p, x, noise);
  }
  return 0.0;
}

RatePopulation::RatePopulation(NeuronIndex size, const RateParams& params)
    : size_(size), params_(params), r_(size, 0.0), I_(size, 0.0), sum_(size, 0.0) {
  validate(params_);
  if (derives_sigma(params_)) noise_sum_.assign(size, 0.0);
}

void RatePopulation::prepare(const TimeGrid& grid) {
  k_ = update_interval_steps("rate", params_.update_interval, grid);
  const double h = static_cast<double>(k_) * grid.dt();
  decay_ = params_.tau > 0.0 ? std::exp(-h / params_.tau) : 0.0;
}

void RatePopulation::update(NeuronRange range, Step step, const StepInput& in, SpikeSink&) {
  for (NeuronIndex i = range.begin; i < range.end; ++i)
    sum_[i] += in.excitatory[i] + in.inhibitory[i] + in.current[i];
  const bool noisy = !noise_sum_.empty();
  if (noisy)
    for (NeuronIndex i = range.begin; i < range.end; ++i)
      noise_sum_[i] += params_.J_exc * in.excitatory[i] - params_.J_inh * in.inhibitory[i];
  if ((step + 1) % k_ != 0) return;

  const double inv_k = 1.0 / static_cast<double>(k_);
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    I_[i] = sum_[i] * inv_k;
    sum_[i] = 0.0;
    double noise = 0.0;
    if (noisy) {
      noise = noise_sum_[i] * inv_k;
      noise_sum_[i] = 0.0;
    }
    const double phi = transfer(params_, I_[i] + params_.b, noise);
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
