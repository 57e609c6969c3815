// Tests of models/rate.hpp: the exact relaxation towards phi(I + b) against the closed form
// of tau dr/dt = -r + phi, each transfer function against its formula, the update interval
// and the averaging of graded input over it, the documented defaults and the errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_transfer.hpp"
#include "models/rate.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

TEST_CASE("rate: documented defaults", "[unit][model]") {
  const models::RateParams p;
  CHECK(p.tau == 10.0);
  CHECK(p.b == 0.0);
  CHECK(p.phi == models::TransferFunction::relu);
  CHECK(p.gain == 1.0);
  CHECK(p.theta == 0.0);
  CHECK(p.r_max == 100.0);
  CHECK(p.update_interval == 0.0);
}

TEST_CASE("rate: relaxation under a step of input follows the closed form exactly",
          "[unit][model]") {
  // DC input 30 during [0, 20) ms, bias 2: r = 32 (1 - e^{-t/tau}) up to 20 ms, then
  // r = 2 + (r(20) - 2) e^{-(t - 20)/tau}.
  models::RateParams p;
  p.tau = 7.0;
  p.b = 2.0;
  p.update_interval = 0.5;
  Network net(test::serial());
  auto r = net.add_population("r", models::make_rate(1, p));
  net.add_input(r, models::make_dc_input({.amplitude = 30.0, .start = 0.0, .stop = 20.0}));
  const auto trace = net.record_state(r, "r", {}, 0.5);
  net.run(50.0);

  const auto closed = [&](long double t) {
    const long double on = 32.0L * (1.0L - std::exp(-std::min(t, 20.0L) / 7.0L));
    if (t <= 20.0L) return on;
    return 2.0L + (on - 2.0L) * std::exp(-(t - 20.0L) / 7.0L);
  };
  const Trace& tr = net.trace(trace);
  REQUIRE(tr.values.size() == 100);
  for (std::size_t f = 0; f < tr.values.size(); ++f) {
    const long double t = 0.5L * static_cast<long double>(f + 1);
    INFO("t = " << static_cast<double>(t) << " ms");
    CHECK(tr.values[f] == Approx(static_cast<double>(closed(t))).epsilon(1e-12));
  }
}

TEST_CASE("rate: each transfer function against its formula", "[unit][model]") {
  struct Case {
    models::TransferFunction phi;
    double x;  // I + b
    double expected;
  };
  // gain 0.5, theta 10, r_max 50
  const Case cases[] = {
      {models::TransferFunction::relu, -3.0, 0.0},
      {models::TransferFunction::relu, 12.0, 12.0},
      {models::TransferFunction::threshold_linear, 8.0, 0.0},
      {models::TransferFunction::threshold_linear, 30.0, 10.0},
      {models::TransferFunction::threshold_linear, 500.0, 50.0},
      {models::TransferFunction::sigmoid, 12.0, 50.0 / (1.0 + std::exp(-1.0))},
      {models::TransferFunction::sigmoid, 10.0, 25.0},
      {models::TransferFunction::tanh, 14.0, 50.0 * std::tanh(2.0)},
      {models::TransferFunction::tanh, 6.0, -50.0 * std::tanh(2.0)},
  };
  for (const Case& c : cases) {
    models::RateParams p;
    p.tau = 0.0;  // r = phi at every update
    p.phi = c.phi;
    p.gain = 0.5;
    p.theta = 10.0;
    p.r_max = 50.0;
    p.b = 1.0;
    Network net(test::serial());
    auto r = net.add_population("r", models::make_rate(1, p));
    net.add_input(r, models::make_dc_input({.amplitude = c.x - 1.0}));
    net.run(1.0);
    INFO(models::transfer_function_name(c.phi) << "(" << c.x << ")");
    CHECK(net.population(r).state("r")[0] == Approx(c.expected).epsilon(1e-14));
    CHECK(models::transfer(p, c.x) == Approx(c.expected).epsilon(1e-14));
  }
}

