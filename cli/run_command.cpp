// `spikeflow run MODEL.toml`: load, check the output, build, simulate, record, summarise.
//
// The order is chosen so that a mistake costs nothing: the model is loaded and validated,
// then the output path is checked for writability, and only then is the network built
// (which may take minutes and gigabytes) and the file created. Any error before the first
// simulated step leaves no output file behind.
//
// Interruption: SIGINT and SIGTERM ask the network to stop at the next window boundary;
// everything simulated up to there is written, the file is closed as a valid file marked
// completed = false, and the exit code is 130 or 143. A second SIGINT exits at once; the
// file then holds everything up to its last flush and `spikeflow recover` reopens it.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/disk_space.hpp"
#include "cli/distributed.hpp"
#include "cli/h5_reader.hpp"
#include "cli/output_check.hpp"
#include "cli/progress.hpp"
#include "engine/error.hpp"
#include "engine/numerical_check.hpp"
#include "engine/parallel.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5_writer.hpp"
#include "io/model_file.hpp"
#include "io/version.hpp"

namespace spikeflow::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::vector<OptionSpec> kRunOptions = {
    {"output", 'o', "FILE",
     "recording to write (default: the model file's name with .h5,\n"
     "in the current directory)"},
    {"threads", 't', "N", "worker threads; 0 = all cores (sets simulation.threads)"},
    {"seed", 's', "S", "random seed, 0 to 2^63-2 (sets simulation.seed)"},
    {"set", 0, "KEY=VALUE",
     "override one model-file value, TOML syntax; repeatable:\n"
     "--set simulation.duration=2000 --set 'populations.E.size=800'"},
    {"quiet", 'q', "", "no progress and no summary (errors are still printed)"},
    {"force", 0, "", "build even if the memory estimate exceeds the available memory"},
    {"progress-interval", 0, "SECONDS",
     "seconds between progress lines when stderr is not\n"
     "a terminal (default 10)"},
    {"checkpoint-every", 0, "MS",
     "write a checkpoint every MS ms of simulated time (and\n"
     "where a signal stops the run); see 'spikeflow resume'"},
    {"checkpoint", 0, "PATH", "checkpoint file (default: OUT.ckpt.h5 next to the output)"},
    {"help", 'h', "", "this text"},
};

const std::vector<OptionSpec> kResumeOptions = {
    {"output", 'o', "FILE",
     "write the continued recording here: a copy of the original\n"
     "cut back to the checkpoint (default: continue the original)"},
    {"threads", 't', "N", "worker threads; 0 = all cores"},
    {"quiet", 'q', "", "no progress and no summary (errors are still printed)"},
    {"force", 0, "", "build even if the memory estimate exceeds the available memory"},
    {"progress-interval", 0, "SECONDS", "seconds between progress lines (default 10)"},
    {"checkpoint-every", 0, "MS", "checkpoint interval (default: the original run's)"},
    {"checkpoint", 0, "PATH", "checkpoint file (default: the original run's)"},
    {"help", 'h', "", "this text"},
};

constexpr const char* kResumeUsage =
    "usage: spikeflow resume CHECKPOINT.h5 [-o OUT.h5] [--threads N] [--quiet]\n"
    "                        [--checkpoint-every MS] [--checkpoint PATH]\n"
    "\n"
    "Continues a run from a checkpoint written by 'spikeflow run --checkpoint-every': rebuilds\n"
    "the network from the model the checkpoint stores, loads its state, cuts the recording\n"
    "back to what it held at the checkpoint and simulates to the end of the run. The result\n"
    "equals the uninterrupted run's (spikes byte for byte), whatever the thread count.\n"
    "\n"
    "options:\n";

constexpr const char* kRunUsage =
    "usage: spikeflow run MODEL.toml [-o OUT.h5] [--threads N] [--seed S] [--set KEY=VALUE]...\n"
    "                     [--quiet] [--progress-interval SECONDS] [--force]\n"
    "                     [--checkpoint-every MS] [--checkpoint PATH]\n"
    "\n"
    "Builds the network the model file describes, simulates it for simulation.duration and\n"
    "writes spikes, state traces, weight snapshots and provenance to an HDF5 file.\n"
    "Progress goes to stderr, the end-of-run summary to stdout.\n"
    "SIGINT/SIGTERM stop at the next window and close the file cleanly (exit 130/143).\n"
    "With --checkpoint-every, 'spikeflow resume' continues an interrupted run.\n"
    "\n"
    "options:\n";

// --- signals ---------------------------------------------------------------------------

volatile std::sig_atomic_t g_signal = 0;
std::atomic<Network*> g_network{nullptr};
// What a second Ctrl-C prints: before the file exists, and after (filled in before the
// file is created, then selected by a single atomic store, so the handler never reads a
// buffer that is being written).
constexpr char kNoOutputMessage[] =
    "\nspikeflow: second interrupt, exiting at once; no output was written\n";
char g_file_message[512] = "";
std::atomic<const char*> g_second_interrupt_message{kNoOutputMessage};
static_assert(std::atomic<Network*>::is_always_lock_free);
static_assert(std::atomic<const char*>::is_always_lock_free);

extern "C" void on_stop_signal(int signal) {
  if (g_signal != 0 && signal == SIGINT) {
    // Second Ctrl-C: leave now; the file keeps everything up to its last flush.
    const char* message = g_second_interrupt_message.load();
    const ssize_t ignored = write(STDERR_FILENO, message, std::strlen(message));
    (void)ignored;
    _exit(kExitSigint);
  }
  g_signal = signal;
  if (Network* net = g_network.load()) net->request_stop();
}

// Installs the handlers for the lifetime of a run and restores the previous ones after.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    g_network.store(nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

const char* signal_name(int signal) {
  return signal == SIGTERM ? "SIGTERM" : "SIGINT";
}

// --- output ----------------------------------------------------------------------------

