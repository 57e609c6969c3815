// Whole-network regressions: the shipped examples against the figures of
// shared/reference/networks.md, which were measured with Brian2 (different random numbers,
// so statistically equal runs, not identical ones).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

#include "io/model_file.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "examples";

struct PopulationActivity {
  double rate_hz = 0.0;  // spikes / neurons / seconds
  double mean_cv = 0.0;  // over neurons with at least three spikes
};

PopulationActivity activity(const Network& net, std::uint32_t population, double duration_ms) {
  const PopulationInfo info = net.population_info(population);
  std::vector<std::vector<Step>> trains(info.size);
  for (const SpikeEvent& s : net.spikes(PopulationHandle{population}))
    trains[s.neuron].push_back(s.step);
  std::uint64_t spikes = 0;
  double cv_sum = 0.0;
  std::size_t cv_count = 0;
  for (const auto& train : trains) {
    spikes += train.size();
    if (train.size() < 3) continue;
    double sum = 0.0, sum_sq = 0.0;
    for (std::size_t k = 1; k < train.size(); ++k) {
      const double isi = static_cast<double>(train[k] - train[k - 1]);
      sum += isi;
      sum_sq += isi * isi;
    }
    const double n = static_cast<double>(train.size() - 1);
    const double mean = sum / n;
    cv_sum += std::sqrt(std::max(0.0, sum_sq / n - mean * mean)) / mean;
    ++cv_count;
  }
  return {1000.0 * static_cast<double>(spikes) / (info.size * duration_ms),
          cv_count ? cv_sum / static_cast<double>(cv_count) : 0.0};
}

}  // namespace

TEST_CASE("N1 CUBA (examples/cuba.toml) fires at the Brian2 reference rate", "[io]") {
  // networks.md: mean rate 5.5-5.6 Hz, E and I alike, self-sustained. Over 1 s of 4000
  // neurons the population rate of one seed fluctuates by a few percent, so +-10 % around
  // the reference band separates a working network from a broken one (a wrong weight sign,
  // delay or reset changes the rate many times over, or silences the network).
  io::LoadedModel model = io::load_model_file(kExamples / "cuba.toml");
  model.network->run(1000.0);
  for (std::uint32_t p = 0; p < 2; ++p) {
    const PopulationActivity a = activity(*model.network, p, 1000.0);
    INFO("population " << model.population_names[p] << ": " << a.rate_hz << " Hz");
    CHECK(a.rate_hz > 5.5 * 0.9);
    CHECK(a.rate_hz < 5.6 * 1.1);
  }
}

TEST_CASE("N2 Brunel (examples/brunel.toml) has the Brian2 reference rate and CV", "[io]") {
  // networks.md: mean rate about 37 Hz, E and I alike, mean CV of the inter-spike
  // intervals about 0.42 (synchronous irregular regime). Bounds: +-10 % on the rate,
  // +-0.06 on the CV.
  io::LoadedModel model = io::load_model_file(kExamples / "brunel.toml");
  model.network->run(1000.0);
  for (std::uint32_t p = 0; p < 2; ++p) {
    const PopulationActivity a = activity(*model.network, p, 1000.0);
    INFO("population " << model.population_names[p] << ": " << a.rate_hz << " Hz, CV "
                       << a.mean_cv);
    CHECK(a.rate_hz > 37.0 * 0.9);
    CHECK(a.rate_hz < 37.0 * 1.1);
    CHECK(std::abs(a.mean_cv - 0.42) < 0.06);
  }
}
