// Tests of engine/adapter.hpp: graded outputs reach their targets held for the source's
// update interval after the delay, current projections inject gain * value + offset pA,
// the update interval must divide the window, and a whole (non-elementwise) adapter is
// evaluated once per update, the same for any partition count.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "engine/network.hpp"
#include "models/lif_delta.hpp"
#include "models/module_adapter.hpp"
#include "models/spike_source_array.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// Output i of the test source after update u; neuron 2 is zero after every odd update, so
// the test sees zero held as zero.
double source_value(std::int64_t u, NeuronIndex i) {
  if (i == 2 && u % 2 == 1) return 0.0;
  return 10.0 * static_cast<double>(u + 1) + static_cast<double>(i) - 1.5;
}

// Value a target sees in step t from a source updated every k steps, through a synapse of
// weight w and delay D steps: the output of update u (emitted in step (u + 1) k - 1) held
// in steps (u + 1) k + D ... (u + 2) k + D - 1 (engine/adapter.hpp).
double held(Step t, Step k, Step D, double w, NeuronIndex i) {
  const Step first = k + D;
  if (t < first) return 0.0;
  return w * source_value((t - first) / k, i);
}

}  // namespace

TEST_CASE("graded outputs are held for the source's update interval after the delay",
          "[unit][adapter]") {
  for (const int partitions : {1, 2, 3}) {
    Network net({.dt = 0.1, .seed = 1, .threads = 2, .partitions = partitions});
    const Step k = 5, D = 10;
    auto src = net.add_population("src", std::make_unique<test::ValueSource>(3, k, source_value));
    auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(3));
    net.connect(src, probe, ConnectionRule::one_to_one(),
                {.weight = Distribution::constant(2.0), .delay = Distribution::constant(1.0)});
    const auto input = net.record_state(probe, "input");
    const auto current = net.record_state(probe, "current");
    net.run(20.0);

    const Trace& tr = net.trace(input);
    REQUIRE(tr.frame_steps.size() == 200);
    for (std::size_t f = 0; f < tr.frame_steps.size(); ++f)
      for (NeuronIndex i = 0; i < 3; ++i) {
        INFO("partitions " << partitions << ", step " << tr.frame_steps[f] << ", neuron " << i);
        REQUIRE(tr.values[f * 3 + i] == held(tr.frame_steps[f], k, D, 2.0, i));
        REQUIRE(net.trace(current).values[f * 3 + i] == 0.0);
      }
  }
}

TEST_CASE("a current projection injects gain times value plus offset, held until the next update",
          "[unit][adapter]") {
  Network net(test::serial());
  const Step k = 5, D = 10;
  const double gain = 3.0, offset = 7.25;
  auto src = net.add_population("src", std::make_unique<test::ValueSource>(3, k, source_value));
  auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(3));
  SynapseSpec current{.weight = Distribution::constant(gain), .delay = Distribution::constant(1.0)};
  current.kind = SynapseSpec::Kind::current;
  current.offset = offset;
  net.connect(src, probe, ConnectionRule::one_to_one(), current);
  const auto cur = net.record_state(probe, "current");
  const auto input = net.record_state(probe, "input");
  net.run(20.0);

  const Trace& tr = net.trace(cur);
  for (std::size_t f = 0; f < tr.frame_steps.size(); ++f)
    for (NeuronIndex i = 0; i < 3; ++i) {
      INFO("step " << tr.frame_steps[f] << ", neuron " << i);
      REQUIRE(tr.values[f * 3 + i] == held(tr.frame_steps[f], k, D, gain, i) + offset);
      REQUIRE(net.trace(input).values[f * 3 + i] == 0.0);
    }
}

TEST_CASE("a current projection needs a graded source and a spiking target", "[unit][adapter]") {
  Network net(test::serial());
  auto spikes = net.add_population("spikes", models::make_spike_source_array({{1.0}}));
  auto src = net.add_population("src", std::make_unique<test::ValueSource>(1, 1, source_value));
  auto other = net.add_population("other", std::make_unique<test::ValueSource>(1, 1, source_value));
  auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(1));
  SynapseSpec current;
  current.kind = SynapseSpec::Kind::current;
  CHECK_THAT(test::config_error(
                 [&] { net.connect(spikes, probe, ConnectionRule::one_to_one(), current); }),
             Contains("synapse 'current' needs a source with graded outputs"));
  CHECK_THAT(
      test::config_error([&] { net.connect(src, other, ConnectionRule::one_to_one(), current); }),
      Contains("'other' is an adapter"));
  current.offset = std::nan("");
  CHECK_THAT(
      test::config_error([&] { net.connect(src, probe, ConnectionRule::one_to_one(), current); }),
      Contains("offset must be a finite number of pA, got nan"));
}

TEST_CASE("an update interval that does not divide the window is refused, naming both",
          "[unit][adapter]") {
  Network net(test::serial());
  auto src = net.add_population("src", std::make_unique<test::ValueSource>(1, 3, source_value));
  auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(1));
  net.connect(src, probe, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(1.0), .delay = Distribution::constant(1.0)});
  CHECK_THAT(test::config_error([&] { net.build(); }),
             Contains("population 'src' (value_source): update_interval of 3 steps (0.3 ms) must "
                      "divide the window of 10 steps (1 ms"));
}

