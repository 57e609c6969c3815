// Checkpoints of networks with adapters (engine/checkpoint.cpp, models/rate.hpp,
// models/converters.hpp, models/module_adapter.hpp, models/dnn/*): examples/mixed.toml and a
// network with an LSTM module, saved mid-interval, loaded into a freshly built network and
// continued, give the uninterrupted run's spikes and adapter traces bit for bit; every piece
// of hidden adapter state is needed (a checkpoint without it diverges); a module that cannot
// save its state makes the save fail naming it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/state_io.hpp"
#include "io/checkpoint.hpp"
#include "io/model_file.hpp"
#include "models/converters.hpp"
#include "models/dnn/recurrent.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/module_adapter.hpp"
#include "models/rate.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "examples";

struct Outcome {
  std::vector<std::vector<SpikeEvent>> spikes;
  std::vector<Trace> traces;
};

Outcome outcome_of(const Network& net) {
  Outcome o;
  for (std::uint32_t p = 0; p < net.population_count(); ++p)
    if (net.is_recording_spikes(p)) o.spikes.push_back(net.spikes({p}));
  for (std::uint32_t t = 0; t < net.trace_count(); ++t) o.traces.push_back(net.trace({t}));
  return o;
}

void require_identical(const Outcome& a, const Outcome& b) {
  REQUIRE(a.spikes.size() == b.spikes.size());
  for (std::size_t p = 0; p < a.spikes.size(); ++p) CHECK(a.spikes[p] == b.spikes[p]);
  REQUIRE(a.traces.size() == b.traces.size());
  for (std::size_t t = 0; t < a.traces.size(); ++t) {
    INFO("trace " << t);
    CHECK(a.traces[t].frame_steps == b.traces[t].frame_steps);
    CHECK(a.traces[t].values == b.traces[t].values);  // doubles compared exactly
  }
}

bool differs(const Outcome& a, const Outcome& b) {
  if (a.spikes != b.spikes) return true;
  for (std::size_t t = 0; t < a.traces.size(); ++t)
    if (a.traces[t].values != b.traces[t].values) return true;
  return false;
}

// A reader that leaves the arrays it lacks as they are, as a checkpoint that forgot them
// would; the strict MemoryState refuses such a checkpoint instead.
class LenientReader final : public StateReader {
 public:
  explicit LenientReader(const MemoryState& state) : state_(state) {}
  bool contains(const std::string& path) const override { return state_.contains(path); }
  std::size_t size(const std::string& path) const override { return state_.size(path); }
  void read(const std::string& p, std::span<double> out) const override { get(p, out); }
  void read(const std::string& p, std::span<float> out) const override { get(p, out); }
  void read(const std::string& p, std::span<std::int64_t> out) const override { get(p, out); }
  void read(const std::string& p, std::span<std::uint64_t> out) const override { get(p, out); }

 private:
  template <typename T>
  void get(const std::string& path, std::span<T> out) const {
    if (state_.contains(path)) state_.read(path, out);
  }
  const MemoryState& state_;
};

MemoryState without(const MemoryState& full, const std::string& forgotten) {
  MemoryState partial;
  for (const auto& [path, array] : full.arrays()) {
    if (path.find(forgotten) != std::string::npos) continue;
    std::visit([&, p = path](const auto& v) { partial.write(p, std::span(v.data(), v.size())); },
               array);
  }
  return partial;
}

// examples/mixed.toml, 400 ms. 251.1 ms falls inside the adapters' 1 ms update intervals
// (the partial input sums are state) and the R -> DRIVEN current ring holds current ahead.
constexpr double kMixedDuration = 400.0;
constexpr double kMixedSplit = 251.1;

io::LoadedModel load_mixed(const std::vector<io::Override>& extra, int threads) {
  std::vector<io::Override> overrides = {{"simulation.duration", "400"},
                                         {"simulation.threads", std::to_string(threads)}};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return io::load_model_file(kExamples / "mixed.toml", overrides);
}

}  // namespace

TEST_CASE("examples/mixed.toml saved mid-interval and resumed equals the uninterrupted run",
          "[io][adapter][determinism]") {
  // Requirement (issue 7): spikes byte-identical and adapter traces equal after a resume,
  // for 1 and 2 threads, with the exponential and the box filter of spikes_to_rates.
  const std::vector<std::vector<io::Override>> variants = {
      {},
      {{"populations.1.params.filter", "\"box\""}, {"populations.1.params.window", "\"30 ms\""}}};
  for (const auto& variant : variants) {
    INFO((variant.empty() ? "exponential filter" : "box filter"));
    io::LoadedModel whole = load_mixed(variant, 1);
    whole.network->run(kMixedDuration);
    const Outcome reference = outcome_of(*whole.network);
    REQUIRE(reference.traces.size() >= 2);
    // E, R2S, OUT and DRIVEN spike (the graded adapters record no spikes).
    const auto busy = std::count_if(reference.spikes.begin(), reference.spikes.end(),
                                    [](const auto& s) { return s.size() > 10; });
    REQUIRE(busy == 4);

    MemoryState saved;
    {
      io::LoadedModel first = load_mixed(variant, 2);
      first.network->run(kMixedSplit);
      first.network->save_state(saved);
    }
    for (const int threads : {1, 2}) {
      INFO(threads << " threads at resume");
      io::LoadedModel m = load_mixed(variant, threads);
      m.network->load_state(saved);
      m.network->run(kMixedDuration - kMixedSplit);
      require_identical(reference, outcome_of(*m.network));
    }

    // Each piece of hidden adapter state acts on the continuation: without it the run
    // differs (so the comparison above can see it), and the strict reader refuses.
    std::vector<std::string> pieces = {"ring_current", "S2R/model/filtered", "R/model/sum",
                                       "R2S/model/p"};
    if (!variant.empty()) pieces.push_back("S2R/model/history");
    for (const std::string& forgotten : pieces) {
      INFO("checkpoint without " << forgotten);
      const MemoryState partial = without(saved, forgotten);
      io::LoadedModel strict = load_mixed(variant, 1);
      CHECK_THROWS_WITH(strict.network->load_state(partial), Catch::Contains(forgotten));
      io::LoadedModel lenient = load_mixed(variant, 1);
      lenient.network->load_state(LenientReader(partial));
      lenient.network->run(kMixedDuration - kMixedSplit);
      CHECK(differs(reference, outcome_of(*lenient.network)));
    }
  }
}

