// Tests of io/model_file.hpp: model files load into the networks they describe, units
// convert, includes and overrides apply, every malformed file in tests/io/bad fails with its
// exact message, and examples/cuba.toml gives the spikes of the same network built through
// the API.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/model_file.hpp"
#include "io/units.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/rate.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

const fs::path kHere = fs::path(__FILE__).parent_path();
const fs::path kExamples = kHere.parent_path().parent_path() / "examples";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string load_error(const fs::path& path, const std::vector<io::Override>& overrides = {}) {
  try {
    io::load_model_file(path, overrides);
  } catch (const io::ModelFileError& e) {
    return e.what();
  }
  return "(no error)";
}

std::uint32_t population_index(const io::LoadedModel& m, const std::string& name) {
  for (std::uint32_t i = 0; i < m.population_names.size(); ++i)
    if (m.population_names[i] == name) return i;
  FAIL("no population " << name);
  return 0;
}

template <typename Model>
const Model& model_of(io::LoadedModel& m, const std::string& name) {
  const auto* p = dynamic_cast<const Model*>(&m.network->population({population_index(m, name)}));
  REQUIRE(p != nullptr);
  return *p;
}

}  // namespace

TEST_CASE("unit strings convert to ms, mV, pA, pF, nS, Hz and reject other dimensions", "[io]") {
  using io::Dimension;
  CHECK(io::parse_quantity("0.2 s", Dimension::time) == Approx(200.0));
  CHECK(io::parse_quantity("20 ms", Dimension::time) == 20.0);
  CHECK(io::parse_quantity("500 us", Dimension::time) == Approx(0.5));
  CHECK(io::parse_quantity("1 nA", Dimension::current) == Approx(1000.0));
  CHECK(io::parse_quantity("87.8 pA", Dimension::current) == 87.8);
  CHECK(io::parse_quantity("0.15 mV", Dimension::voltage) == 0.15);
  CHECK(io::parse_quantity("-0.065 V", Dimension::voltage) == Approx(-65.0));
  CHECK(io::parse_quantity("0.25 nF", Dimension::capacitance) == Approx(250.0));
  CHECK(io::parse_quantity("0.02 uS", Dimension::conductance) == Approx(20.0));
  CHECK(io::parse_quantity("5 kHz", Dimension::rate) == Approx(5000.0));
  CHECK(io::parse_quantity("5Hz", Dimension::rate) == 5.0);
  CHECK(io::parse_quantity("12", Dimension::time) == 12.0);
  CHECK_THROWS_WITH(io::parse_quantity("5 pA", Dimension::time),
                    "expected a time in ms, got \"5 pA\" (a current)");
  CHECK_THROWS_WITH(io::parse_quantity("20 mss", Dimension::time),
                    "unknown unit 'mss' in \"20 mss\" (a time takes us, ms, s)");
  CHECK_THROWS_AS(io::parse_quantity("fast", Dimension::time), io::UnitError);
}