TEST_CASE("a whole adapter evaluates its module once per update, for any partition count",
          "[unit][adapter]") {
  // y = W x with x the held outputs of a 4-value source; the probe sees W x delayed twice.
  const std::vector<double> W = {1.0, -2.0, 0.5, 0.0,  //
                                 0.0, 1.0,  1.0, 1.0,  //
                                 3.0, 0.0,  0.0, -1.0};
  const auto value = [](std::int64_t u, NeuronIndex i) {
    return static_cast<double>((u + 1) * (i + 2) % 7) + 0.25;
  };
  for (const int partitions : {1, 2, 3}) {
    Network net({.dt = 0.1, .seed = 1, .threads = 2, .partitions = partitions});
    const Step k = 5;
    auto src = net.add_population("src", std::make_unique<test::ValueSource>(4, k, value));
    auto module = std::make_unique<test::MatrixModule>(4, 3, W);
    test::MatrixModule* m = module.get();
    auto dense = net.add_population("dense", models::make_module_adapter(std::move(module), 0.5));
    auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(3));
    const SynapseSpec one{.weight = Distribution::constant(1.0),
                          .delay = Distribution::constant(1.0)};
    net.connect(src, dense, ConnectionRule::one_to_one(), one);
    net.connect(dense, probe, ConnectionRule::one_to_one(), one);
    const auto input = net.record_state(probe, "input");
    const auto y = net.record_state(dense, "y", {}, 0.5);
    net.run(30.0);

    CHECK(m->calls == 60);  // 300 steps / k
    // Update q of the module (step 5q + 4) sees the source's update q - 3 (held in steps
    // 5q ... 5q + 4); the probe sees module update q - 3 in steps 5q ... 5q + 4.
    const auto expected_y = [&](std::int64_t q, std::size_t o) {
      if (q < 3) return 0.0;
      double s = 0.0;
      for (NeuronIndex j = 0; j < 4; ++j) s += W[o * 4 + j] * value(q - 3, j);
      return s;
    };
    const Trace& ty = net.trace(y);
    REQUIRE(ty.frame_steps.size() == 60);
    for (std::size_t q = 0; q < 60; ++q)
      for (std::size_t o = 0; o < 3; ++o) REQUIRE(ty.values[q * 3 + o] == expected_y(q, o));
    const Trace& tp = net.trace(input);
    for (std::size_t f = 0; f < tp.frame_steps.size(); ++f)
      for (std::size_t o = 0; o < 3; ++o) {
        INFO("partitions " << partitions << ", step " << tp.frame_steps[f] << ", output " << o);
        REQUIRE(tp.values[f * 3 + o] == expected_y(tp.frame_steps[f] / 5 - 3, o));
      }
  }
}

TEST_CASE("a whole adapter's input and output widths set its projections' index ranges",
          "[unit][adapter]") {
  Network net(test::serial());
  auto src = net.add_population("src", std::make_unique<test::ValueSource>(3, 1, source_value));
  auto dense =
      net.add_population("dense", models::make_module_adapter(std::make_unique<test::MatrixModule>(
                                      4, 2, std::vector<double>(8, 1.0))));
  auto probe = net.add_population("probe", std::make_unique<test::InputProbe>(2));
  CHECK_THAT(test::config_error([&] { net.connect(src, dense, ConnectionRule::one_to_one(), {}); }),
             Contains("one_to_one"));
  net.connect(src, dense, ConnectionRule::all_to_all(), {});
  net.connect(dense, probe, ConnectionRule::one_to_one(), {});
  net.build();
  CHECK(net.synapse_count() == 3 * 4 + 2);
}

TEST_CASE("rates to currents: a LIF membrane charges with gain times value plus offset",
          "[unit][adapter]") {
  // Offset 100 pA from the start; gain 2 pA per unit times the value 50 from step 20 (update
  // in step 9, delay 10 steps): 200 pA. V_m - E_L follows R I + (u0 - R I) e^{-t/tau_m}.
  models::LifDelta::Params p;
  p.E_L = 0.0;
  p.V_th = 1e6;
  p.V_reset = 0.0;
  Network net(test::serial());
  const auto fifty = [](std::int64_t, NeuronIndex) { return 50.0; };
  auto src = net.add_population("src", std::make_unique<test::ValueSource>(1, 10, fifty));
  auto lif = net.add_population("lif", models::make_lif_delta(1, p));
  SynapseSpec current{.weight = Distribution::constant(2.0), .delay = Distribution::constant(1.0)};
  current.kind = SynapseSpec::Kind::current;
  current.offset = 100.0;
  net.connect(src, lif, ConnectionRule::one_to_one(), current);
  const auto trace = net.record_state(lif, "V_m");
  net.run(30.0);

  const long double R = p.tau_m / p.C_m;  // mV per pA
  const long double u2 = R * 100.0L * (1.0L - std::exp(-2.0L / p.tau_m));
  const Trace& tr = net.trace(trace);
  for (std::size_t f = 0; f < tr.values.size(); ++f) {
    const long double t = 0.1L * static_cast<long double>(tr.frame_steps[f] + 1);
    const long double u = t <= 2.0L
                              ? R * 100.0L * (1.0L - std::exp(-t / p.tau_m))
                              : R * 200.0L + (u2 - R * 200.0L) * std::exp(-(t - 2.0L) / p.tau_m);
    INFO("t = " << static_cast<double>(t) << " ms");
    CHECK(tr.values[f] == Approx(static_cast<double>(u)).margin(1e-10));
  }
}
