// Checkpoint files: a network's state (Network::save_state) and what `spikeflow resume`
// needs to rebuild the network and carry on, in one HDF5 file (docs/checkpoints.md).
//
//   io::CheckpointRun run{...};                  // model text, duration, output, ...
//   io::write_checkpoint("run.ckpt.h5", net, run);
//   ...
//   io::CheckpointFile ckpt("run.ckpt.h5");
//   auto model = io::load_model_text(ckpt.run().model_text, ...);
//   model.network->load_state(ckpt);
//
// Writing is atomic: the file is written as PATH.tmp, flushed to disk (fsync), renamed to
// PATH and the directory synced, so a kill or power loss during a checkpoint leaves the
// previous checkpoint whole. Layout:
//
//   /                  attrs format (uint64, 1), simulator = "spikeflow", engine_version
//   /run               attrs model_text (resolved: includes merged, --set applied),
//                      model_source (the file text as loaded), model_path, command_line,
//                      output, duration_ms, dt, seed, step, time_ms, written (ISO 8601)
//   /run/recorded      what the output file held at the checkpoint: spikes (per recorded
//                      population, file order), frames (per trace), snapshots and synapses
//                      (per weight recording), step
//   /state/...         one dataset per state array, at its path ("populations/E/V_m")
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "engine/network.hpp"
#include "engine/state_io.hpp"
#include "io/hdf5_writer.hpp"

namespace spikeflow::io {

// Everything about the run that is not network state.
struct CheckpointRun {
  std::string model_text;    // resolved model (TOML), what resume loads
  std::string model_source;  // the model file's text with includes appended (provenance)
  std::string model_path;
  std::string command_line;
  std::string output;        // the recording file
  double duration_ms = 0.0;  // the whole run's planned duration
  double flush_interval = 100.0;
  double flush_wall_seconds = 1.0;
  double checkpoint_every_ms = 0.0;
  std::string checkpoint_path;
  RecordedCounts recorded;  // what the recording held when the checkpoint was taken
};

// Writes the checkpoint atomically (PATH.tmp, fsync, rename). Throws RuntimeError naming
// the file and the reason. Test hook: with SPIKEFLOW_CHECKPOINT_ABORT_AFTER=N in the
// environment, the process aborts (SIGABRT) after writing N state arrays to PATH.tmp,
// as a kill during a checkpoint would leave it.
void write_checkpoint(const std::filesystem::path& path, const Network& net,
                      const CheckpointRun& run);

// An open checkpoint file: the run facts, and the state for Network::load_state.
class CheckpointFile final : public StateReader {
 public:
  // Throws RuntimeError if the file cannot be opened or is not a spikeflow checkpoint.
  explicit CheckpointFile(const std::filesystem::path& path);
  ~CheckpointFile() override;
  CheckpointFile(const CheckpointFile&) = delete;
  CheckpointFile& operator=(const CheckpointFile&) = delete;

  const CheckpointRun& run() const { return run_; }
  Step step() const { return step_; }
  std::uint64_t seed() const { return seed_; }
  double dt() const { return dt_; }
  // The engine version that wrote the checkpoint (io/version.hpp's engine_version()).
  const std::string& engine_version() const { return engine_version_; }

  bool contains(const std::string& path) const override;
  std::size_t size(const std::string& path) const override;
  void read(const std::string& path, std::span<double> out) const override;
  void read(const std::string& path, std::span<float> out) const override;
  void read(const std::string& path, std::span<std::int64_t> out) const override;
  void read(const std::string& path, std::span<std::uint64_t> out) const override;

 private:
  struct Impl;
  std::filesystem::path path_;
  std::unique_ptr<Impl> impl_;
  CheckpointRun run_;
  Step step_ = 0;
  std::uint64_t seed_ = 0;
  double dt_ = 0.0;
  std::string engine_version_;
};

}  // namespace spikeflow::io
