// The recording file: layout creation, the writer thread and its flush schedule. The layout
// and what each flush guarantees are described in docs/output.md.
#include "io/hdf5_writer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <thread>
#include <variant>

#include "engine/adapter.hpp"
#include "engine/error.hpp"
#include "io/hdf5_detail.hpp"
#include "io/version.hpp"

namespace spikeflow::io {

namespace {

using hdf5::check;
using hdf5::check_id;
using hdf5::Id;
using Clock = std::chrono::steady_clock;

// Chunk shapes. Under SWMR the file space of a rewritten compressed chunk is not reused,
// and the last, partly filled spike chunk is recompressed (and grows) at every flush, so
// small spike chunks waste least: 2 Ki values (16 KiB) kept a 100-neuron run flushed every
// 100 ms at half the uncompressed size (16 Ki values: 2.5 times larger than uncompressed),
// and compressed a 10 000-neuron run 8x like larger chunks. Trace chunks follow the
// reference's 128 frames x 1024 neurons (0.5 MiB of float32), uncompressed, so they are
// rewritten in place.
constexpr hsize_t kSpikeChunk = 2048;
constexpr hsize_t kFrameChunk = 128;
constexpr hsize_t kNeuronChunk = 1024;
constexpr hsize_t kSynapseChunk = 65536;
constexpr hsize_t kSnapshotChunk = 64;
constexpr unsigned kDeflateLevel = 2;  // shuffle + deflate 1..4 gave 5-6x on spike files

// The queue between the simulation and the writer thread: on_window waits while it holds
// this much. Data waiting for a flush inside the writer is capped too; past the cap the
// writer flushes early.
constexpr std::size_t kQueueItems = 1024;
constexpr std::size_t kQueueBytes = std::size_t{64} << 20;
constexpr std::size_t kPendingBytes = std::size_t{64} << 20;

// --- what the simulation thread hands to the writer thread ---

struct SpikeLayout {
  std::string name;
  NeuronIndex size;
  std::string model;
  bool graded;  // an adapter whose outputs are graded values: its spike datasets stay empty
};

struct ReportLayout {
  std::string path;  // "/report/<population>" or "/report/<population>/<variable>"
  std::string variable;
  std::string units;
  std::vector<NeuronIndex> neurons;
  Step interval;  // steps between frames; the first frame is at interval * dt
};

struct Layout {
  Provenance provenance;
  std::uint64_t seed;
  int threads;
  double dt;
  std::vector<SpikeLayout> spikes;
  std::vector<ReportLayout> reports;
  std::vector<std::string> weights;
};

struct FrameBlock {
  std::size_t trace;
  std::size_t frames;
  std::vector<float> values;  // frames x neurons
};

struct WindowItem {
  Step end;
  std::vector<SpikeRecord> spikes;
  std::vector<FrameBlock> frames;
};

struct SnapshotItem {
  std::size_t recording;
  double time;
  std::vector<std::uint64_t> source, target;
  std::vector<float> weight;
  std::vector<double> delay;
};

struct FinishItem {
  double wall_seconds;
  bool completed;
};

// Asks the writer to flush and report what the file holds (RecordingFile::sync).
struct SyncItem {
  std::promise<RecordedCounts>* done;
};

using Item = std::variant<WindowItem, SnapshotItem, FinishItem, SyncItem>;

std::size_t item_bytes(const Item& item) {
  if (const auto* w = std::get_if<WindowItem>(&item)) {
    std::size_t n = sizeof(WindowItem) + w->spikes.size() * sizeof(SpikeRecord);
    for (const auto& f : w->frames) n += f.values.size() * sizeof(float);
    return n;
  }
  if (const auto* s = std::get_if<SnapshotItem>(&item))
    return sizeof(SnapshotItem) + s->source.size() * 28;
  return sizeof(Item);
}

// --- units of recorded state variables ---

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void check_name(const std::string& what, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw ConfigError(concat(what, " '", name,
                             "': a name in the recording file must be "
                             "non-empty and contain no '/'"));
}

// --- dataset helpers (writer thread) ---

Id create_group(hid_t location, const std::string& name) {
  return Id(check_id(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     "creating group '" + name + "'"));
}

// An extendible chunked dataset of rank 1 (cols == 0 and rank 1) or rank 2 (rows x cols).
Id create_appendable(hid_t location, const std::string& name, hid_t file_type, int rank,
                     hsize_t cols, hsize_t chunk_rows, bool compress) {
  const std::string what = "creating dataset '" + name + "'";
  const hsize_t dims[2] = {0, cols};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, cols == 0 ? H5S_UNLIMITED : cols};
  const hsize_t chunk[2] = {chunk_rows, std::clamp<hsize_t>(cols, 1, kNeuronChunk)};
  Id space(check_id(H5Screate_simple(rank, dims, max_dims), what));
  Id dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), what));
  check(H5Pset_chunk(dcpl, rank, chunk), what);
  if (compress && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    check(H5Pset_shuffle(dcpl), what);
    check(H5Pset_deflate(dcpl, kDeflateLevel), what);
  }
  // The chunk cache is set when the dataset is reopened after H5Fstart_swmr_write
  // (reopen_with_chunk_cache): that call reopens every open dataset with the default cache.
  return Id(check_id(
      H5Dcreate2(location, name.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), what));
}