TEST_CASE("a model file with units everywhere builds the network it describes", "[io]") {
  io::LoadedModel m = io::load_model_file(kHere / "good" / "units.toml");

  const io::RunSettings& s = m.settings;
  CHECK(s.dt == Approx(0.1));
  CHECK(s.duration == Approx(200.0));  // "0.2 s"
  CHECK(s.seed == 7);
  CHECK(s.threads == 2);
  CHECK(s.output == "out/units.h5");
  CHECK(s.flush_interval == 50.0);
  CHECK(s.flush_wall_seconds == Approx(0.5));
  CHECK(m.network->grid().dt() == Approx(0.1));
  CHECK(m.network->options().seed == 7);

  REQUIRE(m.population_names == std::vector<std::string>{"exc", "cond", "delta", "src"});
  const auto& exc = model_of<models::LifExp>(m, "exc").params();
  CHECK(exc.tau_m == Approx(20.0));  // "0.02 s"
  CHECK(exc.C_m == Approx(250.0));   // "0.25 nF"
  CHECK(exc.E_L == Approx(-65.0));   // "-0.065 V"
  CHECK(exc.V_th == -50.0);
  CHECK(exc.V_reset == -70.0);
  CHECK(exc.I_e == Approx(1000.0));      // "1 nA"
  CHECK(exc.tau_syn_ex == Approx(0.5));  // "500 us"
  CHECK(exc.tau_syn_in == 3.0);
  CHECK_FALSE(exc.weights_in_mV);
  const auto& cond = model_of<models::LifCondExp>(m, "cond").params();
  CHECK(cond.g_L == Approx(20.0));  // "0.02 uS"
  CHECK(cond.E_in == -80.0);
  CHECK(cond.tau_syn_ex == 0.3);
  CHECK(cond.C_m == 250.0);  // default kept
  CHECK(model_of<models::LifDelta>(m, "delta").params().tau_m == 10.0);

  REQUIRE(m.projection_names ==
          std::vector<std::string>{"all", "src->delta", "exc->exc", "exc->cond"});
  REQUIRE(s.weight_snapshots.size() == 1);
  CHECK(s.weight_snapshots[0].projection == "all");
  CHECK(s.weight_snapshots[0].handle.index == 0);
  CHECK(s.weight_snapshots[0].times == std::vector<double>{0.0, 100.0});

  // Deterministic rules: the estimate is the exact count, and the built network has it.
  m.network->build();
  CHECK(m.network->synapse_count({0}) == 20 * 4);  // all_to_all
  CHECK(m.network->synapse_count({1}) == 4);       // one_to_one, 4 sources
  CHECK(m.network->synapse_count({2}) == 50);      // fixed_total_number
  CHECK(m.network->synapse_count({3}) == 20 * 2);  // fixed_outdegree
  CHECK(m.estimate.synapses == Approx(80 + 4 + 50 + 40));
  CHECK(m.estimate.neurons == 20 + 5 + 4 + 4);
  // Weights in the target's unit: "150 uV" on lif_delta, clipped negative pA on lif_exp.
  m.network->for_each_synapse({0}, [](NeuronIndex, NeuronIndex, float w, Step d) {
    CHECK(w == Approx(0.15f));
    CHECK(d == 5);
  });
  m.network->for_each_synapse({1}, [](NeuronIndex, NeuronIndex, float w, Step d) {
    CHECK(w >= 0.5f);  // mV: the target is lif_delta
    CHECK(w <= 1.0f);
    CHECK(d >= 1);
    CHECK(d <= 20);
  });
  m.network->for_each_synapse({2},
                              [](NeuronIndex, NeuronIndex, float w, Step) { CHECK(w < 0.0f); });
  const auto exc_index = population_index(m, "exc");
  const auto v = m.network->population({exc_index}).state("V_m");
  for (const double x : v) {
    CHECK(x >= -70.0);
    CHECK(x <= -55.0);
  }
  for (const double x : m.network->population({exc_index}).state("I_syn_ex")) CHECK(x == 5.0);
  m.network->run(5.0);
  CHECK(m.network->trace({0}).frame_steps.size() == 5);
}

TEST_CASE("included files merge under the including file, which wins on every key", "[io]") {
  io::LoadedModel m = io::load_model_file(kHere / "good" / "main.toml");
  CHECK(m.settings.duration == 300.0);  // main.toml over base.toml's 100
  CHECK(m.settings.dt == 0.1);          // from base.toml
  REQUIRE(m.population_names == std::vector<std::string>{"E", "I"});
  const auto& e = model_of<models::LifDelta>(m, "E").params();
  CHECK(e.tau_m == 10.0);  // main.toml's [[populations]] E merges into base.toml's
  CHECK(e.t_ref == 2.0);
  REQUIRE(m.projection_names == std::vector<std::string>{"E->I", "I->E"});
  CHECK(m.estimate.synapses == Approx(10 * 5 + 40 * 3));

  // Provenance: the file, then each included file after a marker line.
  const std::string main_text = read_text(kHere / "good" / "main.toml");
  const std::string base_text = read_text(kHere / "good" / "base.toml");
  CHECK(m.model_text.rfind(main_text, 0) == 0);
  CHECK(m.model_text.find("# ---- included file: ") != std::string::npos);
  CHECK(m.model_text.find(base_text) != std::string::npos);
}

