#include "models/meanfield.hpp"

#include <algorithm>
#include <cmath>

#include "engine/error.hpp"

namespace spikeflow::models {

namespace {

using Vector = std::vector<double>;

void validate(const std::vector<MeanFieldPopulation>& populations) {
  const int count = static_cast<int>(populations.size());
  for (const MeanFieldPopulation& pop : populations) {
    require_finite("mean field", "mu_ext", pop.mu_ext, "mV");
    for (const MeanFieldAfferent& in : pop.afferents) {
      const std::string where = concat("mean field: population '", pop.name, "': afferent ");
      if (in.source < -1 || in.source >= count)
        throw ConfigError(
            concat(where, "source must be -1 or in [0, ", count, "), got ", in.source));
      if (!(in.indegree >= 0.0) || !std::isfinite(in.indegree))
        throw ConfigError(concat(where, "indegree must be >= 0, got ", in.indegree));
      if (in.source == -1 && (!(in.rate >= 0.0) || !std::isfinite(in.rate)))
        throw ConfigError(concat(where, "rate must be >= 0 Hz, got ", in.rate));
      if (!std::isfinite(in.weight) || !(in.weight_sq >= in.weight * in.weight * (1 - 1e-12)))
        throw ConfigError(concat(where, "needs <J^2> >= <J>^2, got <J> = ", in.weight,
                                 " mV, <J^2> = ", in.weight_sq, " mV^2"));
      if (!(in.tau_syn >= 0.0) || !std::isfinite(in.tau_syn))
        throw ConfigError(concat(where, "tau_syn must be >= 0 ms, got ", in.tau_syn));
    }
  }
}

double max_abs(const Vector& v) {
  double m = 0.0;
  for (const double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// The synaptic time constant of a population: its inputs' tau_syn weighted by their share of
// the variance (0 without filtering or input).
double filter_time(const MeanFieldPopulation& pop, const Vector& rates, bool synaptic_filtering) {
  double weighted = 0.0;
  double total = 0.0;
  for (const MeanFieldAfferent& in : pop.afferents) {
    const double share = in.indegree * in.weight_sq * (in.source < 0 ? in.rate : rates[in.source]);
    weighted += share * in.tau_syn;
    total += share;
  }
  return synaptic_filtering && total > 0.0 ? weighted / total : 0.0;
}

// phi(nu) - nu, with every entry +infinity where the point is no candidate: an input (mu,
// sigma) or a rate that overflows, as at the huge rates an iterate of a network without
// refractoriness can reach, or with weights too large for any rate but 0.
Vector residual(const std::vector<MeanFieldPopulation>& pops, const Vector& rates, bool filter) {
  Vector mu, sigma;
  mean_field_input(pops, rates, mu, sigma);
  Vector r(pops.size(), INFINITY);
  for (std::size_t a = 0; a < pops.size(); ++a)
    if (!std::isfinite(mu[a]) || !std::isfinite(sigma[a])) return r;
  for (std::size_t a = 0; a < pops.size(); ++a) {
    const double phi =
        siegert_rate(mu[a], sigma[a], pops[a].neuron, filter_time(pops[a], rates, filter));
    if (!std::isfinite(phi)) return Vector(pops.size(), INFINITY);
    r[a] = phi - rates[a];
  }
  return r;
}

bool finite(const Vector& v) {
  for (const double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// Solves A x = b by Gaussian elimination with partial pivoting; false if A is singular.
bool solve_linear(std::vector<Vector> A, Vector b, Vector& x) {
  const std::size_t n = b.size();
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t row = col + 1; row < n; ++row)
      if (std::fabs(A[row][col]) > std::fabs(A[pivot][col])) pivot = row;
    if (!(std::fabs(A[pivot][col]) > 1e-300)) return false;
    std::swap(A[col], A[pivot]);
    std::swap(b[col], b[pivot]);
    for (std::size_t row = col + 1; row < n; ++row) {
      const double f = A[row][col] / A[col][col];
      for (std::size_t k = col; k < n; ++k) A[row][k] -= f * A[col][k];
      b[row] -= f * b[col];
    }
  }
  x.assign(n, 0.0);
  for (std::size_t i = n; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= A[i][k] * x[k];
    x[i] = s / A[i][i];
  }
  return true;
}

// A rate grows by at most this factor per relaxation step (plus kGrowthHz). Without
// refractoriness phi is unbounded: one undamped step from a strongly driven start can reach
// rates whose input overflows, far beyond the fixed point.
constexpr double kGrowthFactor = 2.0;
constexpr double kGrowthHz = 10.0;

// Relaxation nu <- nu + d (phi(nu) - nu), the rate dynamics in pseudo-time: brings a far
// start near a stable fixed point, where Newton's method takes over. d is halved whenever a
// step overshoots (a residual changes sign while the largest one grows), as the strong
// negative feedback of inhibition-dominated networks makes undamped iteration oscillate, and
// whenever a step reaches a point without a finite residual (the step is then not taken).
// Each rate grows by at most kGrowthFactor x + kGrowthHz per step.
int damped_iteration(const std::vector<MeanFieldPopulation>& pops, const MeanFieldOptions& opt,
                     Vector& rates, Vector& r) {
  double damping = 0.1;
  int steps = 0;
  for (; steps < opt.damped_iterations && finite(r) && max_abs(r) > 1.0; ++steps) {
    Vector next = rates;
    for (std::size_t a = 0; a < rates.size(); ++a)
      next[a] = std::clamp(rates[a] + damping * r[a], 0.0, kGrowthFactor * rates[a] + kGrowthHz);
    Vector r_next = residual(pops, next, opt.synaptic_filtering);
    if (!finite(r_next)) {
      if (damping <= 1e-4) break;
      damping = std::max(damping * 0.5, 1e-4);
      continue;
    }
    bool flipped = false;
    for (std::size_t a = 0; a < r.size(); ++a) flipped |= r[a] * r_next[a] < 0.0;
    if (flipped && max_abs(r_next) > max_abs(r)) damping = std::max(damping * 0.5, 1e-4);
    rates = std::move(next);
    r = std::move(r_next);
  }
  return steps;
}

// One Newton step on phi(nu) - nu = 0 with a forward-difference Jacobian, shortened until
// the residual decreases. False if no step decreases it.
bool newton_step(const std::vector<MeanFieldPopulation>& pops, bool filter, Vector& rates,
                 Vector& r) {
  const std::size_t n = rates.size();
  std::vector<Vector> jacobian(n, Vector(n, 0.0));
  for (std::size_t b = 0; b < n; ++b) {
    Vector shifted = rates;
    const double h = std::max(1e-6 * rates[b], 1e-6);
    shifted[b] += h;
    const Vector r_shifted = residual(pops, shifted, filter);
    if (!finite(r_shifted)) return false;
    for (std::size_t a = 0; a < n; ++a) jacobian[a][b] = (r_shifted[a] - r[a]) / h;
  }
  Vector minus_r(n);
  for (std::size_t a = 0; a < n; ++a) minus_r[a] = -r[a];
  Vector delta;
  if (!solve_linear(jacobian, minus_r, delta)) return false;

  for (double step = 1.0; step > 1e-6; step *= 0.5) {
    Vector next(n);
    for (std::size_t a = 0; a < n; ++a) next[a] = std::max(0.0, rates[a] + step * delta[a]);
    Vector r_next = residual(pops, next, filter);
    if (finite(r_next) && max_abs(r_next) < max_abs(r)) {
      rates = std::move(next);
      r = std::move(r_next);
      return true;
    }
  }
  return false;
}

}  // namespace

void mean_field_input(const std::vector<MeanFieldPopulation>& populations, const Vector& rates,
                      Vector& mu, Vector& sigma) {
  mu.assign(populations.size(), 0.0);
  sigma.assign(populations.size(), 0.0);
  for (std::size_t a = 0; a < populations.size(); ++a) {
    const MeanFieldPopulation& pop = populations[a];
    const double tau_m_s = pop.neuron.tau_m * 1e-3;  // ms -> s, so tau_m nu is a count
    double mean = 0.0;
    double variance = 0.0;
    for (const MeanFieldAfferent& in : pop.afferents) {
      const double nu = in.source < 0 ? in.rate : rates[in.source];
      mean += in.indegree * in.weight * nu;
      variance += in.indegree * in.weight_sq * nu;
    }
    mu[a] = pop.mu_ext + tau_m_s * mean;
    sigma[a] = std::sqrt(tau_m_s * variance);
  }
}

Vector mean_field_transfer(const std::vector<MeanFieldPopulation>& populations, const Vector& rates,
                           bool synaptic_filtering) {
  Vector mu, sigma;
  mean_field_input(populations, rates, mu, sigma);
  Vector out(populations.size());
  for (std::size_t a = 0; a < populations.size(); ++a)
    out[a] = siegert_rate(mu[a], sigma[a], populations[a].neuron,
                          filter_time(populations[a], rates, synaptic_filtering));
  return out;
}

namespace {

// The iteration from result.rates.
void solve_from(const std::vector<MeanFieldPopulation>& populations,
                const MeanFieldOptions& options, MeanFieldResult& result) {
  Vector r = residual(populations, result.rates, options.synaptic_filtering);
  result.iterations += damped_iteration(populations, options, result.rates, r);
  for (int k = 0; k < options.max_iterations && finite(r) && max_abs(r) > options.tolerance; ++k) {
    ++result.iterations;
    // Where no Newton step lowers the residual, relax further and try again.
    if (!newton_step(populations, options.synaptic_filtering, result.rates, r))
      result.iterations += damped_iteration(populations, options, result.rates, r);
  }
  result.residual = finite(r) ? max_abs(r) : INFINITY;
  result.converged = result.residual <= options.tolerance;
}

void require_rates(const char* what, const Vector& rates) {
  for (const double nu : rates)
    if (!(nu >= 0.0) || !std::isfinite(nu))
      throw ConfigError(concat("mean field: ", what, " must be >= 0 Hz, got ", nu));
}

}  // namespace

MeanFieldResult solve_mean_field(const std::vector<MeanFieldPopulation>& populations,
                                 const MeanFieldOptions& options) {
  validate(populations);
  const std::size_t n = populations.size();
  MeanFieldResult result;
  result.rates = options.initial_rates.empty() ? Vector(n, 10.0) : options.initial_rates;
  if (result.rates.size() != n)
    throw ConfigError(
        concat("mean field: initial_rates needs ", n, " values, got ", result.rates.size()));
  require_rates("initial rates", result.rates);
  require_rates("restart rates", options.restart_rates);

  solve_from(populations, options, result);
  // The first start's last iterate is what a failure reports (the restarts' are no closer).
  MeanFieldResult first = result;
  for (std::size_t k = 0; k < options.restart_rates.size() && !result.converged; ++k) {
    result.rates.assign(n, options.restart_rates[k]);
    solve_from(populations, options, result);
    result.starts = static_cast<int>(k) + 2;
  }
  if (!result.converged) {
    first.iterations = result.iterations;
    first.starts = result.starts;
    result = std::move(first);
  }
  mean_field_input(populations, result.rates, result.mu, result.sigma);
  return result;
}

}  // namespace spikeflow::models