// Reopens an appendable dataset with a chunk cache sized for appending: room for two rows of
// chunks (a row: all chunks of one range of frames or values; an append may span two), w0 = 1
// so that the fully written chunk is evicted first, never the partly filled last one.
//
// Why after H5Fstart_swmr_write: that call closes and reopens every open dataset with the
// file's default chunk cache (1 MiB, 521 slots; checked with H5Pget_chunk_cache on HDF5
// 1.10.8), so a cache set at creation is lost. The default kept up to 1 MiB of chunks
// already written, per dataset, for nothing (the soak's RSS grew by ~1 MiB per appended
// dataset; bench/soak.cpp), and held fewer than a row of a trace wider than 2048 neurons,
// so appending frames evicted half-filled chunks.
void reopen_with_chunk_cache(hid_t file, Id& dataset) {
  const std::string what = "reopening a dataset for appending";
  char name[512];
  const ssize_t length = H5Iget_name(dataset, name, sizeof name);
  if (length <= 0 || static_cast<std::size_t>(length) >= sizeof name)
    throw RuntimeError(what + ": cannot read its name");
  Id dcpl(check_id(H5Dget_create_plist(dataset), what));
  hsize_t chunk[2] = {1, 1};
  const int rank = H5Pget_chunk(dcpl, 2, chunk);
  check(rank, what);
  Id type(check_id(H5Dget_type(dataset), what));
  const std::size_t chunk_bytes = static_cast<std::size_t>(chunk[0] * chunk[1]) * H5Tget_size(type);
  std::size_t per_row = 1;
  if (rank == 2) {
    Id space(check_id(H5Dget_space(dataset), what));
    hsize_t dims[2] = {0, 0};
    check(H5Sget_simple_extent_dims(space, dims, nullptr), what);
    per_row = static_cast<std::size_t>((dims[1] + chunk[1] - 1) / chunk[1]);
  }
  Id dapl(check_id(H5Pcreate(H5P_DATASET_ACCESS), what));
  // Slots: HDF5 hashes a chunk by its row index shifted by the bits of the column count,
  // so the chunks of two consecutive rows fall on fewer than 4 * per_row consecutive values:
  // with at least that many slots they never evict each other.
  const std::size_t slots = std::max<std::size_t>(521, 4 * per_row + 1);
  check(H5Pset_chunk_cache(dapl, slots, 2 * per_row * chunk_bytes, 1.0), what);
  // Closed first: while one identifier of a dataset is open, opening it again shares the
  // open dataset, cache included, and the access properties are ignored.
  check(dataset.reset(), what);
  dataset = Id(check_id(H5Dopen2(file, name, dapl), what));
}

// A small fixed-shape dataset (rank 0 if n == 0 and scalar, else (n,)) rewritten in place.
Id create_fixed(hid_t location, const std::string& name, hid_t file_type, bool scalar, hsize_t n,
                hid_t mem_type, const void* initial) {
  const std::string what = "creating dataset '" + name + "'";
  Id space(check_id(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), what));
  Id ds(check_id(
      H5Dcreate2(location, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      what));
  if (initial && (scalar || n > 0))
    check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, initial), what);
  return ds;
}

void append(hid_t ds, hid_t mem_type, int rank, hsize_t old_rows, hsize_t rows, hsize_t cols,
            const void* data, const std::string& what) {
  if (rows == 0) return;
  const hsize_t new_dims[2] = {old_rows + rows, cols};
  check(H5Dset_extent(ds, new_dims), what);
  if (rank == 2 && cols == 0) return;
  Id file_space(check_id(H5Dget_space(ds), what));
  const hsize_t start[2] = {old_rows, 0};
  const hsize_t count[2] = {rows, cols};
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr), what);
  Id mem_space(check_id(H5Screate_simple(rank, count, nullptr), what));
  check(H5Dwrite(ds, mem_type, mem_space, file_space, H5P_DEFAULT, data), what);
}

void rewrite(hid_t ds, hid_t mem_type, const void* data, const std::string& what) {
  check(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what);
}

// Test hook: SPIKEFLOW_TEST_KILL_IN_FLUSH=STAGE:N sends SIGKILL to the process at STAGE
// of the N-th flush (from 1), so that recovery can be tested at each point between the
// writes of a flush. STAGE: data, traces, spike_counts, weight_snapshots, until.
void kill_point(const char* stage, std::uint64_t flush_number) {
  static const std::string spec = [] {
    const char* v = std::getenv("SPIKEFLOW_TEST_KILL_IN_FLUSH");
    return std::string(v ? v : "");
  }();
  if (spec.empty()) return;
  const auto colon = spec.find(':');
  if (colon == std::string::npos || spec.compare(0, colon, stage) != 0) return;
  if (std::strtoull(spec.c_str() + colon + 1, nullptr, 10) == flush_number) std::raise(SIGKILL);
}

void flush_dataset(hid_t ds, const std::string& what) {
  check(H5Dflush(ds), "flushing " + what);
}

// --- the writer: owns every HDF5 identifier; used only on the writer thread ---

class Writer {
 public:
  // The flush bounds, and the spike group of each population index (recorded ones only).
  void set_policy(const FlushPolicy& p, const std::vector<std::uint32_t>& population_groups) {
    policy_ = p;
    group_of_population_.assign(population_groups.begin(), population_groups.end());
  }
  void create(const std::filesystem::path& path, const Layout& layout);
  // Opens the file a checkpointed run wrote and cuts it back to `counts` (resume).
  void reopen(const std::filesystem::path& path, const Layout& layout,
              const RecordedCounts& counts);
  RecordedCounts counts() const;
  void add(WindowItem& item);
  void add(SnapshotItem& item);
  bool unflushed() const { return dirty_; }
  Clock::time_point wall_deadline() const { return wall_deadline_; }
  bool flush_due(Clock::time_point now) const;
  void flush();
  void close(double wall_seconds, bool completed);
  void abandon();

  std::atomic<std::uint64_t> flushes{0};
  std::atomic<double> flushed_until_ms{0.0};

 private:
  struct SpikeGroup {
    std::string name;
    Id group, timestamps, node_ids;
    hsize_t written = 0;
    std::vector<double> t;
    std::vector<std::uint64_t> id;
  };
  struct Report {
    std::string path;
    Id group, data, time;
    hsize_t neurons = 0;
    hsize_t frames = 0;
    Step interval = 1;
    std::vector<float> pending;
  };
  struct Weights {
    std::string name;
    Id group, source, target, weight, delay, times, offsets;
    hsize_t synapses = 0;
    hsize_t snapshots = 0;
    std::vector<std::uint64_t> s, t;
    std::vector<float> w;
    std::vector<double> d;
    std::vector<double> pending_times;
    std::vector<std::uint64_t> pending_offsets;
  };

  void write_provenance(const Layout& layout);
  // After H5Fstart_swmr_write: every dataset appended to, with its chunk cache.
  void reopen_appendable_datasets();
  void append_pending();

  std::filesystem::path path_;
  FlushPolicy policy_;
  TimeGrid grid_{0.1};  // times are computed from steps by the engine's own grid
  Id file_;
  Id provenance_, simulated_until_, wall_time_, completed_, spike_counts_, weight_snapshots_;
  std::vector<SpikeGroup> spikes_;
  std::vector<std::uint32_t> group_of_population_;
  std::vector<Report> reports_;
  std::vector<Weights> weights_;

  Step end_ = 0;          // model time received, steps
  Step flushed_end_ = 0;  // model time covered by the last flush, steps
  bool dirty_ = false;    // received anything since the last flush
  std::size_t pending_bytes_ = 0;
  Clock::time_point wall_deadline_{};
};