TEST_CASE("command-line overrides replace values by dotted key, in TOML syntax", "[io]") {
  io::LoadedModel m = io::load_model_file(kHere / "good" / "main.toml",
                                          {{"simulation.duration", "\"0.5 s\""},
                                           {"populations.E.params.tau_m", "15"},
                                           {"populations.I.params.V_th", "\"-52 mV\""},
                                           {"projections.I->E.weight", "-2.5"},
                                           {"simulation.seed", "99"}});
  CHECK(m.settings.duration == Approx(500.0));
  CHECK(m.settings.seed == 99);
  CHECK(model_of<models::LifDelta>(m, "E").params().tau_m == 15.0);
  CHECK(model_of<models::LifDelta>(m, "I").params().V_th == -52.0);
  m.network->build();
  m.network->for_each_synapse({1},
                              [](NeuronIndex, NeuronIndex, float w, Step) { CHECK(w == -2.5f); });

  // Errors in overrides point at the override: "--set:<n>:<column of the value>".
  CHECK(load_error(kHere / "good" / "main.toml", {{"simulation.duration", "\"5 pA\""}}) ==
        "--set:1:21: simulation.duration: expected a time in ms, got \"5 pA\" (a current)");
  CHECK(load_error(kHere / "good" / "main.toml",
                   {{"simulation.seed", "1"}, {"populations.E.params.tau_n", "3"}}) ==
        "--set:2:28: populations.E.params.tau_n: unknown key 'tau_n' (did you mean 'tau_m'?)");
  CHECK(load_error(kHere / "good" / "main.toml", {{"populations.X.size", "3"}}) ==
        "--set:1:1: populations.X.size: populations has no element 'X' (known: E, I)");
  CHECK(load_error(kHere / "good" / "main.toml", {{"simulation.duration", "20 ms"}})
            .rfind("--set:1:21: simulation.duration: value is not TOML: ", 0) == 0);
}

TEST_CASE("every file in tests/io/bad fails with the message in its .expected file", "[io]") {
  const fs::path bad = kHere / "bad";
  int checked = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(bad))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    fs::path expected_path = file;
    expected_path.replace_extension(".expected");
    INFO(file.filename().string());
    REQUIRE(fs::exists(expected_path));
    std::string expected = read_text(expected_path);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r'))
      expected.pop_back();
    std::string actual = load_error(file);
    const std::string dir = bad.string() + "/";
    for (std::size_t at; (at = actual.find(dir)) != std::string::npos;)
      actual.replace(at, dir.size(), "@DIR@/");
    CHECK(actual == expected);
    ++checked;
  }
  CHECK(checked >= 25);
}

TEST_CASE("examples/cuba.toml gives the same spikes as the CUBA network built via the API",
          "[io][determinism]") {
  // The API side follows examples/cuba_api.cpp (shared/reference/networks.md, N1).
  Network api({.dt = 0.1, .seed = 1, .threads = 2});
  models::LifExp::Params p;
  p.tau_m = 20.0;
  p.E_L = -49.0;
  p.V_th = -50.0;
  p.V_reset = -60.0;
  p.t_ref = 5.0;
  p.tau_syn_ex = 5.0;
  p.tau_syn_in = 10.0;
  p.weights_in_mV = true;
  const auto exc = api.add_population("E", models::make_lif_exp(3200, p));
  const auto inh = api.add_population("I", models::make_lif_exp(800, p));
  for (const auto pop : {exc, inh}) {
    api.set_initial_state(pop, "V_m", Distribution::uniform(p.V_reset, p.V_th));
    api.record_spikes(pop);
  }
  const auto rule = ConnectionRule::pairwise_bernoulli(0.02);
  const auto delay = Distribution::constant(0.1);
  for (const auto target : {exc, inh}) {
    api.connect(exc, target, rule, {Distribution::constant(1.62), delay});
    api.connect(inh, target, rule, {Distribution::constant(-9.0), delay});
  }

  io::LoadedModel file =
      io::load_model_file(kExamples / "cuba.toml", {{"simulation.threads", "2"}});
  CHECK(file.settings.seed == 1);
  CHECK(file.settings.duration == 1000.0);
  CHECK(file.estimate.neurons == 4000);
  CHECK(file.estimate.synapses == Approx(0.02 * 4000 * 4000));
  const auto& fp = model_of<models::LifExp>(file, "E").params();
  CHECK(fp.weights_in_mV);
  CHECK(fp.tau_syn_in == 10.0);

  api.run(200.0);
  file.network->run(200.0);
  CHECK(file.network->synapse_count() == api.synapse_count());
  for (const std::uint32_t k : {0u, 1u}) {
    const auto& a = api.spikes({k});
    const auto& b = file.network->spikes({k});
    CHECK(a.size() > 100);  // the network is active, so equality says something
    CHECK(a == b);
  }
}

