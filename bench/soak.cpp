// Soak test (issue 7): 10^6 windows of a small recurrent network with the resident set size
// sampled from /proc/self/statm. After a warm-up (the first 10% of the windows: vector
// capacities and the allocator reach their steady size) the RSS must not grow by more than
// the tolerance; a leak of a few bytes per window would show as megabytes over 10^6
// windows. Prints the samples and exits 1 on growth.
//
//   ./build/bench/spikeflow_soak [--windows 1000000] [--tolerance-kib 1024] [--out DIR]
//                                [--file 0]
//
// --file 1 (the default) records spikes and a V_m trace to an HDF5 file in DIR as
// `spikeflow run` does (writer thread, SWMR flushes); --file 0 runs the engine alone.
// Measured (bench/README.md): neither grows. The file run used to grow by 3.5 MiB over 10^6
// windows: H5Fstart_swmr_write reopens every open dataset with HDF5's default chunk cache,
// so each appended dataset kept up to 1 MiB of chunks it had already written (heaptrack:
// the live blocks were chunk buffers allocated under H5Dwrite, one per chunk written). The
// writer now reopens its datasets with a cache of two chunk rows (io/hdf5_writer.cpp,
// reopen_with_chunk_cache): +48 KiB over 10^6 windows, +96 KiB over 3 x 10^6. .ci/run
// checks both.
//
// The network: 200 lif_exp neurons (160 E, 40 I), fixed in-degree 20 with a delay of one
// step, so every window is one step (10^6 windows = 100 s of model time at dt 0.1 ms), each
// neuron driven by Poisson input to fire at about 10 Hz.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "io/hdf5_writer.hpp"
#include "models/inputs.hpp"
#include "models/lif_exp.hpp"

using namespace spikeflow;

namespace {

double rss_kib() {
  std::ifstream statm("/proc/self/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1024.0;
}

struct Options {
  long windows = 1000000;
  double tolerance_kib = 1024;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  bool file = true;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--windows")
      o.windows = std::atol(argv[i + 1]);
    else if (key == "--tolerance-kib")
      o.tolerance_kib = std::atof(argv[i + 1]);
    else if (key == "--out")
      o.dir = argv[i + 1];
    else if (key == "--file")
      o.file = std::string(argv[i + 1]) != "0";
    else {
      std::fprintf(stderr,
                   "usage: spikeflow_soak [--windows N] [--tolerance-kib K] [--out DIR] "
                   "[--file 0]\n");
      std::exit(2);
    }
  }
  if (o.windows < 10) o.windows = 10;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  const double dt = 0.1;
  Network net({.dt = dt, .seed = 7, .threads = 2, .keep_recordings_in_memory = false});
  models::LifExp::Params p;
  p.tau_m = 20.0;
  p.E_L = -65.0;
  p.V_th = -50.0;
  p.V_reset = -65.0;
  p.t_ref = 2.0;
  p.tau_syn_ex = 5.0;
  p.tau_syn_in = 10.0;
  p.weights_in_mV = true;
  const auto e = net.add_population("E", models::make_lif_exp(160, p));
  const auto i = net.add_population("I", models::make_lif_exp(40, p));
  const SynapseSpec exc{Distribution::constant(0.5), Distribution::constant(dt)};
  const SynapseSpec inh{Distribution::constant(-2.0), Distribution::constant(dt)};
  for (const auto target : {e, i}) {
    net.connect(e, target, ConnectionRule::fixed_indegree(16), exc);
    net.connect(i, target, ConnectionRule::fixed_indegree(4), inh);
    net.add_input(target, models::make_poisson_input({.rate = 3000.0, .weight = 1.0}));
  }
  net.record_spikes(e);
  net.record_spikes(i);
  if (opt.file) net.record_state(e, "V_m", {0, 1, 2, 3}, 1.0);

  const std::filesystem::path file =
      opt.dir / ("spikeflow_soak_" + std::to_string(getpid()) + ".h5");
  io::Provenance provenance;
  provenance.model_text = "(bench/soak.cpp)";
  provenance.seed = 7;
  provenance.threads = net.threads();
  provenance.dt = dt;
  io::RecordingFile recording(file, provenance);
  if (opt.file) net.add_sink(&recording);
  net.build();
  if (net.window_steps() != 1) {
    std::fprintf(stderr, "soak: expected a window of 1 step, got %lld\n",
                 static_cast<long long>(net.window_steps()));
    return 2;
  }

  const long samples = 20;
  const long per_sample = opt.windows / samples;
  const long warmup_samples = samples / 10;
  std::vector<double> rss;
  const auto start = std::chrono::steady_clock::now();
  std::printf("soak: %ld windows of %zu neurons, %llu synapses, file %s\n", opt.windows,
              static_cast<std::size_t>(net.neuron_count()),
              static_cast<unsigned long long>(net.synapse_count()),
              opt.file ? file.c_str() : "none");
  std::printf("%10s %12s %12s %10s\n", "windows", "model ms", "spikes", "RSS KiB");
  for (long s = 1; s <= samples; ++s) {
    net.run(static_cast<double>(per_sample) * dt);
    rss.push_back(rss_kib());
    std::printf("%10ld %12.1f %12llu %10.0f\n", s * per_sample, static_cast<double>(net.now()) * dt,
                static_cast<unsigned long long>(net.spike_count(0) + net.spike_count(1)),
                rss.back());
    std::fflush(stdout);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (opt.file) recording.finish(seconds, true);
  std::error_code ec;
  const auto bytes = opt.file ? std::filesystem::file_size(file, ec) : 0;
  std::filesystem::remove(file, ec);

  const double after_warmup = rss[static_cast<std::size_t>(warmup_samples - 1)];
  double peak = after_warmup;
  for (std::size_t k = static_cast<std::size_t>(warmup_samples); k < rss.size(); ++k)
    peak = std::max(peak, rss[k]);
  const double growth = peak - after_warmup;
  std::printf(
      "soak: %.1f s wall, %.2f us per window, file %.1f MiB; RSS after warm-up %.0f KiB, peak "
      "after %.0f KiB, growth %.0f KiB (tolerance %.0f KiB): %s\n",
      seconds, seconds * 1e6 / static_cast<double>(opt.windows),
      static_cast<double>(bytes) / 1048576.0, after_warmup, peak, growth, opt.tolerance_kib,
      growth <= opt.tolerance_kib ? "ok" : "GROWS");
  return growth <= opt.tolerance_kib ? 0 : 1;
}
