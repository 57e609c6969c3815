#include "models/meanfield_network.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "engine/error.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"

namespace spikeflow::models {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// P(alpha <= Z <= beta) for a standard normal Z, from the tail that keeps its digits.
double normal_mass(double alpha, double beta) {
  if (alpha > 0.0)
    return 0.5 * (std::erfc(alpha / std::numbers::sqrt2) - std::erfc(beta / std::numbers::sqrt2));
  return 0.5 * (std::erfc(-beta / std::numbers::sqrt2) - std::erfc(-alpha / std::numbers::sqrt2));
}

double normal_density(double x) {
  if (std::isinf(x)) return 0.0;
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}

// x phi(x), 0 at +-infinity.
double x_density(double x) {
  return std::isinf(x) ? 0.0 : x * normal_density(x);
}

Moments truncated_normal(double m, double s, double low, double high) {
  const double alpha = (low - m) / s;
  const double beta = (high - m) / s;
  const double z = normal_mass(alpha, beta);
  if (!(z > 0.0))
    throw ConfigError(
        concat("normal(", m, ", ", s, ") has no probability within [", low, ", ", high, "]"));
  const double shift = (normal_density(alpha) - normal_density(beta)) / z;
  const double mean = m + s * shift;
  const double variance = s * s * (1.0 + (x_density(alpha) - x_density(beta)) / z - shift * shift);
  return {mean, variance + mean * mean};
}

// E[X^k] of exp(N(mu, s)) restricted to [low, high].
double lognormal_moment(double mu, double s, double low, double high, int k) {
  const double log_low = low > 0.0 ? std::log(low) : -kInf;
  const double log_high = std::log(high);  // +inf for high = inf
  const double kept = normal_mass((log_low - mu) / s, (log_high - mu) / s);
  if (!(kept > 0.0))
    throw ConfigError(
        concat("lognormal(", mu, ", ", s, ") has no probability within [", low, ", ", high, "]"));
  const double shifted =
      normal_mass((log_low - mu - k * s * s) / s, (log_high - mu - k * s * s) / s);
  return std::exp(k * mu + 0.5 * k * k * s * s) * shifted / kept;
}

// How a target model turns a weight into an equivalent jump (mV), and its synaptic time
// constants (ms; 0 for delta synapses).
struct TargetKind {
  MeanFieldPopulation population;
  double C_m = 250.0;
  double factor_ex = 1.0, factor_in = 1.0;  // J = factor * w
  double tau_ex = 0.0, tau_in = 0.0;
};

TargetKind target_kind(const Population& model, const std::string& name) {
  TargetKind t;
  t.population.name = name;
  const MembraneParams* membrane = nullptr;
  if (const auto* delta = dynamic_cast<const LifDelta*>(&model)) {
    membrane = &delta->params();
  } else if (const auto* exp = dynamic_cast<const LifExp*>(&model)) {
    const LifExp::Params& p = exp->params();
    membrane = &p;
    const double scale = p.weights_in_mV ? p.tau_m : p.C_m;
    t.factor_ex = p.tau_syn_ex / scale;
    t.factor_in = p.tau_syn_in / scale;
    t.tau_ex = p.tau_syn_ex;
    t.tau_in = p.tau_syn_in;
  } else {
    throw ConfigError(concat("meanfield: population '", name, "': model ", model.model(),
                             " is not supported (supported: lif_delta, lif_exp; conductance "
                             "and alpha synapses and spike sources have no treatment here)"));
  }
  t.C_m = membrane->C_m;
  t.population.neuron = lif_transfer_of(*membrane);
  t.population.mu_ext = membrane->E_L + membrane->tau_m * membrane->I_e / membrane->C_m;
  return t;
}

// The afferent of K inputs with weights drawn from `weight` into a target of kind t.
MeanFieldAfferent afferent(const TargetKind& t, const Distribution& weight, double indegree,
                           const std::string& what) {
  const Moments m = distribution_moments(weight);
  const bool both_signs = weight.min_value() < 0.0 && weight.max_value() > 0.0;
  if (both_signs && t.tau_ex != t.tau_in)
    throw ConfigError(concat("meanfield: ", what, ": weight ", weight.describe(),
                             " takes both signs and the target's tau_syn_ex = ", t.tau_ex,
                             " ms differs from tau_syn_in = ", t.tau_in,
                             " ms; give excitation and inhibition separate projections"));
  const bool inhibitory = m.mean < 0.0;
  const double factor = inhibitory ? t.factor_in : t.factor_ex;
  MeanFieldAfferent a;
  a.indegree = indegree;
  a.weight = factor * m.mean;
  a.weight_sq = factor * factor * m.mean_square;
  a.tau_syn = inhibitory ? t.tau_in : t.tau_ex;
  return a;
}

void add_input(const Network& net, std::uint32_t index, std::vector<TargetKind>& targets) {
  const InputInfo info = net.input_info(index);
  TargetKind& t = targets[info.target];
  const std::string what = concat("input ", index, " (", info.kind, " -> ", t.population.name, ")");
  const Input& input = net.input(index);
  if (const PoissonParams* p = poisson_params(input)) {
    if (std::isfinite(p->stop))
      throw ConfigError(concat("meanfield: ", what, ": stops at ", p->stop,
                               " ms; only inputs that stay on have a stationary state"));
    MeanFieldAfferent a = afferent(t, Distribution::constant(p->weight), 1.0, what);
    a.rate = p->rate;
    t.population.afferents.push_back(a);
  } else if (const DcParams* p = dc_params(input)) {
    if (std::isfinite(p->stop))
      throw ConfigError(concat("meanfield: ", what, ": stops at ", p->stop,
                               " ms; only inputs that stay on have a stationary state"));
    t.population.mu_ext += t.population.neuron.tau_m * p->amplitude / t.C_m;
  } else {
    throw ConfigError(concat("meanfield: ", what, ": input kind ", info.kind,
                             " is not supported (supported: poisson, dc)"));
  }
}

}  // namespace

