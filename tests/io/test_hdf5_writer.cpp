// Tests of io/hdf5_writer.hpp: the recording file's layout (SONATA spike and frame reports,
// weight snapshots, provenance), its flush schedule, error reporting, and recovery of a file
// whose writer was killed with SIGKILL. Files are read back with the HDF5 C API directly,
// not through the writer's helpers.
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "engine/network.hpp"
#include "io/hdf5_writer.hpp"
#include "io/version.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() /
         ("spikeflow_test_hdf5_" + std::to_string(getpid()) + "_" + name + ".h5");
}

// A file name in the temporary directory, removed when the test case ends.
struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& name) : path(temp_file(name)) {}
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

// --- minimal readers over the HDF5 C API ---

struct File {
  hid_t id;
  explicit File(const fs::path& path, bool swmr_read = false) {
    id = H5Fopen(path.c_str(), H5F_ACC_RDONLY | (swmr_read ? H5F_ACC_SWMR_READ : 0u), H5P_DEFAULT);
    REQUIRE(id >= 0);
  }
  ~File() { H5Fclose(id); }
};

bool exists(hid_t file, const std::string& path) {
  std::string prefix;
  std::size_t from = 0;
  while (from <= path.size()) {
    const auto slash = path.find('/', from);
    prefix = path.substr(0, slash);
    if (!prefix.empty() && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    from = slash + 1;
  }
  return true;
}

std::vector<hsize_t> dims_of(hid_t file, const std::string& path) {
  const hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  H5Dclose(ds);
  return dims;
}

template <typename T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type) {
  const hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<T> values(static_cast<std::size_t>(n));
  if (n > 0) REQUIRE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Sclose(space);
  H5Dclose(ds);
  return values;
}

std::vector<double> read_f64(hid_t f, const std::string& p) {
  return read_all<double>(f, p, H5T_NATIVE_DOUBLE);
}
std::vector<std::uint64_t> read_u64(hid_t f, const std::string& p) {
  return read_all<std::uint64_t>(f, p, H5T_NATIVE_UINT64);
}
std::vector<float> read_f32(hid_t f, const std::string& p) {
  return read_all<float>(f, p, H5T_NATIVE_FLOAT);
}

hid_t open_attr(hid_t file, const std::string& object, const std::string& name) {
  const hid_t attr = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  return attr;
}

template <typename T>
std::vector<T> read_attr(hid_t file, const std::string& object, const std::string& name,
                         hid_t mem_type) {
  const hid_t attr = open_attr(file, object, name);
  const hid_t space = H5Aget_space(attr);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Aread(attr, mem_type, values.data()) >= 0);
  H5Sclose(space);
  H5Aclose(attr);
  return values;
}

std::string read_string_attr(hid_t file, const std::string& object, const std::string& name) {
  const hid_t attr = open_attr(file, object, name);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char* text = nullptr;
  REQUIRE(H5Aread(attr, type, &text) >= 0);
  std::string value = text ? text : "";
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(attr);
  return value;
}

// An enum-typed scalar (attribute or dataset) read as its integer value and symbol name.
std::pair<int, std::string> read_enum_attr(hid_t file, const std::string& object,
                                           const std::string& name) {
  const hid_t attr = open_attr(file, object, name);
  const hid_t type = H5Aget_type(attr);
  REQUIRE(H5Tget_class(type) == H5T_ENUM);
  REQUIRE(H5Tget_size(type) == 1);
  std::uint8_t raw = 0;
  REQUIRE(H5Aread(attr, type, &raw) >= 0);
  char symbol[32] = {};
  REQUIRE(H5Tenum_nameof(type, &raw, symbol, sizeof symbol) >= 0);
  H5Tclose(type);
  H5Aclose(attr);
  return {raw, symbol};
}

// Spikes of the expected stream, as the file stores them.
struct Spikes {
  std::vector<double> t;
  std::vector<std::uint64_t> id;
};

Spikes from_network(const Network& net, PopulationHandle p) {
  Spikes s;
  for (const SpikeEvent& e : net.spikes(p)) {
    s.t.push_back(net.grid().end_of(e.step));  // the time formula itself is checked above
    s.id.push_back(e.neuron);
  }
  return s;
}

Spikes from_file(hid_t file, const std::string& population) {
  return {read_f64(file, "/spikes/" + population + "/timestamps"),
          read_u64(file, "/spikes/" + population + "/node_ids")};
}

io::Provenance test_provenance() {
  io::Provenance p;
  p.model_text = "# a model\n[simulation]\nduration = 50\n";
  p.model_path = "models/test.toml";
  p.command_line = "spikeflow run models/test.toml";
  p.ranks = 1;
  return p;
}

}  // namespace

