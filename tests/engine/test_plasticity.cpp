// Tests of the plastic synapse storage of engine/plasticity.hpp (PlasticRows): targets are
// 16-bit offsets from a base per group, in blocks of 65536 neurons, so a partition holding
// more target neurons than that splits rows into several blocks. The reference is the same
// projection stored static (engine/connectivity.hpp, 32-bit targets), whose synapses are
// generated from the same random streams.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <tuple>
#include <vector>

#include "engine/network.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

using namespace spikeflow;

namespace {

constexpr NeuronIndex kTargets = 140000;  // > 2 x 65536: three blocks with one partition

struct Run {
  std::vector<SpikeEvent> target_spikes;
  std::vector<std::tuple<NeuronIndex, NeuronIndex, Step>> synapses;  // sorted
  std::uint64_t synapse_count = 0;
};

// 40 sources firing twice each onto kTargets lif_delta neurons, 3000 synapses per source
// with delays of 1 to 3 ms and a weight (25 mV) that makes every target fire on arrival:
// the target spikes show where each delivery went. Plastic: STDP with zero amplitudes, so
// the weights never change.
Run run(bool plastic, int partitions) {
  Network net({.dt = 0.1, .seed = 7, .threads = 1, .partitions = partitions});
  std::vector<std::vector<double>> times(40);
  for (std::size_t i = 0; i < times.size(); ++i) times[i] = {1.0 + 0.1 * i, 12.0 + 0.2 * i};
  const auto src = net.add_population("src", models::make_spike_source_array(times));
  models::LifDelta::Params p;
  p.t_ref = 0.1;
  const auto tgt = net.add_population("tgt", models::make_lif_delta(kTargets, p));
  const auto proj = net.connect(src, tgt, ConnectionRule::fixed_outdegree(3000),
                                {Distribution::constant(25.0), Distribution::uniform(1.0, 3.0)});
  if (plastic) {
    models::StdpParams stdp;
    stdp.A_plus = 0.0;
    stdp.A_minus = 0.0;
    stdp.w_max = 30.0;
    net.set_plasticity(proj, models::make_stdp(stdp));
  }
  net.record_spikes(tgt);
  net.build();
  net.run(25.0);

  Run r;
  r.target_spikes = net.spikes(tgt);
  net.for_each_weight(proj, [&](NeuronIndex s, NeuronIndex t, double w, Step d) {
    REQUIRE(w == 25.0);
    r.synapses.emplace_back(s, t, d);
  });
  std::sort(r.synapses.begin(), r.synapses.end());
  r.synapse_count = net.synapse_count();
  return r;
}

}  // namespace

TEST_CASE(
    "plastic rows over more than 65536 target neurons hold and deliver the static rows' "
    "synapses",
    "[unit][plasticity]") {
  for (const int partitions : {1, 2}) {
    CAPTURE(partitions);
    const Run fixed = run(false, partitions);
    const Run learning = run(true, partitions);
    REQUIRE(fixed.synapse_count == 40u * 3000u);
    REQUIRE(learning.synapse_count == fixed.synapse_count);
    REQUIRE(learning.synapses == fixed.synapses);
    // Targets beyond the first block were reached, so the offsets of later blocks are used.
    REQUIRE(std::get<1>(fixed.synapses.back()) >= 2 * 65536u);
    REQUIRE(std::any_of(fixed.target_spikes.begin(), fixed.target_spikes.end(),
                        [](const SpikeEvent& e) { return e.neuron >= 2 * 65536u; }));
    REQUIRE(learning.target_spikes == fixed.target_spikes);
  }
}
