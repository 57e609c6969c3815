// Model files: one TOML file describes a whole run (see docs/model-file.md for every key).
//
//   auto model = spikeflow::io::load_model_file("examples/cuba.toml", {{"simulation.duration",
//   "2000"}}); model.network->run(model.settings.duration);
//
// Errors are ModelFileError, whose message names the file, line and column, the key, the
// offending value and what is allowed:
//   examples/bad.toml:12:11: populations.exc.params.tau_m: must be > 0 ms, got -5
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/network.hpp"

namespace spikeflow::io {

class ModelFileError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// The neuron state the file asks for would exceed LoadOptions::memory_budget_bytes. Thrown
// before that state is allocated, with the file:line:col of the population's size.
class MemoryBudgetError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

// One `--set key=value` from the command line; `value` is TOML syntax (2000, "20 ms", true).
struct Override {
  std::string key;
  std::string value;
};

// Snapshots of the weights of one projection at given times (ms).
struct WeightSnapshotSpec {
  std::string projection;  // projection name as in the model file
  ProjectionHandle handle;
  std::vector<double> times;
  // Subset (recordings.weights sources / targets): synapses whose source is in `sources`
  // and whose target is in `targets`; an empty list selects every neuron.
  std::vector<NeuronIndex> sources;
  std::vector<NeuronIndex> targets;
};

struct RunSettings {
  double dt = 0.1;           // ms
  double duration = 1000.0;  // ms
  std::uint64_t seed = 1;
  int threads = 0;                  // 0: all cores
  std::string output = "";          // HDF5 path; empty: model file name with .h5
  double flush_interval = 100.0;    // ms of model time between flushes
  double flush_wall_seconds = 1.0;  // and at most this much wall time
  double checkpoint_every = 0.0;    // ms of model time between checkpoints; 0: none
  std::vector<WeightSnapshotSpec> weight_snapshots;
};

// What validate prints and run checks before building.
struct BuildEstimate {
  std::uint64_t neurons = 0;
  double synapses = 0;      // expected count (exact for deterministic rules)
  double memory_bytes = 0;  // neurons, synapses, ring buffers, recordings
};

struct LoadedModel {
  std::unique_ptr<Network> network;
  RunSettings settings;
  BuildEstimate estimate;
  std::string model_text;  // the file's text, with included files appended, for provenance
  // The model as loaded, as one TOML text: includes merged, --set overrides applied. Loaded
  // by load_model_text, it gives the same network (checkpoints store it for resume).
  std::string resolved_text;
  std::filesystem::path path;
  std::vector<std::string> population_names;  // index = population index in the network
  std::vector<std::string> projection_names;  // index = projection index in the network
};

// How the Network is made, beyond what the file says.
struct LoadOptions {
  // Keep recorded spikes and traces in memory too (Network::spikes()). The CLI turns this
  // off: its recordings go to the HDF5 file, and memory must not grow with the run.
  bool keep_recordings_in_memory = true;
  int partitions = NetworkOptions{}.partitions;  // 0: one per thread
  // Populations allocate their state arrays as they are loaded, before the build estimate
  // can be checked: a size of 4e9 would take hundreds of GB. With a budget > 0 the loader
  // refuses (MemoryBudgetError) once the state of the populations so far exceeds it.
  double memory_budget_bytes = 0.0;  // bytes; 0: no limit
  // The ranks of a distributed run (NetworkOptions::comm); null: this process alone.
  Communicator* comm = nullptr;
};

// Reads, validates and turns a model file into an unbuilt Network. Throws ModelFileError.
LoadedModel load_model_file(const std::filesystem::path& path,
                            const std::vector<Override>& overrides = {},
                            const LoadOptions& options = {});

// The same for a model file's text in memory (generated files, the fuzzer). `name` stands
// for the file in messages and provenance; includes are read relative to its directory.
LoadedModel load_model_text(const std::string& text, const std::filesystem::path& name,
                            const std::vector<Override>& overrides = {},
                            const LoadOptions& options = {});

}  // namespace spikeflow::io
