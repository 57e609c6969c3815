// Tests of models/propagators.hpp against long double closed forms and series: full
// precision for tau_syn far from, near and equal to tau_m, and no jump where the alpha
// kernel switches from its series to its closed form.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/propagators.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow::models;
namespace test = spikeflow::test;

namespace {

double relative(double value, long double reference) {
  return static_cast<double>(std::fabs((value - reference) / reference));
}

}  // namespace

TEST_CASE("propagators: decay and constant-current response are exact", "[model][unit]") {
  // Requirement: P22 = e^{-h/tau}, P20 = (tau/C)(1 - e^{-h/tau}) to rounding, also for h << tau.
  for (const double h : {1e-6, 0.01, 0.1, 1.0}) {
    for (const double tau : {0.2, 10.0, 1e4}) {
      INFO("h = " << h << ", tau = " << tau);
      const long double x = static_cast<long double>(h) / tau;
      CHECK(relative(decay(h, tau), std::exp(-x)) < 1e-15);
      const long double p20 = static_cast<long double>(tau) / 250.0L * -std::expm1(-x);
      CHECK(relative(constant_current_response(h, tau, 250.0), p20) < 1e-15);
    }
  }
}

TEST_CASE(
    "propagators: the exponential-current response keeps full precision at any "
    "tau_syn / tau_m",
    "[model][unit]") {
  // Requirement: P21 = (1/C) int_0^h e^{-(h-u)/tau_m} e^{-u/tau_s} du to ~1e-15 relative,
  // including tau_s == tau_m and tau_s within 1e-14 .. 1e-4 of it.
  const double tau_m = 10.0;
  const double h = 0.1;
  for (const double tau_s : {0.1, 2.0, 9.0, 10.0 * (1 - 1e-4), 10.0 * (1 - 1e-10),
                             10.0 * (1 + 1e-14), 10.0, 10.0 * (1 + 1e-10), 15.0, 1e4}) {
    INFO("tau_s = " << tau_s);
    // exp_psp is V - E_L for a current of w pA; P21 is that per pA.
    const long double ref = test::exp_psp(h, 1.0L, tau_m, tau_s, 250.0L);
    CHECK(relative(exp_current_response(h, tau_m, tau_s, 250.0), ref) < 4e-15);
  }
}

TEST_CASE(
    "propagators: the alpha-current response keeps full precision at any "
    "tau_syn / tau_m",
    "[model][unit]") {
  // Requirement: P31 = (1/C) int_0^h e^{-(h-u)/tau_m} u e^{-u/tau_s} du to ~1e-15 relative.
  const double tau_m = 10.0;
  for (const double h : {0.01, 0.1, 1.0}) {
    for (const double tau_s :
         {0.1, 2.0, 9.0, 10.0 * (1 - 1e-10), 10.0, 10.0 * (1 + 1e-10), 15.0, 1e4}) {
      INFO("h = " << h << ", tau_s = " << tau_s);
      // alpha_psp is for the current (w e / tau_s) u e^{-u/tau_s}; take out its factor.
      const long double scale = std::exp(1.0L) / tau_s;
      const long double ref = test::alpha_psp(h, 1.0L, tau_m, tau_s, 250.0L) / scale;
      CHECK(relative(alpha_current_response(h, tau_m, tau_s, 250.0), ref) < 4e-15);
    }
  }
}

TEST_CASE(
    "propagators: the alpha kernel factor is smooth across its series switch at |x| = "
    "0.5",
    "[model][unit]") {
  // Requirement: (1 - e^{-x}(1 + x))/x^2 to ~1e-15 relative on both sides of |x| = 0.5 and
  // at 0 (= 1/2).
  CHECK(alpha_kernel_factor(0.0) == 0.5);
  for (const double x : {-3.0, -0.5000001, -0.5, -0.4999999, -1e-9, 1e-9, 0.25, 0.4999999, 0.5,
                         0.5000001, 3.0, 40.0}) {
    INFO("x = " << x);
    const long double lx = x;
    const long double ref = std::fabs(lx) < 0.05L
                                ? test::alpha_factor_series(lx)
                                : (1.0L - std::exp(-lx) * (1.0L + lx)) / (lx * lx);
    CHECK(relative(alpha_kernel_factor(x), ref) < 4e-15);
  }
}