TEST_CASE("rate: outputs change only at the end of each update interval", "[unit][model]") {
  models::RateParams p;
  p.tau = 3.0;
  p.update_interval = 0.5;  // 5 steps (dividing the 10-step window)
  Network net(test::serial());
  auto r = net.add_population("r", models::make_rate(1, p));
  net.add_input(r, models::make_dc_input({.amplitude = 10.0}));
  const auto trace = net.record_state(r, "r");
  net.run(10.0);
  const Trace& tr = net.trace(trace);
  for (std::size_t f = 1; f < tr.values.size(); ++f) {
    INFO("step " << tr.frame_steps[f]);
    if ((tr.frame_steps[f] + 1) % 5 == 0)
      CHECK(tr.values[f] > tr.values[f - 1]);
    else
      CHECK(tr.values[f] == tr.values[f - 1]);
  }
  CHECK(net.population(r).state("r")[0] ==
        Approx(10.0 * (1.0 - std::exp(-10.0 / 3.0))).epsilon(1e-12));
}

TEST_CASE("rate: graded input is averaged over the update interval", "[unit][model]") {
  // Source every 5 steps alternating 1, 3 through weight 2 and delay 1 ms; a rate unit
  // updating every 10 steps sees two source values per interval: I = 2 (1 + 3) / 2 = 4.
  // One updating every 5 steps sees each value alone: I = 2 or 6.
  const auto alternating = [](std::int64_t u, NeuronIndex) { return u % 2 == 0 ? 1.0 : 3.0; };
  for (const double interval : {0.5, 1.0}) {
    models::RateParams p;
    p.tau = 0.0;
    p.update_interval = interval;
    Network net(test::serial());
    auto src = net.add_population("src", std::make_unique<test::ValueSource>(1, 5, alternating));
    auto r = net.add_population("r", models::make_rate(1, p));
    net.connect(src, r, ConnectionRule::one_to_one(),
                {.weight = Distribution::constant(2.0), .delay = Distribution::constant(1.0)});
    const auto trace = net.record_state(r, "I", {}, interval);
    net.run(10.0);
    const Trace& tr = net.trace(trace);
    // Source update u is held in steps 5u + 15 ... 5u + 19.
    for (std::size_t f = 0; f < tr.values.size(); ++f) {
      const Step end = tr.frame_steps[f];  // last step of the interval
      INFO("interval " << interval << " ms, update ending in step " << end);
      if (interval == 1.0)
        CHECK(tr.values[f] == (end < 19 ? 0.0 : end == 19 ? 1.0 : 4.0));
      else
        CHECK(tr.values[f] == (end < 19 ? 0.0 : 2.0 * alternating((end - 19) / 5, 0)));
    }
  }
}

TEST_CASE("rate: invalid parameters are refused with the value", "[unit][model]") {
  models::RateParams p;
  p.tau = -1.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: tau must be >= 0 ms, got -1"));
  p = {};
  p.gain = 0.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: gain must be > 0"));
  p = {};
  p.r_max = -5.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("r_max must be > 0 Hz, got -5"));
  p = {};
  p.phi = models::TransferFunction::lif;
  p.neuron.V_reset = -50.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: V_reset must be < V_th = -55 mV, got -50 mV"));
  p = {};
  p.phi = models::TransferFunction::siegert;
  p.sigma = -2.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: sigma must be >= 0 mV, got -2"));
  p.sigma.reset();
  p.J_inh = -0.1;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: J_inh must be >= 0 mV, got -0.1"));
  CHECK_THAT(test::config_error([&] { models::transfer_function("softplus"); }),
             Contains("phi must be one of relu, threshold_linear, sigmoid, tanh, lif, siegert, got "
                      "'softplus'"));
  p = {};
  p.update_interval = 0.25;
  Network net(test::serial());
  net.add_population("r", models::make_rate(1, p));
  CHECK_THAT(test::config_error([&] { net.build(); }),
             Contains("rate: update_interval must be a multiple of dt = 0.1 ms, got 0.25 ms"));
}

namespace {

// The last recorded value of a one-neuron trace.
double last_value(const Network& net, TraceHandle trace) {
  const Trace& tr = net.trace(trace);
  REQUIRE_FALSE(tr.values.empty());
  return tr.values.back();
}

}  // namespace

