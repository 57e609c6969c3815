// Checkpoint files (io/checkpoint.hpp): the HDF5 store behind StateWriter/StateReader, the
// run facts, and the atomic write (PATH.tmp, fsync, rename, fsync of the directory).
#include "io/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "engine/error.hpp"
#include "io/hdf5_detail.hpp"
#include "io/version.hpp"

namespace spikeflow::io {

namespace {

using hdf5::check;
using hdf5::check_id;
using hdf5::Id;
namespace fs = std::filesystem;

constexpr std::uint64_t kFileFormat = 1;

template <typename T>
hid_t native_type();
template <>
hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}

template <typename T>
hid_t file_type();
template <>
hid_t file_type<double>() {
  return H5T_IEEE_F64LE;
}
template <>
hid_t file_type<float>() {
  return H5T_IEEE_F32LE;
}
template <>
hid_t file_type<std::int64_t>() {
  return H5T_STD_I64LE;
}
template <>
hid_t file_type<std::uint64_t>() {
  return H5T_STD_U64LE;
}

// The test hook's limit: how many arrays may be written before the process aborts.
long abort_after_arrays() {
  const char* v = std::getenv("SPIKEFLOW_CHECKPOINT_ABORT_AFTER");
  return v && *v ? std::strtol(v, nullptr, 10) : -1;
}

// Writes each array as a dataset under a root group, creating the groups of its path.
class Hdf5StateWriter final : public StateWriter {
 public:
  Hdf5StateWriter(hid_t root, long abort_after) : root_(root), abort_after_(abort_after) {
    lcpl_ = Id(check_id(H5Pcreate(H5P_LINK_CREATE), "creating link properties"));
    check(H5Pset_create_intermediate_group(lcpl_, 1), "creating link properties");
  }
  void write(const std::string& path, std::span<const double> v) override { put(path, v); }
  void write(const std::string& path, std::span<const float> v) override { put(path, v); }
  void write(const std::string& path, std::span<const std::int64_t> v) override { put(path, v); }
  void write(const std::string& path, std::span<const std::uint64_t> v) override { put(path, v); }

 private:
  template <typename T>
  void put(const std::string& path, std::span<const T> values) {
    const std::string what = "writing '" + path + "'";
    const hsize_t n = values.size();
    Id space(check_id(H5Screate_simple(1, &n, nullptr), what));
    Id ds(check_id(
        H5Dcreate2(root_, path.c_str(), file_type<T>(), space, lcpl_, H5P_DEFAULT, H5P_DEFAULT),
        what));
    if (n > 0)
      check(H5Dwrite(ds, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), what);
    if (abort_after_ >= 0 && ++written_ >= abort_after_) {
      // The test hook: leave PATH.tmp half written, as SIGKILL would.
      H5Fflush(root_, H5F_SCOPE_GLOBAL);
      std::abort();
    }
  }

