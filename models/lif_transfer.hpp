// Transfer functions of the leaky integrate-and-fire neuron: the stationary firing rate as a
// function of its input. Plain functions (units ms, mV, Hz), used by the mean-field solver
// (models/meanfield.hpp) and as the phi = "lif" transfer of rate populations.
//
// The neuron: tau_m dV/dt = -V + mu + sigma sqrt(tau_m) xi(t), xi Gaussian white noise
// (<xi(t) xi(t')> = delta(t - t')); a spike when V reaches V_th, then V is held at V_reset for
// t_ref. mu (mV) is the potential the free membrane relaxes to (E_L + tau_m I / C_m for a
// current I); sigma (mV) is the noise amplitude in Brunel's (2000) convention, in which the
// free membrane potential has variance sigma^2 / 2. Shot noise of K inputs of jumps J (mV) at
// rate nu each gives mu = tau_m K J nu and sigma^2 = tau_m K J^2 nu (tau_m in s, nu in Hz).
//
// Deterministic f-I curve (sigma = 0): the membrane goes from V_reset to V_th in
//   T = tau_m ln((mu - V_reset) / (mu - V_th))
// so the rate is 1 / (t_ref + T) for mu > V_th and 0 otherwise (at or below the rheobase the
// threshold is never reached).
//
// Siegert formula (Siegert 1951; Amit & Brunel 1997; Brunel 2000, eq. 21):
//   1 / nu = t_ref + tau_m sqrt(pi) int_{y_r}^{y_th} e^{u^2} (1 + erf u) du,
//   y_th = (V_th - mu) / sigma,   y_r = (V_reset - mu) / sigma.
// Numerics: the integrand equals erfcx(-u) (erfcx(x) = e^{x^2} erfc(x)), evaluated without
// cancellation or overflow for u < 0, where it decays like 1 / (|u| sqrt(pi)). The part of the
// range below u = -1 is integrated in s = ln(-u) (the integrand times |u| tends to 1/sqrt(pi)),
// the rest directly, each by adaptive Gauss-Kronrod (15 points) to 1e-13 relative. For
// y_th > 26 the rate is below 1e-290 Hz and 0 is returned (e^{y_th^2} would overflow). As
// sigma -> 0 the formula tends to the deterministic curve; sigma = 0 uses it.
//
// Synaptic filtering (Fourcaud & Brunel 2002): with exponential synaptic currents of time
// constant tau_s << tau_m the rate is, to first order in sqrt(tau_s / tau_m), the white-noise
// rate with threshold and reset both shifted up by sigma (alpha / 2) sqrt(tau_s / tau_m),
// alpha = sqrt(2) |zeta(1/2)| = 2.0652... Pass tau_s > 0 to apply it (tau_s = 0: white noise).
// It is an expansion: it degrades as tau_s approaches tau_m.
//
// Errors: ConfigError naming the parameter and its value for tau_m <= 0, t_ref < 0,
// V_reset >= V_th, sigma < 0, tau_s < 0 or a non-finite value.
#pragma once

#include "models/lif_common.hpp"

namespace spikeflow::models {

// The neuron parameters a transfer function needs (defaults: NEST iaf_psc_*).
struct LifTransfer {
  double tau_m = 10.0;     // membrane time constant, ms
  double t_ref = 2.0;      // refractory period, ms
  double V_th = -55.0;     // threshold, mV
  double V_reset = -70.0;  // reset, mV
};

// The transfer parameters of a LIF model's membrane parameters.
inline LifTransfer lif_transfer_of(const MembraneParams& p) {
  return {p.tau_m, p.t_ref, p.V_th, p.V_reset};
}

// alpha / 2 of the Fourcaud-Brunel correction: sqrt(2) |zeta(1/2)| / 2.
inline constexpr double kSynapticFilteringShift = 1.0326265761156086;

// Rate (Hz) of a LIF neuron whose membrane relaxes to mu (mV) without noise; 0 for
// mu <= V_th.
double lif_rate_deterministic(double mu, const LifTransfer& neuron);

// The f-I curve: rate (Hz) under a constant current I (pA) added to the model's I_e, with
// mu = E_L + tau_m (I + I_e) / C_m. Continuous time; a simulation on a grid of step dt has
// inter-spike intervals in (1/rate - dt, 1/rate] (see models/lif_common.hpp).
double lif_rate_current(double current, const MembraneParams& membrane);

// Siegert rate (Hz) for white-noise input of mean mu and amplitude sigma (mV); with tau_s > 0
// (ms) the Fourcaud-Brunel correction for exponential synapses of that time constant.
double siegert_rate(double mu, double sigma, const LifTransfer& neuron, double tau_s = 0.0);

// The integral int_{a}^{b} e^{u^2} (1 + erf u) du for a <= b, b <= 26 (exposed for tests).
double siegert_integral(double a, double b);

// The scaled complementary error function e^{x^2} erfc(x), accurate to a few ulp for every x
// where it is finite (it overflows to +inf for x < -26.6).
double erfcx(double x);

}  // namespace spikeflow::models
