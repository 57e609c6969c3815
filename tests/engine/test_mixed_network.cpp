// The mixed network of issue 5: Poisson -> LIF -> spikes_to_rates -> dense (a test module,
// y = W x) -> rates_to_spikes -> LIF. It runs, every stage is active, and its spikes and
// adapter outputs are bit-identical for 1, 2 and 3 threads and partitions.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "engine/network.hpp"
#include "models/converters.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/module_adapter.hpp"
#include "tests/engine/adapter_test_support.hpp"

using namespace spikeflow;

namespace {

struct MixedResult {
  std::vector<SpikeEvent> lif_in, r2s, lif_out;
  std::vector<double> rates, dense;  // trace values of spikes_to_rates and dense
};

MixedResult run_mixed(int threads, int partitions) {
  Network net({.dt = 0.1, .seed = 11, .threads = threads, .partitions = partitions});
  models::LifDelta::Params lif;
  lif.E_L = 0.0;
  lif.V_th = 20.0;
  lif.V_reset = 10.0;
  lif.tau_m = 20.0;
  const NeuronIndex n_in = 80, n_out = 20;
  auto in = net.add_population("in", models::make_lif_delta(n_in, lif));
  net.set_initial_state(in, "V_m", Distribution::uniform(0.0, 20.0));
  net.add_input(in, models::make_poisson_input({.rate = 1500.0, .weight = 1.0}));

  models::SpikesToRatesParams filter;
  filter.tau = 20.0;
  filter.update_interval = 1.0;
  auto s2r = net.add_population("s2r", models::make_spikes_to_rates(n_in, filter));

  std::vector<double> W(n_out * n_in);
  for (std::size_t o = 0; o < n_out; ++o)
    for (std::size_t j = 0; j < n_in; ++j)
      W[o * n_in + j] = 0.004 * static_cast<double>((o * 7 + j * 3) % 11) - 0.01;
  auto dense = net.add_population(
      "dense",
      models::make_module_adapter(std::make_unique<test::MatrixModule>(n_in, n_out, W), 1.0));
  auto r2s = net.add_population("r2s", models::make_rates_to_spikes(n_out));
  auto out = net.add_population("out", models::make_lif_delta(n_out, lif));

  const auto syn = [](double w) {
    return SynapseSpec{.weight = Distribution::constant(w), .delay = Distribution::constant(1.0)};
  };
  net.connect(in, s2r, ConnectionRule::one_to_one(), syn(1.0));
  net.connect(s2r, dense, ConnectionRule::one_to_one(), syn(1.0));
  net.connect(dense, r2s, ConnectionRule::one_to_one(), syn(1.0));
  net.connect(r2s, out, ConnectionRule::fixed_indegree(10), syn(2.5));
  for (auto p : {in, r2s, out}) net.record_spikes(p);
  const auto rates = net.record_state(s2r, "rate", {}, 1.0);
  const auto y = net.record_state(dense, "y", {}, 1.0);
  net.run(300.0);
  return {net.spikes(in), net.spikes(r2s), net.spikes(out), net.trace(rates).values,
          net.trace(y).values};
}

}  // namespace

TEST_CASE("the mixed spiking and rate network runs and is thread and partition invariant",
          "[determinism][adapter]") {
  const MixedResult ref = run_mixed(1, 1);
  // Every stage carries activity.
  CHECK(ref.lif_in.size() > 1000);
  CHECK(ref.r2s.size() > 100);
  CHECK(ref.lif_out.size() > 10);
  CHECK(*std::max_element(ref.rates.begin(), ref.rates.end()) > 10.0);
  CHECK(*std::max_element(ref.dense.begin(), ref.dense.end()) > 10.0);

  for (const auto& [threads, partitions] :
       std::vector<std::pair<int, int>>{{2, 2}, {3, 3}, {1, 3}, {3, 2}, {2, 1}}) {
    INFO(threads << " threads, " << partitions << " partitions");
    const MixedResult r = run_mixed(threads, partitions);
    CHECK(r.lif_in == ref.lif_in);
    CHECK(r.r2s == ref.r2s);
    CHECK(r.lif_out == ref.lif_out);
    CHECK(r.rates == ref.rates);  // bit for bit
    CHECK(r.dense == ref.dense);
  }
}
