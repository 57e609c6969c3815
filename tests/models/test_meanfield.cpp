// Tests of models/meanfield.hpp and models/meanfield_network.hpp: the self-consistent Brunel
// rates against an independent mpmath solution, the input statistics of a network against
// the simulated free membrane potential (lif_delta, lif_exp with pA and mV weights), weight
// moments against numerical integration, refusals and the non-convergence report.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/meanfield.hpp"
#include "models/meanfield_network.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::serial;

namespace {

// Brunel's (2000) network N2 as a mean-field description: CE = 1000, CI = 250, J = 0.1 mV,
// -g J inhibitory, external rate eta x 10 Hz x CE.
std::vector<models::MeanFieldPopulation> brunel(double g, double eta) {
  const double J = 0.1;
  return {models::MeanFieldPopulation{
      .name = "E",
      .neuron = {20.0, 2.0, 20.0, 10.0},
      .afferents = {{.source = -1,
                     .rate = eta * 10.0 * 1000.0,
                     .indegree = 1,
                     .weight = J,
                     .weight_sq = J * J},
                    {.source = 0, .indegree = 1000, .weight = J, .weight_sq = J * J},
                    {.source = 0, .indegree = 250, .weight = -g * J, .weight_sq = g * g * J * J}}}};
}

// examples/brunel_ai.toml (g = 6, eta = 4) as E and I populations, E with t_ref = `t_ref_e`.
std::vector<models::MeanFieldPopulation> brunel_ai(double t_ref_e, double J_ee = 0.1) {
  const double J = 0.1, g = 6.0;
  std::vector<models::MeanFieldPopulation> pops;
  for (const double t_ref : {t_ref_e, 2.0})
    pops.push_back(models::MeanFieldPopulation{
        .name = pops.empty() ? "E" : "I",
        .neuron = {20.0, t_ref, 20.0, 10.0},
        .afferents = {
            {.source = -1, .rate = 40000, .indegree = 1, .weight = J, .weight_sq = J * J},
            {.source = 0, .indegree = 1000, .weight = J, .weight_sq = J * J},
            {.source = 1, .indegree = 250, .weight = -g * J, .weight_sq = g * g * J * J}}});
  pops[0].afferents[1].weight = J_ee;
  pops[0].afferents[1].weight_sq = J_ee * J_ee;
  return pops;
}

}  // namespace

TEST_CASE("meanfield: without refractoriness the solver still finds the fixed point", "[unit]") {
  // Risk (issue 5): with t_ref = 0 phi is unbounded; the iteration from 10 Hz ran away until
  // mu overflowed and siegert_rate threw an internal error. Reference: mpmath,
  // tests/models/meanfield_reference.py (E 95.1165693537, I 79.9142338257 Hz, mu 30.49043723,
  // sigma 13.07168447 mV).
  const models::MeanFieldResult r = models::solve_mean_field(brunel_ai(0.0));
  REQUIRE(r.converged);
  CHECK(r.rates[0] == Approx(95.1165693537).epsilon(1e-9));
  CHECK(r.rates[1] == Approx(79.9142338257).epsilon(1e-9));
  CHECK(r.mu[0] == Approx(30.49043723).epsilon(1e-8));
  CHECK(r.sigma[0] == Approx(13.07168447).epsilon(1e-8));
  CHECK(r.starts > 1);  // 10 Hz itself runs away; a restart converges

  // Without restarts the run from 10 Hz ends as "not converged", not as an exception.
  models::MeanFieldOptions alone;
  alone.restart_rates.clear();
  const models::MeanFieldResult stuck = models::solve_mean_field(brunel_ai(0.0), alone);
  CHECK_FALSE(stuck.converged);
  CHECK(stuck.starts == 1);

  // Weights so large that sigma overflows at any positive rate: no fixed point, reported.
  const models::MeanFieldResult huge = models::solve_mean_field(brunel_ai(2.0, 1e300));
  CHECK_FALSE(huge.converged);
  CHECK(std::isinf(huge.residual));
  CHECK(std::isinf(huge.sigma[0]));
}

