// Adapters: populations that are not spiking neuron models (rate populations, converters,
// DNN modules) but sit in the same network and the same window loop as spiking ones.
//
// An adapter is a Population. The scheduler updates it like any other, step by step inside
// its partition, with the inputs that arrived in its ring buffers; what differs is what it
// emits and how often it changes its mind:
//
// - Update interval. An adapter refreshes its outputs every k steps (k >= 1), at the end of
//   the steps s with (s + 1) % k == 0. k must divide the window (the smallest delay), so
//   every window holds whole update intervals; Network::build() rejects it otherwise:
//     population 'r' (rate): update_interval of 3 steps (0.3 ms) must divide the window of
//     10 steps (1 ms)
// - Graded outputs. At an update step s each nonzero output i becomes a graded event
//   (s, population, i, value). It is delivered through the adapter's outgoing projections
//   beside the spikes: a synapse of weight w and delay D adds w * value to its target's
//   ring buffer in each of the steps s + D + 1, ..., s + D + k, so the target sees the
//   output as a value held until the next update arrives (zero outputs add nothing, and
//   hold zero). The value is valid from the end of step s, time (s + 1) dt, so delayed by
//   D dt it covers the k steps that start at (s + 1 + D) dt; a spike of step s with the
//   same delay is added at the end of step s + D, the same instant. Positive products go to the
//   excitatory buffer, negative ones to the inhibitory one, as spike weights do. A projection with
//   `SynapseSpec::kind = current` adds w * value instead to the target's external current (pA),
//   with the projection's `offset` (pA) added to every neuron of the target in every step: I = gain
//   * value + offset, gain being the weight.
// - Inputs. Adapters read their inputs per step like neurons do. Those that update every
//   k steps average what arrived over the k steps of the interval (see each model), so a
//   source updated on the same interval, with a delay that is a multiple of k, gives them
//   exactly w * value.
// - Spiking adapters. A converter that turns values into spikes (rates_to_spikes) says
//   graded() == false and emits spikes through the SpikeSink; they are ordinary spikes.
// - Whole adapters. An adapter whose outputs depend on all its inputs (a dense layer)
//   says elementwise() == false; the network then gives all of it to partition 0 (the
//   other partitions get empty ranges), so it is evaluated once, whole, on one thread.
//   Its input side may have a different width than its outputs (input_size()).
//
// Cost: a graded event costs k ring writes per synapse (one per held step), that is one
// write per synapse and step, as a current would; the ring holds max delay + max k slots.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/error.hpp"
#include "engine/population.hpp"
#include "engine/time.hpp"

namespace spikeflow {

// Who an adapter is in its network: what it needs to key its own random streams.
struct PopulationContext {
  std::uint64_t seed;
  std::uint32_t population;  // index of the population in the network
  NeuronId first_id;
};

class Adapter : public Population {
 public:
  // Steps between output updates, k >= 1. Valid after prepare().
  virtual Step update_interval() const = 0;
  // Whether the outputs are graded values (outputs()), or spikes emitted through the sink.
  virtual bool graded() const { return true; }
  // The current outputs, size() values; empty for spiking adapters.
  virtual std::span<const double> outputs() const = 0;
  // Whether output i depends on input i alone. If not, partition 0 runs the whole adapter.
  virtual bool elementwise() const { return true; }
  // Width of the input side (targets of incoming projections); size() unless the adapter
  // maps input_size() inputs to size() outputs (then elementwise() must be false).
  virtual NeuronIndex input_size() const { return size(); }
  // Called once at build, before prepare(), with the adapter's place in the network.
  virtual void bind(const PopulationContext&) {}
};

// The update interval in steps from a duration in ms; 0 ms means every step.
//   rate: update_interval must be a multiple of dt = 0.1 ms, got 0.15 ms (1.5 steps)
inline Step update_interval_steps(std::string_view model, double interval_ms,
                                  const TimeGrid& grid) {
  if (!(interval_ms >= 0.0))
    throw ConfigError(concat(model, ": update_interval must be >= 0 ms, got ", interval_ms));
  const Step k = grid.steps(interval_ms, concat(model, ": update_interval"));
  return k < 1 ? 1 : k;
}

// A graded event: an adapter's output i at update step `step`. Ordered like spikes, by
// (step, population, index), which is the order in which targets add them up.
struct GradedRecord {
  Step step;
  std::uint32_t population;
  NeuronIndex index;
  double value;

  friend bool operator<(const GradedRecord& a, const GradedRecord& b) {
    if (a.step != b.step) return a.step < b.step;
    if (a.population != b.population) return a.population < b.population;
    return a.index < b.index;
  }
};
static_assert(sizeof(GradedRecord) == 24);

}  // namespace spikeflow
