// Tests of models/lif_alpha.hpp: the postsynaptic potential of one input spike against its
// closed form for tau_syn below, equal to, within 1e-10 of and above tau_m, and the
// normalisation of the alpha current (peak w at t = tau_syn).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/network.hpp"
#include "models/lif_alpha.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::serial;

namespace {

struct AlphaRun {
  Trace v, current;
};

// One spike of weight w (pA) from a spike source at T = 1 ms with delay 1.5 ms into a
// lif_alpha at rest; the sign selects the receptor, whose tau_syn is `tau_s`.
AlphaRun run_alpha(double tau_s, double w, double duration) {
  Network net(serial());
  const double dt = net.grid().dt();
  models::LifAlpha::Params p;
  (w > 0 ? p.tau_syn_ex : p.tau_syn_in) = tau_s;
  const auto src = net.add_population("src", models::make_spike_source_array({{1.0}}));
  const auto tgt = net.add_population("tgt", models::make_lif_alpha(1, p));
  net.connect(src, tgt, ConnectionRule::all_to_all(),
              {Distribution::constant(w), Distribution::constant(1.5)});
  const auto v = net.record_state(tgt, "V_m", {}, dt);
  const auto i = net.record_state(tgt, w > 0 ? "I_syn_ex" : "I_syn_in", {}, dt);
  net.run(duration);
  return {net.trace(v), net.trace(i)};
}

// The arrival: T + d = 2.5 ms is the end of step 24, frame 24.
constexpr std::size_t kArrival = 24;

}  // namespace

TEST_CASE("lif_alpha: the PSP of one spike matches the closed form to 1e-9 mV at every step",
          "[model][unit]") {
  // Requirement: exact integration, V - E_L = (w e/(tau_s C_m)) int_0^t e^{-(t-u)/tau_m}
  // u e^{-u/tau_s} du, for tau_s near tau_m too; V is at rest up to the arrival.
  const models::LifAlpha::Params p;  // tau_m 10 ms, C_m 250 pF, E_L -70 mV
  const double tau_s = GENERATE(2.0, 10.0, 10.0 * (1.0 + 1e-10), 15.0);
  const double w = GENERATE(437.5, -437.5);
  INFO("tau_syn = " << tau_s << " ms, w = " << w << " pA");
  const AlphaRun run = run_alpha(tau_s, w, 200.0);
  const double dt = 0.1;

  REQUIRE(run.v.values.size() == 2000);
  for (std::size_t k = 0; k <= kArrival; ++k) {
    INFO("frame " << k);
    REQUIRE(run.v.values[k] == p.E_L);
    REQUIRE(run.current.values[k] == 0.0);
  }
  double error = 0.0;
  double peak = 0.0;
  for (std::size_t k = kArrival; k < run.v.values.size(); ++k) {
    const long double t = (k - kArrival) * static_cast<long double>(dt);
    const long double ref = test::alpha_psp(t, w, p.tau_m, tau_s, p.C_m);
    error = std::max(error, static_cast<double>(std::fabs(run.v.values[k] - p.E_L - ref)));
    peak = std::max(peak, std::abs(run.v.values[k] - p.E_L));
  }
  CHECK(peak > 0.5);  // a PSP far larger than the tolerance
  CHECK(error < 1e-9);
}

TEST_CASE("lif_alpha: the synaptic current peaks at exactly w at t = tau_syn after arrival",
          "[model][unit]") {
  // Requirement (lif_alpha.hpp): I_syn(t) = w (e/tau_syn) t e^{-t/tau_syn}, peak w at tau_syn.
  const double tau_s = GENERATE(0.5, 2.0, 10.0, 15.0);  // multiples of dt
  const double w = GENERATE(437.5, -437.5);
  INFO("tau_syn = " << tau_s << " ms, w = " << w << " pA");
  const AlphaRun run = run_alpha(tau_s, w, 100.0);
  const double dt = 0.1;

  const auto& i = run.current.values;
  const auto peak = std::max_element(i.begin(), i.end(),
                                     [](double a, double b) { return std::abs(a) < std::abs(b); });
  const auto peak_frame = static_cast<std::size_t>(peak - i.begin());
  CHECK(peak_frame == kArrival + static_cast<std::size_t>(std::lround(tau_s / dt)));
  CHECK(*peak == Approx(w).epsilon(1e-13));

  // And the whole current follows w (e/tau_s) t e^{-t/tau_s}.
  double error = 0.0;
  for (std::size_t k = kArrival; k < i.size(); ++k) {
    const long double t = (k - kArrival) * static_cast<long double>(dt);
    const long double ref = w * std::exp(1.0L) / tau_s * t * std::exp(-t / tau_s);
    error = std::max(error, static_cast<double>(std::fabs(i[k] - ref)));
  }
  CHECK(error < 1e-11 * std::abs(w));
}