TEST_CASE("hdf5 spike report: SONATA layout with step-derived timestamps and empty populations",
          "[io]") {
  // Requirement: /spikes/<population> for every recorded population (also silent ones),
  // sorting = by_time enum, timestamps exactly the decimal (step+1)/10 ms (dt = 0.1, so the
  // correctly rounded k/10, not k*0.1), 0-based node ids, magic/version.
  const TempFile path_file("spikes");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 3, .threads = 2});
  // Spike times as whole steps k: a spike stamped k*dt; neuron order inside a step by id.
  const std::vector<std::vector<int>> steps = {{10, 25, 73}, {25, 400}, {}, {1}};
  std::vector<std::vector<double>> times(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i)
    for (const int k : steps[i]) times[i].push_back(k * 0.1);
  const auto src = net.add_population("src", models::make_spike_source_array(times));
  const auto silent = net.add_population("silent", models::make_spike_source_array({{}, {}}));
  const auto hidden = net.add_population("hidden", models::make_spike_source_array({{1.0}}));
  const auto lif = net.add_population("lif", models::make_lif_delta(3));
  net.add_input(lif, models::make_dc_input({.amplitude = 500.0}));
  for (const auto p : {src, silent, lif}) net.record_spikes(p);
  (void)hidden;

  io::RecordingFile file(path, test_provenance(), {.model_interval = 7.0});
  net.add_sink(&file);
  net.run(20.0);
  net.run(30.0);  // a second run continues the same datasets
  file.finish(0.5);

  File f(path);
  CHECK(read_attr<std::uint32_t>(f.id, "/", "magic", H5T_NATIVE_UINT32) ==
        std::vector<std::uint32_t>{0x0A7A});
  CHECK(read_attr<std::uint32_t>(f.id, "/", "version", H5T_NATIVE_UINT32) ==
        std::vector<std::uint32_t>{0, 1});
  for (const char* pop : {"src", "silent", "lif"}) {
    INFO(pop);
    REQUIRE(exists(f.id, std::string("/spikes/") + pop + "/timestamps"));
    const auto [value, symbol] = read_enum_attr(f.id, std::string("/spikes/") + pop, "sorting");
    CHECK(value == 2);
    CHECK(symbol == "by_time");
    CHECK(read_string_attr(f.id, std::string("/spikes/") + pop + "/timestamps", "units") == "ms");
  }
  CHECK_FALSE(exists(f.id, "/spikes/hidden"));

  // src: (time, id) sorted by time then id; times from integer steps, compared exactly.
  std::vector<std::pair<int, int>> expected;  // (k, neuron)
  for (std::size_t i = 0; i < steps.size(); ++i)
    for (const int k : steps[i])
      if (k * 0.1 <= 50.0) expected.push_back({k, static_cast<int>(i)});
  std::sort(expected.begin(), expected.end());
  const Spikes s = from_file(f.id, "src");
  REQUIRE(s.t.size() == expected.size());
  REQUIRE(s.id.size() == expected.size());
  for (std::size_t j = 0; j < expected.size(); ++j) {
    CHECK(s.t[j] == static_cast<double>(expected[j].first) / 10.0);
    CHECK(s.id[j] == static_cast<std::uint64_t>(expected[j].second));
  }
  CHECK(dims_of(f.id, "/spikes/silent/timestamps") == std::vector<hsize_t>{0});
  CHECK(dims_of(f.id, "/spikes/silent/node_ids") == std::vector<hsize_t>{0});

  const Spikes l = from_file(f.id, "lif");
  const Spikes ref = from_network(net, lif);
  REQUIRE(ref.t.size() >= 9);
  CHECK(l.t == ref.t);
  CHECK(l.id == ref.id);
  CHECK(std::is_sorted(l.t.begin(), l.t.end()));
}

