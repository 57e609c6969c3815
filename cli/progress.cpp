#include "cli/progress.hpp"

#include <algorithm>
#include <cmath>

namespace spikeflow::cli {

namespace {

constexpr double kTerminalRefreshSeconds = 0.2;  // at most five updates a second

std::string printf_string(const char* format, double a) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, a);
  return buffer;
}

}  // namespace

ProgressReporter::ProgressReporter(ProgressMode mode, double total_ms, double interval_seconds,
                                   std::FILE* out)
    : mode_(mode), total_ms_(total_ms), interval_seconds_(interval_seconds), out_(out) {
  start();
}

void ProgressReporter::start() {
  start_ = Clock::now();
  last_print_ = start_;
}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressReporter::update(double done_ms, std::uint64_t spikes) {
  if (mode_ == ProgressMode::quiet) return;
  const auto now = Clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  const double due = mode_ == ProgressMode::terminal ? kTerminalRefreshSeconds : interval_seconds_;
  if (since < due) return;
  last_print_ = now;
  print(line(done_ms, spikes, std::chrono::duration<double>(now - start_).count()));
}

void ProgressReporter::finish(double done_ms, std::uint64_t spikes) {
  if (mode_ == ProgressMode::quiet) return;
  print(line(done_ms, spikes, elapsed_seconds()));
  if (mode_ == ProgressMode::terminal) std::fputc('\n', out_);
  std::fflush(out_);
}

std::string ProgressReporter::line(double done_ms, std::uint64_t spikes, double wall) const {
  const double percent = total_ms_ > 0.0 ? 100.0 * done_ms / total_ms_ : 100.0;
  std::string text = "t = " + printf_string("%.1f", done_ms) + " / " +
                     printf_string("%.1f", total_ms_) + " ms   " + printf_string("%5.1f", percent) +
                     "%";
  if (done_ms > 0.0 && wall > 0.0) {
    const double rtf = wall / (done_ms * 1e-3);
    const double left = rtf * std::max(0.0, total_ms_ - done_ms) * 1e-3;
    text += "   RTF " + printf_string(rtf < 10.0 ? "%.3f" : "%.1f", rtf);
    text += "   left " + format_seconds(left);
    text += "   " + format_si(static_cast<double>(spikes) / wall) + " spikes/s";
  }
  return text;
}

void ProgressReporter::print(const std::string& text) {
  if (mode_ == ProgressMode::terminal) {
    // Overwrite the previous line; pad with blanks where the new one is shorter.
    std::string padded = text;
    if (padded.size() < last_width_) padded.append(last_width_ - padded.size(), ' ');
    last_width_ = text.size();
    std::fprintf(out_, "\r%s", padded.c_str());
  } else {
    std::fprintf(out_, "%s\n", text.c_str());
  }
  std::fflush(out_);
  printed_ = true;
}

std::string format_seconds(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  if (seconds < 10.0) return printf_string("%.2f s", seconds);
  if (seconds < 60.0) return printf_string("%.1f s", seconds);
  char buffer[64];
  const auto whole = static_cast<long long>(std::llround(seconds));
  if (whole < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld min %02lld s", whole / 60, whole % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld h %02lld min", whole / 3600, (whole / 60) % 60);
  }
  return buffer;
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out = digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) {
    out += ',';
    out.append(digits, i, 3);
  }
  return out;
}

std::string format_si(double value) {
  const char* prefixes[] = {"", "k", "M", "G", "T"};
  int k = 0;
  while (std::abs(value) >= 1000.0 && k < 4) {
    value /= 1000.0;
    ++k;
  }
  const char* format = std::abs(value) < 10.0 ? "%.2f" : std::abs(value) < 100.0 ? "%.1f" : "%.0f";
  return printf_string(format, value) + prefixes[k];
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int k = 0;
  while (bytes >= 1024.0 && k < 5) {
    bytes /= 1024.0;
    ++k;
  }
  return printf_string(k == 0 ? "%.0f " : "%.1f ", bytes) + units[k];
}

}  // namespace spikeflow::cli