Moments distribution_moments(const Distribution& d) {
  switch (d.kind()) {
    case Distribution::Kind::constant:
      return {d.a(), d.a() * d.a()};
    case Distribution::Kind::uniform: {
      const double lo = d.min_value();
      const double hi = d.max_value();
      return {0.5 * (lo + hi), (lo * lo + lo * hi + hi * hi) / 3.0};
    }
    case Distribution::Kind::normal:
      if (d.b() == 0.0) return {d.a(), d.a() * d.a()};
      return truncated_normal(d.a(), d.b(), d.low(), d.high());
    case Distribution::Kind::lognormal:
      return {lognormal_moment(d.a(), d.b(), d.low(), d.high(), 1),
              lognormal_moment(d.a(), d.b(), d.low(), d.high(), 2)};
  }
  throw ConfigError("meanfield: unknown distribution kind");
}

std::vector<MeanFieldPopulation> mean_field_of(const Network& net) {
  std::vector<TargetKind> targets;
  for (std::uint32_t p = 0; p < net.population_count(); ++p)
    targets.push_back(
        target_kind(net.population(PopulationHandle{p}), net.population_info(p).name));

  for (std::uint32_t j = 0; j < net.projection_count(); ++j) {
    const ProjectionInfo pr = net.projection_info(j);
    const PopulationInfo source = net.population_info(pr.source);
    const PopulationInfo target = net.population_info(pr.target);
    const std::string what = pr.name.empty() ? concat("projection ", source.name, "->", target.name)
                                             : concat("projection '", pr.name, "'");
    const ProjectionGeometry geometry{net.options().seed, j, source.size, target.size,
                                      pr.source == pr.target};
    // A given matrix makes every neuron's input its own; the theory here is that of
    // statistically equal neurons.
    if (pr.synapse.weight_matrix)
      throw ConfigError(concat("meanfield: ", what,
                               ": has a weight matrix; the mean field needs weights drawn from "
                               "a distribution (the same statistics for every neuron)"));
    const double indegree = expected_synapse_count(pr.rule, geometry) / target.size;
    MeanFieldAfferent a = afferent(targets[pr.target], pr.synapse.weight, indegree, what);
    a.source = static_cast<int>(pr.source);
    targets[pr.target].population.afferents.push_back(a);
  }

  for (std::uint32_t i = 0; i < net.input_count(); ++i) add_input(net, i, targets);

  std::vector<MeanFieldPopulation> out;
  for (TargetKind& t : targets) out.push_back(std::move(t.population));
  return out;
}

}  // namespace spikeflow::models
