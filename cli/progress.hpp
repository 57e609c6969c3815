// Progress of a running simulation on stderr, and the number formats the command prints.
//
// On a terminal the report is one line rewritten in place (carriage return) at most five
// times a second:
//   t = 412.3 / 1000.0 ms   41.2%   RTF 0.18   left 0.1 s   1.52M spikes/s
// Elsewhere (a log file, a pipe, CI) it is one plain line every `interval` seconds of wall
// time and one at the end, so logs stay readable. RTF, the real-time factor, is wall time
// divided by simulated time: below 1 the simulation runs faster than real time.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace spikeflow::cli {

enum class ProgressMode { quiet, terminal, lines };

class ProgressReporter {
 public:
  using Clock = std::chrono::steady_clock;

  // `total_ms`: the simulated time the run will cover; `interval_seconds`: wall time between
  // two plain lines (lines mode only).
  ProgressReporter(ProgressMode mode, double total_ms, double interval_seconds,
                   std::FILE* out = stderr);

  // Marks the start of the simulation proper (after the build).
  void start();
  // Called after every window; prints only when a report is due. Cheap otherwise.
  void update(double done_ms, std::uint64_t spikes);
  // The last report (lines mode) or the last state of the line followed by a newline
  // (terminal mode). Call once, when the run ends for whatever reason.
  void finish(double done_ms, std::uint64_t spikes);

  double elapsed_seconds() const;

 private:
  std::string line(double done_ms, std::uint64_t spikes, double wall) const;
  void print(const std::string& text);

  ProgressMode mode_;
  double total_ms_;
  double interval_seconds_;
  std::FILE* out_;
  Clock::time_point start_;
  Clock::time_point last_print_;
  std::size_t last_width_ = 0;
  bool printed_ = false;
};

// "0.42 s", "12.3 s", "4 min 05 s", "2 h 13 min".
std::string format_seconds(double seconds);
// Counts in thousands with a separator: 1234567 -> "1,234,567".
std::string format_count(std::uint64_t n);
// Rates and counts with an SI prefix: 1520000 -> "1.52M", 734 -> "734".
std::string format_si(double value);
// Bytes in binary units: "312.5 MiB".
std::string format_bytes(double bytes);

}  // namespace spikeflow::cli
