#include "models/spike_source_array.hpp"

#include <algorithm>

#include "engine/error.hpp"

namespace spikeflow::models {

SpikeSourceArray::SpikeSourceArray(std::vector<std::vector<double>> times)
    : times_ms_(std::move(times)) {}

void SpikeSourceArray::prepare(const TimeGrid& grid) {
  steps_.assign(times_ms_.size(), {});
  next_.assign(times_ms_.size(), 0);
  for (std::size_t i = 0; i < times_ms_.size(); ++i) {
    for (const double t : times_ms_[i]) {
      const Step s = grid.steps(t, concat("spike_source_array: spike time of neuron ", i));
      if (s < 1)
        throw ConfigError(concat("spike_source_array: spike times must be >= dt = ", grid.dt(),
                                 " ms, got ", t, " ms for neuron ", i));
      steps_[i].push_back(s - 1);
    }
    std::sort(steps_[i].begin(), steps_[i].end());
    const auto dup = std::adjacent_find(steps_[i].begin(), steps_[i].end());
    if (dup != steps_[i].end())
      throw ConfigError(concat("spike_source_array: neuron ", i, " has spike time ",
                               grid.end_of(*dup), " ms twice"));
  }
}

void SpikeSourceArray::update(NeuronRange range, Step step, const StepInput&, SpikeSink& out) {
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const auto& s = steps_[i];
    std::size_t& k = next_[i];
    while (k < s.size() && s[k] < step) ++k;
    if (k < s.size() && s[k] == step) {
      out.emit(i);
      ++k;
    }
  }
}

void SpikeSourceArray::save_state(const StateSection& out) const {
  out.write("next", std::vector<std::uint64_t>(next_.begin(), next_.end()));
}

void SpikeSourceArray::load_state(const StateSource& in) {
  std::vector<std::uint64_t> next(next_.size());
  in.read("next", next);
  for (std::size_t i = 0; i < next.size(); ++i) {
    if (next[i] > steps_[i].size())
      throw ConfigError(concat("checkpoint: spike_source_array cursor of neuron ", i, " is ",
                               next[i], ", beyond its ", steps_[i].size(), " spike times"));
    next_[i] = static_cast<std::size_t>(next[i]);
  }
}

std::unique_ptr<Population> make_spike_source_array(std::vector<std::vector<double>> times) {
  return std::make_unique<SpikeSourceArray>(std::move(times));
}

}  // namespace spikeflow::models
