// Tests of the errors of the public API (engine/network.hpp): every misuse is refused with
// a ConfigError that names the object and the value, and leaves the network usable.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {
const SynapseSpec kSpec{Distribution::constant(1.0), Distribution::constant(1.0)};
}

TEST_CASE("connecting to or driving a spike source is refused", "[unit]") {
  // Requirement: a population that ignores input cannot be the target of a projection or
  // an input; the message names the projection and the population.
  Network net({.dt = 0.1});
  const auto src = net.add_population("stim", models::make_spike_source_array({{1.0}, {2.0}}));
  const auto lif = net.add_population("lif", models::make_lif_delta(2));
  CHECK_THROWS_AS(net.connect(lif, src, ConnectionRule::one_to_one(), kSpec), ConfigError);
  CHECK_THROWS_WITH(net.connect(lif, src, ConnectionRule::one_to_one(), kSpec),
                    Contains("projection 'lif->stim'") && Contains("'stim'") &&
                        Contains("does not accept input"));
  CHECK_THROWS_WITH(net.add_input(src, models::make_poisson_input({.rate = 5.0})),
                    Contains("'stim'") && Contains("does not accept input"));
  // The source itself may project.
  CHECK_NOTHROW(net.connect(src, lif, ConnectionRule::one_to_one(), kSpec));
  net.run(1.0);
  CHECK(net.synapse_count() == 2);
}

TEST_CASE("population names are unique and models must be given", "[unit]") {
  // Requirement: a second population of the same name is refused, naming it.
  Network net({.dt = 0.1});
  net.add_population("exc", models::make_lif_delta(5));
  CHECK_THROWS_AS(net.add_population("exc", models::make_lif_delta(7)), ConfigError);
  CHECK_THROWS_WITH(net.add_population("exc", models::make_lif_delta(7)),
                    Contains("'exc'") && Contains("already exists"));
  CHECK_THROWS_WITH(net.add_population("inh", nullptr), Contains("'inh'"));
  CHECK(net.population_count() == 1);
  CHECK(net.neuron_count() == 5);
  const auto inh = net.add_population("inh", models::make_lif_delta(3));
  CHECK(inh.index == 1);
  CHECK(net.population_info(1).first_id == 5);
}

TEST_CASE("nothing can be added after the network is built", "[unit]") {
  // Requirement: build() (or the first run) freezes the network; every building call
  // afterwards is refused with a message saying so.
  Network net({.dt = 0.1});
  const auto a = net.add_population("a", models::make_lif_delta(4));
  net.record_spikes(a);
  net.run(1.0);
  CHECK(net.built());
  const auto frozen = Contains("after the network has been built");
  CHECK_THROWS_WITH(net.add_population("b", models::make_lif_delta(4)), frozen);
  CHECK_THROWS_WITH(net.connect(a, a, ConnectionRule::all_to_all(), kSpec), frozen);
  CHECK_THROWS_WITH(net.add_input(a, models::make_poisson_input({.rate = 1.0})), frozen);
  CHECK_THROWS_WITH(net.record_spikes(a), frozen);
  CHECK_THROWS_WITH(net.record_state(a, "V_m"), frozen);
  CHECK_THROWS_WITH(net.set_initial_state(a, "V_m", Distribution::constant(-60)), frozen);
  CHECK_THROWS_AS(net.add_population("b", models::make_lif_delta(4)), ConfigError);
  // Running on is still fine.
  net.run(1.0);
  CHECK(net.now() == 20);
}

TEST_CASE("an unknown population index is refused with its value", "[unit]") {
  // Requirement: handles that do not name a population give a ConfigError, not undefined
  // behaviour or a bare std::out_of_range.
  Network net({.dt = 0.1});
  const auto a = net.add_population("a", models::make_lif_delta(4));
  const PopulationHandle bad{7};
  const auto unknown = Contains("no population with index 7");
  CHECK_THROWS_WITH(net.connect(a, bad, ConnectionRule::all_to_all(), kSpec), unknown);
  CHECK_THROWS_WITH(net.connect(bad, a, ConnectionRule::all_to_all(), kSpec), unknown);
  CHECK_THROWS_WITH(net.add_input(bad, models::make_poisson_input({.rate = 1.0})), unknown);
  CHECK_THROWS_WITH(net.record_spikes(bad), unknown);
  CHECK_THROWS_WITH(net.record_state(bad, "V_m"), unknown);
  CHECK_THROWS_WITH(net.set_initial_state(bad, "V_m", Distribution::constant(0)), unknown);
  CHECK_THROWS_WITH(net.population(bad), unknown);
  CHECK_THROWS_AS(net.spikes(bad), ConfigError);
  CHECK_THROWS_WITH(net.set_initial_state(a, "U", Distribution::constant(0)),
                    Contains("'a'") && Contains("'U'"));
}

TEST_CASE("run() refuses negative and off-grid durations", "[unit]") {
  // Requirement: durations must be whole, non-negative numbers of steps; the message gives
  // the value; the clock does not move.
  Network net({.dt = 0.1});
  net.add_population("a", models::make_lif_delta(4));
  CHECK_THROWS_AS(net.run(-5.0), ConfigError);
  CHECK_THROWS_WITH(net.run(-5.0), Contains("run duration") && Contains("-5"));
  CHECK_THROWS_WITH(net.run(1.05), Contains("run duration") && Contains("1.05"));
  CHECK_THROWS_AS(net.run(std::nan("")), ConfigError);
  CHECK_THROWS_AS(net.run(INFINITY), ConfigError);
  CHECK(net.now() == 0);
  CHECK(net.run(0.0) == RunStatus::completed);
  CHECK(net.run(1.2) == RunStatus::completed);
  CHECK(net.now() == 12);
}

TEST_CASE("invalid network options are refused", "[unit]") {
  // Requirement: partitions >= 0, threads >= 0, dt valid.
  CHECK_THROWS_WITH(Network({.partitions = -1}), Contains("partitions") && Contains("-1"));
  CHECK_THROWS_WITH(Network({.threads = -2}), Contains("threads") && Contains("-2"));
  CHECK_THROWS_AS(Network({.dt = 0.0}), ConfigError);
  Network net({.threads = 3});
  CHECK(net.threads() == 3);
}

TEST_CASE("the partition count defaults to the thread count", "[unit]") {
  // Requirement: partitions = 0 (the default) means one per thread; an explicit count stays.
  CHECK(Network({.threads = 1}).options().partitions == 1);
  CHECK(Network({.threads = 3}).options().partitions == 3);
  CHECK(Network({.threads = 1, .partitions = 4}).options().partitions == 4);
  const Network all_cores(NetworkOptions{});
  CHECK(all_cores.options().partitions == all_cores.threads());
}
