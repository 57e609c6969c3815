// Shared by the tests of models/: reference solutions computed outside the code under test
// (closed forms and series in long double, written from the equations in the model headers,
// not from models/propagators.hpp), and small helpers to build one-thread networks.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/network.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::test {

// One thread, one partition: the smallest overhead per step for networks of a few neurons.
inline NetworkOptions serial(double dt = 0.1) {
  NetworkOptions o;
  o.dt = dt;
  o.seed = 1;
  o.threads = 1;
  o.partitions = 1;
  return o;
}

// The message of the ConfigError `f` throws; fails the test if it throws nothing or
// something else.
inline std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected spikeflow::ConfigError, got another exception: " << e.what());
  }
  FAIL("expected spikeflow::ConfigError, nothing was thrown");
  return {};
}

// Time a LIF membrane under a constant drive takes to go from u0 to u1 (both V - E_L, mV)
// when it relaxes towards ri = R I = tau_m I / C_m: tau_m ln((ri - u0) / (ri - u1)).
// Infinite when u1 is never reached.
inline long double crossing_time(long double tau_m, long double ri, long double u0,
                                 long double u1) {
  if (!(ri > u1)) return INFINITY;
  return tau_m * std::log((ri - u0) / (ri - u1));
}

// (1 - e^{-x}) / x by its Taylor series sum_k (-x)^k / (k + 1)!, for small |x|.
inline long double one_minus_exp_over_x_series(long double x) {
  long double sum = 0.0L;
  long double term = 1.0L;  // (-x)^k / (k + 1)!
  for (int k = 0; k < 40; ++k) {
    sum += term;
    term *= -x / static_cast<long double>(k + 2);
  }
  return sum;
}

// (1 - e^{-x}(1 + x)) / x^2 by its Taylor series sum_k (-1)^k (k + 1) x^k / (k + 2)!.
inline long double alpha_factor_series(long double x) {
  long double sum = 0.0L;
  long double power_over_factorial = 0.5L;  // x^k / (k + 2)!
  for (int k = 0; k < 40; ++k) {
    const long double term = static_cast<long double>(k + 1) * power_over_factorial;
    sum += (k % 2 == 0) ? term : -term;
    power_over_factorial *= x / static_cast<long double>(k + 3);
  }
  return sum;
}

// Membrane deviation V - E_L at time t after a current w e^{-t/tau_s} (pA) switched on at
// t = 0 in a membrane at rest:
//   w tau_s tau_m / (C_m (tau_m - tau_s)) (e^{-t/tau_m} - e^{-t/tau_s}),
// and w t e^{-t/tau_m} / C_m for tau_s == tau_m. When the two are within |a t| < 0.05
// (a = 1/tau_s - 1/tau_m) the equivalent form (w/C_m) t e^{-t/tau_m} (1 - e^{-at})/(at) is
// summed as a series, so the reference stays accurate to long double precision.
inline long double exp_psp(long double t, long double w, long double tau_m, long double tau_s,
                           long double c_m) {
  if (tau_s == tau_m) return w * t * std::exp(-t / tau_m) / c_m;
  const long double a = 1.0L / tau_s - 1.0L / tau_m;
  if (std::fabs(a * t) < 0.05L)
    return w / c_m * t * std::exp(-t / tau_m) * one_minus_exp_over_x_series(a * t);
  return w * tau_s * tau_m / (c_m * (tau_m - tau_s)) *
         (std::exp(-t / tau_m) - std::exp(-t / tau_s));
}

// Membrane deviation V - E_L at time t after an alpha current (w e / tau_s) u e^{-u/tau_s}
// switched on at u = 0:
//   (w e / (tau_s C_m)) int_0^t e^{-(t-u)/tau_m} u e^{-u/tau_s} du
//   = (w e / (tau_s C_m)) e^{-t/tau_m} (1 - e^{-at} (1 + a t)) / a^2,   a = 1/tau_s - 1/tau_m,
// which is (w e / (tau_s C_m)) e^{-t/tau_m} t^2 / 2 for a = 0; near a = 0 (|a t| < 0.05) the
// factor (1 - e^{-x}(1 + x)) / x^2 is summed as a series.
inline long double alpha_psp(long double t, long double w, long double tau_m, long double tau_s,
                             long double c_m) {
  const long double e = std::exp(1.0L);
  const long double k = w * e / (tau_s * c_m);
  const long double a = 1.0L / tau_s - 1.0L / tau_m;
  const long double x = a * t;
  if (std::fabs(x) < 0.05L) return k * std::exp(-t / tau_m) * t * t * alpha_factor_series(x);
  return k * std::exp(-t / tau_m) * (1.0L - std::exp(-x) * (1.0L + x)) / (a * a);
}

