// Inputs attached to a population: generators that add to a population's inputs every
// step without being neurons themselves (Poisson drive, DC and step currents). They run in
// the update phase, inside the partition that owns the neurons, just before the model's
// update for the same step.
#pragma once

#include <string_view>

#include "engine/population.hpp"

namespace spikeflow {

// The writable inputs of one step, indexed by neuron within the target population.
struct StepInputBuffers {
  double* excitatory;
  double* inhibitory;
  double* current;  // pA
};

// What an input needs to know about where it runs.
struct InputContext {
  std::uint64_t seed;
  std::uint64_t input_index;  // unique per input in the network: keys its random stream
  NeuronId first_id;          // global id of neuron 0 of the target population
};

class Input {
 public:
  virtual ~Input() = default;
  virtual std::string_view kind() const = 0;
  virtual void prepare(const TimeGrid& grid) = 0;
  // Adds this input's contribution for step `step` to neurons in `range`.
  virtual void apply(NeuronRange range, Step step, const InputContext& context,
                     StepInputBuffers& buffers) const = 0;

  // Checkpoints: an input whose output depends on more than (seed, step, neuron) saves
  // that state here. The inputs of models/inputs.hpp draw from counter-based streams keyed
  // by step and hold none, so the default saves nothing.
  virtual void save_state(const StateSection&) const {}
  virtual void load_state(const StateSource&) {}
};

}  // namespace spikeflow
