// Tests of models/lif_exp.hpp: the f-I curve under a DC input, and the postsynaptic
// potential of one input spike against its closed form for tau_syn below, equal to, within
// 1e-10 of and above tau_m.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::serial;

TEST_CASE(
    "lif_exp: the f-I curve under a dc input matches the analytic LIF rate to the grid "
    "bound",
    "[model][unit]") {
  // Requirement: rate = 1/(t_ref + tau_m ln((RI - (V_reset - E_L))/(RI - (V_th - E_L)))),
  // intervals exactly (R_ref - 1) + ceil(T*/dt) steps, no spikes below rheobase (375 pA).
  struct Setting {
    double t_ref, V_reset;
  };
  const Setting setting = GENERATE(Setting{2.0, -70.0}, Setting{0.5, -60.0}, Setting{1.0, -80.0});
  models::LifExp::Params p;
  p.t_ref = setting.t_ref;
  p.V_reset = setting.V_reset;
  const std::vector<double> currents = {376,  380,  390,  420, 475, 550, 700,
                                        1000, 1800, 3200, 0,   100, 374, 374.9};
  const double worst = test::check_fi_curve(
      p, currents, 10000.0, [&](Network& net, const std::string& name, double current) {
        const auto pop = net.add_population(name, models::make_lif_exp(1, p));
        net.add_input(pop, models::make_dc_input({.amplitude = current}));
        return pop;
      });
  CHECK(worst < 0.15);
}

namespace {

struct PspResult {
  double v_error = 0.0;  // largest |V - E_L - reference| after arrival, mV
  double i_error = 0.0;  // largest relative error of I_syn against w e^{-t/tau_syn}
};

// One spike of weight w (pA) from a spike source at T = 1 ms with delay 1.5 ms into a
// lif_exp at rest; the weight's sign selects the receptor, whose tau_syn is `tau_s`.
PspResult run_psp(double tau_s, double w) {
  Network net(serial());
  const double dt = net.grid().dt();
  models::LifExp::Params p;  // tau_m 10 ms, C_m 250 pF, E_L -70 mV
  (w > 0 ? p.tau_syn_ex : p.tau_syn_in) = tau_s;
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto tgt = net.add_population("tgt", models::make_lif_exp(1, p));
  net.connect(src, tgt, ConnectionRule::all_to_all(),
              {Distribution::constant(w), Distribution::constant(1.5)});
  const auto v_trace = net.record_state(tgt, "V_m", {}, dt);
  const auto i_trace = net.record_state(tgt, w > 0 ? "I_syn_ex" : "I_syn_in", {}, dt);
  net.run(150.0);

  // The current rises at T + d = 2.5 ms, the end of step 24 (frame 24); V_m is exactly at
  // rest up to and including that frame and follows the closed form from there.
  constexpr std::size_t arrival = 24;
  const Trace& v = net.trace(v_trace);
  const Trace& cur = net.trace(i_trace);
  REQUIRE(v.values.size() == 1500);
  for (std::size_t k = 0; k <= arrival; ++k) {
    INFO("frame " << k);
    REQUIRE(v.values[k] == p.E_L);
    REQUIRE(cur.values[k] == (k == arrival ? w : 0.0));
  }
  PspResult r;
  for (std::size_t k = arrival; k < v.values.size(); ++k) {
    const long double t = (k - arrival) * static_cast<long double>(dt);
    const long double ref = test::exp_psp(t, w, p.tau_m, tau_s, p.C_m);
    r.v_error = std::max(r.v_error, static_cast<double>(std::fabs(v.values[k] - p.E_L - ref)));
    const long double i_ref = w * std::exp(-t / static_cast<long double>(tau_s));
    const long double i_rel = std::fabs((cur.values[k] - i_ref) / i_ref);
    r.i_error = std::max(r.i_error, static_cast<double>(i_rel));
  }
  // The PSP is not trivially small: the tolerance is far below its size.
  double peak = 0.0;
  for (const double value : v.values) peak = std::max(peak, std::abs(value - p.E_L));
  CHECK(peak > 0.5);
  return r;
}

}  // namespace

TEST_CASE("lif_exp: the PSP of one spike matches the closed form to 1e-9 mV at every step",
          "[model][unit]") {
  // Requirement: exact integration, V - E_L = w tau_s tau_m/(C_m (tau_m - tau_s))
  // (e^{-t/tau_m} - e^{-t/tau_s}) (w t e^{-t/tau}/C_m at tau_s = tau_m), for tau_s near tau_m
  // too; timing: the current rises at T + d.
  // tau_m = 10 ms: below, equal, within 1e-10 (relative) and above.
  const double tau_s = GENERATE(2.0, 10.0, 10.0 * (1.0 + 1e-10), 15.0);
  const double w = GENERATE(437.5, -437.5);
  INFO("tau_syn = " << tau_s << " ms, w = " << w << " pA");
  const PspResult r = run_psp(tau_s, w);
  CHECK(r.v_error < 1e-9);
  CHECK(r.i_error < 1e-12);
}

TEST_CASE("lif_exp: weights_in_mV gives tau_m dV/dt = -(V - E_L) + I_syn with I_syn in mV",
          "[model][unit]") {
  // Requirement (lif_exp.hpp): the mV form is the pA form with C_m replaced by tau_m.
  Network net(serial());
  const double dt = net.grid().dt();
  models::LifExp::Params p;
  p.tau_m = 20.0;
  p.tau_syn_ex = 5.0;
  p.weights_in_mV = true;
  const double w = 1.625;  // mV, exact in float
  const auto src = net.add_population("src", models::make_spike_source_array({{0.5}}));
  const auto tgt = net.add_population("tgt", models::make_lif_exp(1, p));
  net.connect(src, tgt, ConnectionRule::all_to_all(),
              {Distribution::constant(w), Distribution::constant(0.5)});
  const auto trace = net.record_state(tgt, "V_m", {}, dt);
  net.run(80.0);

  constexpr std::size_t arrival = 9;  // T + d = 1.0 ms, end of step 9
  const Trace& v = net.trace(trace);
  for (std::size_t k = 0; k <= arrival; ++k) REQUIRE(v.values[k] == p.E_L);
  double worst = 0.0;
  for (std::size_t k = arrival; k < v.values.size(); ++k) {
    const long double t = (k - arrival) * static_cast<long double>(dt);
    const long double ref = test::exp_psp(t, w, p.tau_m, p.tau_syn_ex, p.tau_m);
    worst = std::max(worst, static_cast<double>(std::fabs(v.values[k] - p.E_L - ref)));
  }
  CHECK(worst < 1e-9);
}
