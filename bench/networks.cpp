// Whole-network benchmark driver: runs a model file (or one of the reference networks of
// shared/reference/networks.md by name) and prints one JSON line per run with build and
// simulation time, real-time factor, spikes, synapses, events per second, peak RSS and
// bytes per synapse.
//
//   ./build/bench/spikeflow_networks N2 --threads 1 [--partitions 4]
//   ./build/bench/spikeflow_networks examples/cuba.toml --set simulation.duration=10000
//
// Synaptic events (spikes x out-degree, summed over projections) are counted exactly by the
// engine during delivery.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io/model_file.hpp"

using namespace spikeflow;

namespace {

struct NamedNetwork {
  const char* model;
  std::vector<io::Override> overrides;
};

// The reference networks as shipped model files plus the overrides that scale them.
const std::map<std::string, NamedNetwork>& named_networks() {
  static const std::map<std::string, NamedNetwork> networks = {
      {"N1", {"examples/cuba.toml", {{"simulation.duration", "10000"}}}},
      {"N2", {"examples/brunel.toml", {{"simulation.duration", "1000"}}}},
      // 50 ms to settle + 250 ms timed in networks.md; the driver times all 300 ms.
      {"N3", {"examples/hpc_benchmark.toml", {{"simulation.duration", "300"}}}},
      {"N4", {"examples/microcircuit.toml", {{"simulation.duration", "1000"}}}},
      {"N4_10pct", {"examples/microcircuit_10pct.toml", {{"simulation.duration", "1000"}}}},
  };
  return networks;
}

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// CPU seconds (user + system) the process has used: less sensitive than wall time to other
// load on a shared machine, since it does not count time spent waiting for a core.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + 1e-6 * t.tv_usec; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

int usage() {
  std::fprintf(stderr,
               "usage: spikeflow_networks NAME|MODEL.toml [--threads N] [--partitions P] [--set "
               "key=value]...\n"
               "names:");
  for (const auto& [name, _] : named_networks()) std::fprintf(stderr, " %s", name.c_str());
  std::fprintf(stderr, "\n(run from the source folder so examples/ is found)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string label = argv[1];
  std::string model = label;
  std::vector<io::Override> overrides;
  io::LoadOptions load_options{.keep_recordings_in_memory = false};
  if (const auto it = named_networks().find(label); it != named_networks().end()) {
    model = it->second.model;
    overrides = it->second.overrides;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--threads" || arg == "--set" || arg == "--partitions") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--partitions") {
        load_options.partitions = std::stoi(value);
      } else if (arg == "--threads") {
        overrides.push_back({"simulation.threads", value});
      } else {
        const auto eq = value.find('=');
        if (eq == std::string::npos) return usage();
        overrides.push_back({value.substr(0, eq), value.substr(eq + 1)});
      }
    } else {
      return usage();
    }
  }

  try {
    using Clock = std::chrono::steady_clock;
    const double rss_before = resident_bytes();
    const auto t0 = Clock::now();
    io::LoadedModel loaded = io::load_model_file(model, overrides, load_options);
    Network& net = *loaded.network;
    net.build();
    const auto t1 = Clock::now();
    const double rss_built = resident_bytes();

    const auto t2 = Clock::now();
    const double cpu_before = cpu_seconds();
    net.run(loaded.settings.duration);
    const double sim_cpu_s = cpu_seconds() - cpu_before;
    const auto t3 = Clock::now();

    std::uint64_t spikes = 0;
    for (std::uint32_t p = 0; p < net.population_count(); ++p) spikes += net.spike_count(p);
    const double events = static_cast<double>(net.synaptic_events());
    const double build_s = std::chrono::duration<double>(t1 - t0).count();
    const double sim_s = std::chrono::duration<double>(t3 - t2).count();
    const double synapses = static_cast<double>(net.synapse_count());
    std::printf(
        "{\"network\": \"%s\", \"threads\": %d, \"partitions\": %d, \"build_s\": %.3f, "
        "\"sim_s\": %.3f, \"sim_cpu_s\": %.3f, \"model_ms\": %.1f, \"rtf\": %.4f, \"spikes\": "
        "%llu, "
        "\"synapses\": %.0f, \"events_per_s\": %.4g, \"peak_rss_mb\": %.1f, "
        "\"bytes_per_synapse\": %.3f, \"rate_hz\": %.3f}\n",
        label.c_str(), net.threads(), net.options().partitions, build_s, sim_s, sim_cpu_s,
        loaded.settings.duration, sim_s / (loaded.settings.duration * 1e-3),
        static_cast<unsigned long long>(spikes), synapses, events / sim_s,
        peak_resident_bytes() / 1048576.0, synapses > 0 ? (rss_built - rss_before) / synapses : 0.0,
        1000.0 * static_cast<double>(spikes) /
            (static_cast<double>(net.neuron_count()) * loaded.settings.duration));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spikeflow_networks: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
