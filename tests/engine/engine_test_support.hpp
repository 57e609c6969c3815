// Helpers shared by the engine tests: moments of reference distributions, sample summaries,
// 4-sigma checks whose bounds come from the theory (never from the sample), chi-square
// bounds, and the recurrent reference network used by the determinism and clock tests.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"

namespace spikeflow::test {

// Number of standard errors a statistic may stray from its expectation.
inline constexpr double kSigmas = 4.0;

// Mean, variance and fourth central moment of a distribution.
struct Moments {
  double mean;
  double variance;
  double mu4;
};

inline Moments poisson_moments(double lambda) {
  return {lambda, lambda, lambda + 3 * lambda * lambda};
}

inline Moments binomial_moments(double n, double p) {
  const double v = n * p * (1 - p);
  return {n * p, v, v * (1 - 6 * p * (1 - p)) + 3 * v * v};
}

inline Moments uniform_moments(double a, double b) {
  const double w = b - a;
  return {0.5 * (a + b), w * w / 12, w * w * w * w / 80};
}

inline Moments normal_moments(double mean, double sd) {
  return {mean, sd * sd, 3 * sd * sd * sd * sd};
}

// From the raw moments E[X], E[X^2], E[X^3], E[X^4].
inline Moments from_raw_moments(double m1, double m2, double m3, double m4) {
  const double var = m2 - m1 * m1;
  const double mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1 * m1 - 3 * m1 * m1 * m1 * m1;
  return {m1, var, mu4};
}

inline Moments lognormal_moments(double mu, double sigma) {
  const auto raw = [&](double k) { return std::exp(k * mu + 0.5 * k * k * sigma * sigma); };
  return from_raw_moments(raw(1), raw(2), raw(3), raw(4));
}

inline double normal_pdf(double x) {
  return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
}
inline double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Analytic mean of a normal(mean, sd) truncated to [low, high] (either may be infinite).
inline double truncated_normal_mean(double mean, double sd, double low, double high) {
  const double a = (low - mean) / sd;
  const double b = (high - mean) / sd;
  const double pa = std::isfinite(a) ? normal_pdf(a) : 0.0;
  const double pb = std::isfinite(b) ? normal_pdf(b) : 0.0;
  const double z = normal_cdf(b) - normal_cdf(a);
  return mean + sd * (pa - pb) / z;
}

// All moments of the truncated normal by Simpson quadrature of the density (an
// implementation independent of the sampler), over at most +-14 sd.
inline Moments truncated_normal_moments(double mean, double sd, double low, double high) {
  const double lo = std::max(low, mean - 14 * sd);
  const double hi = std::min(high, mean + 14 * sd);
  const int n = 200000;  // even
  const double h = (hi - lo) / n;
  double m[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i <= n; ++i) {
    const double x = lo + i * h;
    const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    const double f = w * normal_pdf((x - mean) / sd);
    double xp = 1;
    for (int k = 0; k <= 4; ++k, xp *= x) m[k] += f * xp;
  }
  return from_raw_moments(m[1] / m[0], m[2] / m[0], m[3] / m[0], m[4] / m[0]);
}

struct SampleSummary {
  std::size_t n = 0;
  double mean = 0;
  double variance = 0;  // unbiased
};

template <typename Container>
SampleSummary summarize(const Container& xs) {
  SampleSummary s;
  s.n = xs.size();
  double sum = 0;
  for (const auto x : xs) sum += static_cast<double>(x);
  s.mean = sum / static_cast<double>(s.n);
  double ss = 0;
  for (const auto x : xs) {
    const double d = static_cast<double>(x) - s.mean;
    ss += d * d;
  }
  s.variance = ss / static_cast<double>(s.n - 1);
  return s;
}

// Standard error of the mean and of the unbiased sample variance of n iid draws.
inline double mean_error(const Moments& m, std::size_t n) {
  return std::sqrt(m.variance / static_cast<double>(n));
}
inline double variance_error(const Moments& m, std::size_t n) {
  const double nd = static_cast<double>(n);
  return std::sqrt((m.mu4 - m.variance * m.variance * (nd - 3) / (nd - 1)) / nd);
}

// Checks sample mean and variance against the distribution within kSigmas standard errors.
template <typename Container>
void check_moments(const Container& xs, const Moments& expected, const std::string& what) {
  const SampleSummary s = summarize(xs);
  const double mean_tol = kSigmas * mean_error(expected, s.n);
  const double var_tol = kSigmas * variance_error(expected, s.n);
  INFO(what << ": n = " << s.n << ", mean " << s.mean << " (expected " << expected.mean << " +- "
            << mean_tol << "), variance " << s.variance << " (expected " << expected.variance
            << " +- " << var_tol << ")");
  CHECK(std::abs(s.mean - expected.mean) <= mean_tol);
  CHECK(std::abs(s.variance - expected.variance) <= var_tol);
}

// Quantile of the chi-square distribution with `dof` degrees of freedom at the normal
// quantile z (Wilson-Hilferty approximation; good to a few percent for dof >= 3).
inline double chi_square_quantile(double dof, double z) {
  const double c = 2.0 / (9.0 * dof);
  const double t = 1.0 - c + z * std::sqrt(c);
  return dof * t * t * t;
}

// Goodness of fit of integer draws to a probability mass function given on [kmin, kmax]
// (mass outside is taken to be negligible and its draws join the end bins). Bins are merged
// until each expects at least 10 draws. Returns (chi-square, degrees of freedom).
inline std::pair<double, double> chi_square_vs_pmf(const std::vector<std::uint64_t>& draws,
                                                   std::int64_t kmin, std::int64_t kmax,
                                                   const std::function<double(std::int64_t)>& pmf) {
  const double n = static_cast<double>(draws.size());
  std::vector<double> observed(static_cast<std::size_t>(kmax - kmin + 1), 0.0);
  for (const auto d : draws) {
    const std::int64_t k = std::clamp<std::int64_t>(static_cast<std::int64_t>(d), kmin, kmax);
    observed[static_cast<std::size_t>(k - kmin)] += 1;
  }
  std::vector<double> bin_e, bin_o;
  double e = 0, o = 0;
  for (std::int64_t k = kmin; k <= kmax; ++k) {
    e += n * pmf(k);
    o += observed[static_cast<std::size_t>(k - kmin)];
    if (e >= 10) {
      bin_e.push_back(e);
      bin_o.push_back(o);
      e = o = 0;
    }
  }
  if (!bin_e.empty()) {  // the remainder joins the last bin
    bin_e.back() += e;
    bin_o.back() += o;
  }
  double chi2 = 0;
  for (std::size_t i = 0; i < bin_e.size(); ++i)
    chi2 += (bin_o[i] - bin_e[i]) * (bin_o[i] - bin_e[i]) / bin_e[i];
  return {chi2, static_cast<double>(bin_e.size()) - 1};
}

// A synapse as for_each_synapse reports it, comparable and sortable.
using SynapseTuple = std::tuple<NeuronIndex, NeuronIndex, float, Step>;

inline std::vector<SynapseTuple> collect_synapses(const Network& net, ProjectionHandle p) {
  std::vector<SynapseTuple> out;
  net.for_each_synapse(
      p, [&](NeuronIndex s, NeuronIndex t, float w, Step d) { out.emplace_back(s, t, w, d); });
  return out;
}

// The recurrent reference network of the determinism and clock tests: 400 lif_exp (E, pA
// weights) and 250 lif_delta (I, mV weights) neurons, Poisson drive, pairwise_bernoulli and
// fixed_indegree projections with normal weights clipped to sign and delays uniform over
// 0.5-2.5 ms (5-25 steps), random initial V_m.
struct ReferenceNetwork {
  PopulationHandle exc;
  PopulationHandle inh;
};

inline ReferenceNetwork build_reference_network(Network& net) {
  models::LifExp::Params pe;  // NEST defaults: 375 pA from rest to threshold
  const auto exc = net.add_population("E", models::make_lif_exp(400, pe));
  models::LifDelta::Params pi;
  pi.tau_m = 20.0;
  pi.t_ref = 1.0;
  const auto inh = net.add_population("I", models::make_lif_delta(250, pi));

  // Mean drive: E 7000 Hz x 30 pA x 2 ms = 420 pA; I 7000 Hz x 0.11 mV x 20 ms = 15.4 mV.
  net.add_input(exc, models::make_poisson_input({.rate = 7000.0, .weight = 30.0}));
  net.add_input(inh, models::make_poisson_input({.rate = 7000.0, .weight = 0.11}));
  net.set_initial_state(exc, "V_m", Distribution::uniform(-70.0, -55.0));
  net.set_initial_state(inh, "V_m", Distribution::uniform(-70.0, -55.0));

  const auto delay = Distribution::uniform(0.5, 2.5);
  net.connect(exc, exc, ConnectionRule::pairwise_bernoulli(0.1).autapses(false),
              {Distribution::normal(25.0, 10.0).clipped_to_sign(), delay});
  net.connect(exc, inh, ConnectionRule::fixed_indegree(40),
              {Distribution::normal(0.2, 0.1).clipped_to_sign(), delay});
  net.connect(inh, exc, ConnectionRule::fixed_indegree(30).multapses(false),
              {Distribution::normal(-60.0, 20.0).clipped_to_sign(), delay});
  net.connect(inh, inh, ConnectionRule::pairwise_bernoulli(0.2),
              {Distribution::normal(-0.3, 0.1).clipped_to_sign(), delay});
  net.record_spikes(exc);
  net.record_spikes(inh);
  return {exc, inh};
}

}  // namespace spikeflow::test