TEST_CASE("meanfield: Brunel N2 rates equal an independent mpmath solution", "[unit]") {
  // Requirement: nu = phi(mu(nu), sigma(nu)) solved to 1e-8 Hz. References from
  // tests/models/meanfield_reference.py (mpmath, 30 digits).
  struct Case {
    double g, eta, rate;
  };
  const Case c = GENERATE(Case{5, 2, 37.9496970857634}, Case{6, 4, 55.8412623762044},
                          Case{4, 1, 28.8203417866064});
  INFO("g = " << c.g << ", eta = " << c.eta);
  for (const double start : {0.0, 10.0, 200.0}) {
    models::MeanFieldOptions options;
    options.initial_rates = {start};
    const models::MeanFieldResult r = models::solve_mean_field(brunel(c.g, c.eta), options);
    INFO("start " << start << " Hz: " << r.rates[0] << " Hz after " << r.iterations);
    REQUIRE(r.converged);
    CHECK(r.residual <= 1e-8);
    CHECK(r.rates[0] == Approx(c.rate).epsilon(1e-9));
    // mu and sigma as Brunel's eq. 19-20 give them at the solution.
    const double nu_ext = c.eta * 10.0 * 1000.0;
    CHECK(r.mu[0] == Approx(0.02 * 0.1 * (nu_ext + 1000 * c.rate - 250 * c.g * c.rate)));
    CHECK(r.sigma[0] ==
          Approx(std::sqrt(0.02 * 0.01 * (nu_ext + 1000 * c.rate + 250 * c.g * c.g * c.rate))));
  }
}

TEST_CASE("meanfield: a solver stopped early says it did not converge", "[unit]") {
  models::MeanFieldOptions options;
  options.max_iterations = 0;
  options.damped_iterations = 0;
  const models::MeanFieldResult r = models::solve_mean_field(brunel(5, 2), options);
  CHECK_FALSE(r.converged);
  CHECK(r.residual > 1.0);
  CHECK(r.rates[0] == 10.0);
}

TEST_CASE("meanfield: invalid descriptions are refused", "[unit]") {
  auto pops = brunel(5, 2);
  pops[0].afferents[1].source = 3;
  CHECK_THAT(test::config_error([&] { models::solve_mean_field(pops); }),
             Catch::Contains("source") && Catch::Contains("3"));
  pops = brunel(5, 2);
  pops[0].afferents[0].rate = -5;
  CHECK_THAT(test::config_error([&] { models::solve_mean_field(pops); }),
             Catch::Contains("rate") && Catch::Contains("-5"));
}

TEST_CASE("meanfield: weight moments equal numerical integration of the density", "[unit]") {
  // Requirement: bounded (truncated) distributions enter by their true mean and mean square.
  auto numeric = [](auto density, double lo, double hi) {
    const int n = 200000;
    const double h = (hi - lo) / n;
    double m0 = 0, m1 = 0, m2 = 0;
    for (int k = 0; k <= n; ++k) {
      const double x = lo + h * k, w = (k == 0 || k == n) ? 0.5 : 1.0;
      const double f = density(x) * w;
      m0 += f, m1 += f * x, m2 += f * x * x;
    }
    return models::Moments{m1 / m0, m2 / m0};
  };
  auto gauss = [](double m, double s) {
    return [=](double x) { return std::exp(-0.5 * (x - m) * (x - m) / (s * s)); };
  };
  auto lognormal = [](double mu, double s) {
    return [=](double x) {
      return x > 0 ? std::exp(-0.5 * std::pow(std::log(x) - mu, 2) / (s * s)) / x : 0.0;
    };
  };
  struct Case {
    Distribution d;
    models::Moments ref;
  };
  const std::vector<Case> cases = {
      {Distribution::normal(87.8, 8.78), numeric(gauss(87.8, 8.78), 0, 200)},
      {Distribution::normal(0.1, 0.2).clipped_to_sign(), numeric(gauss(0.1, 0.2), 0, 3)},
      {Distribution::normal(-1, 0.5).bounded(-1.2, 0.0), numeric(gauss(-1, 0.5), -1.2, 0)},
      {Distribution::uniform(-2, 3).bounded(-1, 10), {1.0, (1.0 - 3.0 + 9.0) / 3.0}},
      {Distribution::lognormal(0.2, 0.5), numeric(lognormal(0.2, 0.5), 1e-9, 40)},
      {Distribution::lognormal(0.2, 0.5).bounded(1.0, 2.0), numeric(lognormal(0.2, 0.5), 1, 2)},
      {Distribution::constant(-0.5), {-0.5, 0.25}}};
  for (const Case& c : cases) {
    INFO(c.d.describe());
    const models::Moments m = models::distribution_moments(c.d);
    CHECK(m.mean == Approx(c.ref.mean).epsilon(1e-7));
    CHECK(m.mean_square == Approx(c.ref.mean_square).epsilon(1e-7));
  }
}

