// What a run records and how it reaches its consumers.
//
// The engine collects, per window, the spikes of recorded populations (sorted by step,
// then global neuron id) and the frames of recorded state variables, and hands them to
// every RecordingSink. The in-memory recording of the C++ API is one such sink; the HDF5
// writer of io/ is another. Sinks run on the calling thread, between windows.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/population.hpp"

namespace spikeflow {

// One spike: the step it was emitted in, the population index and the neuron within it.
// Ordering by (step, population, index) is ordering by (step, global id).
struct SpikeRecord {
  Step step;
  std::uint32_t population;
  NeuronIndex index;

  friend bool operator<(const SpikeRecord& a, const SpikeRecord& b) {
    if (a.step != b.step) return a.step < b.step;
    if (a.population != b.population) return a.population < b.population;
    return a.index < b.index;
  }
  friend bool operator==(const SpikeRecord&, const SpikeRecord&) = default;
};
static_assert(sizeof(SpikeRecord) == 16);

// A state recording: one variable of one population, sampled every `interval` steps.
// Frame k holds the values at the end of step (k + 1) * interval - 1, i.e. at time
// (k + 1) * interval * dt.
struct TraceSpec {
  std::uint32_t population;
  std::string variable;
  std::vector<NeuronIndex> neurons;  // increasing
  Step interval;
};

// The frames of one trace taken during one window: `frames` rows of `neurons.size()`.
struct TraceFrames {
  std::size_t trace;
  Step first_frame_step;  // step at whose end the first frame was taken
  std::size_t frames;
  std::span<const double> values;  // frames x neurons, row-major
};

class Network;

class RecordingSink {
 public:
  virtual ~RecordingSink() = default;
  // Before the first window of the first run, after the network is built.
  virtual void on_start(const Network&) {}
  // After each window: the recorded spikes of [begin, end) and the frames taken in it.
  virtual void on_window(const Network&, Step begin, Step end, std::span<const SpikeRecord> spikes,
                         std::span<const TraceFrames> traces) = 0;
};

}  // namespace spikeflow
