// The HDF5 recording file: a SONATA spike report, SONATA frame reports for state traces,
// weight snapshots and provenance, written so that an interrupted run leaves a readable
// file (layout and crash-safety facts: shared/reference/hdf5-output.md, docs/output.md).
//
//   spikeflow::io::RecordingFile file("out.h5", provenance, {.model_interval = 100.0});
//   net.add_sink(&file);           // before the first run
//   net.run(1000.0);
//   file.finish(wall_seconds);     // final flush, closes the file, marks it complete
//
// on_start (called by the first Network::run) creates the whole layout, then switches the
// file to SWMR writing; from then on only appends happen. All HDF5 calls happen on one
// writer thread fed by a bounded queue: on_window copies the window's spikes and frames into
// a queue item and returns (it waits only while the queue is full). The writer thread
// flushes when the unflushed data covers `model_interval` ms of model time or has waited
// `wall_seconds` seconds, whichever comes first: bulk data first, then the counters that say
// how far the file is valid.
//
// Errors: creating the file fails in on_start; a failure on the writer thread (disk full, a
// file-size limit) is thrown once, as RuntimeError, from the next on_window, snapshot_weights
// or finish call, naming the file, what was being written and the system's reason:
//   recording file 'out.h5': flushing '/report/exc/data': H5Dflush: unable to flush
//   dataset: No space left on device
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/recording.hpp"

namespace spikeflow::io {

// What the file records about the run that made it (root attributes, see docs/output.md).
// The seed, dt and thread count written to the file are the network's own values
// (options().seed, grid().dt(), threads()); the fields here are kept for callers that
// have no network at hand and are not written.
struct Provenance {
  std::string model_text;  // full model-file text
  std::string model_path;
  std::string command_line;
  std::uint64_t seed = 0;
  int threads = 1;
  int ranks = 1;
  double dt = 0.1;
  std::string start_time;  // ISO 8601 UTC; empty: the time on_start runs
};

struct FlushPolicy {
  double model_interval = 100.0;  // ms of model time at most between flushes, > 0
  double wall_seconds = 1.0;      // seconds of wall time at most between flushes, > 0
};

// A projection whose weights are snapshotted: name in the file, handle, times (ms), and
// optionally a subset of its synapses: those whose source is in `sources` (if not empty)
// and whose target is in `targets` (if not empty); indices within the populations. Both
// empty: every synapse. A subset leaves the layout unchanged, each snapshot holds the
// subset's rows in storage order.
struct WeightRecording {
  std::string name;
  ProjectionHandle projection;
  std::vector<double> times;
  std::vector<NeuronIndex> sources = {};
  std::vector<NeuronIndex> targets = {};
};

// How much of each dataset a recording file holds after a flush: what a checkpoint notes, so
// that a resumed run can cut the file back to exactly this and append (docs/checkpoints.md).
struct RecordedCounts {
  Step step = 0;                         // model time covered, steps
  std::vector<std::uint64_t> spikes;     // per recorded population, in file order
  std::vector<std::uint64_t> frames;     // per trace, in the network's trace order
  std::vector<std::uint64_t> snapshots;  // per weight recording
  std::vector<std::uint64_t> synapses;   // per weight recording: rows of all its snapshots
};

// A recorded state value that is finite in the engine (double) but beyond the range of the
// file's float32 (|x| > 3.4e38): it is stored as +-inf. The first such value of a trace and
// how many there were.
struct Float32Overflow {
  std::string population;
  std::string variable;
  NeuronIndex neuron = 0;
  double time_ms = 0.0;  // of the frame
  double value = 0.0;
  std::uint64_t count = 0;
};

class RecordingFile : public RecordingSink {
 public:
  // Checks the policy and the weight recordings (ConfigError); touches no file yet.
  RecordingFile(std::filesystem::path path, Provenance provenance, FlushPolicy flush = {},
                std::vector<WeightRecording> weights = {});
  ~RecordingFile() override;  // finish(elapsed wall time, false) if finish() was not called
  RecordingFile(const RecordingFile&) = delete;
  RecordingFile& operator=(const RecordingFile&) = delete;

  // Creates the file (truncating an existing one) with every group and dataset, starts the
  // writer thread. Throws RuntimeError if the file cannot be created.
  void on_start(const Network& net) override;
  void on_window(const Network& net, Step begin, Step end, std::span<const SpikeRecord> spikes,
                 std::span<const TraceFrames> traces) override;

  // Takes one snapshot of every weight recording that has a time <= the network's current
  // time not yet taken (several such times give one snapshot), stamped with the current
  // time. The caller (the CLI's run loop) runs the network up to each snapshot time and
  // calls this. At time 0 call net.build() first; the file is then created here.
  void snapshot_weights(const Network& net);

  // Checkpoints. sync() waits until the writer thread has written and flushed everything
  // handed to it, and returns how much the file then holds. resume_from(), before the
  // first run, makes on_start reopen the existing file at path() instead of creating one:
  // every dataset is cut back to `counts` (the network must stand at counts.step), and the
  // run appends from there. The file must be closed (a killed run's file is first made
  // whole by recover_file) and have the layout this network gives.
  RecordedCounts sync();
  void resume_from(RecordedCounts counts);

  // Waits for the queue to drain, flushes, writes wall_time (s) and completed, closes the
  // file. A second call does nothing; before on_start it does nothing either (no file).
  void finish(double wall_seconds, bool completed = true);

  // Traces that had values beyond float32's range (stored as +-inf), one entry per trace,
  // in trace order; the CLI warns about each after the run.
  std::vector<Float32Overflow> float32_overflows() const;

  const std::filesystem::path& path() const { return path_; }
  // Flush points completed by the writer thread, and the model time (ms) up to which the
  // file is known to be valid after the last of them; both for progress reports and tests.
  std::uint64_t flushes() const;
  double flushed_until_ms() const;

 private:
  struct Impl;
  std::filesystem::path path_;
  std::unique_ptr<Impl> impl_;
};

// Makes a file left by a killed run readable again: clears the "open for write" flags of
// the superblock (what `h5clear -s --increment` does), trims every spike population, trace
// and weight recording to the lengths recorded at the last completed flush, and rewrites
// mapping/time. Running it again, or on a complete file, changes nothing. Returns a
// human-readable report of what it did. Never run it on a file that is still being
// written. Throws RuntimeError naming the file and the HDF5 reason.
std::string recover_file(const std::filesystem::path& path);

}  // namespace spikeflow::io
