// Disk space for `spikeflow run`: an estimate of what the recording will take, checked
// against the free space before the run (a warning), and a watch during the run that stops
// it cleanly (flush, close, exit code 5) when the output's filesystem is nearly full.
//
// Test hook: SPIKEFLOW_TEST_FREE_SPACE="BYTES[@MS]" replaces the free-space reading by BYTES
// (from simulated time MS on, if given; the real reading before). It exists so the clean stop
// can be tested without filling a disk; it is not meant for users.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "engine/network.hpp"

namespace spikeflow::cli {

// Below this much free space on the output's filesystem the run stops. HDF5 needs room
// for the last flush and for closing the file (metadata), and the rest of the system for
// whatever else runs.
constexpr double kDiskMarginBytes = 64.0 * 1024 * 1024;

// Spikes are estimated at this mean rate per recorded neuron; traces and weight snapshots
// are exact.
constexpr double kAssumedRateHz = 10.0;

// Bytes the recording of a run of `duration_ms` will need, uncompressed (an upper bound
// where the file compresses): 16 per spike (f64 timestamp, u64 node id), 4 per trace value
// (f32) plus its frame's share, 28 per synapse and weight snapshot.
double estimate_recording_bytes(const Network& net, double duration_ms,
                                std::uint64_t weight_snapshot_synapses);

// Free bytes for an unprivileged writer on the filesystem holding `output` (statvfs of
// its directory), or the test hook's value; nullopt if it cannot be read.
std::optional<double> free_disk_bytes(const std::filesystem::path& output, double simulated_ms);

// Watches the free space during a run: at a window boundary once `wall_period` of wall
// time or `model_period_ms` of simulated time (the default flush interval) has passed
// since the last look, so a statvfs costs nothing next to the windows in between.
class DiskWatch {
 public:
  explicit DiskWatch(std::filesystem::path output,
                     std::chrono::milliseconds wall_period = std::chrono::milliseconds(100),
                     double model_period_ms = 100.0)
      : output_(std::move(output)), wall_period_(wall_period), model_period_ms_(model_period_ms) {}
  // True when less than kDiskMarginBytes is free; `free_bytes()` then says how much.
  bool nearly_full(double simulated_ms);
  double free_bytes() const { return free_; }

 private:
  std::filesystem::path output_;
  std::chrono::milliseconds wall_period_;
  double model_period_ms_;
  std::chrono::steady_clock::time_point last_wall_{};
  double last_ms_ = -1e300;
  double free_ = 0.0;
};

}  // namespace spikeflow::cli
