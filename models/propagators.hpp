// Exact-integration propagators shared by the LIF models.
//
// For linear subthreshold dynamics the state after one step h is a fixed linear map of the
// state before it; the coefficients are computed once per dt. The delicate case is a
// synaptic time constant equal or close to the membrane time constant, where the textbook
// formula tau_s tau_m / (tau_m - tau_s) (e^{-h/tau_m} - e^{-h/tau_s}) divides two vanishing
// numbers. Writing it through a = 1/tau_s - 1/tau_m and expm1 keeps full precision for any
// distance between the two, including zero.
#pragma once

#include <cmath>

namespace spikeflow::models {

// e^{-h/tau}
inline double decay(double h, double tau) {
  return std::exp(-h / tau);
}

// Membrane response to a constant current of 1 pA over h, from rest:
// (tau_m / C_m) (1 - e^{-h/tau_m})  [mV/pA].
inline double constant_current_response(double h, double tau_m, double c_m) {
  return -tau_m / c_m * std::expm1(-h / tau_m);
}

// Membrane response at h to a synaptic current that starts at 1 pA and decays with tau_s:
// (1/C_m) int_0^h e^{-(h-u)/tau_m} e^{-u/tau_s} du  [mV/pA].
inline double exp_current_response(double h, double tau_m, double tau_s, double c_m) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  const double x = a * h;
  // -expm1(-x)/a = h * (-expm1(-x)/x), and -expm1(-x)/x -> 1 as x -> 0.
  const double factor = x == 0.0 ? 1.0 : -std::expm1(-x) / x;
  return std::exp(-h / tau_m) * h * factor / c_m;
}

// (1 - e^{-x}(1 + x)) / x^2, accurate for every x (the series below |x| = 0.5 avoids the
// cancellation of the closed form).
inline double alpha_kernel_factor(double x) {
  if (std::abs(x) < 0.5) {
    // sum_{k>=2} (-1)^k (k - 1) x^{k-2} / k!
    double sum = 0.0;
    double power = 1.0;      // x^{k-2}
    double factorial = 2.0;  // k!
    for (int k = 2; k < 24; ++k) {
      const double term = (k - 1) * power / factorial;
      sum += (k % 2 == 0) ? term : -term;
      power *= x;
      factorial *= (k + 1);
    }
    return sum;
  }
  return (1.0 - std::exp(-x) * (1.0 + x)) / (x * x);
}

// Membrane response at h to the alpha-current state dI = 1 (I = 0): I(u) = u e^{-u/tau_s},
// (1/C_m) int_0^h e^{-(h-u)/tau_m} u e^{-u/tau_s} du  [mV per pA/ms].
inline double alpha_current_response(double h, double tau_m, double tau_s, double c_m) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  return std::exp(-h / tau_m) * h * h * alpha_kernel_factor(a * h) / c_m;
}

}  // namespace spikeflow::models
