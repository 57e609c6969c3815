// Tests of models/if_subtract.hpp: the spike count under a constant drive against
// floor((V_0 + n z) / V_th), the charge kept by the reset by subtraction, saturation at one
// spike per step, V_min, the documented defaults and errors, and spikes that do not depend on
// the thread or partition count.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "engine/network.hpp"
#include "models/if_subtract.hpp"
#include "models/inputs.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::config_error;
using spikeflow::test::serial;

namespace {

// Spike steps of one if_subtract neuron driven by I_e for `steps` steps from V_m = V0.
std::vector<Step> spike_steps(models::IfSubtract::Params p, double V0, Step steps, double dt) {
  Network net(serial(dt));
  const auto pop = net.add_population("n", models::make_if_subtract(1, p));
  net.set_initial_state(pop, "V_m", Distribution::constant(V0));
  net.record_spikes(pop);
  net.run(static_cast<double>(steps) * dt);
  std::vector<Step> out;
  for (const SpikeEvent& s : net.spikes(pop)) out.push_back(s.step);
  return out;
}

}  // namespace

TEST_CASE("if_subtract: documented defaults", "[model][unit]") {
  // Requirement: the header's parameter table (V_th 1 mV, C_m 1 pF, I_e 0, V_min -inf).
  const models::IfSubtract::Params p;
  CHECK(p.V_th == 1.0);
  CHECK(p.C_m == 1.0);
  CHECK(p.I_e == 0.0);
  CHECK(p.V_min == -std::numeric_limits<double>::infinity());
  models::IfSubtract n(3, p);
  for (const double v : n.state("V_m")) CHECK(v == 0.0);
  CHECK(n.state_unit("V_m") == "mV");
}

TEST_CASE("if_subtract: after n steps of drive z the count is floor((V0 + n z) / V_th)",
          "[model][unit]") {
  // Requirement: reset by subtraction loses no charge, so the count after every step is the
  // integrated drive over V_th, rounded down (values chosen exact in binary).
  struct Case {
    double z, V_th, V0;
  };
  const Case c = GENERATE(Case{0.375, 1.0, 0.0}, Case{0.375, 1.0, 0.5}, Case{0.0625, 2.0, 1.0},
                          Case{1.0, 1.0, 0.0}, Case{0.875, 0.5, 0.25});
  const double dt = 0.5, C_m = 2.0;
  models::IfSubtract::Params p;
  p.V_th = c.V_th;
  p.C_m = C_m;
  const double z = std::min(c.z, c.V_th);  // at most one spike per step
  p.I_e = z * C_m / dt;                    // z mV per step
  const Step n = 400;
  const std::vector<Step> spikes = spike_steps(p, c.V0, n, dt);
  std::size_t k = 0;
  for (Step s = 0; s < n; ++s) {
    while (k < spikes.size() && spikes[k] <= s) ++k;
    const auto expected = static_cast<std::size_t>(std::floor((c.V0 + (s + 1) * z) / c.V_th));
    INFO("step " << s);
    REQUIRE(k == expected);
  }
}

TEST_CASE("if_subtract: a spike subtracts V_th and keeps the excess; at most one per step",
          "[model][unit]") {
  // Requirement: V_m - V_th after a spike (not a reset to 0); a drive above V_th per step
  // fires every step and the excess accumulates.
  Network net(serial(1.0));
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto n = net.add_population("n", models::make_if_subtract(1));
  net.connect(src, n, ConnectionRule::all_to_all(),
              {.weight = Distribution::constant(2.75), .delay = Distribution::constant(1.0)});
  net.record_spikes(n);
  net.run(1.0);  // the source spikes in step 0, stamped 1 ms; it arrives in step 1
  CHECK(net.spikes(n).empty());
  net.run(1.0);
  REQUIRE(net.spikes(n).size() == 1);
  CHECK(net.population(n).state("V_m")[0] == 1.75);  // 2.75 - 1: one spike, excess kept
  net.run(1.0);
  REQUIRE(net.spikes(n).size() == 2);  // still >= V_th: fires again in the next step
  CHECK(net.population(n).state("V_m")[0] == 0.75);
  net.run(5.0);
  CHECK(net.spikes(n).size() == 2);
  CHECK(net.population(n).state("V_m")[0] == 0.75);  // no leak

  models::IfSubtract::Params strong;
  strong.I_e = 2.5;  // 2.5 mV per step at dt = 1, C_m = 1
  const std::vector<Step> every = spike_steps(strong, 0.0, 10, 1.0);
  REQUIRE(every.size() == 10);
  for (Step s = 0; s < 10; ++s) CHECK(every[static_cast<std::size_t>(s)] == s);
}

TEST_CASE("if_subtract: V_min bounds the stored negative charge", "[model][unit]") {
  // Requirement: V_m <- max(V_min, V_m + input).
  models::IfSubtract::Params p;
  p.I_e = -0.75;  // dt = 1, C_m = 1: -0.75 mV per step
  p.V_min = -2.0;
  Network net(serial(1.0));
  const auto n = net.add_population("n", models::make_if_subtract(1, p));
  net.run(2.0);
  CHECK(net.population(n).state("V_m")[0] == -1.5);
  net.run(10.0);
  CHECK(net.population(n).state("V_m")[0] == -2.0);
}

TEST_CASE("if_subtract: parameter errors name the parameter and the value", "[model][unit]") {
  models::IfSubtract::Params p;
  p.V_th = 0.0;
  CHECK(config_error([&] { models::IfSubtract(1, p); }) ==
        "if_subtract: V_th must be > 0 mV, got 0");
  p = {};
  p.C_m = -1.0;
  CHECK(config_error([&] { models::IfSubtract(1, p); }) ==
        "if_subtract: C_m must be > 0 pF, got -1");
  p = {};
  p.V_min = 1.0;
  CHECK(config_error([&] { models::IfSubtract(1, p); }) ==
        "if_subtract: V_min must be < V_th = 1 mV, got 1 mV");
  p = {};
  p.I_e = std::numeric_limits<double>::infinity();
  CHECK(config_error([&] { models::IfSubtract(1, p); }) ==
        "if_subtract: I_e must be a finite number of pA, got inf");
}

TEST_CASE("if_subtract: spikes do not depend on the thread or partition count",
          "[model][determinism]") {
  // Requirement: the determinism invariant for the new model, in a recurrent network with
  // Poisson input and excitation and inhibition.
  const auto run = [](int threads, int partitions) {
    Network net({.dt = 0.1, .seed = 7, .threads = threads, .partitions = partitions});
    models::IfSubtract::Params p;
    p.V_th = 1.0;
    p.V_min = -3.0;
    const auto pop = net.add_population("n", models::make_if_subtract(500, p));
    net.set_initial_state(pop, "V_m", Distribution::uniform(0.0, 1.0));
    net.connect(pop, pop, ConnectionRule::fixed_indegree(40),
                {.weight = Distribution::normal(0.02, 0.1), .delay = Distribution::constant(0.5)});
    net.add_input(pop, models::make_poisson_input({.rate = 2000.0, .weight = 0.1}));
    net.record_spikes(pop);
    net.run(200.0);
    return net.spikes(pop);
  };
  const auto reference = run(1, 1);
  CHECK(reference.size() > 1000);
  CHECK(run(2, 3) == reference);
  CHECK(run(3, 7) == reference);
}
