// recover_file: makes the file of a killed run open normally and cuts every dataset back to
// what the last completed flush vouched for (docs/output.md, "After a crash").
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <system_error>

#include "engine/error.hpp"
#include "io/hdf5_detail.hpp"
#include "io/hdf5_writer.hpp"

namespace spikeflow::io {

namespace {

using hdf5::check;
using hdf5::check_id;
using hdf5::Id;

Id open_dataset(hid_t location, const std::string& name) {
  return Id(
      check_id(H5Dopen2(location, name.c_str(), H5P_DEFAULT), "opening dataset '" + name + "'"));
}

Id open_group(hid_t location, const std::string& name) {
  return Id(
      check_id(H5Gopen2(location, name.c_str(), H5P_DEFAULT), "opening group '" + name + "'"));
}

std::vector<std::uint64_t> read_u64(hid_t ds, const std::string& what) {
  std::vector<std::uint64_t> values(static_cast<std::size_t>(hdf5::length(ds)));
  if (!values.empty())
    check(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "reading " + what);
  return values;
}

std::uint64_t read_u64_at(hid_t ds, hsize_t index, const std::string& what) {
  Id space(check_id(H5Dget_space(ds), "reading " + what));
  const hsize_t one = 1;
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &index, nullptr, &one, nullptr),
        "reading " + what);
  Id mem(check_id(H5Screate_simple(1, &one, nullptr), "reading " + what));
  std::uint64_t value = 0;
  check(H5Dread(ds, H5T_NATIVE_UINT64, mem, space, H5P_DEFAULT, &value), "reading " + what);
  return value;
}

// Sets the first dimension of a dataset to `rows` if it differs; true if it did.
bool trim(hid_t ds, hsize_t rows, const std::string& what) {
  Id space(check_id(H5Dget_space(ds), "reading the extent of " + what));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1) return false;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "reading the extent of " + what);
  if (dims[0] == rows) return false;
  dims[0] = rows;
  check(H5Dset_extent(ds, dims.data()), "trimming " + what);
  return true;
}

// name -> count from a counter dataset of /provenance and its name-list attribute.
std::map<std::string, std::uint64_t> counters(hid_t file, const char* dataset, const char* names) {
  std::map<std::string, std::uint64_t> result;
  const std::string path = std::string("provenance/") + dataset;
  if (!hdf5::link_exists(file, path.c_str())) return result;
  Id ds = open_dataset(file, path);
  if (H5Aexists(ds, names) <= 0) return result;
  const auto keys = hdf5::read_string_array_attr(ds, names);
  const auto values = read_u64(ds, path);
  for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) result[keys[i]] = values[i];
  return result;
}

double read_f64_at(hid_t ds, hsize_t index, const std::string& what) {
  Id space(check_id(H5Dget_space(ds), "reading " + what));
  const hsize_t one = 1;
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, &index, nullptr, &one, nullptr),
        "reading " + what);
  Id mem(check_id(H5Screate_simple(1, &one, nullptr), "reading " + what));
  double value = 0;
  check(H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, &value), "reading " + what);
  return value;
}