// An existing output is overwritten only if it is a finished spikeflow recording: a slip
// such as `-o model.toml`, `-o nodes.h5` or the name of a file another run is still
// writing must not destroy anything.
void refuse_to_overwrite_other_files(const fs::path& output, const fs::path& model) {
  std::error_code ec;
  if (!fs::exists(output, ec)) return;
  const std::string name = "cannot write output '" + output.string() + "': ";
  if (fs::equivalent(output, model, ec)) throw IoFailure(name + "it is the model file");
  if (!has_hdf5_signature(output))
    throw IoFailure(name +
                    "the file exists and is not an HDF5 recording; remove it or choose "
                    "another name");
  const H5File existing = H5File::open(output.string());
  if (existing.opened_swmr())
    throw IoFailure(name +
                    "the file is open for writing by another run, or was left by a "
                    "killed one ('spikeflow recover' makes it whole); choose another "
                    "name");
  if (!existing.exists("/provenance") || !existing.exists("/spikes"))
    throw IoFailure(name +
                    "the file is an HDF5 file but not a spikeflow recording; remove it "
                    "or choose another name");
}

// Refuses, before anything is allocated for synapses, a network whose estimate exceeds the
// memory available now: building it would end in swapping or the OOM killer.
// With R ranks each builds about 1/R of the synapses but holds the neuron state and ring
// buffers whole; the ranks of one node share its memory, and each rank's own address space
// is limited by ulimit -v.
void refuse_if_too_large(const io::LoadedModel& model, bool force) {
  if (force) return;
  const int rank_count = ranks().size();
  const double per_rank = model.estimate.memory_bytes - model.estimate.synapse_bytes +
                          model.estimate.synapse_bytes / rank_count;
  const double room = process_memory_room_bytes();
  if (room > 0.0 && per_rank > room)
    throw RuntimeError("the network needs about " + format_bytes(per_rank) +
                       (rank_count > 1 ? " per rank" : "") + " of memory but only " +
                       format_bytes(room) +
                       " is available; reduce it or pass --force to build anyway");
  const int on_node = ranks().ranks_on_this_node();
  const double node_needed = per_rank * on_node;
  const double node_available = node_available_memory_bytes();
  if (!(node_available > 0.0) || node_needed <= node_available) return;
  if (on_node == 1)
    throw RuntimeError("the network needs about " + format_bytes(per_rank) +
                       (rank_count > 1 ? " per rank" : "") + " of memory but only " +
                       format_bytes(node_available) +
                       " is available; reduce it or pass --force to build anyway");
  throw RuntimeError("the network needs about " + format_bytes(per_rank) + " per rank, " +
                     format_bytes(node_needed) + " for the " + std::to_string(on_node) +
                     " ranks on this node, but only " + format_bytes(node_available) +
                     " is available; use fewer ranks per node, reduce the network or pass "
                     "--force to build anyway");
}

// Refuses, before the build, an output whose filesystem already has less free space than
// the run keeps: the run would stop at its first look (DiskWatch) with nothing simulated.
void refuse_if_disk_nearly_full(const fs::path& output) {
  const std::optional<double> free = free_disk_bytes(output, 0.0);
  if (!free || *free >= kDiskMarginBytes) return;
  throw DiskFull("only " + format_bytes(*free) + " free on the filesystem of '" + output.string() +
                 "', less than the " + format_bytes(kDiskMarginBytes) +
                 " a run keeps free (it stops below that); free some space or write the "
                 "output elsewhere");
}

// Warns, after the build (synapse counts are then exact), if the recording is likely to
// need more disk space than is free; the run still starts, and stops cleanly if the disk
// fills (DiskWatch).
void warn_if_disk_too_small(const Network& net, const io::LoadedModel& model,
                            const fs::path& output) {
  std::uint64_t snapshot_synapses = 0;
  for (const auto& spec : model.settings.weight_snapshots)
    snapshot_synapses += net.synapse_count(spec.handle) * spec.times.size();
  const double needed = estimate_recording_bytes(net, model.settings.duration, snapshot_synapses);
  const std::optional<double> free = free_disk_bytes(output, 0.0);
  if (!free || needed + kDiskMarginBytes <= *free) return;
  std::fprintf(stderr,
               "spikeflow: warning: the recording may need about %s (spikes at an assumed %g Hz "
               "per recorded neuron, traces and weights exact) but only %s is free on the "
               "filesystem of '%s'; the run will stop cleanly, with the file closed, when less "
               "than %s is left\n",
               format_bytes(needed).c_str(), kAssumedRateHz, format_bytes(*free).c_str(),
               output.string().c_str(), format_bytes(kDiskMarginBytes).c_str());
}

// Held while a run or a resume writes an output: a second process that would write the same
// file (a second resume of one checkpoint, a resume while the run is still alive) is refused
// instead of interleaving its writes. An advisory lock on OUT.h5.lock (not on the HDF5 file,
// which HDF5 locks itself); released by the kernel when the process ends, however it ends.
class OutputLock {
 public:
  explicit OutputLock(const fs::path& output) : path_(fs::path(output).concat(".lock")) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return;  // an unwritable directory fails later, with a better message
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      close(fd_);
      fd_ = -1;
      throw IoFailure("cannot write output '" + output.string() +
                      "': the file is open for writing by another run or resume (lock '" +
                      path_.string() + "'); wait for it to end or choose another name");
    }
  }
  ~OutputLock() {
    if (fd_ < 0) return;
    std::error_code ec;
    fs::remove(path_, ec);
    close(fd_);
  }
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  fs::path path_;
  int fd_ = -1;
};

// A recording continued in place must be the one the checkpoint was taken from: same
// model text and seed (a file swapped in from another run would be spliced onto).
void require_same_run(const fs::path& recording, const io::CheckpointRun& saved,
                      std::uint64_t seed) {
  const H5File file = H5File::open(recording.string());
  const auto text = file.attribute("/", "model_text");
  const auto file_seed = file.attribute("/", "seed");
  const bool same_text = text && text->text == saved.model_source;
  const bool same_seed =
      file_seed && file_seed->number && *file_seed->number == static_cast<double>(seed);
  if (!same_text || !same_seed)
    throw IoFailure("cannot resume: '" + recording.string() +
                    "' is not the recording this checkpoint was taken from (its " +
                    (same_text ? "seed" : "model text") +
                    " differs from the checkpoint's); restore that file or start the run anew");
}

