// Tests of engine/time.hpp (TimeGrid) and of the clock of Network::run.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "engine/network.hpp"
#include "engine/time.hpp"
#include "engine_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

TEST_CASE("TimeGrid rejects dt that is zero, negative, NaN or infinite, naming the value",
          "[unit]") {
  // Requirement: an invalid step width is refused with its value in the message.
  CHECK_THROWS_WITH(TimeGrid(0.0), Contains("dt") && Contains("got 0"));
  CHECK_THROWS_WITH(TimeGrid(-0.1), Contains("dt") && Contains("got -0.1"));
  CHECK_THROWS_WITH(TimeGrid(std::nan("")), Contains("dt") && Contains("nan"));
  CHECK_THROWS_WITH(TimeGrid(std::numeric_limits<double>::infinity()),
                    Contains("dt") && Contains("inf"));
  CHECK_THROWS_AS(TimeGrid(-std::numeric_limits<double>::infinity()), ConfigError);
  CHECK_THROWS_AS(TimeGrid(0.0), ConfigError);
  CHECK_THROWS_AS(Network({.dt = -1.0}), ConfigError);

  const TimeGrid grid(0.1);
  CHECK(grid.dt() == 0.1);
  CHECK(TimeGrid(1e-3).dt() == 1e-3);
}

TEST_CASE("TimeGrid::steps accepts values within 1e-9 steps of the grid and rejects others",
          "[unit]") {
  // Requirement: durations convert exactly to whole steps; an off-grid value is refused with
  // the value and its name in the message.
  const TimeGrid grid(0.1);
  CHECK(grid.steps(0.0, "x") == 0);
  CHECK(grid.steps(0.1, "x") == 1);
  CHECK(grid.steps(0.3, "x") == 3);  // 0.3 / 0.1 = 2.9999999999999996 in binary
  CHECK(grid.steps(1000.0, "x") == 10000);
  CHECK(grid.steps(100000.0, "x") == 1000000);
  CHECK(grid.steps(-2.5, "x") == -25);
  // Within the tolerance (1e-9 steps) either side.
  CHECK(grid.steps((1000 + 0.5e-9) * 0.1, "x") == 1000);
  CHECK(grid.steps((1000 - 0.5e-9) * 0.1, "x") == 1000);
  // Just outside it.
  CHECK_THROWS_AS(grid.steps((1000 + 5e-9) * 0.1, "x"), ConfigError);
  CHECK_THROWS_AS(grid.steps((1000 - 5e-9) * 0.1, "x"), ConfigError);

  CHECK_THROWS_WITH(grid.steps(0.15, "delay"),
                    Contains("delay") && Contains("0.15") && Contains("multiple of dt"));
  CHECK_THROWS_WITH(grid.steps(12.34567, "start"), Contains("start") && Contains("12.34567"));
  CHECK_THROWS_WITH(grid.steps(std::nan(""), "stop"), Contains("stop") && Contains("nan"));
  CHECK_THROWS_AS(grid.steps(std::numeric_limits<double>::infinity(), "x"), ConfigError);

  const TimeGrid coarse(0.25);
  CHECK(coarse.steps(1.75, "x") == 7);
  CHECK_THROWS_AS(coarse.steps(0.1, "x"), ConfigError);
  CHECK(coarse.end_of(0) == 0.25);
  CHECK(coarse.start_of(4) == 1.0);
  CHECK(coarse.nearest_steps(0.37) == 1);
  CHECK(coarse.nearest_steps(0.38) == 2);
}

TEST_CASE("run() continues the clock: split runs give the spikes of one run", "[unit]") {
  // Requirement: time keeps counting across run() calls, also when a run ends inside a
  // window, so a run split into pieces equals one run (Poisson input and recurrence).
  const auto simulate = [](const std::vector<double>& pieces) {
    Network net({.dt = 0.1, .seed = 11, .threads = 2, .partitions = 5});
    const auto ref = test::build_reference_network(net);
    for (const double d : pieces) net.run(d);
    return std::make_pair(net.spikes(ref.exc), net.spikes(ref.inh));
  };
  Network probe({.dt = 0.1, .seed = 11});
  test::build_reference_network(probe);
  probe.build();
  REQUIRE(probe.window_steps() == 5);  // smallest drawn delay: 5 steps

  const auto whole = simulate({1000.0});
  INFO("E spikes " << whole.first.size() << ", I spikes " << whole.second.size());
  REQUIRE(whole.first.size() > 4000);
  REQUIRE(whole.second.size() > 2000);
  CHECK(whole.first.back().step < 10000);
  CHECK(whole.first.back().step > 9900);

  CHECK(simulate({500.0, 500.0}) == whole);
  CHECK(simulate({123.4, 876.6}) == whole);  // both pieces end inside a window
  std::vector<double> many(10, 0.1);
  many.push_back(0.0);
  many.push_back(0.3);
  many.push_back(998.7);
  CHECK(simulate(many) == whole);

  Network net({.dt = 0.1, .seed = 11});
  test::build_reference_network(net);
  net.run(123.4);
  CHECK(net.now() == 1234);
  net.run(0.0);
  CHECK(net.now() == 1234);
  net.run(0.6);
  CHECK(net.now() == 1240);
}
