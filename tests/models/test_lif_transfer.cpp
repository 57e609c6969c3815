// Tests of models/lif_transfer.hpp: erfcx against long double, the Siegert integral against a
// plain trapezoid rule, the deterministic f-I curve against simulated lif_delta and lif_exp
// neurons under DC, and the Siegert rate against lif_delta neurons driven by excitatory and
// inhibitory Poisson input of 0.1 mV jumps.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/lif_transfer.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::serial;

namespace {

// e^{u^2} (1 + erf u) = e^{u^2} erfc(-u) in long double, straight from the definition.
long double siegert_integrand(long double u) {
  return std::exp(u * u) * std::erfc(-u);
}

// The trapezoid rule with n panels on [a, b].
long double trapezoid(long double a, long double b, long n) {
  const long double h = (b - a) / n;
  long double sum = 0.5L * (siegert_integrand(a) + siegert_integrand(b));
  for (long k = 1; k < n; ++k) sum += siegert_integrand(a + h * k);
  return sum * h;
}

// The Siegert rate of Brunel (2000) eq. 21 with the integral by trapezoid.
double trapezoid_rate(double mu, double sigma, const models::LifTransfer& n) {
  const long double integral = trapezoid((n.V_reset - mu) / sigma, (n.V_th - mu) / sigma, 400000);
  return static_cast<double>(
      1000.0L / (n.t_ref + n.tau_m * std::sqrt(std::numbers::pi_v<long double>) * integral));
}

// Brunel's (2000) neuron: tau_m 20 ms, t_ref 2 ms, V_th 20 mV, V_reset 10 mV, E_L 0.
const models::LifTransfer kBrunel{20.0, 2.0, 20.0, 10.0};

}  // namespace