// Whether the recording holds the whole run: closed as completed, with `duration_ms`
// simulated. Its checkpoint (the last one, taken before the end) then has nothing left to do.
bool recording_is_complete(const fs::path& recording, double duration_ms) {
  const H5File file = H5File::open(recording.string());
  const auto completed = file.attribute("/", "completed");
  const auto until = file.value("/provenance/simulated_until_ms");
  return completed && completed->number && *completed->number == 1.0 && until && until->number &&
         *until->number == duration_ms;
}

fs::path choose_output(const ParsedArgs& args, const io::LoadedModel& model) {
  if (auto o = args.last("output")) return *o;
  if (!model.settings.output.empty()) return model.settings.output;
  return fs::path(model.path.stem().string() + ".h5");
}

std::vector<io::Override> overrides_from(const ParsedArgs& args) {
  std::vector<io::Override> out;
  for (const std::string& kv : args.all("set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("option --set: expected KEY=VALUE, got '" + kv + "'");
    out.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  // Explicit options win over --set of the same key: they come last.
  if (auto t = args.last("threads"))
    out.push_back({"simulation.threads", std::to_string(parse_integer("--threads", *t, 0, 4096))});
  // The model file holds the seed as a TOML integer (signed 64-bit), so the same range here.
  if (auto s = args.last("seed")) {
    const std::int64_t seed = parse_integer("--seed", *s, 0, INT64_MAX - 1);
    out.push_back({"simulation.seed", std::to_string(seed)});
  }
  return out;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::uint64_t total_spikes(const Network& net) {
  std::uint64_t n = 0;
  for (std::uint32_t p = 0; p < net.population_count(); ++p) n += net.spike_count(p);
  return n;
}

// --- summary ---------------------------------------------------------------------------

struct RunFacts {
  fs::path model_path;
  fs::path output;
  double build_seconds = 0;
  double sim_seconds = 0;
  double simulated_ms = 0;
  double planned_ms = 0;
  double counted_ms = 0;  // time the spike counts cover: from step 0, also when resumed
  bool completed = true;
  // With several ranks: the slowest and fastest rank's build time, and the slowest rank's
  // exchange per window (all ranks' figures, gathered by gather_rank_facts).
  double fastest_build_seconds = 0;
  double exchange_agree_seconds = 0;
  double exchange_payload_seconds = 0;
  std::uint64_t exchange_windows = 0;
  std::uint64_t exchange_bytes = 0;
};

// Collective: the per-rank figures of the summary, from every rank.
void gather_rank_facts(const Network& net, RunFacts& facts) {
  if (net.ranks() == 1) return;
  struct RankFacts {
    double build_seconds;
    double agree_seconds;
    double payload_seconds;
  };
  const ExchangeStats& stats = net.exchange_stats();
  const std::vector<RankFacts> all =
      allgather_value(net.communicator(),
                      RankFacts{facts.build_seconds, stats.agree_seconds, stats.payload_seconds});
  facts.fastest_build_seconds = facts.build_seconds;
  for (const RankFacts& r : all) {
    facts.build_seconds = std::max(facts.build_seconds, r.build_seconds);
    facts.fastest_build_seconds = std::min(facts.fastest_build_seconds, r.build_seconds);
    facts.exchange_agree_seconds = std::max(facts.exchange_agree_seconds, r.agree_seconds);
    facts.exchange_payload_seconds = std::max(facts.exchange_payload_seconds, r.payload_seconds);
  }
  facts.exchange_windows = stats.windows;
  facts.exchange_bytes = stats.bytes_received;
}

void print_summary(Network& net, const RunFacts& f, const std::string& title) {
  std::printf("%s: %s\n", title.c_str(), f.completed ? "completed" : "interrupted");
  std::printf("  neurons          %s\n", format_count(net.neuron_count()).c_str());
  std::printf("  synapses         %s\n", format_count(net.synapse_count()).c_str());
  std::printf("  ranks            %d\n", net.ranks());
  std::printf("  threads          %d%s\n", net.threads(), net.ranks() > 1 ? " per rank" : "");
  if (net.ranks() > 1)
    std::printf("  build time       %s (slowest rank; fastest %s)\n",
                format_seconds(f.build_seconds).c_str(),
                format_seconds(f.fastest_build_seconds).c_str());
  else
    std::printf("  build time       %s\n", format_seconds(f.build_seconds).c_str());
  std::printf("  simulated        %.1f ms of %.1f ms (dt %g ms)\n", f.simulated_ms, f.planned_ms,
              net.grid().dt());
  std::printf("  simulation time  %s\n", format_seconds(f.sim_seconds).c_str());
  if (net.ranks() > 1 && f.exchange_windows > 0) {
    const double windows = static_cast<double>(f.exchange_windows);
    std::printf(
        "  exchange         %.1f us per window (agreement %.1f us + payload %.1f us, "
        "slowest rank), %.0f bytes per window, %llu windows\n",
        1e6 * (f.exchange_agree_seconds + f.exchange_payload_seconds) / windows,
        1e6 * f.exchange_agree_seconds / windows, 1e6 * f.exchange_payload_seconds / windows,
        static_cast<double>(f.exchange_bytes) / windows,
        static_cast<unsigned long long>(f.exchange_windows));
  }
  if (f.simulated_ms > 0)
    std::printf("  real-time factor %.3f (wall time / simulated time)\n",
                f.sim_seconds / (f.simulated_ms * 1e-3));

  std::size_t width = std::string("population").size();
  for (std::uint32_t p = 0; p < net.population_count(); ++p)
    width = std::max(width, net.population_info(p).name.size());
  const int w = static_cast<int>(width);
  std::printf("\n  %-*s  %-14s %12s %14s %10s\n", w, "population", "model", "neurons", "spikes",
              "rate (Hz)");
  std::uint64_t all_spikes = 0;
  const double seconds = f.counted_ms * 1e-3;
  for (std::uint32_t p = 0; p < net.population_count(); ++p) {
    const PopulationInfo info = net.population_info(p);
    const std::uint64_t spikes = net.spike_count(p);
    all_spikes += spikes;
    const double rate =
        seconds > 0 && info.size > 0 ? static_cast<double>(spikes) / (info.size * seconds) : 0.0;
    const std::string model(net.population(PopulationHandle{p}).model());
    std::printf("  %-*s  %-14s %12s %14s %10.2f\n", w, info.name.c_str(), model.c_str(),
                format_count(info.size).c_str(), format_count(spikes).c_str(), rate);
  }
  const double mean = seconds > 0 && net.neuron_count() > 0
                          ? static_cast<double>(all_spikes) / (net.neuron_count() * seconds)
                          : 0.0;
  std::printf("  %-*s  %-14s %12s %14s %10.2f\n", w, "all", "",
              format_count(net.neuron_count()).c_str(), format_count(all_spikes).c_str(), mean);

  std::error_code ec;
  const auto bytes = fs::file_size(f.output, ec);
  std::printf("\n  output           %s", f.output.string().c_str());
  if (!ec) std::printf(" (%s)", format_bytes(static_cast<double>(bytes)).c_str());
  std::printf("\n");
  std::fflush(stdout);
}

// Step numbers, in (0, total], at which weight snapshots are due.
std::set<Step> snapshot_steps(const io::RunSettings& settings, const TimeGrid& grid, Step total,
                              bool& at_zero) {
  std::set<Step> out;
  at_zero = false;
  for (const auto& spec : settings.weight_snapshots)
    for (const double t : spec.times) {
      const Step s = grid.nearest_steps(t);
      if (s == 0) at_zero = true;
      if (s > 0 && s <= total) out.insert(s);
    }
  return out;
}

// Forwards the network's windows to the recording file and turns any failure of the
// file (it cannot be created, the disk is full) into an IoFailure, so that the exit code
// tells an I/O problem from a failed simulation.
class FileSink : public RecordingSink {
 public:
  explicit FileSink(io::RecordingFile& file) : file_(file) {}
  void on_start(const Network& net) override {
    guard("creating", [&] { file_.on_start(net); });
  }
  void on_window(const Network& net, Step begin, Step end, std::span<const SpikeRecord> spikes,
                 std::span<const TraceFrames> traces) override {
    guard("writing", [&] { file_.on_window(net, begin, end, spikes, traces); });
  }
  void snapshot_weights(const Network& net) {
    guard("writing", [&] { file_.snapshot_weights(net); });
  }
  io::RecordedCounts sync() {
    io::RecordedCounts counts;
    guard("writing", [&] { counts = file_.sync(); });
    return counts;
  }
  void finish(double wall, bool completed) {
    guard("closing", [&] { file_.finish(wall, completed); });
  }
  // After the run: every trace with finite values beyond float32's range (stored as inf).
  void warn_float32_overflows() const {
    for (const io::Float32Overflow& o : file_.float32_overflows())
      std::fprintf(stderr,
                   "spikeflow: warning: '%s' %s: %llu recorded value(s) beyond the float32 range "
                   "of the file (|x| > 3.4e38) were stored as inf; the first: %g at t = %g ms, "
                   "neuron %u (the simulation itself kept the finite value)\n",
                   o.population.c_str(), o.variable.c_str(),
                   static_cast<unsigned long long>(o.count), o.value, o.time_ms, o.neuron);
  }

 private:
  template <typename F>
  void guard(const char* doing, F&& f) {
    try {
      f();
    } catch (const IoFailure&) {
      throw;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      const std::string file = file_.path().string();
      // The writer's messages already name the file; add it only where they do not.
      throw IoFailure(what.find(file) != std::string::npos
                          ? what
                          : std::string(doing) + " '" + file + "' failed: " + what);
    }
  }
  io::RecordingFile& file_;
};

// --- checkpoints -------------------------------------------------------------------------

// Where and how often checkpoints are written, and the run facts each one stores.
struct CheckpointPlan {
  Step every = 0;  // steps between checkpoints; 0: none
  fs::path path;
  io::CheckpointRun run;  // all but the recorded counts, which each checkpoint takes afresh
};

// The default checkpoint of OUT.h5 is OUT.ckpt.h5, next to it.
fs::path default_checkpoint_path(const fs::path& output) {
  const std::string stem =
      output.extension() == ".h5" ? output.stem().string() : output.filename().string();
  return output.parent_path() / (stem + ".ckpt.h5");
}

CheckpointPlan plan_checkpoints(const ParsedArgs& args, const TimeGrid& grid,
                                const fs::path& output, const fs::path& model_path, double every_ms,
                                fs::path path) {
  CheckpointPlan plan;
  if (auto e = args.last("checkpoint-every"))
    every_ms = parse_positive_double("--checkpoint-every", *e);
  if (auto p = args.last("checkpoint")) path = *p;
  if (every_ms <= 0.0) {
    if (args.has("checkpoint"))
      throw UsageError("option --checkpoint: needs --checkpoint-every MS to say how often");
    return plan;
  }
  try {
    plan.every = grid.steps(every_ms, "--checkpoint-every");
  } catch (const ConfigError& e) {
    throw UsageError(std::string("option ") + e.what());
  }
  plan.path = path.empty() ? default_checkpoint_path(output) : path;
  if (!is_root()) return plan;  // rank 0 writes the checkpoints
  std::error_code ec;
  if (plan.path == output || fs::equivalent(plan.path, output, ec) ||
      fs::equivalent(plan.path, model_path, ec))
    throw UsageError("option --checkpoint: '" + plan.path.string() +
                     "' is the output or the model file; choose another name");
  check_output_writable(plan.path);
  plan.run.checkpoint_every_ms = every_ms;
  plan.run.checkpoint_path = plan.path.string();
  return plan;
}

// Collective with several ranks: the others hand their state to rank 0 (sink is null there).
void take_checkpoint(const Network& net, FileSink* sink, const CheckpointPlan& plan) {
  if (!sink) {
    MemoryState nothing;  // receives nothing: rank 0 writes the merged state
    net.save_state(nothing);
    return;
  }
  io::CheckpointRun run = plan.run;
  run.recorded = sink->sync();
  // The recording on disk before the checkpoint that counts on it (HDF5 flushes to the
  // operating system only): after a power loss the file still holds what it counted.
  const int fd = open(run.output.c_str(), O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) close(fd);
    throw IoFailure("checkpoint: cannot sync the recording '" + run.output + "': " + reason);
  }
  close(fd);
  try {
    io::write_checkpoint(plan.path, net, run);
  } catch (const std::exception& e) {
    throw IoFailure(e.what());
  }
  // Test hook (tests/e2e/test_checkpoint.sh): SIGKILL right after the N-th checkpoint, a
  // kill at a known point with a known checkpoint.
  static int taken = 0;
  const char* kill_after = std::getenv("SPIKEFLOW_TEST_KILL_AFTER_CHECKPOINT");
  if (kill_after && std::atoi(kill_after) == ++taken) std::raise(SIGKILL);
}

// Collective with several ranks: rank 0's recording gets the synapses of every rank.
void snapshot_weights(Network& net, FileSink* sink, const io::RunSettings& settings) {
  std::vector<ProjectionHandle> projections;
  for (const auto& spec : settings.weight_snapshots) projections.push_back(spec.handle);
  net.gather_synapses(projections);
  if (sink) sink->snapshot_weights(net);
}

// --- the simulation loop, shared by run and resume ---------------------------------------

struct LoopSettings {
  const io::RunSettings* settings;
  Step total;  // the run's last step (exclusive), from step 0
  CheckpointPlan checkpoints;
  bool quiet;
  double progress_interval;
  Clock::time_point command_start;
  std::string title;  // "spikeflow run MODEL" or "spikeflow resume CHECKPOINT"
};

// Simulates from the network's clock to `total`, in segments that end at the weight-snapshot
// and checkpoint times; a stop by signal writes a last checkpoint at the stopping point.
// Then closes the file, prints the summary and returns the exit code.
// With several ranks every rank runs it; `sink` (the recording) is rank 0's, null elsewhere.
int simulate(Network& net, FileSink* sink, RunFacts facts, const LoopSettings& loop) {
  Communicator& comm = net.communicator();
  const TimeGrid& grid = net.grid();
  const Step total = loop.total;
  facts.planned_ms = static_cast<double>(total) * grid.dt();
  bool snapshot_at_zero = false;
  std::set<Step> stops = snapshot_steps(*loop.settings, grid, total, snapshot_at_zero);
  const std::set<Step> snapshots = stops;
  std::set<Step> checkpoints;
  if (loop.checkpoints.every > 0)
    for (Step s = loop.checkpoints.every; s < total; s += loop.checkpoints.every)
      checkpoints.insert(s);
  stops.insert(checkpoints.begin(), checkpoints.end());
  stops.insert(total);

  const ProgressMode mode = loop.quiet || !sink     ? ProgressMode::quiet
                            : isatty(STDERR_FILENO) ? ProgressMode::terminal
                                                    : ProgressMode::lines;
  // Progress (and its real-time factor) covers what this process simulates: for a resumed
  // run, the part after the checkpoint.
  const Step first_step = net.now();
  ProgressReporter progress(mode, static_cast<double>(total - first_step) * grid.dt(),
                            loop.progress_interval);
  bool completed = true;
  DiskWatch disk(facts.output);
  bool disk_full = false;
  try {
    if (snapshot_at_zero && net.now() == 0) snapshot_weights(net, sink, *loop.settings);
    for (const Step stop : stops) {
      if (stop <= net.now()) continue;
      if (any_rank(comm, g_signal != 0)) {
        completed = false;
        break;
      }
      const std::uint64_t spikes_before = total_spikes(net);
      // run() clears a stop request when it starts; a signal that arrived just before is
      // caught again here after the first window.
      const RunStatus status =
          net.run(static_cast<double>(stop - net.now()) * grid.dt(), [&](const RunProgress& p) {
            if (g_signal != 0) net.request_stop();
            if (sink && disk.nearly_full(static_cast<double>(p.now) * grid.dt())) {
              disk_full = true;
              net.request_stop();
            }
            progress.update(static_cast<double>(p.now - first_step) * grid.dt(),
                            spikes_before + p.spikes_in_run);
          });
      if (status == RunStatus::stopped) {
        completed = false;
        break;
      }
      if (snapshots.count(stop)) snapshot_weights(net, sink, *loop.settings);
      if (checkpoints.count(stop)) take_checkpoint(net, sink, loop.checkpoints);
    }
    // Stopped by a signal: a checkpoint where it stopped loses nothing on resume.
    if (!completed && loop.checkpoints.every > 0 && net.now() < total)
      take_checkpoint(net, sink, loop.checkpoints);
  } catch (const NumericalFaultError& e) {
    // Every rank meets the fault (agreed in the exchange); rank 0 holds the file.
    if (!sink) throw;
    // Everything up to the end of the faulty window is in the sink: close the file.
    progress.finish(static_cast<double>(net.now() - first_step) * grid.dt(), total_spikes(net));
    sink->finish(seconds_since(loop.command_start), false);
    throw NumericalFaultError(concat(e.what(), "; '", facts.output.string(),
                                     "' is closed and holds everything up to there "
                                     "(completed = false)"));
  } catch (...) {
    // The run failed mid-way: keep what was recorded, marked incomplete, then report.
    try {
      if (sink) sink->finish(seconds_since(loop.command_start), false);
    } catch (...) {
    }
    throw;
  }
  facts.sim_seconds = progress.elapsed_seconds();
  facts.simulated_ms = static_cast<double>(net.now() - first_step) * grid.dt();
  facts.counted_ms = grid.time_of(net.now());
  facts.completed = completed;
  progress.finish(facts.simulated_ms, total_spikes(net));

  // Close the file: final flush, closing attributes.
  if (sink) {
    sink->finish(seconds_since(loop.command_start), completed);
    sink->warn_float32_overflows();
  }
  // The same exit code on every rank: a signal or a full disk seen by any rank.
  disk_full = any_rank(comm, disk_full);
  const int stop_signal =
      static_cast<int>(allreduce_max(comm, static_cast<std::uint64_t>(g_signal)));
  const bool print = !loop.quiet && sink;
  gather_rank_facts(net, facts);

  const double now_ms = static_cast<double>(net.now()) * grid.dt();
  if (!completed && disk_full && stop_signal == 0) {
    if (!sink) return kExitDiskFull;
    std::fprintf(stderr,
                 "spikeflow: error: only %s free on the filesystem of '%s' (the run stops below "
                 "%s): stopped at t = %.1f ms of %.1f ms; the file is closed and holds everything "
                 "up to there (completed = false)\n",
                 format_bytes(disk.free_bytes()).c_str(), facts.output.string().c_str(),
                 format_bytes(kDiskMarginBytes).c_str(), now_ms, facts.planned_ms);
    if (print) print_summary(net, facts, loop.title);
    return kExitDiskFull;
  }
  if (!completed && sink) {
    const int signal = stop_signal != 0 ? stop_signal : SIGINT;
    std::fprintf(stderr,
                 "spikeflow: %s: stopped at t = %.1f ms of %.1f ms; '%s' is closed and holds "
                 "everything up to there (completed = false)\n",
                 signal_name(signal), now_ms, facts.planned_ms, facts.output.string().c_str());
    if (loop.checkpoints.every > 0)
      std::fprintf(stderr, "spikeflow: checkpoint at t = %.1f ms in '%s' (spikeflow resume %s)\n",
                   now_ms, loop.checkpoints.path.string().c_str(),
                   loop.checkpoints.path.string().c_str());
  }
  if (print) print_summary(net, facts, loop.title);
  if (!completed) return stop_signal == SIGTERM ? kExitSigterm : kExitSigint;
  return kExitOk;
}

// Installs the signal handlers' view of the run: the network to stop, and what a second
// Ctrl-C says about the output file.
void arm_signals(Network& net, const fs::path& output) {
  g_signal = 0;
  g_second_interrupt_message.store(kNoOutputMessage);
  std::snprintf(g_file_message, sizeof g_file_message,
                "\nspikeflow: second interrupt, exiting at once; '%s' holds everything up to "
                "its last flush (see 'spikeflow recover')\n",
                output.string().c_str());
  g_network.store(&net);
}

// Builds the network, saying so on stderr; false if a signal came during the build.
bool build_network(Network& net, const io::LoadedModel& model, bool quiet, RunFacts& facts) {
  quiet = quiet || !is_root();
  if (!quiet)
    std::fprintf(stderr, "building %s: %s neurons, about %s synapses, about %s\n",
                 model.path.string().c_str(), format_count(model.estimate.neurons).c_str(),
                 format_count(static_cast<std::uint64_t>(model.estimate.synapses)).c_str(),
                 format_bytes(model.estimate.memory_bytes).c_str());
  const auto build_start = Clock::now();
  net.build();
  facts.build_seconds = seconds_since(build_start);
  if (!quiet && net.ranks() > 1)
    std::fprintf(stderr, "built in %s: %s synapses, %d ranks, %d threads per rank\n",
                 format_seconds(facts.build_seconds).c_str(),
                 format_count(net.synapse_count()).c_str(), net.ranks(), net.threads());
  else if (!quiet)
    std::fprintf(stderr, "built in %s: %s synapses, %d threads\n",
                 format_seconds(facts.build_seconds).c_str(),
                 format_count(net.synapse_count()).c_str(), net.threads());
  // Agreed, so that every rank stops here and exits with the same code.
  const auto signal = allreduce_max(net.communicator(), static_cast<std::uint64_t>(g_signal));
  if (signal == 0) return true;
  g_signal = static_cast<int>(signal);
  if (!is_root()) return false;
  std::fprintf(stderr,
               "spikeflow: %s during the build; stopped before simulating, "
               "nothing written\n",
               signal_name(g_signal));
  return false;
}

// The partition count. One process: 0, one partition per thread. R ranks: the hardware
// threads one rank sees, times R, so that every rank has as many partitions as it has
// threads; the count must be the same on every rank (spikes do not depend on it).
int partitions_for_ranks() {
  return ranks().size() > 1 ? hardware_threads() * ranks().size() : 0;
}

// What every rank must have loaded alike (agree_on_setup's digest): the resolved model
// (--set overrides applied), its seed, duration and time step, the partition count, the
// output, the checkpoint plan and, for resume, the step the checkpoint continues from.
std::uint64_t setup_digest(const io::LoadedModel& model, const fs::path& output,
                           const CheckpointPlan& checkpoints, Step resume_step) {
  const Network& net = *model.network;
  SetupDigest digest;
  digest.add(model.resolved_text)
      .add(model.settings.seed)
      .add(model.settings.duration)
      .add(net.grid().dt())
      .add(static_cast<std::uint64_t>(net.options().partitions))
      .add(fs::absolute(output).string())
      .add(static_cast<std::uint64_t>(checkpoints.every))
      .add(checkpoints.path.empty() ? std::string() : fs::absolute(checkpoints.path).string())
      .add(static_cast<std::uint64_t>(resume_step));
  return digest.value();
}

std::vector<io::WeightRecording> weight_recordings(const io::RunSettings& settings) {
  std::vector<io::WeightRecording> weights;
  for (const auto& spec : settings.weight_snapshots)
    weights.push_back({spec.projection, spec.handle, spec.times, spec.sources, spec.targets});
  return weights;
}

}  // namespace

// MemAvailable of /proc/meminfo in bytes, the memory of the whole node; 0 if unreadable.
double node_available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  double kib = 0.0;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024.0;
  return 0.0;
}

