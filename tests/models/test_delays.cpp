// Tests of synaptic delays as the models see them: a spike emitted in step s with a delay
// of D steps acts in step s + D (engine/network.hpp, models/spike_source_array.hpp), for
// short and long delays in one network, and delays the grid cannot represent are refused.
#include <catch2/catch.hpp>

#include "engine/network.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

TEST_CASE(
    "delays: spikes arrive exactly round(delay/dt) steps later, 1 to 161 steps in one "
    "network",
    "[model][unit]") {
  // Requirement: arrival step = emission step + D for every projection, whatever the mix of
  // delays (window = 1 step, ring of 162 slots).
  NetworkOptions options;  // the default 16 partitions
  options.threads = 1;
  Network net(options);
  const double dt = net.grid().dt();
  const std::vector<Step> delays = {1, 3, 15, 16, 161};
  // Spikes at 1.0 and 2.3 ms: emitted in steps 9 and 22.
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0, 2.3}}));
  net.record_spikes(src);
  std::vector<TraceHandle> traces;
  for (const Step d : delays) {
    const auto tgt = net.add_population(concat("d", d), models::make_lif_delta(1, {}));
    net.connect(src, tgt, ConnectionRule::all_to_all(),
                {Distribution::constant(1.0), Distribution::constant(d * dt)});
    traces.push_back(net.record_state(tgt, "V_m", {}, dt));
  }
  net.run(30.0);

  REQUIRE(net.spikes(src) == std::vector<SpikeEvent>{{9, 0}, {22, 0}});
  const double E_L = models::LifDelta::Params{}.E_L;
  const double P22 = std::exp(-dt / 10.0);
  for (std::size_t k = 0; k < delays.size(); ++k) {
    INFO("delay " << delays[k] << " steps");
    const std::vector<double>& v = net.trace(traces[k]).values;
    const auto first = static_cast<std::size_t>(9 + delays[k]);
    const auto second = static_cast<std::size_t>(22 + delays[k]);
    for (std::size_t s = 0; s < first; ++s) REQUIRE(v[s] == E_L);
    CHECK(v[first] == E_L + 1.0);  // the jump, in the arrival step exactly
    for (std::size_t s = first + 1; s < std::min(second, v.size()); ++s)
      REQUIRE(v[s] < v[s - 1]);  // decay, no other input
    if (second < v.size()) {
      const double before = E_L + (v[second - 1] - E_L) * P22;
      CHECK(v[second] - before == Approx(1.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("delays: zero, negative, sub-step and off-grid delays are refused at connect time",
          "[model][unit]") {
  // Requirement: a delay must be a whole number >= 1 of steps; the message names the value.
  Network net(test::serial());
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto tgt = net.add_population("tgt", models::make_lif_delta(1, {}));
  auto connect = [&](const Distribution& delay) {
    return [&, delay] {
      net.connect(src, tgt, ConnectionRule::all_to_all(), {Distribution::constant(1.0), delay});
    };
  };
  struct Bad {
    double delay;
    const char* shown;
  };
  const Bad bad = GENERATE(Bad{0.0, "got 0 ms"}, Bad{-0.1, "-0.1"}, Bad{-1.5, "-1.5"},
                           Bad{0.05, "0.05"}, Bad{0.15, "0.15"}, Bad{1.55, "1.55"});
  INFO("delay " << bad.delay);
  const std::string message = test::config_error(connect(Distribution::constant(bad.delay)));
  CHECK_THAT(message, Contains("delay") && Contains(bad.shown) && Contains("src->tgt"));

  // A distribution that can draw below dt is refused too, one bounded at dt is accepted.
  const std::string normal = test::config_error(connect(Distribution::normal(1.5, 0.75)));
  CHECK_THAT(normal, Contains("delay distribution") && Contains("below dt"));
  const std::string uniform = test::config_error(connect(Distribution::uniform(0.05, 1.0)));
  CHECK_THAT(uniform, Contains("delay distribution") && Contains("0.05"));
  CHECK_NOTHROW(connect(Distribution::normal(1.5, 0.75).bounded(0.1, 3.0))());
  CHECK_NOTHROW(connect(Distribution::uniform(0.1, 1.0))());
}

TEST_CASE("delays: drawn delays are rounded to the nearest step and arrive then", "[model][unit]") {
  // Requirement: a delay drawn from a distribution acts round(delay/dt) steps later.
  Network net(test::serial());
  const double dt = net.grid().dt();
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto tgt = net.add_population("tgt", models::make_lif_delta(200, {}));
  const auto proj = net.connect(src, tgt, ConnectionRule::all_to_all(),
                                {Distribution::constant(1.0), Distribution::uniform(0.1, 5.0)});
  const auto trace = net.record_state(tgt, "V_m", {}, dt);
  net.run(10.0);

  std::vector<Step> delay_of(200, -1);
  net.for_each_synapse(proj, [&](NeuronIndex, NeuronIndex t, float, Step d) { delay_of[t] = d; });
  const Trace& tr = net.trace(trace);
  Step smallest = 1000, largest = 0;
  for (NeuronIndex i = 0; i < 200; ++i) {
    INFO("neuron " << i << ", delay " << delay_of[i] << " steps");
    REQUIRE(delay_of[i] >= 1);
    REQUIRE(delay_of[i] <= 50);
    smallest = std::min(smallest, delay_of[i]);
    largest = std::max(largest, delay_of[i]);
    const auto arrival = static_cast<std::size_t>(9 + delay_of[i]);
    CHECK(tr.values[(arrival - 1) * 200 + i] == -70.0);
    CHECK(tr.values[arrival * 200 + i] == -69.0);
  }
  CHECK(smallest < 5);  // the draws spread over the range
  CHECK(largest > 45);
}