void Writer::create(const std::filesystem::path& path, const Layout& layout) {
  path_ = path;
  grid_ = TimeGrid(layout.dt);

  Id fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating file access properties"));
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
        "requesting the latest file format (needed for SWMR)");
  file_ =
      Id(check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "creating the file"));

  write_provenance(layout);

  {
    Id root(create_group(file_, "spikes"));
    const Id sorting = hdf5::sorting_enum_type();
    for (const auto& s : layout.spikes) {
      SpikeGroup g;
      g.name = s.name;
      g.group = create_group(root, s.name);
      {
        const std::uint8_t by_time = 2;
        Id space(check_id(H5Screate(H5S_SCALAR), "writing attribute 'sorting'"));
        Id attr(check_id(H5Acreate2(g.group, "sorting", sorting, space, H5P_DEFAULT, H5P_DEFAULT),
                         "writing attribute 'sorting'"));
        check(H5Awrite(attr, sorting, &by_time), "writing attribute 'sorting'");
      }
      // Not part of SONATA (which takes sizes from the node files); lets readers compute
      // rates without the model.
      hdf5::write_u64_attr(g.group, "size", s.size);
      // Also not SONATA: what emits (or, for graded outputs, never emits) these spikes.
      hdf5::write_string_attr(g.group, "model", s.model);
      hdf5::write_bool_attr(g.group, "graded", s.graded);
      g.timestamps =
          create_appendable(g.group, "timestamps", H5T_IEEE_F64LE, 1, 0, kSpikeChunk, true);
      hdf5::write_string_attr(g.timestamps, "units", "ms");
      g.node_ids = create_appendable(g.group, "node_ids", H5T_STD_U64LE, 1, 0, kSpikeChunk, true);
      spikes_.push_back(std::move(g));
    }
  }

  {
    Id root(create_group(file_, "report"));
    for (const auto& r : layout.reports) {
      Report rep;
      rep.path = r.path;
      rep.neurons = r.neurons.size();
      rep.interval = r.interval;
      // "/report/<population>[/<variable>]": the population group may exist already.
      const std::string rel = r.path.substr(std::string("/report/").size());
      const auto slash = rel.find('/');
      if (slash != std::string::npos && !hdf5::link_exists(root, rel.substr(0, slash).c_str()))
        Id(create_group(root, rel.substr(0, slash)));
      rep.group = create_group(root, rel);
      rep.data =
          create_appendable(rep.group, "data", H5T_IEEE_F32LE, 2, rep.neurons, kFrameChunk, false);
      hdf5::write_string_attr(rep.data, "units", r.units);
      hdf5::write_string_attr(rep.data, "variable_name", r.variable);
      Id mapping(create_group(rep.group, "mapping"));
      std::vector<std::uint64_t> ids(r.neurons.begin(), r.neurons.end());
      std::vector<std::uint64_t> pointers(ids.size() + 1);
      for (std::size_t i = 0; i < pointers.size(); ++i) pointers[i] = i;
      std::vector<std::uint32_t> elements(ids.size(), 0);
      Id(create_fixed(mapping, "node_ids", H5T_STD_U64LE, false, ids.size(), H5T_NATIVE_UINT64,
                      ids.data()));
      Id(create_fixed(mapping, "index_pointers", H5T_STD_U64LE, false, pointers.size(),
                      H5T_NATIVE_UINT64, pointers.data()));
      // libsonata reads index_pointers, bmtk index_pointer: one dataset, two names.
      check(H5Lcreate_hard(mapping, "index_pointers", mapping, "index_pointer", H5P_DEFAULT,
                           H5P_DEFAULT),
            "linking '" + r.path + "/mapping/index_pointer'");
      Id(create_fixed(mapping, "element_ids", H5T_STD_U32LE, false, elements.size(),
                      H5T_NATIVE_UINT32, elements.data()));
      const double first = grid_.time_of(rep.interval);
      const double time[3] = {first, first, first};
      rep.time = create_fixed(mapping, "time", H5T_IEEE_F64LE, false, 3, H5T_NATIVE_DOUBLE, time);
      hdf5::write_string_attr(rep.time, "units", "ms");
      reports_.push_back(std::move(rep));
    }
  }

  if (!layout.weights.empty()) {
    Id root(create_group(file_, "weights"));
    for (const auto& name : layout.weights) {
      Weights w;
      w.name = name;
      w.group = create_group(root, name);
      w.source = create_appendable(w.group, "source", H5T_STD_U64LE, 1, 0, kSynapseChunk, true);
      w.target = create_appendable(w.group, "target", H5T_STD_U64LE, 1, 0, kSynapseChunk, true);
      w.weight = create_appendable(w.group, "weight", H5T_IEEE_F32LE, 1, 0, kSynapseChunk, true);
      w.delay = create_appendable(w.group, "delay", H5T_IEEE_F64LE, 1, 0, kSynapseChunk, true);
      hdf5::write_string_attr(w.delay, "units", "ms");
      w.times = create_appendable(w.group, "times", H5T_IEEE_F64LE, 1, 0, kSnapshotChunk, false);
      hdf5::write_string_attr(w.times, "units", "ms");
      w.offsets = create_appendable(w.group, "offsets", H5T_STD_U64LE, 1, 0, kSnapshotChunk, false);
      const std::uint64_t zero = 0;
      append(w.offsets, H5T_NATIVE_UINT64, 1, 0, 1, 0, &zero, "writing '" + name + "/offsets'");
      weights_.push_back(std::move(w));
    }
  }

  // From here on only appends and in-place rewrites: readers may open the file with SWMR.
  check(H5Fstart_swmr_write(file_), "starting SWMR writing");
  reopen_appendable_datasets();
}

Id open_dataset(hid_t location, const std::string& name) {
  if (!hdf5::link_exists(location, name.c_str()))
    throw RuntimeError(
        concat("the file has no '", name, "': it was not written by the run of this checkpoint"));
  return Id(
      check_id(H5Dopen2(location, name.c_str(), H5P_DEFAULT), "opening dataset '" + name + "'"));
}

// Sets the first dimension of a dataset (rank 1 or 2) to `rows`.
void cut_to(hid_t ds, hsize_t rows, const std::string& what) {
  Id space(check_id(H5Dget_space(ds), "reading the extent of " + what));
  hsize_t dims[2] = {0, 0};
  check(H5Sget_simple_extent_dims(space, dims, nullptr), "reading the extent of " + what);
  if (dims[0] < rows)
    throw RuntimeError(concat(what, " holds ", dims[0], " rows, fewer than the ", rows,
                              " the checkpoint counted"));
  dims[0] = rows;
  check(H5Dset_extent(ds, dims), "cutting back " + what);
}

