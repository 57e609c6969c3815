// Tests of spike and state recording (engine/recording.hpp, Network::record_spikes,
// Network::record_state): every spike recorded exactly once, in (step, neuron) order, for
// any population size, thread and partition count; trace frames at the documented steps
// with the analytic membrane values; errors for unknown variables.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/network.hpp"
#include "engine_test_support.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

constexpr Step kSteps = 300;  // 30 ms at dt = 0.1
constexpr Step kDelay = 3;    // source -> driven neurons, steps

// Whether neuron i of the source emits in step s: a fixed pattern that varies with the
// neuron, includes the first and last steps, and gives every neuron at least one spike.
bool source_fires(NeuronIndex i, Step s) {
  if (s == 0 || s == kSteps - 1) return i % 2 == 0;
  return (splitmix64(i * 1000003ull + static_cast<std::uint64_t>(s)) % 7) == 0 || s == 5 + i % 50;
}

// Collects what the sink interface hands out.
class CollectingSink final : public RecordingSink {
 public:
  void on_window(const Network&, Step begin, Step end, std::span<const SpikeRecord> spikes,
                 std::span<const TraceFrames>) override {
    CHECK(begin == next_begin);
    next_begin = end;
    for (const SpikeRecord& s : spikes) {
      CHECK(s.step >= begin);
      CHECK(s.step < end);
      records.push_back(s);
    }
  }
  Step next_begin = 0;
  std::vector<SpikeRecord> records;
};

}  // namespace

TEST_CASE("every spike is recorded exactly once, for any size, thread and partition count",
          "[unit]") {
  // Requirement: the recorded list equals the expected list exactly (no duplicates, no
  // misses, ordered by step then neuron), for a spike source with known times and for
  // lif_delta neurons it drives to spike kDelay steps later, in populations of 10, 97 and
  // 1001 neurons, with 1, 3 and 8 threads and 1, 4, 16 and 64 partitions.
  for (const NeuronIndex size : {10u, 97u, 1001u}) {
    std::vector<std::vector<double>> times(size);
    std::vector<SpikeEvent> expected_source, expected_driven;
    for (Step s = 0; s < kSteps; ++s)
      for (NeuronIndex i = 0; i < size; ++i)
        if (source_fires(i, s)) {
          times[i].push_back(static_cast<double>(s + 1) * 0.1);  // emitted in step s
          expected_source.push_back({s, i});
          if (s + kDelay < kSteps) expected_driven.push_back({s + kDelay, i});
        }
    // The driven list in (step, neuron) order.
    std::sort(expected_driven.begin(), expected_driven.end(), [](const auto& a, const auto& b) {
      return a.step != b.step ? a.step < b.step : a.neuron < b.neuron;
    });

    for (const int threads : {1, 3, 8}) {
      for (const int partitions : {1, 4, 16, 64}) {
        INFO("size " << size << ", threads " << threads << ", partitions " << partitions);
        Network net({.dt = 0.1, .seed = 2, .threads = threads, .partitions = partitions});
        const auto src = net.add_population("src", models::make_spike_source_array(times));
        // t_ref = dt: no step is skipped after a spike; one 20 mV input crosses 15 mV.
        models::LifDelta::Params p;
        p.t_ref = 0.1;
        const auto driven = net.add_population("driven", models::make_lif_delta(size, p));
        const auto silent = net.add_population("silent", models::make_lif_delta(size, p));
        net.connect(src, driven, ConnectionRule::one_to_one(),
                    {Distribution::constant(20.0), Distribution::constant(kDelay * 0.1)});
        net.record_spikes(src);
        net.record_spikes(driven);
        CollectingSink sink;
        net.add_sink(&sink);
        // Two runs, the first ending inside a window.
        net.run(10.0);
        net.run(20.0);

        CHECK(net.spikes(src) == expected_source);
        CHECK(net.spikes(driven) == expected_driven);
        CHECK(net.spike_count(src.index) == expected_source.size());
        CHECK(net.spike_count(driven.index) == expected_driven.size());
        CHECK(net.spike_count(silent.index) == 0);
        CHECK(sink.next_begin == kSteps);

        // The sink sees the same spikes, merged in (step, global id) order.
        std::vector<SpikeRecord> merged;
        for (const auto& e : expected_source) merged.push_back({e.step, src.index, e.neuron});
        for (const auto& e : expected_driven) merged.push_back({e.step, driven.index, e.neuron});
        std::sort(merged.begin(), merged.end());
        CHECK(sink.records == merged);
      }
    }
  }
}