TEST_CASE("hdf5 frame report: data equals the in-memory trace with SONATA mapping and units",
          "[io]") {
  // Requirement: /report/<population>/{data, mapping/*} per SONATA, float32 frames equal to
  // net.trace(); one variable -> /report/<pop>, several -> /report/<pop>/<variable>.
  const TempFile path_file("report");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 5, .threads = 1});
  const auto a = net.add_population("a", models::make_lif_delta(4));
  net.set_initial_state(a, "V_m", Distribution::uniform(-70.0, -56.0));
  net.add_input(a, models::make_dc_input({.amplitude = 420.0}));
  const auto b = net.add_population("b", models::make_lif_exp(3));
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0, 3.0}}));
  net.connect(src, b, ConnectionRule::all_to_all(),
              {Distribution::constant(50.0), Distribution::constant(0.5)});
  const auto ta = net.record_state(a, "V_m", {0, 2, 3}, 0.5);
  const auto tb1 = net.record_state(b, "V_m", {}, 0.3);
  const auto tb2 = net.record_state(b, "I_syn_ex", {1}, 0.1);

  io::RecordingFile file(path, test_provenance());
  net.add_sink(&file);
  net.run(25.0);
  file.finish(0.1);

  File f(path);
  struct Expect {
    TraceHandle trace;
    std::string group, units, variable;
    std::vector<std::uint64_t> nodes;
    double frame_dt;
  };
  const std::vector<Expect> expects = {
      {ta, "/report/a", "mV", "V_m", {0, 2, 3}, 0.5},
      {tb1, "/report/b/V_m", "mV", "V_m", {0, 1, 2}, 0.3},
      {tb2, "/report/b/I_syn_ex", "pA", "I_syn_ex", {1}, 0.1},
  };
  for (const auto& e : expects) {
    INFO(e.group);
    const Trace& trace = net.trace(e.trace);
    const std::size_t frames = trace.frame_steps.size();
    REQUIRE(frames > 0);
    REQUIRE(dims_of(f.id, e.group + "/data") == std::vector<hsize_t>{frames, e.nodes.size()});
    const auto data = read_f32(f.id, e.group + "/data");
    REQUIRE(data.size() == trace.values.size());
    for (std::size_t i = 0; i < data.size(); ++i)
      CHECK(data[i] == static_cast<float>(trace.values[i]));
    CHECK(read_string_attr(f.id, e.group + "/data", "units") == e.units);
    CHECK(read_string_attr(f.id, e.group + "/data", "variable_name") == e.variable);
    CHECK(read_u64(f.id, e.group + "/mapping/node_ids") == e.nodes);
    std::vector<std::uint64_t> pointers;
    for (std::size_t i = 0; i <= e.nodes.size(); ++i) pointers.push_back(i);
    CHECK(read_u64(f.id, e.group + "/mapping/index_pointers") == pointers);
    CHECK(read_u64(f.id, e.group + "/mapping/index_pointer") == pointers);  // bmtk's name
    CHECK(read_all<std::uint32_t>(f.id, e.group + "/mapping/element_ids", H5T_NATIVE_UINT32) ==
          std::vector<std::uint32_t>(e.nodes.size(), 0));
    const auto time = read_f64(f.id, e.group + "/mapping/time");
    REQUIRE(time.size() == 3);
    CHECK(time[0] == Approx(e.frame_dt).margin(1e-12));
    CHECK(time[2] == Approx(e.frame_dt).margin(1e-12));
    CHECK(std::llround((time[1] - time[0]) / time[2]) == static_cast<long long>(frames));
    CHECK(time[1] == Approx(e.frame_dt * static_cast<double>(frames + 1)).margin(1e-9));
    CHECK(read_string_attr(f.id, e.group + "/mapping/time", "units") == "ms");
    // Frame k is the state at the end of step (k+1)*interval - 1.
    CHECK(trace.frame_steps.front() == std::llround(e.frame_dt / 0.1) - 1);
  }
  CHECK_FALSE(exists(f.id, "/report/src"));
}