void Writer::reopen(const std::filesystem::path& path, const Layout& layout,
                    const RecordedCounts& counts) {
  path_ = path;
  grid_ = TimeGrid(layout.dt);
  if (counts.spikes.size() != layout.spikes.size() ||
      counts.frames.size() != layout.reports.size() ||
      counts.snapshots.size() != layout.weights.size() ||
      counts.synapses.size() != layout.weights.size())
    throw RuntimeError("the checkpoint's recording counts do not match the network's recordings");

  Id fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating file access properties"));
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
        "requesting the latest file format (needed for SWMR)");
  file_ = Id(check_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), "opening the file to resume"));
  // A finished or recovered file carries closing attributes; the resumed run writes its own.
  // command_line, threads and ranks stay the original run's; the resume_ attributes describe
  // the last resume, which may use other thread and rank counts.
  for (const char* name : {"wall_time", "completed", "recovered", "resume_command_line",
                           "resume_threads", "resume_ranks"})
    hdf5::remove_attr_if_exists(file_, name);
  if (!layout.provenance.command_line.empty())
    hdf5::write_string_attr(file_, "resume_command_line", layout.provenance.command_line);
  hdf5::write_i64_attr(file_, "resume_threads", layout.threads);
  hdf5::write_i64_attr(file_, "resume_ranks", layout.provenance.ranks);

  provenance_ = Id(check_id(H5Gopen2(file_, "provenance", H5P_DEFAULT), "opening '/provenance'"));
  simulated_until_ = open_dataset(provenance_, "simulated_until_ms");
  wall_time_ = open_dataset(provenance_, "wall_time");
  completed_ = open_dataset(provenance_, "completed");
  spike_counts_ = open_dataset(provenance_, "spike_counts");
  weight_snapshots_ = open_dataset(provenance_, "weight_snapshots");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rewrite(wall_time_, H5T_NATIVE_DOUBLE, &nan, "writing wall_time");

  for (std::size_t k = 0; k < layout.spikes.size(); ++k) {
    SpikeGroup g;
    g.name = layout.spikes[k].name;
    const std::string base = "spikes/" + g.name;
    g.timestamps = open_dataset(file_, base + "/timestamps");
    g.node_ids = open_dataset(file_, base + "/node_ids");
    g.written = counts.spikes[k];
    cut_to(g.timestamps, g.written, "'/" + base + "/timestamps'");
    cut_to(g.node_ids, g.written, "'/" + base + "/node_ids'");
    spikes_.push_back(std::move(g));
  }
  for (std::size_t k = 0; k < layout.reports.size(); ++k) {
    Report rep;
    rep.path = layout.reports[k].path;
    rep.neurons = layout.reports[k].neurons.size();
    rep.interval = layout.reports[k].interval;
    rep.data = open_dataset(file_, rep.path.substr(1) + "/data");
    rep.time = open_dataset(file_, rep.path.substr(1) + "/mapping/time");
    rep.frames = counts.frames[k];
    cut_to(rep.data, rep.frames, "'" + rep.path + "/data'");
    reports_.push_back(std::move(rep));
  }
  for (std::size_t k = 0; k < layout.weights.size(); ++k) {
    Weights w;
    w.name = layout.weights[k];
    const std::string base = "weights/" + w.name + "/";
    w.synapses = counts.synapses[k];
    w.snapshots = counts.snapshots[k];
    const std::pair<Id*, const char*> rows[] = {
        {&w.source, "source"}, {&w.target, "target"}, {&w.weight, "weight"}, {&w.delay, "delay"}};
    for (const auto& [id, name] : rows) {
      *id = open_dataset(file_, base + name);
      cut_to(*id, w.synapses, "'/" + base + name + "'");
    }
    w.times = open_dataset(file_, base + "times");
    cut_to(w.times, w.snapshots, "'/" + base + "times'");
    w.offsets = open_dataset(file_, base + "offsets");
    cut_to(w.offsets, w.snapshots + 1, "'/" + base + "offsets'");
    weights_.push_back(std::move(w));
  }
  end_ = counts.step;
  flushed_end_ = counts.step;
  check(H5Fstart_swmr_write(file_), "starting SWMR writing");
  reopen_appendable_datasets();
  // The cut-back extents and counters are on disk before anything is appended.
  flush();
}

void Writer::reopen_appendable_datasets() {
  for (SpikeGroup& g : spikes_)
    for (Id* ds : {&g.timestamps, &g.node_ids}) reopen_with_chunk_cache(file_, *ds);
  for (Report& r : reports_) reopen_with_chunk_cache(file_, r.data);
  for (Weights& w : weights_)
    for (Id* ds : {&w.source, &w.target, &w.weight, &w.delay, &w.times, &w.offsets})
      reopen_with_chunk_cache(file_, *ds);
}

RecordedCounts Writer::counts() const {
  RecordedCounts c;
  c.step = end_;
  for (const auto& g : spikes_) c.spikes.push_back(g.written);
  for (const auto& r : reports_) c.frames.push_back(r.frames);
  for (const auto& w : weights_) {
    c.snapshots.push_back(w.snapshots);
    c.synapses.push_back(w.synapses);
  }
  return c;
}

