// Tests of the plasticity keys of [[projections]] and the interval form of
// [[recordings.weights]] in io/model_file.cpp (docs/model-file.md).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "io/model_file.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

const fs::path kHere = fs::path(__FILE__).parent_path();
const fs::path kExamples = kHere.parent_path().parent_path() / "examples";

fs::path write_model(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("model file plasticity keys reach the rule with their units", "[io][stdp]") {
  // Requirement: plasticity = { rule = "stdp", ... } makes the projection plastic with the
  // given parameters. One pre spike at 100 ms; the post neuron is made to spike at 105 ms
  // (a 100 mV jump arriving in the step that ends at 105 ms), so the pair meets at the
  // synapse with dt = 105 + 1 (delay) - 100 = 6 ms, and the additive rule adds
  // (w_max - w_min) A_plus exp(-6/tau_plus) = 2 x 0.02 x exp(-6/15) mV.
  const fs::path path = write_model("spikeflow_plasticity_keys.toml", R"(
[simulation]
dt = "0.1 ms"
duration = "200 ms"
[[populations]]
name = "pre"
model = "spike_source_array"
params = { times = [[100.0]] }
[[populations]]
name = "drive"
model = "spike_source_array"
params = { times = [[104.0]] }
[[populations]]
name = "post"
model = "lif_delta"
size = 1
params = { E_L = "0 mV", V_th = "20 mV", V_reset = "0 mV", tau_m = "20 ms", t_ref = "2 ms" }
[[projections]]
source = "drive"
target = "post"
rule = "all_to_all"
weight = "100 mV"
delay = "1 ms"
[[projections]]
name = "learn"
source = "pre"
target = "post"
rule = "all_to_all"
weight = "0.5 mV"
delay = "1 ms"
plasticity = { rule = "stdp", scheme = "nearest_symmetric", weight_dependence = "additive", tau_plus = "0.015 s", tau_minus = "30 ms", A_plus = 0.02, A_minus = 0.03, w_min = 0, w_max = "2 mV" }
[recordings]
spikes = ["post"]
[[recordings.weights]]
projection = "learn"
interval = "50 ms"
)");
  io::LoadedModel m = io::load_model_file(path);
  REQUIRE(m.network->is_plastic({1}));
  CHECK_FALSE(m.network->is_plastic({0}));
  REQUIRE(m.settings.weight_snapshots.size() == 1);
  CHECK(m.settings.weight_snapshots[0].times == std::vector<double>{0, 50, 100, 150, 200});
  m.network->run(m.settings.duration);
  REQUIRE(m.network->spikes({2}).size() == 1);
  CHECK(m.network->spikes({2})[0].step == 1049);  // stamped 105.0 ms
  double w = 0;
  m.network->for_each_weight({1}, [&](NeuronIndex, NeuronIndex, double x, Step) { w = x; });
  const double expected = 2.0 * 0.02 * std::exp(-6.0 / 15.0);
  CHECK(std::abs((w - 0.5) - expected) <= 1e-9 * expected);
  fs::remove(path);
}

TEST_CASE("examples/stdp.toml loads a plastic projection with weights recorded every second",
          "[io][stdp]") {
  // Requirement: the shipped example is valid, plastic and records its weights over time.
  io::LoadedModel m = io::load_model_file(kExamples / "stdp.toml");
  REQUIRE(m.projection_names == std::vector<std::string>{"input->output"});
  CHECK(m.network->is_plastic({0}));
  REQUIRE(m.settings.weight_snapshots.size() == 1);
  CHECK(m.settings.weight_snapshots[0].times.size() == 11);
  CHECK(m.settings.weight_snapshots[0].times.back() == 10000.0);
  // The estimate counts the plastic synapses (20 000).
  CHECK(m.estimate.synapses == 20000);
}