  hid_t root_;
  Id lcpl_;
  long abort_after_;
  long written_ = 0;
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void write_run(hid_t file, const Network& net, const CheckpointRun& run) {
  Id group(check_id(H5Gcreate2(file, "run", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                    "creating group '/run'"));
  hdf5::write_string_attr(group, "model_text", run.model_text);
  hdf5::write_string_attr(group, "model_source", run.model_source);
  hdf5::write_string_attr(group, "model_path", run.model_path);
  hdf5::write_string_attr(group, "command_line", run.command_line);
  hdf5::write_string_attr(group, "output", run.output);
  hdf5::write_string_attr(group, "checkpoint_path", run.checkpoint_path);
  hdf5::write_string_attr(group, "written", utc_now());
  hdf5::write_f64_attr(group, "time_ms", net.grid().time_of(net.now()));

  Hdf5StateWriter out(group, -1);
  const StateSection facts(out, "");
  facts.write_scalar<double>("duration_ms", run.duration_ms);
  facts.write_scalar<double>("flush_interval", run.flush_interval);
  facts.write_scalar<double>("flush_wall_seconds", run.flush_wall_seconds);
  facts.write_scalar<double>("checkpoint_every_ms", run.checkpoint_every_ms);
  facts.write_scalar<double>("dt", net.grid().dt());
  facts.write_scalar<std::uint64_t>("seed", net.options().seed);
  facts.write_scalar<std::int64_t>("step", net.now());
  const StateSection recorded = facts.section("recorded");
  recorded.write_scalar<std::int64_t>("step", run.recorded.step);
  recorded.write("spikes", run.recorded.spikes);
  recorded.write("frames", run.recorded.frames);
  recorded.write("snapshots", run.recorded.snapshots);
  recorded.write("synapses", run.recorded.synapses);
}

// fsync of a file or directory by path; the message names it.
void sync_path(const fs::path& path, bool directory) {
  const int fd = open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0)
    throw RuntimeError(
        concat("checkpoint '", path.string(), "': cannot open to sync: ", std::strerror(errno)));
  const int status = fsync(fd);
  const int error = errno;
  close(fd);
  if (status != 0)
    throw RuntimeError(concat("checkpoint '", path.string(), "': fsync: ", std::strerror(error)));
}

}  // namespace

void write_checkpoint(const fs::path& path, const Network& net, const CheckpointRun& run) {
  const fs::path temporary = path.string() + ".tmp";
  const std::string name = concat("checkpoint '", path.string(), "'");
  {
    hdf5::QuietErrors quiet;
    try {
      Id fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating file access properties"));
      check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST),
            "choosing the file format");
      Id file(check_id(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl),
                       "creating '" + temporary.string() + "'"));
      hdf5::write_u64_attr(file, "format", kFileFormat);
      hdf5::write_string_attr(file, "simulator", "spikeflow");
      hdf5::write_string_attr(file, "engine_version", engine_version());
      write_run(file, net, run);
      {
        Id state(check_id(H5Gcreate2(file, "state", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                          "creating group '/state'"));
        Hdf5StateWriter out(state, abort_after_arrays());
        net.save_state(out);
      }
      check(file.reset(), "closing '" + temporary.string() + "'");
    } catch (const hdf5::Failure& e) {
      std::error_code ec;
      fs::remove(temporary, ec);
      throw RuntimeError(concat(name, ": ", e.what()));
    }
  }
  // On disk before it replaces the previous checkpoint, and the rename itself on disk after.
  sync_path(temporary, false);
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) throw RuntimeError(concat(name, ": renaming '", temporary.string(), "': ", ec.message()));
  sync_path(path.parent_path().empty() ? fs::path(".") : path.parent_path(), true);
}

// --- reading ---

struct CheckpointFile::Impl {
  Id file;
  Id state;
  Id run;
  std::string name;

  Id open(hid_t root, const std::string& path) const {
    if (!hdf5::link_exists(root, path.c_str()))
      throw ConfigError(concat(name, ": no state '", path, "'"));
    return Id(check_id(H5Dopen2(root, path.c_str(), H5P_DEFAULT), "opening '" + path + "'"));
  }