TEST_CASE("examples/brunel.toml and the microcircuits load with the published sizes", "[io]") {
  io::LoadedModel brunel = io::load_model_file(kExamples / "brunel.toml");
  CHECK(brunel.estimate.neurons == 12500);
  CHECK(brunel.estimate.synapses == Approx(15.625e6));  // (1000 + 250) x 12 500
  const auto& e = model_of<models::LifDelta>(brunel, "E").params();
  CHECK(e.V_th == 20.0);
  CHECK(e.V_reset == 10.0);
  CHECK(e.E_L == 0.0);
  CHECK(e.tau_m == 20.0);
  CHECK(brunel.estimate.memory_bytes > 8.0 * 15.625e6);

  // Full scale: 77 169 neurons and about 298.9 million synapses (microcircuit.md).
  io::LoadedModel full = io::load_model_file(kExamples / "microcircuit.toml");
  CHECK(full.estimate.neurons == 77169);
  CHECK(full.estimate.synapses == Approx(298.9e6).epsilon(0.001));
  CHECK(full.population_names.size() == 8);
  CHECK(full.projection_names.size() == 55);  // 64 pairs minus the 9 with C = 0

  // 10 %: round(0.1 N) neurons; the synapse total scaled by about 0.1 x 0.1.
  io::LoadedModel small = io::load_model_file(kExamples / "microcircuit_10pct.toml");
  std::uint64_t neurons = 0;
  for (const double n : {20683.0, 5834.0, 21915.0, 5479.0, 4850.0, 1065.0, 14395.0, 2948.0})
    neurons += static_cast<std::uint64_t>(std::nearbyint(0.1 * n));
  CHECK(small.estimate.neurons == neurons);
  CHECK(small.estimate.synapses == Approx(0.01 * full.estimate.synapses).epsilon(0.01));
}

TEST_CASE("examples/mixed.toml loads its adapters, their parameters and the current projection",
          "[io][adapter]") {
  io::LoadedModel m = io::load_model_file(kExamples / "mixed.toml");
  const auto& rate = model_of<models::RatePopulation>(m, "R");
  CHECK(rate.params().tau == 10.0);
  CHECK(rate.params().phi == models::TransferFunction::threshold_linear);
  CHECK(rate.params().theta == 5.0);
  CHECK(rate.params().r_max == 80.0);
  CHECK(rate.params().update_interval == 1.0);
  CHECK(m.network->population({population_index(m, "S2R")}).model() == "spikes_to_rates");
  CHECK(m.network->population({population_index(m, "R2S")}).model() == "rates_to_spikes");
  bool found = false;
  for (std::uint32_t k = 0; k < m.network->projection_count(); ++k) {
    const ProjectionInfo p = m.network->projection_info(k);
    if (p.name != "R->DRIVEN") {
      CHECK(p.synapse.kind == SynapseSpec::Kind::static_synapse);
      continue;
    }
    found = true;
    CHECK(p.synapse.kind == SynapseSpec::Kind::current);
    CHECK(p.synapse.weight.a() == 2.0);
    CHECK(p.synapse.offset == 300.0);
  }
  CHECK(found);
  m.network->run(50.0);
  CHECK(m.network->window_steps() == 10);
}