TEST_CASE(
    "rate: phi = lif equals the LIF f-I curve and a simulated lif_delta under the same DC "
    "current",
    "[unit][model]") {
  // Requirement: phi = lif reads its input as a current in pA and outputs the deterministic
  // rate of models/lif_transfer.hpp; the spiking lif_delta with the same current fires with
  // a mean interval in (1/rate - dt, 1/rate] (NEST defaults, rheobase 375 pA).
  const std::vector<double> currents = {300.0, 375.0, 380.0, 450.0, 700.0, 1500.0};
  models::RateParams p;
  p.phi = models::TransferFunction::lif;
  p.tau = 0.0;
  Network net(test::serial());
  const double dt = net.grid().dt();
  std::vector<PopulationHandle> spiking;
  std::vector<TraceHandle> rates;
  for (const double current : currents) {
    const auto r = net.add_population(concat("r", current), models::make_rate(1, p));
    net.add_input(r, models::make_dc_input({.amplitude = current}));
    rates.push_back(net.record_state(r, "r", {}, 10.0));
    spiking.push_back(net.add_population(concat("s", current), models::make_lif_delta(1, {})));
    net.add_input(spiking.back(), models::make_dc_input({.amplitude = current}));
    net.record_spikes(spiking.back());
  }
  net.run(2000.0);

  for (std::size_t k = 0; k < currents.size(); ++k) {
    const double rate = last_value(net, rates[k]);
    const double reference = models::lif_rate_current(currents[k], models::MembraneParams{});
    const auto& spikes = net.spikes(spiking[k]);
    INFO("I = " << currents[k] << " pA: rate unit " << rate << " Hz, f-I curve " << reference
                << " Hz, lif_delta " << spikes.size() << " spikes");
    CHECK(rate == Approx(reference).epsilon(1e-12).margin(1e-300));
    if (currents[k] <= 375.0) {
      CHECK(rate == 0.0);
      CHECK(spikes.empty());
      continue;
    }
    // By hand: mu = -70 + 10 I / 250, rate = 1000 / (2 + 10 ln((mu + 70) / (mu + 55))).
    const double mu = -70.0 + 10.0 * currents[k] / 250.0;
    CHECK(rate == Approx(1000.0 / (2.0 + 10.0 * std::log((mu + 70.0) / (mu + 55.0)))));
    REQUIRE(spikes.size() >= 3);
    const double mean_isi = static_cast<double>(spikes.back().step - spikes.front().step) * dt /
                            static_cast<double>(spikes.size() - 1);
    CHECK(mean_isi > 1000.0 / rate - dt - 1e-9);
    CHECK(mean_isi <= 1000.0 / rate + 1e-9);
  }
}

TEST_CASE("rate: phi = siegert with sigma given equals the Siegert formula", "[unit][model]") {
  // Requirement: mu = E_L + tau_m x / C_m, the rate that of models/lif_transfer.hpp.
  models::RateParams p;
  p.phi = models::TransferFunction::siegert;
  p.tau = 0.0;
  p.b = 300.0;  // pA, with a DC input of 60 pA: mu = -70 + 10 * 360 / 250 = -55.6 mV
  p.sigma = 3.0;
  p.tau_syn = GENERATE(0.0, 0.5);
  Network net(test::serial());
  const auto r = net.add_population("r", models::make_rate(1, p));
  net.add_input(r, models::make_dc_input({.amplitude = 60.0}));
  const auto trace = net.record_state(r, "r", {}, 1.0);
  net.run(5.0);
  const double reference =
      models::siegert_rate(-70.0 + 10.0 * 360.0 / 250.0, 3.0, {10.0, 2.0, -55.0, -70.0}, p.tau_syn);
  INFO("tau_syn = " << p.tau_syn);
  REQUIRE(reference > 1.0);
  CHECK(last_value(net, trace) == Approx(reference).epsilon(1e-12));
}