  template <typename T>
  void read(hid_t root, const std::string& path, std::span<T> out) const {
    hdf5::QuietErrors quiet;
    try {
      Id ds = open(root, path);
      Id type(check_id(H5Dget_type(ds), "reading '" + path + "'"));
      if (H5Tequal(type, file_type<T>()) <= 0)
        throw ConfigError(concat(name, ": '", path, "' has another element type"));
      const hsize_t n = hdf5::length(ds);
      if (n != out.size())
        throw ConfigError(
            concat(name, ": '", path, "' holds ", n, " values, the network needs ", out.size()));
      if (n > 0)
        check(H5Dread(ds, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
              "reading '" + path + "'");
    } catch (const hdf5::Failure& e) {
      throw RuntimeError(concat(name, ": ", e.what()));
    }
  }

  template <typename T>
  T scalar(const std::string& path) const {
    T value{};
    read(run, path, std::span<T>(&value, 1));
    return value;
  }
  std::vector<std::uint64_t> vector(const std::string& path) const {
    Id ds = open(run, path);
    std::vector<std::uint64_t> values(hdf5::length(ds));
    read(run, path, std::span<std::uint64_t>(values));
    return values;
  }
  std::string text(const char* attribute) const {
    const auto values = hdf5::read_string_array_attr(run, attribute);
    return values.empty() ? std::string() : values.front();
  }
};

CheckpointFile::CheckpointFile(const fs::path& path)
    : path_(path), impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.name = concat("checkpoint '", path.string(), "'");
  hdf5::QuietErrors quiet;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw RuntimeError(concat(m.name, ": no such file"));
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw RuntimeError(concat(m.name, ": not an HDF5 file"));
  }
  try {
    m.file = Id(check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "opening"));
    if (!hdf5::link_exists(m.file, "run") || !hdf5::link_exists(m.file, "state"))
      throw RuntimeError(concat(m.name, ": not a spikeflow checkpoint (no /run and /state)"));
    m.run = Id(check_id(H5Gopen2(m.file, "run", H5P_DEFAULT), "opening '/run'"));
    m.state = Id(check_id(H5Gopen2(m.file, "state", H5P_DEFAULT), "opening '/state'"));
    const auto version = hdf5::read_string_array_attr(m.file, "engine_version");
    engine_version_ = version.empty() ? std::string() : version.front();
    run_.model_text = m.text("model_text");
    run_.model_source = m.text("model_source");
    run_.model_path = m.text("model_path");
    run_.command_line = m.text("command_line");
    run_.output = m.text("output");
    run_.checkpoint_path = m.text("checkpoint_path");
    run_.duration_ms = m.scalar<double>("duration_ms");
    run_.flush_interval = m.scalar<double>("flush_interval");
    run_.flush_wall_seconds = m.scalar<double>("flush_wall_seconds");
    run_.checkpoint_every_ms = m.scalar<double>("checkpoint_every_ms");
    dt_ = m.scalar<double>("dt");
    seed_ = m.scalar<std::uint64_t>("seed");
    step_ = m.scalar<std::int64_t>("step");
    run_.recorded.step = m.scalar<std::int64_t>("recorded/step");
    run_.recorded.spikes = m.vector("recorded/spikes");
    run_.recorded.frames = m.vector("recorded/frames");
    run_.recorded.snapshots = m.vector("recorded/snapshots");
    run_.recorded.synapses = m.vector("recorded/synapses");
  } catch (const hdf5::Failure& e) {
    throw RuntimeError(concat(m.name, ": ", e.what()));
  }
}

CheckpointFile::~CheckpointFile() = default;

bool CheckpointFile::contains(const std::string& path) const {
  hdf5::QuietErrors quiet;
  return hdf5::link_exists(impl_->state, path.c_str());
}

std::size_t CheckpointFile::size(const std::string& path) const {
  hdf5::QuietErrors quiet;
  try {
    return static_cast<std::size_t>(hdf5::length(impl_->open(impl_->state, path)));
  } catch (const hdf5::Failure& e) {
    throw RuntimeError(concat(impl_->name, ": ", e.what()));
  }
}

void CheckpointFile::read(const std::string& path, std::span<double> out) const {
  impl_->read(impl_->state, path, out);
}
void CheckpointFile::read(const std::string& path, std::span<float> out) const {
  impl_->read(impl_->state, path, out);
}
void CheckpointFile::read(const std::string& path, std::span<std::int64_t> out) const {
  impl_->read(impl_->state, path, out);
}
void CheckpointFile::read(const std::string& path, std::span<std::uint64_t> out) const {
  impl_->read(impl_->state, path, out);
}

}  // namespace spikeflow::io
