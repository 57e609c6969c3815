// The HDF5 recording file: a SONATA spike report, SONATA frame reports for state traces,
// weight snapshots and provenance, written so that an interrupted run leaves a readable
// file (layout and crash-safety facts: shared/reference/hdf5-output.md, docs/output.md).
//
//   spikeflow::io::RecordingFile file("out.h5", provenance, {.model_interval = 100.0});
//   net.add_sink(&file);           // before the first run
//   net.run(1000.0);
//   file.finish(wall_seconds);     // final flush, closes the file, marks it complete
//
// All HDF5 calls happen on one writer thread fed by a bounded queue; the simulation never
// calls HDF5 itself.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/recording.hpp"

namespace spikeflow::io {

struct Provenance {
  std::string model_text;
  std::string model_path;
  std::string command_line;
  std::uint64_t seed = 0;
  int threads = 1;
  int ranks = 1;
  double dt = 0.1;
};

struct FlushPolicy {
  double model_interval = 100.0;  // ms of model time at most between flushes
  double wall_seconds = 1.0;      // seconds of wall time at most between flushes
};

// A projection whose weights are snapshotted: name in the file, handle, times (ms).
struct WeightRecording {
  std::string name;
  ProjectionHandle projection;
  std::vector<double> times;
};

class RecordingFile : public RecordingSink {
 public:
  RecordingFile(std::filesystem::path path, Provenance provenance, FlushPolicy flush = {},
                std::vector<WeightRecording> weights = {});
  ~RecordingFile() override;  // finishes the file if finish() was not called

  void on_start(const Network& net) override;
  void on_window(const Network& net, Step begin, Step end, std::span<const SpikeRecord> spikes,
                 std::span<const TraceFrames> traces) override;

  // Takes the snapshots of weight recordings due at the network's current time. The
  // caller (the CLI's run loop) runs the network up to each snapshot time and calls this.
  void snapshot_weights(const Network& net);

  // Flushes everything, writes the closing attributes (wall time, completed), closes.
  void finish(double wall_seconds, bool completed = true);

  const std::filesystem::path& path() const { return path_; }

 private:
  struct Impl;
  std::filesystem::path path_;
  std::unique_ptr<Impl> impl_;
};

// Makes a file left by a killed run readable again: clears the SWMR "open for write"
// flag, trims every spike population and trace to its last consistent length. Returns a
// human-readable report of what it did.
std::string recover_file(const std::filesystem::path& path);

}  // namespace spikeflow::io
