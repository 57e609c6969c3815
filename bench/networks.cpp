// Whole-network benchmark driver: runs a model file (or one of the reference networks of
// shared/reference/networks.md by name) and prints one JSON line per run with build and
// simulation time, real-time factor, spikes, synapses, events per second, peak RSS and
// bytes per synapse.
//
//   ./build/bench/spikeflow_networks N2 --threads 1 [--partitions 4]
//   ./build/bench/spikeflow_networks examples/cuba.toml --set simulation.duration=10000
//
// Synaptic events (spikes x out-degree, summed over projections) are counted exactly by the
// engine during delivery. A network with a settling time (N3, N3_static: 50 ms, as
// networks.md asks) simulates it first, untimed; spikes, events, rates and model_ms are
// those of the timed part only.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "io/model_file.hpp"

using namespace spikeflow;

namespace {

struct NamedNetwork {
  const char* model;
  std::vector<io::Override> overrides;
  double settle_ms = 0.0;        // simulated first and not timed
  bool static_synapses = false;  // the model's plasticity dropped (without_plasticity)
};

// N1x10: ten times N1's neurons at a tenth of its connection probability, so the same mean
// in-degree of 80 (networks.md).
std::vector<io::Override> n1x10() {
  std::vector<io::Override> o = {{"simulation.duration", "10000"},
                                 {"populations.E.size", "32000"},
                                 {"populations.I.size", "8000"}};
  for (const char* proj : {"E->E", "I->E", "E->I", "I->I"})
    o.push_back({std::string("projections.") + proj + ".p", "0.002"});
  return o;
}

// The reference networks as shipped model files plus the overrides that scale them.
const std::map<std::string, NamedNetwork>& named_networks() {
  static const std::map<std::string, NamedNetwork> networks = {
      {"N1", {"examples/cuba.toml", {{"simulation.duration", "10000"}}}},
      {"N1x10", {"examples/cuba.toml", n1x10()}},
      {"N2", {"examples/brunel.toml", {{"simulation.duration", "1000"}}}},
      // N2x5: five times N2's neurons with the same in-degrees (fixed_indegree k unchanged).
      {"N2x5",
       {"examples/brunel.toml",
        {{"simulation.duration", "1000"},
         {"populations.E.size", "50000"},
         {"populations.I.size", "12500"}}}},
      // networks.md: 50 ms to settle, then 250 ms timed.
      {"N3", {"examples/hpc_benchmark.toml", {{"simulation.duration", "300"}}, 50.0}},
      // N3 with static E->E synapses: the baseline of the STDP overhead per event.
      {"N3_static", {"examples/hpc_benchmark.toml", {{"simulation.duration", "300"}}, 50.0, true}},
      {"N4", {"examples/microcircuit.toml", {{"simulation.duration", "1000"}}}},
      {"N4_10pct", {"examples/microcircuit_10pct.toml", {{"simulation.duration", "1000"}}}},
  };
  return networks;
}

// The model text without its `plasticity = { ... }` lines: the same network with static
// synapses. Limitation: only the one-line (inline table) form is recognised, which is the
// form of the shipped model files; a file without such a line is an error.
std::string without_plasticity(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::string text, line;
  int dropped = 0;
  while (std::getline(file, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, 10, "plasticity") == 0) {
      ++dropped;
      continue;
    }
    text += line + "\n";
  }
  if (dropped == 0) throw std::runtime_error(path + " has no one-line plasticity to drop");
  return text;
}

std::vector<std::uint64_t> population_spikes(const Network& net) {
  std::vector<std::uint64_t> spikes(net.population_count());
  for (std::uint32_t p = 0; p < spikes.size(); ++p) spikes[p] = net.spike_count(p);
  return spikes;
}

// "E": 123, "I": 45
std::string spikes_by_name(const Network& net, const std::vector<std::uint64_t>& spikes) {
  std::string out;
  for (std::uint32_t p = 0; p < spikes.size(); ++p)
    out += concat(p ? ", " : "", "\"", net.population_info(p).name, "\": ", spikes[p]);
  return out;
}

