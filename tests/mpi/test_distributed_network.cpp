// Distributed runs (engine/exchange.cpp, engine/distributed_state.cpp) against one process:
// run under mpirun with 1, 2 and 3 ranks, every rank compares what it holds with a run of
// the same network in this process alone (the reference the single-process tests check).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <vector>

#include "../engine/engine_test_support.hpp"
#include "engine/network.hpp"
#include "models/stdp.hpp"
#include "mpi_test_support.hpp"

using namespace spikeflow;

namespace {

struct Outcome {
  std::vector<SpikeEvent> exc, inh;
  std::vector<double> v_exc, i_exc, v_inh;
  std::uint64_t synapses;
  std::uint64_t events;
  Step window;
};

std::vector<double> copy_of(std::span<const double> s) {
  return {s.begin(), s.end()};
}

// The determinism network of tests/engine/test_determinism.cpp, 200 ms.
Outcome run_reference_network(Communicator* comm, int threads, int partitions) {
  Network net({.dt = 0.1, .seed = 7, .threads = threads, .partitions = partitions, .comm = comm});
  const auto ref = test::build_reference_network(net);
  net.run(200.0);
  return {net.spikes(ref.exc),
          net.spikes(ref.inh),
          copy_of(net.population(ref.exc).state("V_m")),
          copy_of(net.population(ref.exc).state("I_syn_in")),
          copy_of(net.population(ref.inh).state("V_m")),
          net.synapse_count(),
          net.synaptic_events(),
          net.window_steps()};
}

// The neurons a rank owns: the partitions' slices it updates, [begin, end).
std::pair<std::size_t, std::size_t> owned_neurons(std::size_t size, int partitions, int rank,
                                                  int ranks) {
  const auto first = static_cast<std::size_t>(static_cast<long>(partitions) * rank / ranks);
  const auto last = static_cast<std::size_t>(static_cast<long>(partitions) * (rank + 1) / ranks);
  return {size * first / static_cast<std::size_t>(partitions),
          size * last / static_cast<std::size_t>(partitions)};
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b, std::size_t begin,
               std::size_t end) {
  return std::memcmp(a.data() + begin, b.data() + begin, (end - begin) * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("a distributed run gives the spikes and state of one process", "[mpi][determinism]") {
  // Requirement (issue 8): the determinism network gives the same spikes (step, neuron,
  // order), synapse and event counts on every rank as in one process, and every rank's own
  // neurons end in the same state bit for bit, for 1 and 2 threads per rank.
  Communicator& world = test::world();
  const Outcome alone = run_reference_network(nullptr, 1, 1);
  REQUIRE(alone.exc.size() > 800);  // busy enough to mean something (see test_determinism)
  for (const int threads : {1, 2}) {
    const int partitions = 2 * world.size();
    const Outcome mine = run_reference_network(&world, threads, partitions);
    INFO("rank " << world.rank() << " of " << world.size() << ", " << threads << " threads");
    CHECK(mine.window == alone.window);
    CHECK(mine.synapses == alone.synapses);
    CHECK(mine.events == alone.events);
    CHECK(mine.exc == alone.exc);
    CHECK(mine.inh == alone.inh);
    const auto [e0, e1] = owned_neurons(400, partitions, world.rank(), world.size());
    const auto [i0, i1] = owned_neurons(250, partitions, world.rank(), world.size());
    CHECK(e1 > e0);
    CHECK(same_bits(mine.v_exc, alone.v_exc, e0, e1));
    CHECK(same_bits(mine.i_exc, alone.i_exc, e0, e1));
    CHECK(same_bits(mine.v_inh, alone.v_inh, i0, i1));
  }
}

TEST_CASE("a distributed checkpoint holds the single-process state", "[mpi][checkpoint]") {
  // Requirement: save_state of a distributed run gives rank 0 the state one process saves
  // (every array equal, bit for bit), so a checkpoint resumes with any rank count.
  Communicator& world = test::world();
  Network alone({.dt = 0.1, .seed = 7, .threads = 1, .partitions = 1});
  test::build_reference_network(alone);
  alone.run(100.0);
  MemoryState expected;
  alone.save_state(expected);

  Network net({.dt = 0.1, .seed = 7, .threads = 1, .partitions = 2 * world.size(), .comm = &world});
  test::build_reference_network(net);
  net.run(100.0);
  MemoryState merged;
  net.save_state(merged);
  if (world.rank() == 0) {
    REQUIRE(merged.arrays().size() == expected.arrays().size());
    for (const auto& [path, array] : expected.arrays()) {
      INFO(path);
      REQUIRE(merged.arrays().count(path) == 1);
      CHECK(merged.arrays().at(path) == array);
    }
  } else {
    CHECK(merged.arrays().empty());
  }
}

TEST_CASE("plastic weights of a distributed run equal those of one process", "[mpi][plasticity]") {
  // Requirement: STDP weights (read through gather_synapses on rank 0) and spikes of a
  // distributed run equal a single-process run's.
  Communicator& world = test::world();
  const auto build = [](Network& net) {
    models::LifDelta::Params p;
    p.E_L = 0;
    p.V_th = 20;
    p.V_reset = 10;
    p.tau_m = 20;
    p.t_ref = 2;
    const auto in = net.add_population("in", models::make_lif_delta(200, p));
    const auto out = net.add_population("out", models::make_lif_delta(7, p));
    net.set_initial_state(in, "V_m", Distribution::uniform(0, 20));
    net.add_input(in, models::make_poisson_input({.rate = 10500.0, .weight = 0.1}));
    const auto proj = net.connect(in, out, ConnectionRule::all_to_all(),
                                  {Distribution::uniform(0.0, 0.5), Distribution::constant(1.0)});
    models::StdpParams sp;
    sp.w_max = 0.5;
    net.set_plasticity(proj, models::make_stdp(sp));
    net.record_spikes(out);
    return std::pair{proj, out};
  };
  Network alone({.dt = 0.1, .seed = 3, .threads = 1, .partitions = 1});
  const auto [proj_a, out_a] = build(alone);
  alone.run(300.0);
  Network net({.dt = 0.1, .seed = 3, .threads = 2, .partitions = 2 * world.size(), .comm = &world});
  const auto [proj, out] = build(net);
  net.run(300.0);
  REQUIRE(alone.spikes(out_a).size() > 20);
  CHECK(net.spikes(out) == alone.spikes(out_a));

  std::vector<std::tuple<NeuronIndex, NeuronIndex, double>> expected, got;
  alone.for_each_weight(proj_a, [&](NeuronIndex s, NeuronIndex t, double w, Step) {
    expected.emplace_back(s, t, w);
  });
  net.gather_synapses({proj});
  net.for_each_weight(
      proj, [&](NeuronIndex s, NeuronIndex t, double w, Step) { got.emplace_back(s, t, w); });
  if (world.rank() == 0) {
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
  }
}
