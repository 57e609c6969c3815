// Tests of models/converters.hpp: the exponential filter's response to a regular spike
// train against the sum of kernels and its closed-form steady state, the box window's rate,
// rates_to_spikes' spike count within a binomial bound, its silence at rate 0 and its
// independence of partitions, and the converters' errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/converters.hpp"
#include "models/spike_source_array.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/engine/engine_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// Spike times 5, 5 + P, ... < end (ms); a spike at time T is emitted in step T/dt - 1 and,
// with a delay of 10 steps, arrives in step T/dt + 9 (models/spike_source_array.hpp).
std::vector<double> regular_train(double period, double end) {
  std::vector<double> t;
  for (double x = 5.0; x < end; x += period) t.push_back(x);
  return t;
}

Step arrival_step(double time_ms) {
  return static_cast<Step>(std::llround(time_ms / 0.1)) - 1 + 10;
}

}  // namespace

TEST_CASE("spikes_to_rates: exponential filter of a regular train equals the sum of kernels",
          "[unit][model]") {
  const double tau = 5.0, period = 10.0;
  const auto times = regular_train(period, 200.0);
  models::SpikesToRatesParams p;
  p.tau = tau;
  Network net(test::serial());
  auto src = net.add_population("src", models::make_spike_source_array({times}));
  auto s2r = net.add_population("s2r", models::make_spikes_to_rates(1, p));
  net.connect(src, s2r, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(1.0), .delay = Distribution::constant(1.0)});
  const auto trace = net.record_state(s2r, "rate");
  net.run(200.0);

  const Trace& tr = net.trace(trace);
  for (std::size_t f = 0; f < tr.values.size(); ++f) {
    const Step s = tr.frame_steps[f];
    long double expected = 0.0L;
    for (const double t : times)
      if (arrival_step(t) <= s)
        expected += 1000.0L / tau * std::exp(-0.1L * (s - arrival_step(t)) / tau);
    INFO("step " << s);
    CHECK(tr.values[f] == Approx(static_cast<double>(expected)).epsilon(1e-10).margin(1e-12));
  }
  // Steady state just after an arrival: (1000 / tau) / (1 - e^{-P/tau}) Hz.
  const std::size_t last = static_cast<std::size_t>(arrival_step(times.back()));
  CHECK(tr.values[last] == Approx(1000.0 / tau / (1.0 - std::exp(-period / tau))).epsilon(1e-12));
}

TEST_CASE("spikes_to_rates: the box window gives the count in the window over its width",
          "[unit][model]") {
  const double period = 10.0, window = 50.0;
  const auto times = regular_train(period, 300.0);
  models::SpikesToRatesParams p;
  p.filter = models::SpikesToRatesParams::Filter::box;
  p.window = window;
  p.update_interval = 1.0;
  Network net(test::serial());
  auto src = net.add_population("src", models::make_spike_source_array({times, {}}));
  auto s2r = net.add_population("s2r", models::make_spikes_to_rates(2, p));
  net.connect(src, s2r, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(1.0), .delay = Distribution::constant(1.0)});
  const auto trace = net.record_state(s2r, "rate", {}, 1.0);
  net.run(300.0);

  const Trace& tr = net.trace(trace);
  REQUIRE(tr.values.size() == 2 * 300);
  for (std::size_t f = 0; f < tr.frame_steps.size(); ++f) {
    const Step s = tr.frame_steps[f];
    int count = 0;
    for (const double t : times) count += arrival_step(t) <= s && arrival_step(t) > s - 500;
    INFO("step " << s);
    CHECK(tr.values[2 * f] == count * 1000.0 / window);
    CHECK(tr.values[2 * f + 1] == 0.0);
    // Once the window is full it holds exactly window / period spikes: 1000 / period Hz.
    if (s >= arrival_step(5.0) + 500) CHECK(tr.values[2 * f] == 1000.0 / period);
  }
}

TEST_CASE("rates_to_spikes: spike count within a binomial bound, none at rate 0", "[unit][model]") {
  // Neurons 0..999 at 40 Hz, 1000..1249 at 0 Hz, held from step 20 on (a source updated
  // every 10 steps, delay 1 ms). Each active step is a Bernoulli draw with
  // p = 1 - e^{-lambda dt}.
  const NeuronIndex n = 1250, active = 1000;
  const double lambda = 40.0;
  const auto rate = [&](std::int64_t, NeuronIndex i) { return i < active ? lambda : 0.0; };
  std::vector<SpikeEvent> first;
  for (const int partitions : {1, 3}) {
    Network net({.dt = 0.1, .seed = 5, .threads = 2, .partitions = partitions});
    auto src = net.add_population("src", std::make_unique<test::ValueSource>(n, 10, rate));
    auto r2s = net.add_population("r2s", models::make_rates_to_spikes(n));
    net.connect(src, r2s, ConnectionRule::one_to_one(),
                {.weight = Distribution::constant(1.0), .delay = Distribution::constant(1.0)});
    net.record_spikes(r2s);
    net.run(500.0);
    const auto& spikes = net.spikes(r2s);
    if (partitions == 1) {
      first = spikes;
      std::uint64_t in_active = 0;
      for (const SpikeEvent& s : spikes) {
        REQUIRE(s.step >= 20);
        REQUIRE(s.neuron < active);
        ++in_active;
      }
      const double p = -std::expm1(-lambda * 0.1e-3);
      const double trials = static_cast<double>(active) * (5000 - 20);
      const double mean = trials * p;
      const double sd = std::sqrt(trials * p * (1 - p));
      INFO("count " << in_active << ", expected " << mean << " +- " << sd);
      CHECK(std::abs(static_cast<double>(in_active) - mean) < test::kSigmas * sd);
    } else {
      CHECK(spikes == first);
    }
  }
}

TEST_CASE("spikes_to_rates: invalid parameters are refused with the value", "[unit][model]") {
  models::SpikesToRatesParams p;
  p.tau = 0.0;
  CHECK_THAT(test::config_error([&] { models::make_spikes_to_rates(1, p); }),
             Contains("spikes_to_rates: tau must be > 0 ms, got 0"));
  p = {};
  p.window = -1.0;
  CHECK_THAT(test::config_error([&] { models::make_spikes_to_rates(1, p); }),
             Contains("spikes_to_rates: window must be > 0 ms, got -1"));
  p = {};
  p.filter = models::SpikesToRatesParams::Filter::box;
  p.window = 0.05;
  Network net(test::serial());
  net.add_population("s2r", models::make_spikes_to_rates(1, p));
  CHECK_THAT(test::config_error([&] { net.build(); }),
             Contains("spikes_to_rates: window must be a multiple of dt = 0.1 ms, got 0.05 ms"));
}