TEST_CASE(
    "hdf5 weight snapshots of a synapse subset equal the plastic weights read through the API",
    "[io][stdp]") {
  // Requirement: a weight recording with sources and targets holds, in each snapshot,
  // exactly the synapses with a listed source and a listed target, ordered by (source,
  // target, delay), with the weights for_each_weight gives at that time (rounded to float32).
  const TempFile path_file("weight_subset");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 5, .threads = 2, .partitions = 3});
  models::LifDelta::Params lp;
  lp.E_L = 0, lp.V_th = 20, lp.V_reset = 10, lp.tau_m = 20, lp.t_ref = 2;
  const auto src = net.add_population("src", models::make_lif_delta(40, lp));
  const auto dst = net.add_population("dst", models::make_lif_delta(30, lp));
  const auto proj = net.connect(src, dst, ConnectionRule::pairwise_bernoulli(0.5),
                                {Distribution::uniform(0.2, 0.6), Distribution::uniform(1.0, 3.0)});
  net.set_plasticity(proj, models::make_stdp({}));
  net.add_input(src, models::make_poisson_input({.rate = 15000, .weight = 0.1}));
  net.add_input(dst, models::make_poisson_input({.rate = 12000, .weight = 0.1}));
  net.record_spikes(dst);
  const std::vector<NeuronIndex> sources = {7, 3, 3, 21, 39, 12, 30};  // unsorted, a duplicate
  const std::vector<NeuronIndex> targets = {0, 2, 5, 11, 17, 29};
  io::RecordingFile file(path, test_provenance(), {},
                         {{"sub", proj, {0.0, 200.0, 500.0}, sources, targets},
                          {"by_target", proj, {200.0}, {}, {4}}});
  net.add_sink(&file);
  net.build();

  struct Synapse {
    std::uint64_t s, t;
    float w;
    Step d;
  };
  const auto subset = [&](const std::vector<NeuronIndex>& ss, const std::vector<NeuronIndex>& ts) {
    std::vector<Synapse> out;
    const auto in = [](const std::vector<NeuronIndex>& v, NeuronIndex i) {
      return v.empty() || std::find(v.begin(), v.end(), i) != v.end();
    };
    net.for_each_weight(proj, [&](NeuronIndex s, NeuronIndex t, double w, Step d) {
      if (in(ss, s) && in(ts, t)) out.push_back({s, t, static_cast<float>(w), d});
    });
    std::stable_sort(out.begin(), out.end(), [](const Synapse& a, const Synapse& b) {
      return std::tie(a.s, a.t, a.d) < std::tie(b.s, b.t, b.d);
    });
    return out;
  };
  std::vector<std::vector<Synapse>> expected;
  file.snapshot_weights(net);
  expected.push_back(subset(sources, targets));
  net.run(200.0);
  file.snapshot_weights(net);
  expected.push_back(subset(sources, targets));
  const std::vector<Synapse> by_target = subset({}, {4});
  net.run(300.0);
  file.snapshot_weights(net);
  expected.push_back(subset(sources, targets));
  file.finish(0.1);
  REQUIRE(expected[0].size() >= 10);
  REQUIRE(by_target.size() >= 10);
  // The weights learnt: the last snapshot differs from the first.
  bool changed = false;
  for (std::size_t i = 0; i < expected[0].size(); ++i)
    changed = changed || expected[0][i].w != expected[2][i].w;
  CHECK(changed);

  File f(path);
  const auto check_group = [&](const std::string& g, const std::vector<std::vector<Synapse>>& e) {
    const auto source = read_u64(f.id, g + "/source");
    const auto target = read_u64(f.id, g + "/target");
    const auto weight = read_f32(f.id, g + "/weight");
    const auto offsets = read_u64(f.id, g + "/offsets");
    REQUIRE(offsets.size() == e.size() + 1);
    for (std::size_t k = 0; k < e.size(); ++k) {
      REQUIRE(offsets[k + 1] - offsets[k] == e[k].size());
      for (std::size_t i = 0; i < e[k].size(); ++i) {
        const std::size_t j = offsets[k] + i;
        CHECK(source[j] == e[k][i].s);
        CHECK(target[j] == e[k][i].t);
        CHECK(weight[j] == e[k][i].w);
      }
    }
  };
  CHECK(read_f64(f.id, "/weights/sub/times") == std::vector<double>{0.0, 200.0, 500.0});
  check_group("/weights/sub", expected);
  check_group("/weights/by_target", {by_target});
}

TEST_CASE("hdf5 weight snapshots equal for_each_synapse at each snapshot time", "[io]") {
  // Requirement: /weights/<name>/{source,target,weight,delay} appended per snapshot, with
  // times and offsets (snapshots + 1 entries), rows ordered by (source, target, delay).
  const TempFile path_file("weights");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 11, .threads = 2});
  const auto src = net.add_population(
      "src", models::make_spike_source_array(std::vector<std::vector<double>>(20)));
  const auto dst = net.add_population("dst", models::make_lif_delta(30));
  const auto proj = net.connect(src, dst, ConnectionRule::pairwise_bernoulli(0.3),
                                {Distribution::uniform(0.1, 2.0), Distribution::uniform(0.5, 3.0)});
  net.record_spikes(dst);

  io::RecordingFile file(path, test_provenance(), {},
                         {{"src_to_dst", proj, {0.0, 10.0, 10.0, 25.0}}});
  net.add_sink(&file);
  net.build();
  file.snapshot_weights(net);  // time 0: starts the file
  net.run(10.0);
  file.snapshot_weights(net);  // times 10 and 10 again: one snapshot
  net.run(15.0);
  file.snapshot_weights(net);
  file.snapshot_weights(net);  // nothing left due
  file.finish(0.1);

  struct Synapse {
    std::uint64_t s, t;
    float w;
    double d;
  };
  std::vector<Synapse> expected;
  net.for_each_synapse(proj, [&](NeuronIndex s, NeuronIndex t, float w, Step d) {
    expected.push_back({s, t, w, static_cast<double>(d) / 10.0});
  });
  std::stable_sort(expected.begin(), expected.end(), [](const Synapse& a, const Synapse& b) {
    return std::tie(a.s, a.t, a.d) < std::tie(b.s, b.t, b.d);
  });
  REQUIRE(expected.size() > 50);

  File f(path);
  const std::string g = "/weights/src_to_dst";
  CHECK(read_f64(f.id, g + "/times") == std::vector<double>{0.0, 10.0, 25.0});
  const std::uint64_t n = expected.size();
  CHECK(read_u64(f.id, g + "/offsets") == std::vector<std::uint64_t>{0, n, 2 * n, 3 * n});
  const auto source = read_u64(f.id, g + "/source");
  const auto target = read_u64(f.id, g + "/target");
  const auto weight = read_f32(f.id, g + "/weight");
  const auto delay = read_f64(f.id, g + "/delay");
  REQUIRE(source.size() == 3 * n);
  REQUIRE(target.size() == 3 * n);
  REQUIRE(weight.size() == 3 * n);
  REQUIRE(delay.size() == 3 * n);
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j = k * n + i;
      CHECK(source[j] == expected[i].s);
      CHECK(target[j] == expected[i].t);
      CHECK(weight[j] == expected[i].w);
      CHECK(delay[j] == expected[i].d);
    }
  CHECK(read_string_attr(f.id, g + "/delay", "units") == "ms");
}

