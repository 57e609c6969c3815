// Internal to the engine: the private parts of Network, shared by the files that implement
// it (network.cpp and the files that add to it, such as plasticity or checkpoints). Not
// part of the public API; nothing outside engine/ includes it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/adapter.hpp"
#include "engine/huge_pages.hpp"
#include "engine/network.hpp"
#include "engine/numerical_check.hpp"
#include "engine/parallel.hpp"
#include "engine/plasticity.hpp"

namespace spikeflow {

// The neurons of one partition that may have input in one ring slot: the targets of the
// static synapses delivered into the slot, in delivery order, repeats allowed. A model that
// reads these lists (Population::reads_arrival_lists) updates the listed neurons' synaptic
// state from the slot and skips the slot elsewhere, where it holds +0.0: with one-step
// delays (CUBA) a step's input reaches ~5 % of the neurons, and reading and clearing the
// whole slot was a third of the kernel's memory traffic. A slot that receives more than
// `capacity` targets overflows: the model then reads and clears the whole slot, as without
// lists.
struct ArrivalList {
  std::vector<NeuronIndex> targets;  // reserved to capacity, never reallocated
  std::size_t capacity = 0;
  bool overflowed = false;

  void add(const NeuronIndex* first, std::uint32_t count) {
    if (overflowed) return;
    if (count > capacity - targets.size()) {
      overflowed = true;
      return;
    }
    targets.insert(targets.end(), first, first + count);
  }
  void add(NeuronIndex target) {
    if (overflowed) return;
    if (targets.size() == capacity) {
      overflowed = true;
      return;
    }
    targets.push_back(target);
  }
  void clear() {
    targets.clear();
    overflowed = false;
  }
};

struct Network::PopulationEntry {
  std::string name;
  std::unique_ptr<Population> model;
  NeuronId first_id = 0;
  bool record_spikes = false;
  std::uint64_t spike_count = 0;
  std::vector<std::pair<std::string, Distribution>> initial_states;
  std::vector<std::uint32_t> outgoing;  // projections with this population as source
  std::vector<std::uint32_t> inputs;    // inputs attached to it
  std::vector<std::uint32_t> traces;    // traces recorded from it
  std::vector<NeuronRange> ranges;      // the slice each partition owns, set at build
  // Ring buffers, slot-major: slot * size + neuron. Empty for spike sources.
  HugePageVector<double> ring_excitatory;
  HugePageVector<double> ring_inhibitory;
  std::vector<double> current;  // external current of the step being updated
  // Where ring slot i % ring_slots begins, for i < 2 ring_slots: the slot a spike of step s
  // reaches with a delay of d steps begins at slot_offsets[s % ring_slots + d].
  std::vector<std::size_t> slot_offsets;
  std::vector<SpikeEvent> recorded;
  // Adapters (engine/adapter.hpp): the model as an Adapter, else null.
  Adapter* adapter = nullptr;
  // Neurons per ring slot: the input width, which only a whole adapter makes differ from
  // the size. input_ranges: the slice of the input side each partition owns.
  std::size_t ring_width = 0;
  std::vector<NeuronRange> input_ranges;
  // Held current from current projections (ring of pA, slot-major), empty if none, and
  // the sum of their offsets (pA), added in every step.
  // Target of a graded plastic projection: emits its outputs even without outgoing
  // projections, for the rule (engine/graded_plasticity.cpp).
  bool learns = false;
  bool receives_current = false;
  std::vector<double> ring_current;
  double current_offset = 0.0;
  // Arrival lists (ArrivalList), [partition * ring slots + slot]; empty unless the model
  // reads them and every input of the population comes from static spike synapses.
  std::vector<ArrivalList> arrivals;
  // The model's state arrays in state_names() order, for the numerical check.
  std::vector<std::string> state_names;
  std::vector<std::span<const double>> state_arrays;
};

struct Network::ProjectionEntry {
  std::string name;
  std::uint32_t source;
  std::uint32_t target;
  ConnectionRule rule;
  SynapseSpec synapse;
  std::vector<SynapseRows> rows;         // one per partition (empty rows if plastic)
  std::unique_ptr<PlasticPart> plastic;  // null for static synapses
};

struct Network::InputEntry {
  std::uint32_t target;
  std::unique_ptr<Input> input;
};

struct Network::TraceEntry {
  TraceSpec spec;
  std::span<const double> state;
  // Per partition: the positions in spec.neurons of the neurons that partition owns.
  std::vector<std::pair<std::size_t, std::size_t>> partition_slice;
  // Frames of the current window.
  Step window_first_frame = 0;
  std::size_t window_frames = 0;
  std::vector<double> window_values;
  Trace memory;
};

// One synapse of any rank, gathered on rank 0 (Network::gather_synapses).
struct Network::GatheredSynapse {
  NeuronIndex source;
  NeuronIndex target;
  double weight;
  Step delay;
};

struct Network::PartitionScratch {
  std::vector<SpikeRecord> spikes;
  std::vector<GradedRecord> graded;  // adapter outputs emitted in this window
  std::vector<NeuronIndex> step_spikes;
  std::uint64_t events = 0;  // synaptic events delivered into this partition
  NumericalFault fault;      // the first non-finite state value of the window's end
};

}  // namespace spikeflow