TEST_CASE("lif_transfer: erfcx equals e^{x^2} erfc(x) computed in long double", "[unit]") {
  // Requirement: erfcx accurate to a few ulp wherever it is finite.
  double worst = 0.0;
  for (double x = -26.0; x <= 100.0; x += 0.0137) {  // long double: up to ~106
    const long double ref =
        std::exp(static_cast<long double>(x) * x) * std::erfc(static_cast<long double>(x));
    const double rel = static_cast<double>(std::fabs((models::erfcx(x) - ref) / ref));
    INFO("x = " << x);
    // e^{x^2} in double carries the rounding of x^2 (relative 1.1e-16 x^2).
    REQUIRE(rel < 4e-16 * (4.0 + x * x));
    worst = std::max(worst, rel / (4.0 + x * x));
  }
  CHECK(models::erfcx(0.0) == 1.0);
  CHECK(std::isinf(models::erfcx(-27.0)));
  // Far out, erfcx(x) -> 1 / (x sqrt(pi)).
  CHECK(models::erfcx(1e8) * 1e8 * std::sqrt(std::numbers::pi) == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("lif_transfer: the Siegert rate equals the trapezoid rule on its integral to 1e-6",
          "[unit]") {
  // Requirement: the Siegert formula's integral evaluated accurately, from the noise-driven
  // (y_th up to 10) to the mean-driven regime (y_th down to -40).
  struct Case {
    double mu, sigma;
  };
  const Case c = GENERATE(Case{10.0, 1.0}, Case{12.0, 2.0}, Case{15.0, 4.0}, Case{18.0, 0.5},
                          Case{20.0, 3.0}, Case{25.0, 5.0}, Case{30.0, 0.25}, Case{40.0, 8.0},
                          Case{5.0, 10.0}, Case{-20.0, 4.0});
  INFO("mu = " << c.mu << " mV, sigma = " << c.sigma << " mV");
  const double reference = trapezoid_rate(c.mu, c.sigma, kBrunel);
  const double rate = models::siegert_rate(c.mu, c.sigma, kBrunel);
  INFO("siegert " << rate << " Hz, trapezoid " << reference << " Hz");
  REQUIRE(reference > 0.0);
  CHECK(std::fabs(rate - reference) <= 1e-6 * reference);
}

TEST_CASE("lif_transfer: the Siegert rate tends to the deterministic curve as sigma -> 0",
          "[unit]") {
  // Requirement: sigma -> 0 gives 1/(t_ref + tau_m ln((mu - V_r)/(mu - V_th))) above
  // threshold, 0 below; sigma = 0 is that curve.
  for (const double mu : {20.5, 22.0, 30.0, 100.0}) {
    const double T = kBrunel.tau_m * std::log((mu - kBrunel.V_reset) / (mu - kBrunel.V_th));
    const double deterministic = 1000.0 / (kBrunel.t_ref + T);
    INFO("mu = " << mu);
    CHECK(models::lif_rate_deterministic(mu, kBrunel) == Approx(deterministic).epsilon(1e-14));
    CHECK(models::siegert_rate(mu, 0.0, kBrunel) == Approx(deterministic).epsilon(1e-14));
    CHECK(models::siegert_rate(mu, 1e-3, kBrunel) == Approx(deterministic).epsilon(1e-4));
  }
  CHECK(models::lif_rate_deterministic(20.0, kBrunel) == 0.0);
  CHECK(models::siegert_rate(19.0, 1e-3, kBrunel) == 0.0);
  // Far below threshold the rate underflows to 0, never to NaN.
  CHECK(models::siegert_rate(-100.0, 1.0, kBrunel) == 0.0);
}

TEST_CASE("lif_transfer: the Fourcaud-Brunel correction shifts threshold and reset", "[unit]") {
  // Requirement: with tau_s the rate is the white-noise rate for V_th and V_reset raised by
  // sigma alpha/2 sqrt(tau_s/tau_m), alpha = sqrt(2) |zeta(1/2)|, zeta(1/2) = -1.4603545088...
  const double half_alpha = std::sqrt(2.0) * 1.4603545088095868 / 2.0;
  CHECK(models::kSynapticFilteringShift == Approx(half_alpha).epsilon(1e-15));
  const double mu = 18.0, sigma = 4.0, tau_s = 2.0;
  const double shift = sigma * half_alpha * std::sqrt(tau_s / kBrunel.tau_m);
  models::LifTransfer shifted = kBrunel;
  shifted.V_th += shift;
  shifted.V_reset += shift;
  CHECK(models::siegert_rate(mu, sigma, kBrunel, tau_s) ==
        Approx(trapezoid_rate(mu, sigma, shifted)).epsilon(1e-6));
  // Filtering lowers the rate.
  CHECK(models::siegert_rate(mu, sigma, kBrunel, tau_s) < models::siegert_rate(mu, sigma, kBrunel));
}

TEST_CASE("lif_transfer: invalid parameters are refused with name and value", "[unit]") {
  models::LifTransfer bad = kBrunel;
  bad.tau_m = -1;
  CHECK_THAT(test::config_error([&] { models::siegert_rate(10, 1, bad); }),
             Catch::Contains("tau_m") && Catch::Contains("-1"));
  bad = kBrunel;
  bad.V_reset = 25;
  CHECK_THAT(test::config_error([&] { models::lif_rate_deterministic(30, bad); }),
             Catch::Contains("V_reset") && Catch::Contains("25"));
  CHECK_THAT(test::config_error([&] { models::siegert_rate(10, -2, kBrunel); }),
             Catch::Contains("sigma") && Catch::Contains("-2"));
  CHECK_THAT(test::config_error([&] { models::siegert_rate(10, 2, kBrunel, -0.5); }),
             Catch::Contains("tau_s") && Catch::Contains("-0.5"));
}

TEST_CASE(
    "lif_transfer: simulated lif_delta and lif_exp f-I curves under DC equal the "
    "deterministic rate to the grid bound",
    "[model][unit]") {
  // Requirement: a neuron driven by a constant current fires with intervals in
  // [1/rate - dt, 1/rate) (the grid rule of models/lif_common.hpp), and not at all at or
  // below the rheobase C_m (V_th - E_L) / tau_m = 375 pA (NEST defaults).
  const bool exp_synapses = GENERATE(false, true);
  const double t_ref = GENERATE(2.0, 0.5);
  INFO((exp_synapses ? "lif_exp" : "lif_delta") << ", t_ref = " << t_ref);
  models::LifExp::Params p;  // NEST defaults; the membrane part serves lif_delta too
  p.t_ref = t_ref;
  const std::vector<double> currents = {0.0, 375.0, 376.0, 390.0, 450.0, 700.0, 1500.0, 5000.0};

  Network net(serial());
  const double dt = net.grid().dt();
  std::vector<PopulationHandle> pops;
  for (const double current : currents) {
    const std::string name = concat("I", current);
    pops.push_back(exp_synapses ? net.add_population(name, models::make_lif_exp(1, p))
                                : net.add_population(name, models::make_lif_delta(1, p)));
    net.add_input(pops.back(), models::make_dc_input({.amplitude = current}));
    net.record_spikes(pops.back());
  }
  net.run(3000.0);

  for (std::size_t k = 0; k < currents.size(); ++k) {
    const double rate = models::lif_rate_current(currents[k], p);
    const std::vector<SpikeEvent>& spikes = net.spikes(pops[k]);
    INFO("I = " << currents[k] << " pA, predicted " << rate << " Hz, " << spikes.size()
                << " spikes");
    if (currents[k] <= 375.0) {
      CHECK(rate == 0.0);
      CHECK(spikes.empty());
      continue;
    }
    REQUIRE(spikes.size() >= 3);
    const double period = 1000.0 / rate;
    for (std::size_t i = 2; i < spikes.size(); ++i) {
      const double isi = (spikes[i].step - spikes[i - 1].step) * dt;
      REQUIRE(isi >= period - dt - 1e-9);
      REQUIRE(isi < period + 1e-9);
    }
  }
}

TEST_CASE(
    "lif_transfer: lif_delta under Poisson input of 0.1 mV jumps fires at the Siegert "
    "rate within 10 percent for mu in 15..25 mV and sigma in 3..6 mV",
    "[model][unit]") {
  // Requirement: in the diffusion limit (jumps J = 0.1 mV << sigma) the stationary rate is
  // Siegert's. Brunel's neuron, E_L = 0; excitatory and inhibitory trains of rates nu_e, nu_i
  // with jumps +J and -J give mu = tau_m J (nu_e - nu_i), sigma^2 = tau_m J^2 (nu_e + nu_i).
  // Range: the Siegert rates of these points are 2.3 to 47 Hz.
  struct Case {
    double mu, sigma;
  };
  const Case c =
      GENERATE(Case{15.0, 3.0}, Case{15.0, 6.0}, Case{18.0, 3.0}, Case{18.0, 5.0}, Case{20.0, 4.0},
               Case{22.0, 3.0}, Case{22.0, 6.0}, Case{25.0, 3.0}, Case{25.0, 5.0});
  const double J = 0.1;
  const double tau = kBrunel.tau_m * 1e-3;  // s
  const double difference = c.mu / (tau * J);
  const double sum = c.sigma * c.sigma / (tau * J * J);
  const double nu_e = 0.5 * (sum + difference), nu_i = 0.5 * (sum - difference);
  REQUIRE(nu_i > 0.0);

  models::LifDelta::Params p;
  p.E_L = 0.0;
  p.tau_m = kBrunel.tau_m;
  p.t_ref = kBrunel.t_ref;
  p.V_th = kBrunel.V_th;
  p.V_reset = kBrunel.V_reset;
  Network net(serial());
  const NeuronIndex n = 100;
  const auto pop = net.add_population("pop", models::make_lif_delta(n, p));
  net.set_initial_state(pop, "V_m", Distribution::uniform(p.V_reset, p.V_th));
  net.add_input(pop, models::make_poisson_input({.rate = nu_e, .weight = J}));
  net.add_input(pop, models::make_poisson_input({.rate = nu_i, .weight = -J}));
  net.record_spikes(pop);
  const double warmup = 200.0, measured = 4000.0;
  net.run(warmup);
  const std::size_t before = net.spikes(pop).size();
  net.run(measured);
  const double simulated = (net.spikes(pop).size() - before) / (n * measured * 1e-3);

  const double predicted = models::siegert_rate(c.mu, c.sigma, kBrunel);
  INFO("mu = " << c.mu << " mV, sigma = " << c.sigma << " mV: Siegert " << predicted
               << " Hz, simulated " << simulated << " Hz");
  REQUIRE(predicted > 2.0);
  CHECK(std::fabs(simulated - predicted) <= 0.10 * predicted);
}