TEST_CASE("hdf5 weight snapshots are the same for any partition count", "[io]") {
  // Requirement: the rows of a snapshot (multapses, several delays per source) do not depend
  // on how the targets are split into partitions: 1, 2 and 5 partitions write the same
  // source, target, weight and delay datasets.
  const auto snapshot = [](int partitions) {
    const TempFile path_file("weights_partitions");
    Network net({.dt = 0.1, .seed = 3, .threads = 1, .partitions = partitions});
    const auto src = net.add_population(
        "src", models::make_spike_source_array(std::vector<std::vector<double>>(25)));
    const auto dst = net.add_population("dst", models::make_lif_delta(40));
    const auto proj =
        net.connect(src, dst, ConnectionRule::fixed_indegree(30),
                    {Distribution::uniform(0.1, 2.0), Distribution::uniform(0.5, 3.0)});
    io::RecordingFile file(path_file.path, test_provenance(), {}, {{"w", proj, {0.0}}});
    net.add_sink(&file);
    net.build();
    file.snapshot_weights(net);
    file.finish(0.1);
    File f(path_file.path);
    return std::tuple{read_u64(f.id, "/weights/w/source"), read_u64(f.id, "/weights/w/target"),
                      read_f32(f.id, "/weights/w/weight"), read_f64(f.id, "/weights/w/delay")};
  };
  const auto one = snapshot(1);
  REQUIRE(std::get<0>(one).size() == 40 * 30);
  CHECK(snapshot(2) == one);
  CHECK(snapshot(5) == one);
}

TEST_CASE("hdf5 provenance attributes and completion marks", "[io]") {
  // Requirement: the file explains itself (model text, path, command line, seed, versions,
  // threads, ranks, dt, start time) and says whether the run completed and how long it took.
  const TempFile path_file("provenance");
  const fs::path& path = path_file.path;
  const io::Provenance prov = test_provenance();
  {
    Network net({.dt = 0.05, .seed = 1234, .threads = 1});
    const auto a = net.add_population("a", models::make_lif_delta(2));
    net.record_spikes(a);
    io::RecordingFile file(path, prov);
    net.add_sink(&file);
    net.run(12.5);
    file.finish(3.25, true);
    file.finish(9.0, false);  // a second finish changes nothing
  }
  {
    File f(path);
    CHECK(read_string_attr(f.id, "/", "model_text") == prov.model_text);
    CHECK(read_string_attr(f.id, "/", "model_path") == prov.model_path);
    CHECK(read_string_attr(f.id, "/", "command_line") == prov.command_line);
    CHECK(read_string_attr(f.id, "/", "engine_version") == std::string(io::engine_version()));
    CHECK(read_string_attr(f.id, "/", "git_commit") == std::string(io::git_commit()));
    CHECK(read_attr<std::uint64_t>(f.id, "/", "seed", H5T_NATIVE_UINT64)[0] == 1234);
    CHECK(read_attr<std::int64_t>(f.id, "/", "threads", H5T_NATIVE_INT64)[0] == 1);
    CHECK(read_attr<std::int64_t>(f.id, "/", "ranks", H5T_NATIVE_INT64)[0] == 1);
    CHECK(read_attr<double>(f.id, "/", "dt", H5T_NATIVE_DOUBLE)[0] == 0.05);
    const std::string start = read_string_attr(f.id, "/", "start_time");
    CHECK(start.size() == 20);  // 2024-01-02T03:04:05Z
    CHECK(start.back() == 'Z');
    CHECK(read_attr<double>(f.id, "/", "wall_time", H5T_NATIVE_DOUBLE)[0] == 3.25);
    CHECK(read_enum_attr(f.id, "/", "completed") == std::pair<int, std::string>{1, "TRUE"});
    CHECK(read_f64(f.id, "/provenance/simulated_until_ms") == std::vector<double>{12.5});
    CHECK(read_f64(f.id, "/provenance/wall_time") == std::vector<double>{3.25});
  }

  // A file dropped without finish() is closed by the destructor and marked incomplete.
  {
    Network net({.dt = 0.1, .seed = 1, .threads = 1});
    const auto a = net.add_population("a", models::make_lif_delta(2));
    net.record_spikes(a);
    io::RecordingFile file(path, prov);
    net.add_sink(&file);
    net.run(5.0);
  }
  File f(path);
  CHECK(read_enum_attr(f.id, "/", "completed") == std::pair<int, std::string>{0, "FALSE"});
  CHECK(read_f64(f.id, "/provenance/simulated_until_ms") == std::vector<double>{5.0});
}

