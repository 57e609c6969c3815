// Network::save_state / load_state (engine/checkpoint.cpp) through the C++ API, with the
// in-memory store: a run interrupted, saved, loaded into a freshly built network and
// continued gives the spikes and final state of the uninterrupted run, bit for bit.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <vector>

#include "engine/network.hpp"
#include "engine/state_io.hpp"
#include "engine_test_support.hpp"
#include "models/inputs.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"

using namespace spikeflow;

namespace {

constexpr std::uint64_t kSeed = 11;
constexpr double kDuration = 300.0;  // ms

struct MixedNetwork {
  std::vector<PopulationHandle> populations;  // exp, alpha, cond, source
  TraceHandle trace;
};

// Every model with hidden state and every input kind: lif_exp (Poisson), lif_alpha (Poisson
// and a DC current switched on at 50 ms), lif_cond_exp (Poisson, conductances in nS) and a
// spike_source_array whose spikes span the whole run, connected with delays drawn from
// 0.3-4 ms (3-40 steps, so the ring holds inputs far ahead of any checkpoint).
MixedNetwork build_mixed(Network& net) {
  models::LifExp::Params pe;
  models::LifAlpha::Params pa;
  pa.t_ref = 3.0;
  models::LifCondExp::Params pc;
  const auto exp = net.add_population("exp", models::make_lif_exp(240, pe));
  const auto alpha = net.add_population("alpha", models::make_lif_alpha(160, pa));
  const auto cond = net.add_population("cond", models::make_lif_cond_exp(120, pc));
  std::vector<std::vector<double>> times(40);
  for (std::size_t i = 0; i < times.size(); ++i)
    for (double t = 1.0 + 0.7 * static_cast<double>(i); t < kDuration; t += 9.1)
      times[i].push_back(std::round(t * 10.0) / 10.0);
  const auto source = net.add_population("source", models::make_spike_source_array(times));

  net.add_input(exp, models::make_poisson_input({.rate = 7000.0, .weight = 30.0}));
  net.add_input(alpha, models::make_poisson_input({.rate = 5000.0, .weight = 25.0}));
  net.add_input(alpha, models::make_dc_input({.amplitude = 120.0, .start = 50.0}));
  net.add_input(cond, models::make_poisson_input({.rate = 8000.0, .weight = 6.0}));
  for (const auto p : {exp, alpha, cond})
    net.set_initial_state(p, "V_m", Distribution::uniform(-70.0, -56.0));

  const auto delay = Distribution::uniform(0.3, 4.0);
  net.connect(exp, exp, ConnectionRule::pairwise_bernoulli(0.1).autapses(false),
              {Distribution::normal(20.0, 8.0).clipped_to_sign(), delay});
  net.connect(exp, alpha, ConnectionRule::fixed_indegree(30),
              {Distribution::normal(20.0, 8.0).clipped_to_sign(), delay});
  net.connect(alpha, exp, ConnectionRule::fixed_indegree(20),
              {Distribution::normal(-40.0, 10.0).clipped_to_sign(), delay});
  net.connect(alpha, cond, ConnectionRule::pairwise_bernoulli(0.1),
              {Distribution::normal(-1.0, 0.3).clipped_to_sign(), delay});
  net.connect(exp, cond, ConnectionRule::fixed_indegree(20),
              {Distribution::normal(1.5, 0.5).clipped_to_sign(), delay});
  net.connect(source, exp, ConnectionRule::fixed_outdegree(25),
              {Distribution::constant(60.0), delay});
  net.connect(source, cond, ConnectionRule::fixed_outdegree(10),
              {Distribution::constant(3.0), Distribution::constant(1.3)});
  for (const auto p : {exp, alpha, cond, source}) net.record_spikes(p);
  const TraceHandle trace = net.record_state(alpha, "I_syn_ex", {0, 5, 17, 150}, 0.7);
  return {{exp, alpha, cond, source}, trace};
}

struct Outcome {
  std::vector<std::vector<SpikeEvent>> spikes;
  std::vector<std::vector<double>> state;  // every named variable of every population
  Trace trace;
  std::vector<std::uint64_t> spike_counts;
  std::uint64_t synaptic_events;
  Step now;
};

Outcome outcome_of(Network& net, const MixedNetwork& m) {
  Outcome o;
  for (const auto p : m.populations) {
    o.spikes.push_back(net.spikes(p));
    o.spike_counts.push_back(net.spike_count(p.index));
    for (const auto& name : net.population(p).state_names()) {
      const auto s = net.population(p).state(name);
      o.state.emplace_back(s.begin(), s.end());
    }
  }
  o.trace = net.trace(m.trace);
  o.synaptic_events = net.synaptic_events();
  o.now = net.now();
  return o;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void require_identical(const Outcome& a, const Outcome& b) {
  REQUIRE(a.now == b.now);
  REQUIRE(a.spikes.size() == b.spikes.size());
  for (std::size_t p = 0; p < a.spikes.size(); ++p) {
    INFO("population " << p);
    REQUIRE(a.spikes[p].size() == b.spikes[p].size());
    CHECK(a.spikes[p] == b.spikes[p]);
  }
  CHECK(a.spike_counts == b.spike_counts);
  CHECK(a.synaptic_events == b.synaptic_events);
  REQUIRE(a.state.size() == b.state.size());
  for (std::size_t k = 0; k < a.state.size(); ++k) {
    INFO("state array " << k);
    CHECK(same_bits(a.state[k], b.state[k]));
  }
  CHECK(a.trace.frame_steps == b.trace.frame_steps);
  CHECK(same_bits(a.trace.values, b.trace.values));
}

Outcome uninterrupted() {
  Network net({.dt = 0.1, .seed = kSeed, .threads = 1, .partitions = 3});
  const MixedNetwork m = build_mixed(net);
  net.run(kDuration);
  return outcome_of(net, m);
}

// Runs `first` ms with `threads_before` threads, saves, loads into a new network with
// `threads_after` threads and `partitions_after` partitions, and runs the rest.
Outcome interrupted(double first, int threads_before, int threads_after, int partitions_after) {
  MemoryState saved;
  {
    Network net({.dt = 0.1, .seed = kSeed, .threads = threads_before, .partitions = 2});
    build_mixed(net);
    net.run(first);
    net.save_state(saved);
  }  // the first network is gone: nothing is shared but the saved state
  Network net({.dt = 0.1, .seed = kSeed, .threads = threads_after, .partitions = partitions_after});
  const MixedNetwork m = build_mixed(net);
  net.load_state(saved);
  REQUIRE(net.now() == static_cast<Step>(std::llround(first / 0.1)));
  net.run(kDuration - first);
  return outcome_of(net, m);
}

}  // namespace

TEST_CASE("a run saved, loaded into a new network and continued equals the uninterrupted run",
          "[unit][determinism]") {
  // Requirement (issue 7): interrupted-and-resumed spikes are identical to the uninterrupted
  // run's, for thread counts 1 and 2 at resume, whatever the partitions; so are the final
  // state (named and hidden state acts on the spikes), the counters and the traces.
  const Outcome reference = uninterrupted();
  std::printf("checkpoint network: spikes exp %zu, alpha %zu, cond %zu, source %zu\n",
              reference.spikes[0].size(), reference.spikes[1].size(), reference.spikes[2].size(),
              reference.spikes[3].size());
  // Every population must be busy after the split for the comparison to mean anything.
  for (const auto& s : reference.spikes) {
    const auto after =
        std::count_if(s.begin(), s.end(), [](const SpikeEvent& e) { return e.step >= 1234; });
    REQUIRE(after > 100);
  }
  // 123.4 ms is no multiple of the 3-step window, so the split also moves the windows.
  for (const double first : {123.4, 150.0}) {
    for (const int threads : {1, 2}) {
      INFO("split at " << first << " ms, " << threads << " threads at resume");
      require_identical(reference, interrupted(first, 2, threads, threads == 1 ? 1 : 5));
    }
  }
}

TEST_CASE("a checkpoint taken before the first step resumes like a fresh run", "[unit]") {
  // Edge case: the clock at 0 (initial states drawn, nothing simulated yet).
  const Outcome reference = uninterrupted();
  require_identical(reference, interrupted(0.0, 1, 2, 4));
}

// A reader that leaves the arrays it does not hold as they are (as a checkpoint that forgot
// them would), for the test below.
class LenientReader final : public StateReader {
 public:
  explicit LenientReader(const MemoryState& state) : state_(state) {}
  bool contains(const std::string& path) const override { return state_.contains(path); }
  std::size_t size(const std::string& path) const override { return state_.size(path); }
  void read(const std::string& p, std::span<double> out) const override { get(p, out); }
  void read(const std::string& p, std::span<float> out) const override { get(p, out); }
  void read(const std::string& p, std::span<std::int64_t> out) const override { get(p, out); }
  void read(const std::string& p, std::span<std::uint64_t> out) const override { get(p, out); }

