#include "cli/disk_space.hpp"

#include <sys/statvfs.h>

#include <cstdlib>
#include <string>

namespace spikeflow::cli {

namespace fs = std::filesystem;

double estimate_recording_bytes(const Network& net, double duration_ms,
                                std::uint64_t weight_snapshot_synapses) {
  double bytes = 0.0;
  for (std::uint32_t p = 0; p < net.population_count(); ++p)
    if (net.is_recording_spikes(p))
      bytes += 16.0 * static_cast<double>(net.population_info(p).size) * kAssumedRateHz *
               duration_ms * 1e-3;
  const double steps = duration_ms / net.grid().dt();
  for (std::size_t t = 0; t < net.trace_count(); ++t) {
    const TraceSpec& spec = net.trace_spec(TraceHandle{static_cast<std::uint32_t>(t)});
    const double frames = steps / static_cast<double>(spec.interval);
    bytes += frames * 4.0 * static_cast<double>(spec.neurons.size());
  }
  bytes += 28.0 * static_cast<double>(weight_snapshot_synapses);
  return bytes;
}

namespace {

// The hook's reading, if set and in force at `simulated_ms`.
std::optional<double> test_hook_free_bytes(double simulated_ms) {
  const char* hook = std::getenv("SPIKEFLOW_TEST_FREE_SPACE");
  if (!hook || !*hook) return std::nullopt;
  const std::string text = hook;
  const auto at = text.find('@');
  const double bytes = std::strtod(text.substr(0, at).c_str(), nullptr);
  const double from_ms =
      at == std::string::npos ? 0.0 : std::strtod(text.c_str() + at + 1, nullptr);
  if (simulated_ms < from_ms) return std::nullopt;
  return bytes;
}

}  // namespace

std::optional<double> free_disk_bytes(const fs::path& output, double simulated_ms) {
  if (auto hooked = test_hook_free_bytes(simulated_ms)) return hooked;
  const fs::path dir = output.parent_path().empty() ? fs::path(".") : output.parent_path();
  struct statvfs fsinfo {};
  if (statvfs(dir.c_str(), &fsinfo) != 0) return std::nullopt;
  return static_cast<double>(fsinfo.f_bavail) * static_cast<double>(fsinfo.f_frsize);
}

bool DiskWatch::nearly_full(double simulated_ms) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_wall_ < wall_period_ && simulated_ms - last_ms_ < model_period_ms_) return false;
  last_wall_ = now;
  last_ms_ = simulated_ms;
  const std::optional<double> free = free_disk_bytes(output_, simulated_ms);
  if (!free) return false;
  free_ = *free;
  return free_ < kDiskMarginBytes;
}

}  // namespace spikeflow::cli