TEST_CASE("hdf5 flush schedule: model-time and wall-time bounds", "[io]") {
  // Requirement: unflushed data never covers more than model_interval ms of model time, and
  // waits at most wall_seconds when the simulation pauses.
  const TempFile path_file("flush");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 2, .threads = 1});
  const auto a = net.add_population("a", models::make_lif_delta(5));
  net.add_input(a, models::make_dc_input({.amplitude = 500.0}));
  net.record_spikes(a);
  io::RecordingFile file(path, test_provenance(), {.model_interval = 1e9, .wall_seconds = 0.05});
  net.add_sink(&file);
  net.run(10.0);
  // Nothing more arrives: the wall-time bound alone must produce a flush covering 10 ms.
  for (int i = 0; i < 2000 && file.flushed_until_ms() < 10.0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(file.flushed_until_ms() == 10.0);
  {
    // Readable while the writer is live, through SWMR.
    File f(path, true);
    CHECK(from_file(f.id, "a").t == from_network(net, a).t);
  }
  file.finish(0.0);

  const TempFile path2_file("flush2");
  const fs::path& path2 = path2_file.path;
  Network net2({.dt = 0.1, .seed = 2, .threads = 1});
  const auto b = net2.add_population("b", models::make_lif_delta(5));
  net2.record_spikes(b);
  io::RecordingFile file2(path2, test_provenance(), {.model_interval = 5.0, .wall_seconds = 1e6});
  net2.add_sink(&file2);
  net2.run(50.0);  // windows of 1 ms (no synapses): a flush at least every 5 ms
  file2.finish(0.0);
  CHECK(file2.flushes() >= 10);
}

TEST_CASE("hdf5 errors name the file and the HDF5 reason", "[io]") {
  // Requirement: a file that cannot be created or written fails the run with RuntimeError
  // naming the path; a sink attached after the first run is refused.
  {
    const fs::path bad = fs::temp_directory_path() / "spikeflow_no_such_dir" / "x.h5";
    Network net({.dt = 0.1, .seed = 1, .threads = 1});
    net.record_spikes(net.add_population("a", models::make_lif_delta(2)));
    io::RecordingFile file(bad, test_provenance());
    net.add_sink(&file);
    try {
      net.run(1.0);
      FAIL("expected a RuntimeError");
    } catch (const RuntimeError& e) {
      CHECK_THAT(e.what(), Catch::Contains(bad.string()));
      CHECK_THAT(e.what(), Catch::Contains("creating the file"));
    }
  }
  {
    // A write failing on the writer thread (here: the file-size limit, EFBIG) surfaces as a
    // RuntimeError from a later on_window (inside run) or from finish().
    const TempFile path_file("too_large");
    const fs::path& path = path_file.path;
    rlimit old_limit{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    Network net({.dt = 0.1, .seed = 1, .threads = 1});
    const auto a = net.add_population("a", models::make_lif_delta(1000));
    net.record_state(a, "V_m", {}, 0.1);  // 4 kB per step
    io::RecordingFile file(path, test_provenance(), {.model_interval = 1.0});
    net.add_sink(&file);
    net.build();
    rlimit limit = old_limit;
    limit.rlim_cur = 1 << 20;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    std::string message;
    try {
      net.run(2000.0);
      file.finish(0.0);
    } catch (const RuntimeError& e) {
      message = e.what();
    }
    file.finish(0.0);  // after a reported failure: nothing more to do, no second throw
    setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);
    CHECK_THAT(message, Catch::Contains("recording file '" + path.string() + "'"));
    CHECK_THAT(message, Catch::Contains("File too large"));
    CHECK(net.now() < 20000);  // the run stopped at the failure, long before its end
  }
  {
    Network net({.dt = 0.1, .seed = 1, .threads = 1});
    net.record_spikes(net.add_population("a", models::make_lif_delta(2)));
    net.run(1.0);
    io::RecordingFile file(temp_file("late"), test_provenance());
    net.add_sink(&file);
    CHECK_THROWS_AS(net.run(1.0), ConfigError);
  }
  CHECK_THROWS_AS(io::RecordingFile(temp_file("x"), {}, {.model_interval = 0.0}), ConfigError);
  CHECK_THROWS_AS(io::RecordingFile(temp_file("x"), {}, {}, {{"a/b", {0}, {}}}), ConfigError);
}