TEST_CASE("state traces give frames at the documented steps with the analytic V_m", "[unit]") {
  // Requirement: record_state(population, variable, neurons, interval) takes a frame at the
  // end of every step s with (s + 1) % k == 0, for the given neurons (sorted, without
  // duplicates), across runs; for lif_delta under a constant current the values equal
  //   V(t) = E_L + I_e tau_m / C_m + (V0 - E_L - I_e tau_m / C_m) e^{-t / tau_m}.
  for (const int partitions : {1, 7, 16}) {
    INFO("partitions " << partitions);
    models::LifDelta::Params p;
    p.I_e = 300.0;  // V_inf = -70 + 300 * 10 / 250 = -58 mV, below threshold
    Network net({.dt = 0.1, .seed = 13, .threads = 3, .partitions = partitions});
    const auto pop = net.add_population("pop", models::make_lif_delta(100, p));
    net.set_initial_state(pop, "V_m", Distribution::uniform(-80.0, -60.0));
    const auto trace = net.record_state(pop, "V_m", {42, 3, 99, 17, 3}, 0.5);
    const auto every = net.record_state(pop, "V_m", {0});
    net.build();
    const auto state = net.population(pop).state("V_m");
    const std::vector<double> v0(state.begin(), state.end());
    net.run(10.3);
    net.run(2.2);

    const std::vector<NeuronIndex> neurons{3, 17, 42, 99};
    CHECK(net.trace_spec(trace).neurons == neurons);
    CHECK(net.trace_spec(trace).interval == 5);
    const Trace& t = net.trace(trace);
    std::vector<Step> steps;
    for (Step s = 4; s < 125; s += 5) steps.push_back(s);
    CHECK(t.frame_steps == steps);
    REQUIRE(t.values.size() == steps.size() * neurons.size());

    const double v_inf = p.E_L + p.I_e * p.tau_m / p.C_m;
    for (std::size_t f = 0; f < steps.size(); ++f)
      for (std::size_t j = 0; j < neurons.size(); ++j) {
        const double time = static_cast<double>(steps[f] + 1) * 0.1;
        const double v = v_inf + (v0[neurons[j]] - v_inf) * std::exp(-time / p.tau_m);
        INFO("frame " << f << ", neuron " << neurons[j]);
        CHECK(t.values[f * neurons.size() + j] == Approx(v).epsilon(0).margin(1e-9));
      }

    const Trace& e = net.trace(every);
    REQUIRE(e.frame_steps.size() == 125);
    for (Step s = 0; s < 125; ++s) {
      REQUIRE(e.frame_steps[s] == s);
      const double v = v_inf + (v0[0] - v_inf) * std::exp(-(s + 1) * 0.1 / p.tau_m);
      CHECK(e.values[s] == Approx(v).epsilon(0).margin(1e-9));
    }
  }
}

TEST_CASE("recording an unknown variable or neuron throws ConfigError", "[unit]") {
  // Requirement: errors name the population and variable and list the known variables.
  Network net({.dt = 0.1});
  const auto pop = net.add_population("exc", models::make_lif_exp(10));
  CHECK_THROWS_AS(net.record_state(pop, "V"), ConfigError);
  CHECK_THROWS_WITH(net.record_state(pop, "V"), Contains("'exc'") && Contains("'V'") &&
                                                    Contains("V_m") && Contains("I_syn_ex") &&
                                                    Contains("I_syn_in"));
  CHECK_THROWS_WITH(net.record_state(pop, "V_m", {3, 10}), Contains("neuron 10"));
  CHECK_THROWS_WITH(net.record_state(pop, "V_m", {}, 0.25), Contains("0.25"));
  CHECK_THROWS_AS(net.record_state(pop, "V_m", {}, -1.0), ConfigError);
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  CHECK_THROWS_WITH(net.record_state(src, "V_m"), Contains("spike_source_array"));
  CHECK(net.trace_count() == 0);
  CHECK_THROWS_WITH(net.spikes(pop), Contains("not recorded"));
}