void Writer::write_provenance(const Layout& layout) {
  const Provenance& p = layout.provenance;
  const std::uint32_t magic = 0x0A7A;
  {
    Id space(check_id(H5Screate(H5S_SCALAR), "writing attribute 'magic'"));
    Id attr(check_id(H5Acreate2(file_, "magic", H5T_STD_U32LE, space, H5P_DEFAULT, H5P_DEFAULT),
                     "writing attribute 'magic'"));
    check(H5Awrite(attr, H5T_NATIVE_UINT32, &magic), "writing attribute 'magic'");
  }
  {
    const std::uint32_t version[2] = {0, 1};
    const hsize_t two = 2;
    Id space(check_id(H5Screate_simple(1, &two, nullptr), "writing attribute 'version'"));
    Id attr(check_id(H5Acreate2(file_, "version", H5T_STD_U32LE, space, H5P_DEFAULT, H5P_DEFAULT),
                     "writing attribute 'version'"));
    check(H5Awrite(attr, H5T_NATIVE_UINT32, version), "writing attribute 'version'");
  }
  hdf5::write_string_attr(file_, "simulator", "spikeflow");
  hdf5::write_string_attr(file_, "engine_version", engine_version());
  hdf5::write_string_attr(file_, "git_commit", git_commit());
  hdf5::write_string_attr(file_, "hdf5_version", H5_VERSION);
  hdf5::write_string_attr(file_, "model_text", p.model_text);
  hdf5::write_string_attr(file_, "model_path", p.model_path);
  hdf5::write_string_attr(file_, "command_line", p.command_line);
  hdf5::write_u64_attr(file_, "seed", layout.seed);
  hdf5::write_i64_attr(file_, "threads", layout.threads);
  hdf5::write_i64_attr(file_, "ranks", p.ranks);
  hdf5::write_f64_attr(file_, "dt", layout.dt);
  hdf5::write_string_attr(file_, "start_time", p.start_time.empty() ? utc_now() : p.start_time);

  // What changes during the run lives in small datasets rewritten in place, since no
  // attribute may be created or resized once SWMR writing has started.
  provenance_ = create_group(file_, "provenance");
  const double zero = 0.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  simulated_until_ = create_fixed(provenance_, "simulated_until_ms", H5T_IEEE_F64LE, true, 0,
                                  H5T_NATIVE_DOUBLE, &zero);
  hdf5::write_string_attr(simulated_until_, "units", "ms");
  wall_time_ =
      create_fixed(provenance_, "wall_time", H5T_IEEE_F64LE, true, 0, H5T_NATIVE_DOUBLE, &nan);
  hdf5::write_string_attr(wall_time_, "units", "s");
  const Id boolean = hdf5::bool_enum_type();
  const std::int8_t no = 0;
  completed_ = create_fixed(provenance_, "completed", boolean, true, 0, boolean, &no);

  std::vector<std::uint64_t> zeros(layout.spikes.size(), 0);
  std::vector<std::string> names;
  for (const auto& s : layout.spikes) names.push_back(s.name);
  spike_counts_ = create_fixed(provenance_, "spike_counts", H5T_STD_U64LE, false, zeros.size(),
                               H5T_NATIVE_UINT64, zeros.data());
  hdf5::write_string_array_attr(spike_counts_, "populations", names);
  zeros.assign(layout.weights.size(), 0);
  weight_snapshots_ = create_fixed(provenance_, "weight_snapshots", H5T_STD_U64LE, false,
                                   zeros.size(), H5T_NATIVE_UINT64, zeros.data());
  hdf5::write_string_array_attr(weight_snapshots_, "projections", layout.weights);
}

void Writer::add(WindowItem& item) {
  if (!dirty_)
    wall_deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(policy_.wall_seconds));
  dirty_ = true;
  for (const SpikeRecord& s : item.spikes) {
    SpikeGroup& g = spikes_[group_of_population_[s.population]];
    g.t.push_back(grid_.end_of(s.step));
    g.id.push_back(s.index);
  }
  pending_bytes_ += item.spikes.size() * 16;
  for (FrameBlock& f : item.frames) {
    Report& r = reports_[f.trace];
    r.pending.insert(r.pending.end(), f.values.begin(), f.values.end());
    pending_bytes_ += f.values.size() * sizeof(float);
  }
  end_ = item.end;
}

void Writer::add(SnapshotItem& item) {
  if (!dirty_)
    wall_deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(policy_.wall_seconds));
  dirty_ = true;
  Weights& w = weights_[item.recording];
  w.s.insert(w.s.end(), item.source.begin(), item.source.end());
  w.t.insert(w.t.end(), item.target.begin(), item.target.end());
  w.w.insert(w.w.end(), item.weight.begin(), item.weight.end());
  w.d.insert(w.d.end(), item.delay.begin(), item.delay.end());
  w.pending_times.push_back(item.time);
  w.pending_offsets.push_back(w.synapses + w.s.size());
  pending_bytes_ += item.source.size() * 28;
}

bool Writer::flush_due(Clock::time_point now) const {
  if (!dirty_) return false;
  if (pending_bytes_ >= kPendingBytes) return true;
  if (grid_.time_of(end_ - flushed_end_) >= policy_.model_interval) return true;
  return now >= wall_deadline_;
}

void Writer::append_pending() {
  for (SpikeGroup& g : spikes_) {
    const hsize_t n = g.t.size();
    append(g.timestamps, H5T_NATIVE_DOUBLE, 1, g.written, n, 0, g.t.data(),
           "appending spikes of '" + g.name + "'");
    append(g.node_ids, H5T_NATIVE_UINT64, 1, g.written, n, 0, g.id.data(),
           "appending spikes of '" + g.name + "'");
    g.written += n;
    g.t.clear();
    g.id.clear();
  }
  for (Report& r : reports_) {
    const hsize_t rows = r.neurons == 0 ? 0 : r.pending.size() / r.neurons;
    append(r.data, H5T_NATIVE_FLOAT, 2, r.frames, rows, r.neurons, r.pending.data(),
           "appending frames to '" + r.path + "/data'");
    r.frames += rows;
    r.pending.clear();
  }
  for (Weights& w : weights_) {
    const std::string what = "appending a weight snapshot of '" + w.name + "'";
    const hsize_t n = w.s.size();
    append(w.source, H5T_NATIVE_UINT64, 1, w.synapses, n, 0, w.s.data(), what);
    append(w.target, H5T_NATIVE_UINT64, 1, w.synapses, n, 0, w.t.data(), what);
    append(w.weight, H5T_NATIVE_FLOAT, 1, w.synapses, n, 0, w.w.data(), what);
    append(w.delay, H5T_NATIVE_DOUBLE, 1, w.synapses, n, 0, w.d.data(), what);
    w.synapses += n;
    const hsize_t k = w.pending_times.size();
    append(w.offsets, H5T_NATIVE_UINT64, 1, w.snapshots + 1, k, 0, w.pending_offsets.data(), what);
    append(w.times, H5T_NATIVE_DOUBLE, 1, w.snapshots, k, 0, w.pending_times.data(), what);
    w.snapshots += k;
    w.s.clear();
    w.t.clear();
    w.w.clear();
    w.d.clear();
    w.pending_times.clear();
    w.pending_offsets.clear();
  }
  pending_bytes_ = 0;
}