TEST_CASE("hdf5 file opens with h5py (and bmtk if installed) after finish", "[io]") {
  // Requirement: a finished file is an ordinary HDF5 file for h5py (no SWMR flag left), and
  // bmtk's SONATA readers load its spikes and its frame report.
  if (std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0) {
    WARN("h5py is not available; skipped");
    return;
  }
  const TempFile path_file("h5py");
  const fs::path& path = path_file.path;
  Network net({.dt = 0.1, .seed = 8, .threads = 1});
  const auto a = net.add_population("exc", models::make_lif_delta(10));
  net.add_input(a, models::make_dc_input({.amplitude = 450.0}));
  net.record_spikes(a);
  net.record_state(a, "V_m", {1, 4}, 1.0);
  io::RecordingFile file(path, test_provenance());
  net.add_sink(&file);
  net.run(30.0);
  file.finish(1.0);
  const std::size_t spikes = net.spikes(a).size();

  const fs::path script =
      fs::temp_directory_path() / ("spikeflow_h5py_" + std::to_string(getpid()) + ".py");
  std::ofstream(script)
      << "import sys, h5py, numpy as np\n"
         "f = h5py.File(sys.argv[1])\n"
         "assert f.attrs['magic'] == 0x0A7A\n"
         "assert list(f.attrs['version']) == [0, 1]\n"
         "assert bool(f.attrs['completed']) is True\n"
         "g = f['spikes/exc']\n"
         "assert h5py.check_enum_dtype(g.attrs.get_id('sorting').dtype)['by_time'] == 2\n"
         "assert g['timestamps'].shape == (int(sys.argv[2]),)\n"
         "assert np.all(np.diff(g['timestamps'][:]) >= 0)\n"
         "assert f['report/exc/data'].shape == (30, 2)\n"
         "assert f['report/exc/data'].attrs['units'] == 'mV'\n"
         "assert list(f['report/exc/mapping/time'][:]) == [1.0, 31.0, 1.0]\n"
         "f.close()\n"
         "try:\n"
         "    from bmtk.utils.reports.spike_trains import SpikeTrains\n"
         "    from bmtk.utils.reports.compartment import CompartmentReport\n"
         "except ImportError:\n"
         "    sys.exit(0)\n"
         "assert len(SpikeTrains.load(sys.argv[1]).to_dataframe()) == int(sys.argv[2])\n"
         "r = CompartmentReport(sys.argv[1], mode='r')\n"
         "assert r.data(population='exc').shape == (30, 2)\n";
  const std::string command =
      "/usr/bin/python3 " + script.string() + " " + path.string() + " " + std::to_string(spikes);
  CHECK(std::system(command.c_str()) == 0);
  fs::remove(script);
}

// --- crash safety ---

namespace {

// The network of the crash test: Poisson-driven, recurrently connected LIF neurons.
struct CrashNet {
  Network net{{.dt = 0.1, .seed = 77, .threads = 1}};
  PopulationHandle exc;
  TraceHandle trace;
  CrashNet() {
    exc = net.add_population("exc", models::make_lif_delta(100));
    net.add_input(exc, models::make_poisson_input({.rate = 8000.0, .weight = 0.25}));
    net.connect(exc, exc, ConnectionRule::pairwise_bernoulli(0.1),
                {Distribution::constant(0.1), Distribution::constant(1.0)});
    net.record_spikes(exc);
    trace = net.record_state(exc, "V_m", {3, 50}, 0.5);
  }
};

constexpr const char* kChildFile = "SPIKEFLOW_TEST_CRASH_FILE";
constexpr const char* kChildPipe = "SPIKEFLOW_TEST_CRASH_PIPE";

}  // namespace

// Run by the crash test in a fresh process (exec of this binary): writes a file with a short
// flush interval and reports through a pipe once a few flushes are done, then keeps running
// until it is killed. Does nothing when run without the environment the parent sets; tagged
// [slow] only so that the default "~[slow]" listing (which shows hidden cases) leaves it out.
TEST_CASE("hdf5 crash child (run by the crash test)", "[.hdf5_crash_child][slow]") {
  const char* file_name = std::getenv(kChildFile);
  const char* pipe_fd = std::getenv(kChildPipe);
  if (!file_name || !pipe_fd) return;
  const int fd = std::atoi(pipe_fd);
  CrashNet c;
  io::RecordingFile file(file_name, test_provenance(),
                         {.model_interval = 5.0, .wall_seconds = 0.2});
  c.net.add_sink(&file);
  bool told = false;
  c.net.run(100000.0, [&](const RunProgress&) {
    if (told || file.flushes() < 4) return;
    const double until = file.flushed_until_ms();
    const auto written = write(fd, &until, sizeof until);
    (void)written;
    told = true;
  });
  file.finish(0.0);
}