// The f-I curve of a LIF neuron under a constant current I from the spike rule of
// models/lif_common.hpp. From V_reset the membrane needs the crossing time
//   T* = tau_m ln((R I - (V_reset - E_L)) / (R I - (V_th - E_L))),   R = tau_m / C_m,
// to reach V_th; the neuron integrates from step s + R_ref after a spike in step s
// (R_ref = round(t_ref/dt)) and spikes in the first step whose end lies at or after T*
// from that start, so the inter-spike interval is exactly (R_ref - 1) + ceil(T*/dt) steps.
// That is the grid bound: t_ref - dt + T* <= ISI < t_ref + T*, hence
//   1/(t_ref + T*) < rate <= 1/(t_ref - dt + T*)
// around the analytic rate 1/(t_ref + T*) (for V_reset = E_L: 1/(t_ref + tau_m ln(RI/(RI -
// (V_th - E_L))))). Runs `duration` ms with one neuron per current (add_driven builds it
// with parameters p driven by that current), checks all of that exactly and returns the
// largest relative deviation of the measured rate from the analytic one.
inline double check_fi_curve(
    const models::MembraneParams& p, const std::vector<double>& currents, double duration,
    const std::function<PopulationHandle(Network&, const std::string&, double)>& add_driven) {
  Network net(serial());
  const long double dt = net.grid().dt();
  std::vector<PopulationHandle> pops;
  for (const double current : currents) {
    pops.push_back(add_driven(net, "I=" + std::to_string(current), current));
    net.record_spikes(pops.back());
  }
  net.run(duration);
  const Step run_steps = net.now();

  const long double R = static_cast<long double>(p.tau_m) / p.C_m;
  const long double u_th = static_cast<long double>(p.V_th) - p.E_L;
  const long double u_reset = static_cast<long double>(p.V_reset) - p.E_L;
  const Step r_ref = std::llround(p.t_ref / static_cast<double>(dt));
  double worst = 0.0;
  for (std::size_t k = 0; k < currents.size(); ++k) {
    const long double ri = R * currents[k];
    const std::vector<SpikeEvent>& spikes = net.spikes(pops[k]);
    INFO("I = " << currents[k] << " pA, t_ref = " << p.t_ref << " ms, V_reset = " << p.V_reset);
    if (!(ri > u_th)) {
      CHECK(spikes.empty());
      continue;
    }

    // Crossing times from V_reset (every interval) and from E_L (the first spike), in
    // steps; the grid rule needs them not to sit on a step boundary.
    const long double t_star = crossing_time(p.tau_m, ri, u_reset, u_th);
    const long double t_first = crossing_time(p.tau_m, ri, 0.0L, u_th);
    const long double n_star = t_star / dt;
    const long double n_first = t_first / dt;
    REQUIRE(std::fabs(n_star - std::nearbyint(n_star)) > 1e-6L);
    REQUIRE(std::fabs(n_first - std::nearbyint(n_first)) > 1e-6L);
    const Step isi_steps = (r_ref > 0 ? r_ref - 1 : 0) + static_cast<Step>(std::ceil(n_star));
    const Step first_step = static_cast<Step>(std::ceil(n_first)) - 1;

    REQUIRE(spikes.size() >= 3);
    CHECK(spikes.front().step == first_step);
    for (std::size_t i = 1; i < spikes.size(); ++i) {
      INFO("interval " << i);
      REQUIRE(spikes[i].step - spikes[i - 1].step == isi_steps);
    }
    CHECK(static_cast<Step>(spikes.size()) == (run_steps - 1 - first_step) / isi_steps + 1);

    // The interval and the rate against the analytic values and the grid bound.
    const long double isi_ms = isi_steps * dt;
    const long double t_ref = p.t_ref;
    CHECK(isi_ms >= t_ref - dt + t_star);
    CHECK(isi_ms < t_ref + t_star);
    const long double rate = 1000.0L * static_cast<long double>(spikes.size() - 1) /
                             ((spikes.back().step - spikes.front().step) * dt);
    const long double analytic = 1000.0L / (t_ref + t_star);
    CHECK(rate > analytic);
    CHECK(rate <= 1000.0L / (t_ref - dt + t_star));
    // The rate over the whole run, spikes / duration, differs from that only by the
    // partial intervals at the two ends: |N ISI - T| <= ISI + first spike time.
    const long double run_ms = run_steps * dt;
    const long double count_rate = 1000.0L * spikes.size() / run_ms;
    CHECK(std::fabs(count_rate - rate) <=
          1000.0L * (isi_ms + (first_step + 1) * dt) / (run_ms * isi_ms));
    const double deviation = static_cast<double>((rate - analytic) / analytic);
    CHECK(deviation <= static_cast<double>(dt / (t_ref - dt + t_star)));
    worst = std::max(worst, deviation);
  }
  return worst;
}

}  // namespace spikeflow::test