// The number of the first `n` times (non-decreasing: spikes and snapshots are written in
// time order) that are <= until: a binary search with one read per probe, so a long
// recording is not read whole.
hsize_t count_up_to(hid_t times, hsize_t n, double until, const std::string& what) {
  hsize_t lo = 0, hi = n;
  while (lo < hi) {
    const hsize_t mid = lo + (hi - lo) / 2;
    if (read_f64_at(times, mid, what) <= until)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Why every dataset is also cut at simulated_until_ms. A flush writes, in this order, the
// bulk data, the counters (each trace's mapping/time, spike_counts, weight_snapshots) and
// simulated_until_ms last, each flushed before the next; they are separate datasets, so a
// kill between them leaves counters one flush ahead of simulated_until_ms. The data the
// counters vouch for is on disk (it was flushed before them), but the file says it is
// valid only up to simulated_until_ms: trimming to the counters alone kept one flush of
// data past the recorded time. simulated_until_ms, written last, is the commit point; the
// counters still bound the data from above (a torn append past them may hold fill values).
void recover_spikes(hid_t file, double until, std::ostream& report) {
  if (!hdf5::link_exists(file, "spikes")) return;
  const auto flushed = counters(file, "spike_counts", "populations");
  Id root = open_group(file, "spikes");
  for (const auto& name : hdf5::child_names(root)) {
    if (!hdf5::link_exists(root, (name + "/timestamps").c_str()) ||
        !hdf5::link_exists(root, (name + "/node_ids").c_str()))
      continue;
    Id timestamps = open_dataset(root, name + "/timestamps");
    Id node_ids = open_dataset(root, name + "/node_ids");
    const hsize_t n_t = hdf5::length(timestamps);
    const hsize_t n_i = hdf5::length(node_ids);
    hsize_t keep = std::min(n_t, n_i);
    if (const auto it = flushed.find(name); it != flushed.end())
      keep = std::min<hsize_t>(keep, it->second);
    if (!std::isnan(until))
      keep = count_up_to(timestamps, keep, until, "/spikes/" + name + "/timestamps");
    const bool a = trim(timestamps, keep, "/spikes/" + name + "/timestamps");
    const bool b = trim(node_ids, keep, "/spikes/" + name + "/node_ids");
    report << "spikes/" << name << ": " << keep << " spikes";
    if (a || b) report << " (trimmed from " << n_t << " timestamps, " << n_i << " node_ids)";
    report << "\n";
  }
}

// Frames whose time (k * interval, k = 1, 2, ...) is <= until. Frame times and until are
// multiples of dt, so the quotient is an integer or at least 1/interval_steps from one; the
// tolerance covers rounding for intervals up to 10^6 steps.
hsize_t frames_up_to(double until, double interval) {
  const double q = until / interval;
  return static_cast<hsize_t>(std::max(0.0, std::floor(q + 1e-7)));
}

void recover_report(hid_t group, const std::string& path, double until, std::ostream& report) {
  Id data = open_dataset(group, "data");
  Id time = open_dataset(group, "mapping/time");
  double t[3] = {0, 0, 0};
  if (hdf5::length(time) != 3) return;
  check(H5Dread(time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t),
        "reading " + path + "/mapping/time");
  const hsize_t frames_data = hdf5::length(data);
  hsize_t frames = frames_data;
  if (t[2] > 0.0 && t[1] >= t[0])
    frames = std::min<hsize_t>(frames, static_cast<hsize_t>(std::llround((t[1] - t[0]) / t[2])));
  if (t[2] > 0.0 && !std::isnan(until)) frames = std::min(frames, frames_up_to(until, t[2]));
  const bool trimmed = trim(data, frames, path + "/data");
  const double stop = t[0] + static_cast<double>(frames) * t[2];
  const bool fixed = stop != t[1];
  if (fixed) {
    t[1] = stop;
    check(H5Dwrite(time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t),
          "writing " + path + "/mapping/time");
  }
  report << path.substr(1) << ": " << frames << " frames";
  if (trimmed) report << " (trimmed from " << frames_data << ")";
  if (fixed) report << " (mapping/time stop set to " << stop << " ms)";
  report << "\n";
}

void recover_reports(hid_t file, double until, std::ostream& report) {
  if (!hdf5::link_exists(file, "report")) return;
  Id root = open_group(file, "report");
  for (const auto& name : hdf5::child_names(root)) {
    Id population = open_group(root, name);
    if (hdf5::link_exists(population, "data")) {
      recover_report(population, "/report/" + name, until, report);
      continue;
    }
    for (const auto& variable : hdf5::child_names(population)) {
      if (!hdf5::link_exists(population, (variable + "/data").c_str())) continue;
      Id group = open_group(population, variable);
      recover_report(group, "/report/" + name + "/" + variable, until, report);
    }
  }
}

void recover_weights(hid_t file, double until, std::ostream& report) {
  if (!hdf5::link_exists(file, "weights")) return;
  const auto flushed = counters(file, "weight_snapshots", "projections");
  Id root = open_group(file, "weights");
  for (const auto& name : hdf5::child_names(root)) {
    Id g = open_group(root, name);
    const char* arrays[] = {"source", "target", "weight", "delay"};
    bool complete = hdf5::link_exists(g, "times") && hdf5::link_exists(g, "offsets");
    for (const char* a : arrays) complete = complete && hdf5::link_exists(g, a);
    if (!complete) continue;
    Id times = open_dataset(g, "times");
    Id offsets = open_dataset(g, "offsets");
    const std::string where = "/weights/" + name;
    hsize_t snapshots = hdf5::length(times);
    const hsize_t n_offsets = hdf5::length(offsets);
    if (n_offsets == 0) continue;
    snapshots = std::min(snapshots, n_offsets - 1);
    if (const auto it = flushed.find(name); it != flushed.end())
      snapshots = std::min<hsize_t>(snapshots, it->second);
    if (!std::isnan(until)) snapshots = count_up_to(times, snapshots, until, where + "/times");
    hsize_t synapses = read_u64_at(offsets, snapshots, where + "/offsets");
    std::vector<Id> data;
    for (const char* a : arrays) {
      data.push_back(open_dataset(g, a));
      synapses = std::min(synapses, hdf5::length(data.back()));
    }
    bool trimmed = trim(times, snapshots, where + "/times");
    trimmed = trim(offsets, snapshots + 1, where + "/offsets") || trimmed;
    for (std::size_t i = 0; i < data.size(); ++i)
      trimmed = trim(data[i], synapses, where + "/" + arrays[i]) || trimmed;
    report << "weights/" << name << ": " << snapshots << " snapshots, " << synapses
           << " synapse records" << (trimmed ? " (trimmed)" : "") << "\n";
  }
}

std::string recover(const std::filesystem::path& path) {
  std::ostringstream report;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw hdf5::Failure("no such file");

  // A plain open succeeds only if the writer closed the file.
  bool was_open = true;
  {
    const hid_t probe = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (probe >= 0) {
      was_open = false;
      H5Fclose(probe);
    }
    H5Eclear2(H5E_DEFAULT);
  }

  // What `h5clear -s --increment` does: open ignoring the superblock's status flags and the
  // end-of-file check, then move the end of allocated space past everything on disk.
  Id fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "creating file access properties"));
  if (was_open) {
    hbool_t yes = true;
    check(H5Pset(fapl, "clear_status_flags", &yes), "asking to clear the status flags");
    if (H5Pexist(fapl, "skip_eof_check") > 0)
      check(H5Pset(fapl, "skip_eof_check", &yes), "asking to skip the end-of-file check");
  }
  Id file(check_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), "opening the file"));
  if (was_open) {
    haddr_t eoa = 0;
    check(H5Fget_eoa(file, &eoa), "reading the end of allocated space");
    const auto eof = std::filesystem::file_size(path);
    if (eoa != eof) check(H5Fincrement_filesize(file, hsize_t{1} << 20), "extending the file");
    report << "cleared the open-for-write flag left by the writer\n";
  } else {
    report << "the file was closed properly\n";
  }

  double until = std::numeric_limits<double>::quiet_NaN();
  if (hdf5::link_exists(file, "provenance/simulated_until_ms")) {
    Id ds = open_dataset(file, "provenance/simulated_until_ms");
    check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &until),
          "reading simulated_until_ms");
  }
  recover_spikes(file, until, report);
  recover_reports(file, until, report);
  recover_weights(file, until, report);
  if (!std::isnan(until)) report << "valid up to " << until << " ms of model time\n";
  const htri_t has_completed = H5Aexists(file, "completed");
  check(has_completed, "looking up attribute 'completed'");
  if (has_completed == 0) {
    // The writer never reached finish(): say so in the file itself.
    hdf5::write_bool_attr(file, "completed", false);
    hdf5::write_bool_attr(file, "recovered", true);
    report << "marked as not completed (the run did not finish)\n";
  }
  check(file.reset(), "closing the file");
  return report.str();
}

}  // namespace

std::string recover_file(const std::filesystem::path& path) {
  hdf5::QuietErrors quiet;
  try {
    return recover(path);
  } catch (const hdf5::Failure& e) {
    throw RuntimeError(concat("recording file '", path.string(), "': ", e.what()));
  }
}

}  // namespace spikeflow::io