 private:
  template <typename T>
  void get(const std::string& path, std::span<T> out) const {
    if (state_.contains(path)) state_.read(path, out);
  }
  const MemoryState& state_;
};

TEST_CASE("hidden state matters: a checkpoint without rings or refractory counters diverges",
          "[unit]") {
  // Guards the test above: if ring buffers and refractory counters were not needed (or the
  // comparison could not see them), forgetting them would go unnoticed. Each forgotten part
  // must change the continued spikes; a checkpoint missing them is refused by load_state.
  MemoryState full;
  Network a({.dt = 0.1, .seed = kSeed, .threads = 1, .partitions = 1});
  const MixedNetwork ma = build_mixed(a);
  a.run(150.0);
  a.save_state(full);
  a.run(kDuration - 150.0);
  const Outcome reference = outcome_of(a, ma);

  for (const std::string forgotten : {"ring_", "free_from"}) {
    INFO("checkpoint without " << forgotten);
    MemoryState partial;
    for (const auto& [path, array] : full.arrays()) {
      if (path.find(forgotten) != std::string::npos && path.rfind("network/", 0) != 0) continue;
      std::visit([&, p = path](const auto& v) { partial.write(p, std::span(v.data(), v.size())); },
                 array);
    }
    Network strict({.dt = 0.1, .seed = kSeed, .threads = 1, .partitions = 1});
    build_mixed(strict);
    CHECK_THROWS_WITH(strict.load_state(partial), Catch::Contains(forgotten));

    Network b({.dt = 0.1, .seed = kSeed, .threads = 1, .partitions = 1});
    const MixedNetwork mb = build_mixed(b);
    b.load_state(LenientReader(partial));
    b.run(kDuration - 150.0);
    const Outcome o = outcome_of(b, mb);
    CHECK(o.spikes[0] != reference.spikes[0]);
  }
}

TEST_CASE("a checkpoint is refused by a network it does not fit", "[unit]") {
  // Errors name what differs: the seed (connectivity would differ), or a population size.
  MemoryState saved;
  {
    Network net({.dt = 0.1, .seed = kSeed, .threads = 1});
    build_mixed(net);
    net.run(10.0);
    net.save_state(saved);
  }
  Network other_seed({.dt = 0.1, .seed = kSeed + 1, .threads = 1});
  build_mixed(other_seed);
  CHECK_THROWS_WITH(other_seed.load_state(saved), Catch::Contains("seed is 11 in the checkpoint"));

  Network smaller({.dt = 0.1, .seed = kSeed, .threads = 1});
  smaller.add_population("exp", models::make_lif_exp(10));
  CHECK_THROWS_WITH(smaller.load_state(saved), Catch::Contains("population count"));

  Network unbuilt({.dt = 0.1, .seed = kSeed, .threads = 1});
  build_mixed(unbuilt);
  CHECK_THROWS_WITH(unbuilt.save_state(saved), Catch::Contains("not built"));
}
