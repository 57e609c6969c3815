// spike_source_array: a population that emits given spike times (PyNN's SpikeSourceArray,
// NEST's spike_generator). It receives no input; connect it to other populations with
// projections like any neuron population.
//
// Times are in ms, must lie on the grid and be >= dt: a spike at time T is emitted in step
// T/dt - 1 and stamped T, so with a delay d it reaches its targets at exactly T + d.
// A time given twice for one neuron is an error (one spike per neuron and step).
#pragma once

#include <memory>
#include <vector>

#include "engine/population.hpp"

namespace spikeflow::models {

class SpikeSourceArray final : public Population {
 public:
  // times[i]: spike times of neuron i, ms, any order.
  explicit SpikeSourceArray(std::vector<std::vector<double>> times);

  std::string_view model() const override { return "spike_source_array"; }
  NeuronIndex size() const override { return static_cast<NeuronIndex>(times_ms_.size()); }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  bool accepts_input() const override { return false; }
  std::vector<std::string> state_names() const override { return {}; }
  std::span<double> state(std::string_view) override { return {}; }
  std::string_view state_unit(std::string_view) const override { return ""; }
  // Checkpoints: the per-neuron cursor into the emission steps. update() would find its
  // place again from the step alone; saving it keeps a resumed run exactly on the path
  // of the uninterrupted one without relying on that.
  void save_state(const StateSection& out) const override;
  void load_state(const StateSource& in) override;

 private:
  std::vector<std::vector<double>> times_ms_;
  std::vector<std::vector<Step>> steps_;  // sorted emission steps per neuron
  std::vector<std::size_t> next_;         // first emission step not yet passed
};

std::unique_ptr<Population> make_spike_source_array(std::vector<std::vector<double>> times);

}  // namespace spikeflow::models