void Writer::flush() {
  // 1. Bulk data, flushed to the file.
  append_pending();
  for (SpikeGroup& g : spikes_) {
    flush_dataset(g.timestamps, "'/spikes/" + g.name + "/timestamps'");
    flush_dataset(g.node_ids, "'/spikes/" + g.name + "/node_ids'");
  }
  for (Report& r : reports_) flush_dataset(r.data, "'" + r.path + "/data'");
  for (Weights& w : weights_)
    for (hid_t ds : {w.source.get(), w.target.get(), w.weight.get(), w.delay.get(), w.offsets.get(),
                     w.times.get()})
      flush_dataset(ds, "'/weights/" + w.name + "'");
  const std::uint64_t number = flushes.load() + 1;
  kill_point("data", number);

  // 2. The values that say how far the data is valid, never ahead of it.
  for (Report& r : reports_) {
    const auto frames = static_cast<Step>(r.frames);
    const double time[3] = {grid_.time_of(r.interval), grid_.time_of((frames + 1) * r.interval),
                            grid_.time_of(r.interval)};
    rewrite(r.time, H5T_NATIVE_DOUBLE, time, "writing '" + r.path + "/mapping/time'");
    flush_dataset(r.time, "'" + r.path + "/mapping/time'");
  }
  kill_point("traces", number);
  if (!spikes_.empty()) {
    std::vector<std::uint64_t> counts;
    for (const auto& g : spikes_) counts.push_back(g.written);
    rewrite(spike_counts_, H5T_NATIVE_UINT64, counts.data(), "writing spike counts");
    flush_dataset(spike_counts_, "spike counts");
  }
  kill_point("spike_counts", number);
  if (!weights_.empty()) {
    std::vector<std::uint64_t> counts;
    for (const auto& w : weights_) counts.push_back(w.snapshots);
    rewrite(weight_snapshots_, H5T_NATIVE_UINT64, counts.data(), "writing snapshot counts");
    flush_dataset(weight_snapshots_, "snapshot counts");
  }
  kill_point("weight_snapshots", number);
  const double until = grid_.time_of(end_);
  rewrite(simulated_until_, H5T_NATIVE_DOUBLE, &until, "writing simulated_until_ms");
  flush_dataset(simulated_until_, "simulated_until_ms");
  kill_point("until", number);
  check(H5Fflush(file_, H5F_SCOPE_LOCAL), "flushing the file");

  flushed_end_ = end_;
  dirty_ = false;
  flushed_until_ms.store(until);
  flushes.fetch_add(1);
}

void Writer::close(double wall_seconds, bool completed) {
  flush();
  rewrite(wall_time_, H5T_NATIVE_DOUBLE, &wall_seconds, "writing wall_time");
  const std::int8_t done = completed ? 1 : 0;
  const Id boolean = hdf5::bool_enum_type();
  rewrite(completed_, boolean, &done, "writing completed");

  spikes_.clear();
  reports_.clear();
  weights_.clear();
  for (Id* id : {&provenance_, &simulated_until_, &wall_time_, &completed_, &spike_counts_,
                 &weight_snapshots_})
    check(id->reset(), "closing a dataset");
  check(file_.reset(), "closing the file");

  // The closing attributes go in with a plain (non-SWMR) open, now that the session is over.
  Id file(check_id(H5Fopen(path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                   "reopening the file to mark it closed"));
  hdf5::remove_attr_if_exists(file, "wall_time");
  hdf5::remove_attr_if_exists(file, "completed");
  hdf5::write_f64_attr(file, "wall_time", wall_seconds);
  hdf5::write_bool_attr(file, "completed", completed);
  check(file.reset(), "closing the file");
}

void Writer::abandon() {
  spikes_.clear();
  reports_.clear();
  weights_.clear();
  for (Id* id : {&provenance_, &simulated_until_, &wall_time_, &completed_, &spike_counts_,
                 &weight_snapshots_, &file_})
    id->reset();
  H5Eclear2(H5E_DEFAULT);
}

void sort_unique(std::vector<NeuronIndex>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// A weight recording's filter on neuron indices: empty selects every neuron.
bool selects(const std::vector<NeuronIndex>& sorted, NeuronIndex i) {
  return sorted.empty() || std::binary_search(sorted.begin(), sorted.end(), i);
}

}  // namespace

// --- the sink: simulation thread on one side, writer thread on the other ---

struct RecordingFile::Impl {
  std::filesystem::path path;
  Provenance provenance;
  FlushPolicy policy;
  std::vector<WeightRecording> weights;
  std::vector<std::size_t> next_time;  // per weight recording: first time not yet taken

  // Simulation-thread state.
  bool started = false;
  bool finished = false;
  Clock::time_point start_wall;
  std::vector<std::size_t> trace_frames;   // frames handed over per trace
  std::vector<Float32Overflow> overflows;  // per trace; count 0: none
  Step next_begin = 0;
  bool resume = false;  // on_start reopens the file and cuts it back to resume_counts
  RecordedCounts resume_counts;

  // Shared with the writer thread, under `mutex`.
  std::mutex mutex;
  std::condition_variable has_items, has_room;
  std::deque<Item> queue;
  std::size_t queued_bytes = 0;
  bool failed = false;
  bool reported = false;
  std::string error;

  Writer writer;
  std::thread thread;

  std::string name() const { return concat("recording file '", path.string(), "'"); }
  void push(Item item, bool bypass_bounds);
  void throw_if_failed();
  void note_overflows(const Network& net, const TraceFrames& f, const TraceSpec& spec);
  void run_writer();
};

void RecordingFile::Impl::push(Item item, bool bypass_bounds) {
  const std::size_t bytes = item_bytes(item);
  std::unique_lock lock(mutex);
  if (!bypass_bounds)
    has_room.wait(lock, [&] {
      return failed || queue.empty() ||
             (queue.size() < kQueueItems && queued_bytes + bytes <= kQueueBytes);
    });
  queue.push_back(std::move(item));
  queued_bytes += bytes;
  has_items.notify_one();
}

void RecordingFile::Impl::throw_if_failed() {
  std::lock_guard lock(mutex);
  if (failed && !reported) {
    reported = true;
    throw RuntimeError(error);
  }
}

void RecordingFile::Impl::run_writer() {
  hdf5::QuietErrors quiet;
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex);
      const auto ready = [&] { return !queue.empty(); };
      if (!failed && writer.unflushed())
        has_items.wait_until(lock, writer.wall_deadline(), ready);
      else
        has_items.wait(lock, ready);
      if (!queue.empty()) {
        item = std::move(queue.front());
        queue.pop_front();
        queued_bytes -= item_bytes(item);
        has_room.notify_all();
      } else {
        item = WindowItem{-1, {}, {}};  // the wall-time deadline passed: flush below
      }
    }

    const bool finish = std::holds_alternative<FinishItem>(item);
    {
      std::lock_guard lock(mutex);
      if (failed) {
        if (auto* sync = std::get_if<SyncItem>(&item))
          sync->done->set_exception(std::make_exception_ptr(RuntimeError(error)));
        if (finish) return;
        continue;
      }
    }
    try {
      if (auto* w = std::get_if<WindowItem>(&item)) {
        if (w->end >= 0) writer.add(*w);
      } else if (auto* s = std::get_if<SnapshotItem>(&item)) {
        writer.add(*s);
      } else if (auto* sync = std::get_if<SyncItem>(&item)) {
        writer.flush();
        sync->done->set_value(writer.counts());
        continue;
      } else {
        const auto& f = std::get<FinishItem>(item);
        writer.close(f.wall_seconds, f.completed);
        return;
      }
      if (writer.flush_due(Clock::now())) writer.flush();
    } catch (const std::exception& e) {
      writer.abandon();
      std::lock_guard lock(mutex);
      failed = true;
      error = concat(name(), ": ", e.what());
      has_room.notify_all();
      if (auto* sync = std::get_if<SyncItem>(&item))
        sync->done->set_exception(std::make_exception_ptr(RuntimeError(error)));
      if (finish) return;
    }
  }
}