TEST_CASE("meanfield: mu and sigma of a network equal the simulated free membrane potential",
          "[model][unit]") {
  // Requirement: in-degrees from the rules, weights converted to equivalent jumps (lif_delta
  // w; lif_exp w tau_syn / C_m in pA, w tau_syn / tau_m with weights_in_mV), external rates
  // and dc currents give the mean of the free (non-spiking) membrane potential. Thresholds
  // are out of reach, so no target spikes. Sources: 400 neurons driven to fire regularly by
  // a dc current (their phases spread by the initial V), which fixes the mean input; the
  // variance would differ from Poisson's, so it is left to the Siegert tests.
  const int kind = GENERATE(0, 1, 2);  // lif_delta, lif_exp pA, lif_exp mV
  INFO("target kind " << kind);
  Network net(serial());
  models::LifDelta::Params src;
  src.I_e = 500.0;  // 375 pA rheobase: fires at a fixed rate, phase from the initial V
  const auto source = net.add_population("src", models::make_lif_delta(400, src));
  net.set_initial_state(source, "V_m", Distribution::uniform(-70, -55));

  models::LifExp::Params p;
  p.E_L = -65.0;
  p.V_th = 1e6;
  p.tau_m = 15.0;
  p.tau_syn_ex = 3.0;
  p.tau_syn_in = 6.0;
  p.weights_in_mV = kind == 2;
  const NeuronIndex n = 400;
  const auto target = kind == 0 ? net.add_population("tgt", models::make_lif_delta(n, p))
                                : net.add_population("tgt", models::make_lif_exp(n, p));
  const double w = kind == 1 ? 20.0 : 0.2;  // pA or mV
  net.connect(source, target, ConnectionRule::pairwise_bernoulli(0.25),
              {Distribution::normal(w, 0.3 * w).clipped_to_sign(), Distribution::constant(1.0)});
  net.connect(source, target, ConnectionRule::fixed_indegree(20),
              {Distribution::constant(-2 * w), Distribution::constant(2.0)});
  net.add_input(target, models::make_poisson_input({.rate = 3000.0, .weight = w}));
  net.add_input(target, models::make_dc_input({.amplitude = 50.0}));
  net.record_spikes(source);
  const auto trace = net.record_state(target, "V_m", {}, 1.0);
  net.run(3000.0);

  const double source_rate = 1000.0 * net.spikes(source).size() / (400 * 3000.0);
  const auto pops = models::mean_field_of(net);
  REQUIRE(pops.size() == 2);
  std::vector<double> mu, sigma;
  models::mean_field_input(pops, {source_rate, 0.0}, mu, sigma);

  // Statistics of V over neurons and frames after 200 ms.
  const Trace& tr = net.trace(trace);
  double sum = 0, count = 0;
  for (std::size_t f = 0; f < tr.frame_steps.size(); ++f) {
    if (tr.frame_steps[f] < 2000) continue;
    for (NeuronIndex i = 0; i < n; ++i) {
      const double v = tr.values[f * n + i];
      sum += v, ++count;
    }
  }
  const double mean = sum / count;
  INFO("source rate " << source_rate << " Hz; mu " << mu[1] << " mV, simulated mean " << mean
                      << " mV");
  REQUIRE(mu[1] - p.E_L > 5.0);
  // The mean potential's distance from rest, to 2 % (finite run, in-degree spread).
  CHECK(std::fabs((mean - p.E_L) - (mu[1] - p.E_L)) <= 0.02 * (mu[1] - p.E_L));
}

TEST_CASE("meanfield: models and inputs without a treatment are refused with their name",
          "[unit]") {
  {
    Network net(serial());
    net.add_population("A", models::make_lif_alpha(10, {}));
    CHECK_THAT(test::config_error([&] { models::mean_field_of(net); }),
               Catch::Contains("'A'") && Catch::Contains("lif_alpha"));
  }
  {
    Network net(serial());
    const auto e = net.add_population("E", models::make_lif_delta(10, {}));
    net.add_input(e, models::make_poisson_input({.rate = 100, .weight = 1, .stop = 50}));
    CHECK_THAT(test::config_error([&] { models::mean_field_of(net); }),
               Catch::Contains("poisson") && Catch::Contains("50"));
  }
  {
    Network net(serial());
    const auto e = net.add_population("E", models::make_lif_delta(10, {}));
    net.add_input(e, models::make_step_current_input({{0.0}, {10.0}}));
    CHECK_THAT(test::config_error([&] { models::mean_field_of(net); }),
               Catch::Contains("step_current"));
  }
  {
    Network net(serial());
    models::LifExp::Params p;
    p.tau_syn_in = 5.0;
    const auto e = net.add_population("E", models::make_lif_exp(10, p));
    net.connect(e, e, ConnectionRule::fixed_indegree(2),
                {Distribution::uniform(-1, 1), Distribution::constant(1.0)});
    CHECK_THAT(test::config_error([&] { models::mean_field_of(net); }),
               Catch::Contains("both signs"));
  }
}