namespace {

// Poisson-driven LIF -> spikes_to_rates -> LSTM module adapter (hidden 6), its output
// recorded. Tensors from a closed formula (values in [-0.5, 0.5]).
dnn::RecurrentTensors lstm_tensors(std::size_t in, std::size_t hidden) {
  const auto fill = [](std::size_t n, double phase) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = 0.5 * std::sin(1.7 * static_cast<double>(i) + phase);
    return v;
  };
  return {fill(4 * hidden * in, 0.1), fill(4 * hidden * hidden, 0.7), fill(4 * hidden, 1.3),
          fill(4 * hidden, 2.1)};
}

// A module with hidden state that implements no save_state.
class Counter final : public dnn::Module {
 public:
  std::string_view kind() const override { return "counter"; }
  std::size_t input_size() const override { return 1; }
  std::size_t output_size() const override { return 1; }
  void forward(std::span<const double>, std::span<double> y) override { y[0] = ++count_; }

 private:
  double count_ = 0;
};

void build_lstm_network(Network& net, bool counter = false) {
  models::LifDelta::Params lif;
  lif.E_L = 0, lif.V_th = 20, lif.V_reset = 10, lif.tau_m = 20;
  const NeuronIndex n = 12;
  auto in = net.add_population("in", models::make_lif_delta(n, lif));
  net.set_initial_state(in, "V_m", Distribution::uniform(0.0, 20.0));
  net.add_input(in, models::make_poisson_input({.rate = 1500.0, .weight = 1.0}));
  models::SpikesToRatesParams filter;
  filter.update_interval = 1.0;
  auto s2r = net.add_population("s2r", models::make_spikes_to_rates(n, filter));
  std::unique_ptr<dnn::Module> module;
  if (counter)
    module = std::make_unique<Counter>();
  else
    module = std::make_unique<dnn::Lstm>(n, 6, lstm_tensors(n, 6));
  auto cell = net.add_population("cell", models::make_module_adapter(std::move(module), 1.0));
  const SynapseSpec one{.weight = Distribution::constant(1.0),
                        .delay = Distribution::constant(1.0)};
  net.connect(in, s2r, ConnectionRule::one_to_one(), one);
  net.connect(s2r, cell, counter ? ConnectionRule::all_to_all() : ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(0.02), .delay = Distribution::constant(1.0)});
  net.record_spikes(in);
  net.record_state(cell, "y", {}, 1.0);
}

}  // namespace

TEST_CASE("an LSTM module adapter saved and resumed equals the uninterrupted run",
          "[io][adapter][determinism]") {
  // Requirement: a module with hidden state (the LSTM's h and c) is continued exactly; a
  // checkpoint without h or c diverges; a module that cannot save its state makes
  // save_state fail with the module's name.
  Network whole({.dt = 0.1, .seed = 9, .threads = 1});
  build_lstm_network(whole);
  whole.run(200.0);
  const Outcome reference = outcome_of(whole);
  REQUIRE(reference.traces.at(0).values.size() == 200 * 6);

  MemoryState saved;
  {
    Network first({.dt = 0.1, .seed = 9, .threads = 2, .partitions = 3});
    build_lstm_network(first);
    first.run(123.4);
    first.save_state(saved);
  }
  Network resumed({.dt = 0.1, .seed = 9, .threads = 2});
  build_lstm_network(resumed);
  resumed.load_state(saved);
  resumed.run(200.0 - 123.4);
  require_identical(reference, outcome_of(resumed));

  for (const std::string forgotten : {"cell/model/module/h", "cell/model/module/c"}) {
    INFO("checkpoint without " << forgotten);
    Network lenient({.dt = 0.1, .seed = 9, .threads = 1});
    build_lstm_network(lenient);
    lenient.load_state(LenientReader(without(saved, forgotten)));
    lenient.run(200.0 - 123.4);
    CHECK(differs(reference, outcome_of(lenient)));
  }

  Network with_counter({.dt = 0.1, .seed = 9, .threads = 1});
  build_lstm_network(with_counter, true);
  with_counter.run(10.0);
  MemoryState refused;
  CHECK_THROWS_WITH(with_counter.save_state(refused),
                    Catch::Contains("module 'counter' cannot save its state"));
}