RecordingFile::RecordingFile(std::filesystem::path path, Provenance provenance, FlushPolicy flush,
                             std::vector<WeightRecording> weights)
    : path_(std::move(path)), impl_(std::make_unique<Impl>()) {
  const std::string name = concat("recording file '", path_.string(), "'");
  if (!(flush.model_interval > 0.0) || !std::isfinite(flush.model_interval))
    throw ConfigError(
        concat(name, ": flush model_interval must be > 0 ms, got ", flush.model_interval));
  if (!(flush.wall_seconds > 0.0) || !std::isfinite(flush.wall_seconds))
    throw ConfigError(concat(name, ": flush wall_seconds must be > 0 s, got ", flush.wall_seconds));
  for (std::size_t i = 0; i < weights.size(); ++i) {
    check_name(name + ": weight recording", weights[i].name);
    for (std::size_t j = 0; j < i; ++j)
      if (weights[j].name == weights[i].name)
        throw ConfigError(
            concat(name, ": weight recording '", weights[i].name, "' is given twice"));
    for (const double t : weights[i].times)
      if (!(t >= 0.0) || !std::isfinite(t))
        throw ConfigError(concat(name, ": weight recording '", weights[i].name,
                                 "': snapshot times must be finite and >= 0 ms, got ", t));
    std::sort(weights[i].times.begin(), weights[i].times.end());
    sort_unique(weights[i].sources);  // sorted for binary_search in snapshot_weights
    sort_unique(weights[i].targets);
  }
  impl_->path = path_;
  impl_->provenance = std::move(provenance);
  impl_->policy = flush;
  impl_->weights = std::move(weights);
  impl_->next_time.assign(impl_->weights.size(), 0);
}

