// The interface between the engine and a neuron model (or any population that emits
// spikes). The engine knows no concrete model: it calls `update` once per step for each
// partition's slice of the population, with that step's summed inputs, and collects the
// indices of the neurons that spiked.
//
// A model keeps its state as one array per variable over the whole population; a call
// touches only the neurons in its range, so partitions update in parallel without sharing
// anything writable.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state_io.hpp"
#include "engine/time.hpp"

namespace spikeflow {

using NeuronIndex = std::uint32_t;  // index within a population: at most 2^32 - 1 neurons
using NeuronId = std::uint64_t;     // global, dense id over all populations

struct NeuronRange {
  NeuronIndex begin = 0;
  NeuronIndex end = 0;
  NeuronIndex size() const { return end - begin; }
};

// Inputs arriving in one step, indexed by neuron within the population. Spike weights are
// split by sign, since several models route excitation and inhibition to separate
// synapses; models without that distinction add the two.
struct StepInput {
  const double* excitatory;  // sum of positive weights (model units: mV, pA or nS)
  const double* inhibitory;  // sum of negative weights, as negative numbers
  const double* current;     // external current during this step, pA
  // False when the population has no current input: current[] is then +0.0 everywhere, and
  // a model may skip reading it.
  bool has_current = true;
  // Null, or (for a model that reads_arrival_lists) the neurons that may have spike input
  // in this step, arrival_count of them, in any order, repeats allowed: excitatory and
  // inhibitory are +0.0 at every other neuron of the range. The model clears the entries
  // of the listed neurons.
  const NeuronIndex* arrivals = nullptr;
  std::size_t arrival_count = 0;
};

// Where a population reports its spikes during one step.
class SpikeSink {
 public:
  explicit SpikeSink(std::vector<NeuronIndex>& out) : out_(&out) {}
  void emit(NeuronIndex i) { out_->push_back(i); }

 private:
  std::vector<NeuronIndex>* out_;
};

class Population {
 public:
  virtual ~Population() = default;

  // The model's name as a user types it, e.g. "lif_exp".
  virtual std::string_view model() const = 0;
  virtual NeuronIndex size() const = 0;

  // Derives everything that depends on dt (propagators, refractory steps) and checks the
  // parameters against the grid. Called once before the first step.
  virtual void prepare(const TimeGrid& grid) = 0;

  // Advances neurons [range.begin, range.end) through step `step` and emits the indices of
  // those that spiked, in increasing order.
  virtual void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) = 0;

  // Whether spikes delivered to this population have any effect. Spike sources say no,
  // and connecting to them is an error.
  virtual bool accepts_input() const { return true; }

  // Whether update() zeroes in.excitatory[i] and in.inhibitory[i] for every i of its range
  // once it has read them. The engine then skips its own clearing pass over the ring slot
  // (a model that clears inside its integration loop saves a pass over two arrays per
  // step). Only the engine's ring buffers are passed to such a model, and they are
  // writable: the model may cast the const away.
  virtual bool clears_spike_input() const { return false; }

  // Whether update() can take its spike input as a list of the neurons that received any
  // (StepInput::arrivals). Only a model that clears_spike_input may say yes. The engine
  // keeps the lists for a population whose inputs are all static spike synapses; with them a
  // step with input at few neurons costs no pass over the ring slot.
  virtual bool reads_arrival_lists() const { return false; }

  // State variables by name ("V", "I_ex", ...), for initial values and recording.
  virtual std::vector<std::string> state_names() const = 0;
  // The array of one state variable, or an empty span if the model has no such variable.
  virtual std::span<double> state(std::string_view name) = 0;
  // The unit of a state variable ("mV", "pA", ...), empty if unknown or dimensionless.
  virtual std::string_view state_unit(std::string_view name) const = 0;

  // Checkpoints (engine/state_io.hpp): writes everything a continuation needs, and reads
  // it back into a population made with the same parameters and prepared for the same
  // grid. The default saves the named state variables; a model with hidden state
  // (refractory counters, cursors, per-neuron traces) overrides both and adds it.
  virtual void save_state(const StateSection& out) const;
  virtual void load_state(const StateSource& in);
};

}  // namespace spikeflow