namespace {

// Runs the crash child, kills it and checks the recovered file. Without `kill_in_flush`
// the parent sends SIGKILL after the child has done 4 flushes, wherever the writer is; with
// it (the SPIKEFLOW_TEST_KILL_IN_FLUSH hook, "STAGE:N") the child's writer kills itself at
// that point between the writes of its N-th flush.
void crash_and_recover(const char* kill_in_flush) {
  const TempFile path_file("crash");
  const fs::path& path = path_file.path;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only async-signal-safe calls between fork and exec.
    close(fds[0]);
    char fd_text[16];
    std::snprintf(fd_text, sizeof fd_text, "%d", fds[1]);
    setenv(kChildFile, path.c_str(), 1);
    setenv(kChildPipe, fd_text, 1);
    if (kill_in_flush) setenv("SPIKEFLOW_TEST_KILL_IN_FLUSH", kill_in_flush, 1);
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    execl("/proc/self/exe", "spikeflow_tests", "[.hdf5_crash_child]", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  double flushed_until = -1.0;
  const auto got = read(fds[0], &flushed_until, sizeof flushed_until);
  if (!kill_in_flush) kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(fds[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  if (kill_in_flush) {
    if (got != static_cast<ssize_t>(sizeof flushed_until)) flushed_until = 0.0;  // died first
  } else {
    REQUIRE(got == static_cast<ssize_t>(sizeof flushed_until));
    REQUIRE(flushed_until >= 20.0);
  }

  // The killed writer left the file marked as open for writing.
  {
    H5E_auto2_t func;
    void* data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t plain = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    CHECK(plain < 0);
    if (plain >= 0) H5Fclose(plain);
  }

  const std::string report = io::recover_file(path);
  INFO(report);
  CHECK_THAT(report, Catch::Contains("cleared"));

  double until = 0.0;
  Spikes recovered;
  std::vector<float> frames;
  std::vector<double> time;
  {
    File f(path);  // a plain open works now
    until = read_f64(f.id, "/provenance/simulated_until_ms").at(0);
    recovered = from_file(f.id, "exc");
    frames = read_f32(f.id, "/report/exc/data");
    time = read_f64(f.id, "/report/exc/mapping/time");
    CHECK(read_enum_attr(f.id, "/", "completed").first == 0);
  }
  REQUIRE(until >= flushed_until);

  // An uninterrupted run of the same network up to the recovered time: its spikes and
  // frames must be exactly what the file holds.
  CrashNet reference;
  reference.net.run(until);
  const Spikes expected = from_network(reference.net, reference.exc);
  REQUIRE(expected.t.size() > 50);
  CHECK(recovered.t == expected.t);
  CHECK(recovered.id == expected.id);
  const Trace& trace = reference.net.trace(reference.trace);
  REQUIRE(frames.size() == trace.values.size());
  for (std::size_t i = 0; i < frames.size(); ++i)
    CHECK(frames[i] == static_cast<float>(trace.values[i]));
  CHECK(std::llround((time[1] - time[0]) / time[2]) ==
        static_cast<long long>(trace.frame_steps.size()));

  // Recovering again changes nothing.
  const std::string again = io::recover_file(path);
  CHECK_THAT(again, Catch::Contains("closed properly"));
  CHECK_THAT(again, !Catch::Contains("trimmed"));
  {
    File f(path);
    CHECK(from_file(f.id, "exc").t == recovered.t);
    CHECK(read_f32(f.id, "/report/exc/data") == frames);
  }
}

}  // namespace

TEST_CASE("hdf5 crash safety: after SIGKILL recover_file keeps every flushed spike", "[io]") {
  // Requirement: after SIGKILL the file holds every spike and frame up to the last flush;
  // recover_file makes it open normally, trims it to a consistent prefix, and is idempotent.
  crash_and_recover(nullptr);
}

TEST_CASE("hdf5 crash safety at every kill point between the writes of a flush", "[io]") {
  // Requirement: the invariant above holds wherever in a flush the kill lands. The hook
  // kills the writer after the data, after the traces' mapping/time, after spike_counts
  // (the reported flaky case: counts one flush ahead of simulated_until_ms), after
  // weight_snapshots and after simulated_until_ms, in its 12th flush (about 60 ms).
  for (const char* point :
       {"data:12", "traces:12", "spike_counts:12", "weight_snapshots:12", "until:12"}) {
    INFO("killed at " << point);
    crash_and_recover(point);
  }
}
