// Determinism of a whole run (DESIGN.md, "Determinism"): the spikes are a function of the
// network and the seed alone, not of the thread or partition count.
#include <catch2/catch.hpp>

#include <cstdio>
#include <vector>

#include "engine/network.hpp"
#include "engine_test_support.hpp"

using namespace spikeflow;

namespace {

struct RunResult {
  std::vector<SpikeEvent> exc, inh;
  std::vector<double> v_exc, v_inh, i_exc;  // final state, compared bit for bit
  std::uint64_t synapses;
  Step window;
};

RunResult run_reference(std::uint64_t seed, int threads, int partitions) {
  Network net({.dt = 0.1, .seed = seed, .threads = threads, .partitions = partitions});
  const auto ref = test::build_reference_network(net);
  net.run(400.0);
  RunResult r;
  r.exc = net.spikes(ref.exc);
  r.inh = net.spikes(ref.inh);
  const auto copy = [](std::span<const double> s) {
    return std::vector<double>(s.begin(), s.end());
  };
  r.v_exc = copy(net.population(ref.exc).state("V_m"));
  r.i_exc = copy(net.population(ref.exc).state("I_syn_in"));
  r.v_inh = copy(net.population(ref.inh).state("V_m"));
  r.synapses = net.synapse_count();
  r.window = net.window_steps();
  return r;
}

}  // namespace

TEST_CASE("spikes are identical for 1, 2, 3 and 8 threads and 1, 7, 16 and 64 partitions",
          "[unit][determinism]") {
  // Requirement: a recurrent network (Poisson input, pairwise_bernoulli and fixed_indegree
  // projections, normal weights clipped to sign, delays of 5-25 steps) gives the same spikes
  // (step, neuron, count, order) and the same final state for any thread and partition count.
  const RunResult reference = run_reference(7, 1, 1);
  std::printf("determinism network: %zu E spikes, %zu I spikes, %llu synapses, window %lld steps\n",
              reference.exc.size(), reference.inh.size(),
              static_cast<unsigned long long>(reference.synapses),
              static_cast<long long>(reference.window));
  // The network must be busy for the comparison to mean anything: over 400 ms, E (400
  // neurons) and I (250 neurons) both fire at more than 10 Hz on average.
  REQUIRE(reference.exc.size() > 1600);
  REQUIRE(reference.inh.size() > 1000);
  REQUIRE(reference.window == 5);

  for (const int threads : {1, 2, 3, 8}) {
    for (const int partitions : {1, 7, 16, 64}) {
      if (threads == 1 && partitions == 1) continue;
      INFO("threads " << threads << ", partitions " << partitions);
      const RunResult r = run_reference(7, threads, partitions);
      CHECK(r.synapses == reference.synapses);
      CHECK(r.exc.size() == reference.exc.size());
      CHECK(r.inh.size() == reference.inh.size());
      CHECK(r.exc == reference.exc);
      CHECK(r.inh == reference.inh);
      CHECK(r.v_exc == reference.v_exc);
      CHECK(r.i_exc == reference.i_exc);
      CHECK(r.v_inh == reference.v_inh);
    }
  }

  // The comparison can fail: another seed gives other spikes.
  const RunResult other = run_reference(8, 2, 7);
  CHECK(other.exc != reference.exc);
  CHECK(other.inh != reference.inh);
}