// Synaptic events on plastic synapses, estimated as the spikes of each plastic projection's
// source population times the projection's mean out-degree (the engine counts all events
// together). Exact in expectation; for N3 (9000 targets per source) the error is ~1e-4.
double plastic_events(const Network& net, const std::vector<std::uint64_t>& spikes) {
  double events = 0.0;
  for (std::uint32_t k = 0; k < net.projection_count(); ++k) {
    if (!net.is_plastic({k})) continue;
    const std::uint32_t source = net.projection_info(k).source;
    events += static_cast<double>(spikes[source]) *
              static_cast<double>(net.synapse_count(ProjectionHandle{k})) /
              static_cast<double>(net.population_info(source).size);
  }
  return events;
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
  NamedNetwork named{nullptr, {}};
  if (const auto it = named_networks().find(label); it != named_networks().end()) {
    named = it->second;
    model = named.model;
    overrides = named.overrides;
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
    io::LoadedModel loaded =
        named.static_synapses
            ? io::load_model_text(without_plasticity(model), model, overrides, load_options)
            : io::load_model_file(model, overrides, load_options);
    if (named.settle_ms >= loaded.settings.duration)
      throw std::runtime_error(concat("simulation.duration must be > the settling time of ", label,
                                      " (", named.settle_ms, " ms), got ", loaded.settings.duration,
                                      " ms"));
    Network& net = *loaded.network;
    net.build();
    const auto t1 = Clock::now();
    const double rss_built = resident_bytes();

    // The settling time is simulated but neither timed nor counted in spikes and events.
    if (named.settle_ms > 0.0) net.run(named.settle_ms);
    const std::vector<std::uint64_t> spikes_settle = population_spikes(net);
    const std::uint64_t events_settle = net.synaptic_events();
    const double timed_ms = loaded.settings.duration - named.settle_ms;

    const auto t2 = Clock::now();
    const double cpu_before = cpu_seconds();
    net.run(timed_ms);
    const double sim_cpu_s = cpu_seconds() - cpu_before;
    const auto t3 = Clock::now();

    std::vector<std::uint64_t> timed_spikes = population_spikes(net);
    std::uint64_t spikes = 0;
    for (std::size_t p = 0; p < timed_spikes.size(); ++p) {
      timed_spikes[p] -= spikes_settle[p];
      spikes += timed_spikes[p];
    }
    const double events = static_cast<double>(net.synaptic_events() - events_settle);
    const double build_s = std::chrono::duration<double>(t1 - t0).count();
    const double sim_s = std::chrono::duration<double>(t3 - t2).count();
    const double synapses = static_cast<double>(net.synapse_count());
    std::printf(
        "{\"network\": \"%s\", \"threads\": %d, \"partitions\": %d, \"build_s\": %.3f, "
        "\"sim_s\": %.3f, \"sim_cpu_s\": %.3f, \"settle_ms\": %.1f, \"model_ms\": %.1f, "
        "\"rtf\": %.4f, \"spikes\": %llu, \"synapses\": %.0f, \"events\": %.0f, "
        "\"events_per_s\": %.4g, \"peak_rss_mb\": %.1f, \"bytes_per_synapse\": %.3f, "
        "\"rate_hz\": %.3f, \"plastic_events\": %.0f, \"population_spikes\": {%s}}\n",
        label.c_str(), net.threads(), net.options().partitions, build_s, sim_s, sim_cpu_s,
        named.settle_ms, timed_ms, sim_s / (timed_ms * 1e-3),
        static_cast<unsigned long long>(spikes), synapses, events, events / sim_s,
        peak_resident_bytes() / 1048576.0, synapses > 0 ? (rss_built - rss_before) / synapses : 0.0,
        1000.0 * static_cast<double>(spikes) / (static_cast<double>(net.neuron_count()) * timed_ms),
        plastic_events(net, timed_spikes), spikes_by_name(net, timed_spikes).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spikeflow_networks: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