RecordingFile::~RecordingFile() {
  if (!impl_->started || impl_->finished) return;
  try {
    finish(std::chrono::duration<double>(Clock::now() - impl_->start_wall).count(), false);
  } catch (...) {
    // A destructor cannot report; the file keeps what was flushed (see recover_file).
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

void RecordingFile::on_start(const Network& net) {
  Impl& m = *impl_;
  if (m.started) return;  // snapshot_weights at time 0 may have started the file already
  if (m.finished) throw ConfigError(concat(m.name(), ": already finished"));

  Layout layout;
  layout.provenance = m.provenance;
  layout.seed = net.options().seed;
  layout.threads = net.threads();
  layout.dt = net.grid().dt();

  std::vector<std::uint32_t> group_of(net.population_count(), 0);
  for (std::uint32_t p = 0; p < net.population_count(); ++p) {
    const PopulationInfo info = net.population_info(p);
    if (!net.is_recording_spikes(p)) continue;
    check_name(m.name() + ": population", info.name);
    group_of[p] = static_cast<std::uint32_t>(layout.spikes.size());
    const Population& pop = net.population(PopulationHandle{p});
    const auto* adapter = dynamic_cast<const Adapter*>(&pop);
    layout.spikes.push_back(
        {info.name, info.size, std::string(pop.model()), adapter && adapter->graded()});
  }

  // One report per trace: /report/<population> if the population has one trace, else
  // /report/<population>/<variable> (a variable recorded again gets _2, _3, ...).
  std::vector<std::size_t> traces_of(net.population_count(), 0);
  for (std::size_t t = 0; t < net.trace_count(); ++t)
    ++traces_of[net.trace_spec({static_cast<std::uint32_t>(t)}).population];
  for (std::size_t t = 0; t < net.trace_count(); ++t) {
    const TraceSpec& spec = net.trace_spec({static_cast<std::uint32_t>(t)});
    const PopulationInfo info = net.population_info(spec.population);
    check_name(m.name() + ": population", info.name);
    ReportLayout r;
    r.path = "/report/" + info.name;
    if (traces_of[spec.population] > 1) {
      std::string leaf = spec.variable;
      for (int k = 2;
           std::any_of(layout.reports.begin(), layout.reports.end(),
                       [&](const ReportLayout& o) { return o.path == r.path + "/" + leaf; });
           ++k)
        leaf = concat(spec.variable, "_", k);
      r.path += "/" + leaf;
    }
    r.variable = spec.variable;
    r.units = std::string(net.population({spec.population}).state_unit(spec.variable));
    r.neurons = spec.neurons;
    r.interval = spec.interval;
    layout.reports.push_back(std::move(r));
  }
  for (const auto& w : m.weights) layout.weights.push_back(w.name);

  m.trace_frames.assign(net.trace_count(), 0);
  m.next_begin = net.now();
  if (m.resume) {
    if (m.resume_counts.step != net.now())
      throw ConfigError(concat(m.name(), ": resuming at step ", m.resume_counts.step,
                               " but the network stands at step ", net.now()));
    if (m.resume_counts.frames.size() == m.trace_frames.size())
      for (std::size_t t = 0; t < m.trace_frames.size(); ++t)
        m.trace_frames[t] = static_cast<std::size_t>(m.resume_counts.frames[t]);
    // Snapshots due up to now were taken before the checkpoint.
    for (std::size_t k = 0; k < m.weights.size(); ++k)
      while (m.next_time[k] < m.weights[k].times.size() &&
             net.grid().nearest_steps(m.weights[k].times[m.next_time[k]]) <= net.now())
        ++m.next_time[k];
  }
  m.start_wall = Clock::now();
  m.writer.set_policy(m.policy, group_of);

  std::promise<void> created;
  std::future<void> result = created.get_future();
  m.thread = std::thread([&m, layout = std::move(layout), created = std::move(created)]() mutable {
    {
      hdf5::QuietErrors quiet;
      try {
        if (m.resume)
          m.writer.reopen(m.path, layout, m.resume_counts);
        else
          m.writer.create(m.path, layout);
      } catch (const std::exception& e) {
        m.writer.abandon();
        created.set_exception(
            std::make_exception_ptr(RuntimeError(concat(m.name(), ": ", e.what()))));
        return;
      }
    }
    created.set_value();
    m.run_writer();
  });
  try {
    result.get();
  } catch (...) {
    m.thread.join();
    m.finished = true;
    throw;
  }
  m.started = true;
}

// Finite doubles that float32 cannot hold become +-inf in the file; they are counted per
// trace (the first one kept) so that the run can say so instead of storing inf silently.
void RecordingFile::Impl::note_overflows(const Network& net, const TraceFrames& f,
                                         const TraceSpec& spec) {
  Impl& m = *this;
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  const std::size_t n = spec.neurons.size();
  for (std::size_t k = 0; k < f.values.size(); ++k) {
    const double x = f.values[k];
    if (!(std::fabs(x) > kFloatMax) || !std::isfinite(x)) continue;
    if (m.overflows.size() <= f.trace) m.overflows.resize(f.trace + 1);
    Float32Overflow& o = m.overflows[f.trace];
    if (o.count++ > 0) continue;
    o.population = net.population_info(spec.population).name;
    o.variable = spec.variable;
    o.neuron = spec.neurons[k % n];
    const Step step = f.first_frame_step + static_cast<Step>(k / n) * spec.interval;
    o.time_ms = net.grid().time_of(step + 1);
    o.value = x;
  }
}

std::vector<Float32Overflow> RecordingFile::float32_overflows() const {
  std::vector<Float32Overflow> out;
  for (const Float32Overflow& o : impl_->overflows)
    if (o.count > 0) out.push_back(o);
  return out;
}

void RecordingFile::on_window(const Network& net, Step begin, Step end,
                              std::span<const SpikeRecord> spikes,
                              std::span<const TraceFrames> traces) {
  Impl& m = *impl_;
  if (!m.started)
    throw ConfigError(concat(m.name(),
                             ": a window arrived before on_start; add the file "
                             "with add_sink before the first run"));
  if (m.finished) throw ConfigError(concat(m.name(), ": a window arrived after finish()"));
  m.throw_if_failed();
  if (begin != m.next_begin)
    throw RuntimeError(
        concat(m.name(), ": window [", begin, ", ", end, ") does not follow step ", m.next_begin));
  m.next_begin = end;

  WindowItem item;
  item.end = end;
  item.spikes.assign(spikes.begin(), spikes.end());
  for (const TraceFrames& f : traces) {
    const TraceSpec& spec = net.trace_spec({static_cast<std::uint32_t>(f.trace)});
    const Step expected = static_cast<Step>(m.trace_frames[f.trace] + 1) * spec.interval - 1;
    if (f.first_frame_step != expected)
      throw RuntimeError(concat(m.name(), ": trace ", f.trace, " frame at step ",
                                f.first_frame_step, ", expected step ", expected));
    m.trace_frames[f.trace] += f.frames;
    FrameBlock block{f.trace, f.frames, {}};
    block.values.assign(f.values.begin(), f.values.end());  // double -> float32 for the file
    m.note_overflows(net, f, spec);
    item.frames.push_back(std::move(block));
  }
  m.push(std::move(item), false);
}

void RecordingFile::snapshot_weights(const Network& net) {
  Impl& m = *impl_;
  if (m.finished) throw ConfigError(concat(m.name(), ": snapshot_weights after finish()"));
  if (!net.built())
    throw ConfigError(concat(m.name(),
                             ": snapshot_weights needs a built network; call "
                             "net.build() before a snapshot at time 0"));
  if (!m.started) on_start(net);
  m.throw_if_failed();

  const double now_ms = net.grid().start_of(net.now());
  for (std::size_t k = 0; k < m.weights.size(); ++k) {
    const WeightRecording& w = m.weights[k];
    std::size_t& next = m.next_time[k];
    bool due = false;
    while (next < w.times.size() && net.grid().nearest_steps(w.times[next]) <= net.now()) {
      ++next;
      due = true;
    }
    if (!due) continue;
    SnapshotItem item;
    item.recording = k;
    item.time = now_ms;
    struct Row {
      NeuronIndex source, target;
      float weight;
      Step delay;
    };
    std::vector<Row> rows;
    net.for_each_synapse(w.projection, [&](NeuronIndex s, NeuronIndex t, float weight, Step d) {
      if (selects(w.sources, s) && selects(w.targets, t)) rows.push_back({s, t, weight, d});
    });
    // The storage order depends on the partition count (which follows the thread count);
    // sorted by (source, target, delay) it does not: synapses equal in all three share a
    // partition and a delay group, where they keep the order in which they were generated.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      if (a.source != b.source) return a.source < b.source;
      if (a.target != b.target) return a.target < b.target;
      return a.delay < b.delay;
    });
    for (const Row& r : rows) {
      item.source.push_back(r.source);
      item.target.push_back(r.target);
      item.weight.push_back(r.weight);
      item.delay.push_back(net.grid().time_of(r.delay));
    }
    m.push(std::move(item), false);
  }
}

void RecordingFile::finish(double wall_seconds, bool completed) {
  Impl& m = *impl_;
  if (!m.started || m.finished) return;
  m.finished = true;
  m.push(FinishItem{wall_seconds, completed}, true);
  m.thread.join();
  m.throw_if_failed();
}

RecordedCounts RecordingFile::sync() {
  Impl& m = *impl_;
  if (!m.started || m.finished) throw ConfigError(concat(m.name(), ": sync needs a running file"));
  m.throw_if_failed();
  std::promise<RecordedCounts> done;
  std::future<RecordedCounts> counts = done.get_future();
  m.push(SyncItem{&done}, true);
  try {
    return counts.get();
  } catch (...) {
    std::lock_guard lock(m.mutex);
    m.reported = true;  // thrown here; finish() need not throw it again
    throw;
  }
}

void RecordingFile::resume_from(RecordedCounts counts) {
  Impl& m = *impl_;
  if (m.started) throw ConfigError(concat(m.name(), ": resume_from after the file was started"));
  m.resume = true;
  m.resume_counts = std::move(counts);
}

std::uint64_t RecordingFile::flushes() const {
  return impl_->writer.flushes.load();
}
double RecordingFile::flushed_until_ms() const {
  return impl_->writer.flushed_until_ms.load();
}

}  // namespace spikeflow::io