TEST_CASE(
    "rate: phi = siegert with derived sigma matches lif_delta under Poisson input of "
    "0.1 mV jumps within 10 percent",
    "[unit][model]") {
  // Requirement: a rate unit fed the rates nu_e, nu_i through weights +-C_m J / 1000 pA/Hz
  // (one source of K inputs each) has mu = E_L + tau_m J (nu_e - nu_i) / 1000 and
  // sigma^2 = tau_m J^2 (nu_e + nu_i) / 1000 (shot noise), and so the rate of a spiking
  // lif_delta driven by Poisson trains of those rates and jumps +-J. Brunel's neuron
  // (E_L = 0, tau_m 20 ms, t_ref 2 ms, V_th 20 mV, V_reset 10 mV); points mu 15..22 mV,
  // sigma 3..5 mV (Siegert rates 9.5 to 31 Hz; measured -3.3 to -1.2 %).
  struct Case {
    double mu, sigma;
  };
  const Case c = GENERATE(Case{15.0, 5.0}, Case{18.0, 3.0}, Case{20.0, 4.0}, Case{22.0, 3.0});
  const double J = 0.1, tau_m = 20.0, C_m = 250.0;
  const double difference = c.mu / (tau_m * 1e-3 * J);
  const double sum = c.sigma * c.sigma / (tau_m * 1e-3 * J * J);
  const double nu_e = 0.5 * (sum + difference), nu_i = 0.5 * (sum - difference);
  REQUIRE(nu_i > 0.0);
  INFO("mu = " << c.mu << " mV, sigma = " << c.sigma << " mV");

  models::RateParams p;
  p.phi = models::TransferFunction::siegert;
  p.tau = 0.0;
  p.neuron = {.E_L = 0.0, .C_m = C_m, .tau_m = tau_m, .t_ref = 2.0, .V_th = 20.0, .V_reset = 10.0};
  p.J_exc = p.J_inh = J;
  Network net(test::serial());
  const auto exc = net.add_population(
      "exc",
      std::make_unique<test::ValueSource>(1, 1, [&](std::int64_t, NeuronIndex) { return nu_e; }));
  const auto inh = net.add_population(
      "inh",
      std::make_unique<test::ValueSource>(1, 1, [&](std::int64_t, NeuronIndex) { return nu_i; }));
  const auto r = net.add_population("r", models::make_rate(1, p));
  const double w = C_m * J / 1000.0;
  net.connect(exc, r, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(w), .delay = Distribution::constant(0.1)});
  net.connect(inh, r, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(-w), .delay = Distribution::constant(0.1)});
  const auto trace = net.record_state(r, "r", {}, 1.0);

  models::LifDelta::Params s;
  s.E_L = 0.0;
  s.tau_m = tau_m;
  s.t_ref = 2.0;
  s.V_th = 20.0;
  s.V_reset = 10.0;
  const NeuronIndex n = 100;
  const auto pop = net.add_population("pop", models::make_lif_delta(n, s));
  net.set_initial_state(pop, "V_m", Distribution::uniform(10.0, 20.0));
  net.add_input(pop, models::make_poisson_input({.rate = nu_e, .weight = J}));
  net.add_input(pop, models::make_poisson_input({.rate = nu_i, .weight = -J}));
  net.record_spikes(pop);
  net.run(200.0);
  const std::size_t before = net.spikes(pop).size();
  const double measured = 3000.0;
  net.run(measured);
  const double simulated = (net.spikes(pop).size() - before) / (n * measured * 1e-3);

  // Static synapses store weights as float (engine/connectivity.hpp): the unit sees the
  // float-rounded w, so its exact mu and sigma are those of w_f.
  const double w_f = static_cast<float>(w);
  const double mu = tau_m * w_f * (nu_e - nu_i) / C_m;
  const double sigma = std::sqrt(tau_m * J * w_f * (nu_e + nu_i) / C_m);
  REQUIRE(mu == Approx(c.mu).epsilon(1e-6));
  REQUIRE(sigma == Approx(c.sigma).epsilon(1e-6));
  const double rate = last_value(net, trace);
  const double reference = models::siegert_rate(mu, sigma, {tau_m, 2.0, 20.0, 10.0});
  INFO("rate unit " << rate << " Hz, Siegert " << reference << " Hz, lif_delta " << simulated
                    << " Hz");
  CHECK(rate == Approx(reference).epsilon(1e-9));
  CHECK(std::fabs(simulated - rate) <= 0.10 * rate);
}
