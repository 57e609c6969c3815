// Tests of models/spike_source_array.hpp: a spike at time T is emitted in step T/dt - 1
// (stamped T), in any order of the given times, and off-grid, early and duplicate times are
// refused.
#include <catch2/catch.hpp>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

TEST_CASE("spike_source_array: each time T is emitted once, in step T/dt - 1", "[model][unit]") {
  // Requirement: emission steps from the given times, per neuron, unsorted input accepted,
  // the same with many partitions and across several run() calls.
  const int partitions = GENERATE(1, 16);
  NetworkOptions options;
  options.threads = 1;
  options.partitions = partitions;
  Network net(options);
  const auto src = net.add_population(
      "src", models::make_spike_source_array({{3.0, 0.1, 0.5, 100.0}, {}, {0.2, 12.7}}));
  net.record_spikes(src);
  net.run(5.0);
  net.run(0.1);  // step 50 alone
  net.run(94.9);

  const std::vector<SpikeEvent> expected = {{0, 0}, {1, 2}, {4, 0}, {29, 0}, {126, 2}, {999, 0}};
  CHECK(net.spikes(src) == expected);
  CHECK(net.spike_count(src.index) == expected.size());
  for (const SpikeEvent& s : net.spikes(src)) CHECK(net.grid().end_of(s.step) > 0.0);
  CHECK(net.grid().end_of(126) == Approx(12.7).epsilon(1e-15));
}

TEST_CASE("spike_source_array: a source with dt = 0.25 ms follows the same rule", "[model][unit]") {
  // Requirement: the rule is T/dt - 1 for any dt.
  Network net(test::serial(0.25));
  const auto src = net.add_population("src", models::make_spike_source_array({{0.25, 1.0, 7.75}}));
  net.record_spikes(src);
  net.run(10.0);
  CHECK(net.spikes(src) == std::vector<SpikeEvent>{{0, 0}, {3, 0}, {30, 0}});
}

TEST_CASE("spike_source_array: off-grid, early and duplicate times are refused at build",
          "[model][unit]") {
  // Requirement: every time a multiple of dt and >= dt, no time twice for one neuron; the
  // message names the neuron and the time.
  auto build = [](std::vector<std::vector<double>> times) {
    return [times] {
      Network net(test::serial());
      net.add_population("src", models::make_spike_source_array(times));
      net.build();
    };
  };
  using test::config_error;
  CHECK_THAT(config_error(build({{1.0, 1.25}})),
             Contains("spike_source_array") && Contains("1.25") && Contains("multiple of dt"));
  CHECK_THAT(config_error(build({{1.0}, {0.0}})), Contains("spike_source_array") &&
                                                      Contains(">= dt") && Contains("got 0 ms") &&
                                                      Contains("neuron 1"));
  CHECK_THAT(config_error(build({{-0.5}})), Contains("spike_source_array") && Contains("-0.5"));
  CHECK_THAT(config_error(build({{2.0, 1.0, 2.0}})),
             Contains("spike_source_array") && Contains("neuron 0") && Contains("2 ms twice"));
  CHECK_NOTHROW(build({{0.1, 2.0}, {2.0}})());
}

TEST_CASE("spike_source_array: it takes no input", "[model][unit]") {
  // Requirement: connecting to a spike source or giving it an input is an error.
  Network net(test::serial());
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto other = net.add_population("other", models::make_spike_source_array({{1.0}}));
  CHECK_THAT(test::config_error([&] { net.connect(other, src, ConnectionRule::all_to_all(), {}); }),
             Contains("does not accept input") && Contains("spike_source_array"));
  CHECK_THAT(
      test::config_error([&] { net.add_input(src, models::make_dc_input({.amplitude = 1.0})); }),
      Contains("does not accept input"));
}
