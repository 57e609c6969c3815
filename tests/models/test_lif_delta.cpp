// Tests of models/lif_delta.hpp: the f-I curve against the analytic LIF rate, the exact
// voltage jump and decay of one input spike, and the discarding of input while held.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::serial;

namespace {

// Currents from just above the rheobase C_m (V_th - E_L) / tau_m = 375 pA (defaults) to
// strong drive, and below it.
const std::vector<double> kSuprathreshold = {376, 380, 390, 420, 475, 550, 700, 1000, 1800, 3200};
const std::vector<double> kSubthreshold = {0, 100, 374, 374.9};

PopulationHandle add_lif_delta_with_i_e(Network& net, const std::string& name,
                                        models::LifDelta::Params p, double current) {
  p.I_e = current;
  return net.add_population(name, models::make_lif_delta(1, p));
}

}  // namespace

TEST_CASE("lif_delta: the f-I curve under I_e matches the analytic LIF rate to the grid bound",
          "[model][unit]") {
  // Requirement: rate = 1/(t_ref + tau_m ln((RI - (V_reset - E_L))/(RI - (V_th - E_L)))),
  // intervals exactly (R_ref - 1) + ceil(T*/dt) steps, no spikes below rheobase.
  struct Setting {
    double t_ref, V_reset;
  };
  // V_reset = E_L is the formula 1/(t_ref + tau_m ln(RI/(RI - (V_th - E_L)))).
  const Setting setting = GENERATE(Setting{2.0, -70.0}, Setting{0.5, -60.0}, Setting{1.0, -80.0});
  models::LifDelta::Params p;
  p.t_ref = setting.t_ref;
  p.V_reset = setting.V_reset;

  std::vector<double> currents = kSuprathreshold;
  currents.insert(currents.end(), kSubthreshold.begin(), kSubthreshold.end());
  const double worst = test::check_fi_curve(
      p, currents, 10000.0, [&](Network& net, const std::string& name, double current) {
        return add_lif_delta_with_i_e(net, name, p, current);
      });
  // Largest relative excess of the measured over the analytic rate (at most dt/ISI).
  CHECK(worst < 0.15);
}

TEST_CASE("lif_delta: one input spike is a jump of exactly w at arrival, then e^{-t/tau_m}",
          "[model][unit]") {
  // Requirement: V_m jumps by the weight (mV) at the end of the arrival step, decays exactly.
  Network net(serial());
  const double dt = net.grid().dt();
  models::LifDelta::Params p;  // E_L -70, tau_m 10
  const double w = GENERATE(1.5, -0.75);
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto tgt = net.add_population("tgt", models::make_lif_delta(1, p));
  net.connect(src, tgt, ConnectionRule::all_to_all(),
              {Distribution::constant(w), Distribution::constant(1.5)});
  const auto trace = net.record_state(tgt, "V_m", {}, dt);
  net.run(60.0);

  // Arrival at T + d = 2.5 ms: the end of step 24, frame 24.
  const Trace& tr = net.trace(trace);
  REQUIRE(tr.values.size() == 600);
  for (std::size_t k = 0; k < 24; ++k) REQUIRE(tr.values[k] == p.E_L);
  CHECK(tr.values[24] - p.E_L == w);
  double worst = 0.0;
  for (std::size_t k = 24; k < tr.values.size(); ++k) {
    const long double t = (k - 24) * static_cast<long double>(dt);
    const long double expected = w * std::exp(-t / static_cast<long double>(p.tau_m));
    worst = std::max(worst, static_cast<double>(std::fabs(tr.values[k] - p.E_L - expected)));
  }
  CHECK(worst < 1e-12);
}

TEST_CASE("lif_delta: input arriving while the neuron is held at V_reset is discarded",
          "[model][unit]") {
  // Requirement (lif_delta.hpp): spikes arriving in the R - 1 held steps have no effect;
  // the first integrating step, R steps after the spike, takes its input.
  Network net(serial());
  const double dt = net.grid().dt();
  models::LifDelta::Params p;  // t_ref 2 ms: R = 20, held for steps s+1 .. s+19
  // Kick at 1.0 ms + 0.1 ms delay: arrives in step 10, the neuron spikes in step 10.
  const auto kick = net.add_population("kick", models::make_spike_source_array({{1.0}}));
  // Small inputs arriving in step 10 + 19 (last held step) and 10 + 20 (first free step).
  const auto late_held = net.add_population("held", models::make_spike_source_array({{2.9}}));
  const auto first_free = net.add_population("free", models::make_spike_source_array({{3.0}}));
  const auto a = net.add_population("a", models::make_lif_delta(1, p));
  const auto b = net.add_population("b", models::make_lif_delta(1, p));
  const SynapseSpec strong{Distribution::constant(20.0), Distribution::constant(0.1)};
  const SynapseSpec small{Distribution::constant(2.0), Distribution::constant(0.1)};
  net.connect(kick, a, ConnectionRule::all_to_all(), strong);
  net.connect(kick, b, ConnectionRule::all_to_all(), strong);
  net.connect(late_held, a, ConnectionRule::all_to_all(), small);
  net.connect(first_free, b, ConnectionRule::all_to_all(), small);
  net.record_spikes(a);
  net.record_spikes(b);
  const auto va = net.record_state(a, "V_m", {}, dt);
  const auto vb = net.record_state(b, "V_m", {}, dt);
  net.run(10.0);

  REQUIRE(net.spikes(a) == std::vector<SpikeEvent>{{10, 0}});
  REQUIRE(net.spikes(b) == std::vector<SpikeEvent>{{10, 0}});
  const Trace& ta = net.trace(va);
  const Trace& tb = net.trace(vb);
  for (std::size_t k = 10; k < 30; ++k) {
    REQUIRE(ta.values[k] == p.V_reset);
    REQUIRE(tb.values[k] == p.V_reset);
  }
  // a lost its input: it stays at V_reset = E_L. b took it: a 2 mV jump in step 30.
  for (std::size_t k = 30; k < ta.values.size(); ++k) REQUIRE(ta.values[k] == p.E_L);
  CHECK(tb.values[30] == p.V_reset + 2.0);
}