// The room an address-space limit (ulimit -v) leaves this process above what it already
// maps, in bytes; 0 if there is no limit.
double process_memory_room_bytes() {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0.0;
  std::ifstream statm("/proc/self/statm");
  double pages = 0.0;
  statm >> pages;
  const double room =
      static_cast<double>(limit.rlim_cur) - pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  // A limit already reached leaves no room; 1 byte, so that it is not taken for no limit.
  return std::max(room, 1.0);
}

// The memory a build may still take, in bytes: MemAvailable, or less if an address-space
// limit leaves less room; 0 if neither can be read.
double available_memory_bytes() {
  const double available = node_available_memory_bytes();
  const double room = process_memory_room_bytes();
  if (room > 0.0) return available > 0.0 ? std::min(available, room) : room;
  return available;
}

int run_command(const std::vector<std::string>& words, const std::string& command_line) {
  const auto command_start = Clock::now();
  const ParsedArgs args = parse_args(words, kRunOptions, "run");
  if (args.has("help")) {
    std::printf("%s%s", kRunUsage, format_options(kRunOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "run: missing the model file (usage: spikeflow run MODEL.toml ...)"
                         : "run: expected one model file, got " +
                               std::to_string(args.positionals.size()) + " arguments");
  const bool quiet = args.has("quiet");
  double interval = 10.0;
  if (auto pi = args.last("progress-interval"))
    interval = parse_positive_double("--progress-interval", *pi);
  const std::vector<io::Override> overrides = overrides_from(args);

  // 1. Load and validate the model; nothing is written yet.
  // Populations allocate their state while loading: the budget refuses a file whose sizes
  // alone exceed the memory, before anything is allocated (--force lifts it).
  // 2. The output must be writable before anything expensive happens (rank 0 writes it).
  // With several ranks, each does its part and all agree that every part succeeded.
  io::LoadedModel model;
  fs::path output;
  std::optional<OutputLock> lock;
  CheckpointPlan checkpoints;
  const auto setup = [&] {
    model = io::load_model_file(
        args.positionals.front(), overrides,
        {.keep_recordings_in_memory = false,
         .partitions = partitions_for_ranks(),
         .memory_budget_bytes = args.has("force") ? 0.0 : available_memory_bytes(),
         .comm = &ranks()});
    output = choose_output(args, model);
    if (is_root()) {
      check_output_writable(output);
      lock.emplace(output);
      refuse_to_overwrite_other_files(output, model.path);
    }
    checkpoints = plan_checkpoints(args, model.network->grid(), output, model.path,
                                   model.settings.checkpoint_every, {});
    refuse_if_too_large(model, args.has("force"));
    if (is_root()) refuse_if_disk_nearly_full(output);
  };
  agree_on_setup(setup, [&] { return setup_digest(model, output, checkpoints, 0); });
  Network& net = *model.network;

  StopSignals signals;
  arm_signals(net, output);

  // 3. Build.
  RunFacts facts;
  facts.model_path = model.path;
  facts.output = output;
  if (!build_network(net, model, quiet, facts))
    return g_signal == SIGTERM ? kExitSigterm : kExitSigint;
  if (is_root()) warn_if_disk_too_small(net, model, output);

  // 4. The recording file (rank 0's). If it cannot be created, none is left behind.
  io::Provenance provenance;
  provenance.model_text = model.model_text;
  provenance.model_path = model.path.string();
  provenance.command_line = command_line;
  provenance.seed = model.settings.seed;
  provenance.threads = net.threads();
  provenance.ranks = net.ranks();
  provenance.dt = net.grid().dt();
  // The constructor only checks the policy (ConfigError); the file is created by the first
  // run() through on_start. If that fails, no file is left behind.
  io::RecordingFile file(
      output, provenance,
      io::FlushPolicy{model.settings.flush_interval, model.settings.flush_wall_seconds},
      weight_recordings(model.settings));
  FileSink sink(file);
  if (is_root()) net.add_sink(&sink);
  try {
    net.run(0.0);
    g_second_interrupt_message.store(g_file_message);
  } catch (...) {
    std::error_code ec;
    if (is_root()) fs::remove(output, ec);
    throw;
  }

  // 5. Simulate, checkpoint, close, summarise.
  const Step total = net.grid().steps(model.settings.duration, "simulation.duration");
  io::CheckpointRun& run = checkpoints.run;
  run.model_text = model.resolved_text;
  run.model_source = model.model_text;
  run.model_path = model.path.string();
  run.command_line = command_line;
  run.output = fs::absolute(output).string();
  run.duration_ms = model.settings.duration;
  run.flush_interval = model.settings.flush_interval;
  run.flush_wall_seconds = model.settings.flush_wall_seconds;
  if (!checkpoints.path.empty()) run.checkpoint_path = fs::absolute(checkpoints.path).string();
  return simulate(net, is_root() ? &sink : nullptr, facts,
                  {&model.settings, total, checkpoints, quiet, interval, command_start,
                   "spikeflow run " + model.path.string()});
}

// `spikeflow resume CHECKPOINT.h5`: rebuilds the network from the model text the checkpoint
// stores, loads its state, reopens the recording (cut back to what the checkpoint had
// recorded) and carries on to the end of the run.
int resume_command(const std::vector<std::string>& words, const std::string& command_line) {
  const auto command_start = Clock::now();
  const ParsedArgs args = parse_args(words, kResumeOptions, "resume");
  if (args.has("help")) {
    std::printf("%s%s", kResumeUsage, format_options(kResumeOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "resume: missing the checkpoint (usage: spikeflow resume CKPT.h5 ...)"
                         : "resume: expected one checkpoint file, got " +
                               std::to_string(args.positionals.size()) + " arguments");
  const bool quiet = args.has("quiet");
  double interval = 10.0;
  if (auto pi = args.last("progress-interval"))
    interval = parse_positive_double("--progress-interval", *pi);
  std::vector<io::Override> overrides;
  if (auto t = args.last("threads"))
    overrides.push_back(
        {"simulation.threads", std::to_string(parse_integer("--threads", *t, 0, 4096))});

  // 1. The checkpoint and the model it was taken from (every rank reads it), and
  // 2. the output: the original recording, continued in place, or with -o a copy of it
  // (rank 0's). With several ranks, all agree that every part succeeded.
  const fs::path checkpoint_path = args.positionals.front();
  std::unique_ptr<io::CheckpointFile> checkpoint;
  io::CheckpointRun saved;
  io::LoadedModel model;
  fs::path original;
  fs::path output;
  bool copy = false;
  std::optional<OutputLock> original_lock;
  std::optional<OutputLock> copy_lock;
  CheckpointPlan checkpoints;
  bool finished = false;  // the recording already holds the whole run
  agree_on_setup([&] {
    try {
      checkpoint = std::make_unique<io::CheckpointFile>(checkpoint_path);
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      throw IoFailure(e.what());
    }
    saved = checkpoint->run();
    // Connectivity is regenerated, not stored: another engine version may generate other
    // synapses. The synapse counts are checked; say it anyway.
    if (checkpoint->engine_version() != io::engine_version() && is_root())
      std::fprintf(stderr,
                   "spikeflow: warning: the checkpoint was written by engine %s, this is %s; "
                   "connectivity is regenerated and may differ\n",
                   checkpoint->engine_version().c_str(), std::string(io::engine_version()).c_str());
    model = io::load_model_text(saved.model_text, saved.model_path, overrides,
                                {.keep_recordings_in_memory = false,
                                 .partitions = partitions_for_ranks(),
                                 .comm = &ranks()});

    original = saved.output;
    output = original;
    if (auto o = args.last("output")) output = *o;
    std::error_code ec;
    copy = !fs::equivalent(output, original, ec);
    if (is_root()) {
      if (!fs::is_regular_file(original, ec))
        throw IoFailure("cannot resume: the recording '" + original.string() +
                        "' the checkpoint continues is missing");
      // The original is read (copied) or written (in place): either way no other process
      // may be writing it, and with -o the new file is locked as well.
      original_lock.emplace(original);
      if (copy) {
        check_output_writable(output);
        copy_lock.emplace(output);
        refuse_to_overwrite_other_files(output, saved.model_path);
      }
      require_same_run(original, saved, model.settings.seed);
      finished = !copy && recording_is_complete(original, saved.duration_ms);
    }
  });
  // Resuming a finished run in place does nothing and says so, like re-running a finished
  // batch job: the file is not rewritten, the exit code is 0. (With -o the user asks for a
  // new file continued from the checkpoint, which is made even if the original is complete.)
  // Rank 0 looked at the recording; every rank learns the answer.
  if (any_rank(ranks(), finished)) {
    if (!quiet && is_root())
      std::fprintf(stderr,
                   "spikeflow resume: nothing to do: the run is complete, '%s' holds all "
                   "%.1f ms (completed = true)\n",
                   original.string().c_str(), saved.duration_ms);
    return kExitOk;
  }
  const auto setup = [&] {
    // With -o the original run keeps its checkpoint (it can still be resumed in place); the
    // copy checkpoints next to itself.
    const fs::path default_checkpoint =
        copy ? default_checkpoint_path(output)
             : (saved.checkpoint_path.empty() ? checkpoint_path : fs::path(saved.checkpoint_path));
    checkpoints = plan_checkpoints(args, model.network->grid(), output, saved.model_path,
                                   saved.checkpoint_every_ms, default_checkpoint);
    refuse_if_too_large(model, args.has("force"));
    if (is_root()) refuse_if_disk_nearly_full(output);
  };
  // The resume point, the planned duration and the original recording must agree as well.
  const auto digest = [&] {
    SetupDigest resumed;
    resumed.add(setup_digest(model, output, checkpoints, checkpoint->step()))
        .add(saved.duration_ms)
        .add(fs::absolute(original).string());
    return resumed.value();
  };
  agree_on_setup(setup, digest);
  Network& net = *model.network;

  StopSignals signals;
  arm_signals(net, output);

  // 3. Build and load the state.
  RunFacts facts;
  facts.model_path = model.path;
  facts.output = output;
  if (!build_network(net, model, quiet, facts))
    return g_signal == SIGTERM ? kExitSigterm : kExitSigint;
  if (is_root()) warn_if_disk_too_small(net, model, output);
  net.load_state(*checkpoint);
  checkpoint.reset();  // closed: the next checkpoint may replace it
  const Step planned = net.grid().steps(saved.duration_ms, "simulation.duration");
  if (net.now() > planned)
    throw ConfigError(concat("checkpoint '", checkpoint_path.string(), "': its clock (t = ",
                             net.grid().time_of(net.now()), " ms) is beyond the run's duration (",
                             saved.duration_ms, " ms); the checkpoint is inconsistent"));
  if (!quiet && is_root())
    std::fprintf(stderr, "resuming at t = %.1f ms of %.1f ms from '%s'\n",
                 net.grid().time_of(net.now()), saved.duration_ms,
                 checkpoint_path.string().c_str());

  // 4. The recording, cut back to the checkpoint. A killed run's file is made whole first.
  agree_on_setup([&] {
    if (!is_root()) return;
    try {
      if (copy) fs::copy_file(original, output, fs::copy_options::overwrite_existing);
      if (H5File::open(output.string()).opened_swmr()) io::recover_file(output);
    } catch (const std::exception& e) {
      throw IoFailure(std::string("cannot resume into '") + output.string() + "': " + e.what());
    }
  });
  io::Provenance provenance;
  provenance.command_line = command_line;  // the file's resume_command_line attribute
  provenance.ranks = net.ranks();          // resume_ranks (resume_threads: the network's)
  io::RecordingFile file(output, provenance,
                         io::FlushPolicy{saved.flush_interval, saved.flush_wall_seconds},
                         weight_recordings(model.settings));
  file.resume_from(saved.recorded);
  FileSink sink(file);
  if (is_root()) net.add_sink(&sink);
  net.run(0.0);
  g_second_interrupt_message.store(g_file_message);

  // 5. Carry on to the end of the run.
  checkpoints.run.model_text = saved.model_text;
  checkpoints.run.model_source = saved.model_source;
  checkpoints.run.model_path = saved.model_path;
  checkpoints.run.command_line = saved.command_line;
  checkpoints.run.output = fs::absolute(output).string();
  checkpoints.run.duration_ms = saved.duration_ms;
  checkpoints.run.flush_interval = saved.flush_interval;
  checkpoints.run.flush_wall_seconds = saved.flush_wall_seconds;
  if (!checkpoints.path.empty())
    checkpoints.run.checkpoint_path = fs::absolute(checkpoints.path).string();
  const Step total = net.grid().steps(saved.duration_ms, "simulation.duration");
  return simulate(net, is_root() ? &sink : nullptr, facts,
                  {&model.settings, total, checkpoints, quiet, interval, command_start,
                   "spikeflow resume " + checkpoint_path.string()});
}

}  // namespace spikeflow::cli
