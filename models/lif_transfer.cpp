#include "models/lif_transfer.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include "engine/error.hpp"

namespace spikeflow::models {

namespace {

// Past this y_th the Siegert rate is below 1e-290 Hz and e^{y^2} overflows.
constexpr double kLargestThreshold = 26.0;

void validate(const LifTransfer& n, const char* function) {
  require_positive(function, "tau_m", n.tau_m, "ms");
  if (!(n.t_ref >= 0.0) || !std::isfinite(n.t_ref))
    throw ConfigError(concat(function, ": t_ref must be >= 0 ms, got ", n.t_ref));
  require_finite(function, "V_th", n.V_th, "mV");
  require_finite(function, "V_reset", n.V_reset, "mV");
  if (!(n.V_reset < n.V_th))
    throw ConfigError(
        concat(function, ": V_reset must be < V_th = ", n.V_th, " mV, got ", n.V_reset, " mV"));
}

// e^{x^2} erfc(x) for x >= 2 by the continued fraction
//   erfc(x) = e^{-x^2} / sqrt(pi) * 1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))),
// evaluated from the tail; 60 terms reach double precision for x >= 2.
double erfcx_continued_fraction(double x) {
  double tail = x;
  for (int n = 60; n >= 1; --n) tail = x + 0.5 * n / tail;
  return 1.0 / (std::sqrt(std::numbers::pi) * tail);
}

// Gauss-Kronrod 15-point rule on [a, b] (QUADPACK's qk15 nodes and weights): the Kronrod
// estimate and its difference from the embedded 7-point Gauss rule.
struct Estimate {
  double value;
  double error;
};

template <typename F>
Estimate gauss_kronrod_15(const F& f, double a, double b) {
  static constexpr std::array<double, 8> x = {
      0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
      0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
      0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
      0.207784955007898467600689403773245, 0.0};
  static constexpr std::array<double, 8> wk = {
      0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
      0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
      0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
      0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
  // Gauss weights of the nodes x[1], x[3], x[5] and x[7].
  static constexpr std::array<double, 4> wg = {
      0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
      0.381830050505118944950369775488975, 0.417959183673469387755102040816327};
  const double center = 0.5 * (a + b);
  const double half = 0.5 * (b - a);
  const double fc = f(center);
  double kronrod = wk[7] * fc;
  double gauss = wg[3] * fc;
  for (int i = 0; i < 7; ++i) {
    const double pair = f(center - half * x[i]) + f(center + half * x[i]);
    kronrod += wk[i] * pair;
    if (i % 2 == 1) gauss += wg[i / 2] * pair;
  }
  return {kronrod * half, std::fabs((kronrod - gauss) * half)};
}

// Adaptive bisection until each piece's error is below its share of `tolerance` (absolute).
template <typename F>
double integrate(const F& f, double a, double b, double tolerance, int depth = 0) {
  const Estimate whole = gauss_kronrod_15(f, a, b);
  if (whole.error <= tolerance || depth >= 30) return whole.value;
  const double mid = 0.5 * (a + b);
  return integrate(f, a, mid, 0.5 * tolerance, depth + 1) +
         integrate(f, mid, b, 0.5 * tolerance, depth + 1);
}

// The integral of f over [a, b] to `relative` accuracy: a first pass over kPanels panels
// gives the scale that sets the absolute tolerance; panels whose error already meets their
// share are kept, the others bisected.
template <typename F>
double integrate_relative(const F& f, double a, double b, double relative) {
  if (!(b > a)) return 0.0;
  constexpr int kPanels = 8;
  std::array<Estimate, kPanels> panels;
  double scale = 0.0;
  for (int i = 0; i < kPanels; ++i) {
    panels[i] = gauss_kronrod_15(f, a + (b - a) * i / kPanels, a + (b - a) * (i + 1) / kPanels);
    scale += std::fabs(panels[i].value);
  }
  const double tolerance = relative * scale / kPanels;
  double sum = 0.0;
  for (int i = 0; i < kPanels; ++i)
    sum += panels[i].error <= tolerance ? panels[i].value
                                        : integrate(f, a + (b - a) * i / kPanels,
                                                    a + (b - a) * (i + 1) / kPanels, tolerance);
  return sum;
}

}  // namespace

double erfcx(double x) {
  if (x >= 2.0) return erfcx_continued_fraction(x);
  if (x >= 0.0) return std::exp(x * x) * std::erfc(x);
  // e^{x^2} (2 - erfc(-x)): no cancellation, the first term dominates.
  return 2.0 * std::exp(x * x) - erfcx(-x);
}

double siegert_integral(double a, double b) {
  if (!(a <= b) || !(b <= kLargestThreshold))
    throw ConfigError(concat("siegert_integral: needs a <= b <= ", kLargestThreshold,
                             ", got a = ", a, ", b = ", b));
  constexpr double kRelative = 1e-13;
  double sum = 0.0;
  // Below u = -1, in s = ln(-u): int erfcx(e^s) e^s ds, an integrand that tends to 1/sqrt(pi).
  if (a < -1.0) {
    const double s_low = std::log(-std::min(b, -1.0));
    const double s_high = std::log(-a);
    sum += integrate_relative([](double s) { return erfcx(std::exp(s)) * std::exp(s); }, s_low,
                              s_high, kRelative);
  }
  if (b > -1.0) {
    const double low = std::max(a, -1.0);
    sum += integrate_relative([](double u) { return erfcx(-u); }, low, b, kRelative);
  }
  return sum;
}

double lif_rate_deterministic(double mu, const LifTransfer& neuron) {
  validate(neuron, "lif_rate_deterministic");
  require_finite("lif_rate_deterministic", "mu", mu, "mV");
  if (!(mu > neuron.V_th)) return 0.0;
  // ln((mu - V_reset) / (mu - V_th)) without losing digits when mu is far above threshold.
  const double crossing =
      neuron.tau_m * std::log1p((neuron.V_th - neuron.V_reset) / (mu - neuron.V_th));
  return 1000.0 / (neuron.t_ref + crossing);
}

double lif_rate_current(double current, const MembraneParams& membrane) {
  validate_membrane("lif_rate_current", membrane);
  require_finite("lif_rate_current", "current", current, "pA");
  const double mu = membrane.E_L + membrane.tau_m * (current + membrane.I_e) / membrane.C_m;
  return lif_rate_deterministic(mu, lif_transfer_of(membrane));
}

double siegert_rate(double mu, double sigma, const LifTransfer& neuron, double tau_s) {
  validate(neuron, "siegert_rate");
  require_finite("siegert_rate", "mu", mu, "mV");
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    throw ConfigError(concat("siegert_rate: sigma must be >= 0 mV, got ", sigma));
  if (!(tau_s >= 0.0) || !std::isfinite(tau_s))
    throw ConfigError(concat("siegert_rate: tau_s must be >= 0 ms, got ", tau_s));
  if (sigma == 0.0) return lif_rate_deterministic(mu, neuron);

  const double shift = kSynapticFilteringShift * std::sqrt(tau_s / neuron.tau_m);
  const double y_th = (neuron.V_th - mu) / sigma + shift;
  const double y_r = (neuron.V_reset - mu) / sigma + shift;
  if (y_th > kLargestThreshold) return 0.0;
  // Noise so weak that (V - mu) / sigma overflows: the deterministic limit.
  if (!std::isfinite(y_r)) return lif_rate_deterministic(mu, neuron);
  const double integral = siegert_integral(y_r, y_th);
  return 1000.0 / (neuron.t_ref + neuron.tau_m * std::sqrt(std::numbers::pi) * integral);
}

}  // namespace spikeflow::models
