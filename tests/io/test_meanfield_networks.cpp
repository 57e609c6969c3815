// The mean-field prediction (models/meanfield_network.hpp) of the shipped Brunel examples
// against their simulated rates: examples/brunel_ai.toml (N2 moved to g = 6, eta = 4) and
// examples/brunel.toml (N2 as specified, g = 5, eta = 2). See docs/meanfield.md.
#include <catch2/catch.hpp>

#include <filesystem>

#include "io/model_file.hpp"
#include "models/meanfield.hpp"
#include "models/meanfield_network.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "examples";

}  // namespace

TEST_CASE(
    "meanfield: Brunel N2 at g = 6, eta = 4 and as specified fires at the mean-field "
    "rate within 10 percent",
    "[io]") {
  // Requirement (issue 5): predicted stationary rate within 10 % of the simulated one. The
  // prediction is the network's own description (in-degrees, weights, Poisson drive read
  // from the model file); the simulated rate counts spikes after a 100 ms transient, over
  // 500 ms of 12 500 neurons (about 2.4e5 spikes: sampling error well below 1 %).
  const std::string file = GENERATE("brunel_ai.toml", "brunel.toml");
  INFO(file);
  io::LoadedModel model = io::load_model_file(kExamples / file);
  Network& net = *model.network;

  const models::MeanFieldResult predicted = models::solve_mean_field(models::mean_field_of(net));
  REQUIRE(predicted.converged);

  net.run(100.0);
  std::vector<std::size_t> before;
  for (std::uint32_t p = 0; p < net.population_count(); ++p)
    before.push_back(net.spikes(PopulationHandle{p}).size());
  const double measured_ms = 500.0;
  net.run(measured_ms);
  for (std::uint32_t p = 0; p < net.population_count(); ++p) {
    const double spikes = net.spikes(PopulationHandle{p}).size() - before[p];
    const double simulated = spikes / (net.population_info(p).size * measured_ms * 1e-3);
    INFO("population " << model.population_names[p] << ": simulated " << simulated
                       << " Hz, mean field " << predicted.rates[p] << " Hz");
    CHECK(std::fabs(simulated - predicted.rates[p]) <= 0.10 * predicted.rates[p]);
  }
}
