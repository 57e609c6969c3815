// Mean-field theory of networks of LIF populations with Poisson-like input (Amit & Brunel
// 1997; Brunel 2000): the self-consistent stationary rates.
//
// Each neuron of population a receives, from each source b, K_ab inputs (mean in-degree) of
// equivalent jumps J (mV; a random J enters by its mean and mean square) from neurons firing
// at nu_b (Hz): a population of the network, or an external source of fixed rate. In the
// diffusion approximation (many small inputs, independent Poisson trains)
//   mu_a      = mu_ext_a + tau_m,a sum_b K_ab <J_ab>   nu_b
//   sigma_a^2 =            tau_m,a sum_b K_ab <J_ab^2> nu_b            (tau_m in s, nu in Hz)
// and the stationary rates solve nu_a = phi_a(mu_a(nu), sigma_a(nu)), phi the Siegert rate
// (models/lif_transfer.hpp), with the Fourcaud-Brunel correction for exponential synapses
// when enabled. tau_s of a population is the sigma^2-weighted mean of its inputs' tau_s.
// Delays do not enter the stationary state.
//
// Solver: damped fixed-point iteration nu <- nu + d (phi(nu) - nu) until the residual is
// below 1 Hz (at most damped_iterations steps; d = 0.1, halved when a step overshoots), then
// Newton's method with a finite-difference Jacobian and backtracking (relaxing again where
// no Newton step lowers the residual), rates kept >= 0. A relaxation step raises a rate by
// at most a factor 2 plus 10 Hz, and a step to a point where an input or a rate overflows is
// not taken (it is retried shorter). Converged when max_a |phi_a(nu) - nu_a| <= tolerance
// (Hz). From a start that does not converge (without refractoriness phi is unbounded and a
// strongly driven start can run away to ever higher rates), the solver starts again from
// each of options.restart_rates in turn (the same rate in every population). A network can
// have several fixed points (a low- and a high-rate one); the solver finds the one its start
// (options.initial_rates, by default 10 Hz everywhere, then the restarts) leads to, and says
// nothing about its stability: a fixed point can be unstable against oscillations (Brunel's
// synchronous states), then simulated rates differ from it.
#pragma once

#include <string>
#include <vector>

#include "models/lif_transfer.hpp"

namespace spikeflow::models {

// One stream of inputs into a population.
struct MeanFieldAfferent {
  int source = -1;         // index of a population of the network, or -1 for a fixed rate
  double rate = 0.0;       // Hz, the rate of each input when source == -1
  double indegree = 0.0;   // K: inputs per target neuron, mean
  double weight = 0.0;     // <J>: mean equivalent jump, mV
  double weight_sq = 0.0;  // <J^2>: mean square equivalent jump, mV^2
  double tau_syn = 0.0;    // ms; 0 for delta synapses
};

struct MeanFieldPopulation {
  std::string name;
  LifTransfer neuron;
  double mu_ext = 0.0;  // mV: E_L + tau_m I_e / C_m plus any constant current's share
  std::vector<MeanFieldAfferent> afferents;
};

struct MeanFieldOptions {
  double tolerance = 1e-8;            // Hz, on max |phi(nu) - nu|
  int max_iterations = 200;           // Newton steps
  int damped_iterations = 300;        // relaxation steps, per relaxation phase
  bool synaptic_filtering = true;     // Fourcaud-Brunel correction where tau_syn > 0
  std::vector<double> initial_rates;  // Hz, one per population; empty: 10 Hz each
  // Hz: starts tried in turn when initial_rates does not converge; empty: none.
  std::vector<double> restart_rates = {30.0, 3.0, 100.0, 1.0, 300.0, 1000.0, 0.0};
};

struct MeanFieldResult {
  bool converged = false;
  int iterations = 0;         // damped + Newton steps taken, all starts together
  int starts = 1;             // starts tried: 1 = initial_rates, k > 1 = restart_rates[k - 2]
  double residual = 0.0;      // Hz, max |phi(nu) - nu| at the returned rates
  std::vector<double> rates;  // Hz
  std::vector<double> mu;     // mV
  std::vector<double> sigma;  // mV
};

// mu and sigma (mV) of every population for the given rates (Hz).
void mean_field_input(const std::vector<MeanFieldPopulation>& populations,
                      const std::vector<double>& rates, std::vector<double>& mu,
                      std::vector<double>& sigma);

// phi(nu): the rate (Hz) each population fires at when its inputs fire at `rates`.
std::vector<double> mean_field_transfer(const std::vector<MeanFieldPopulation>& populations,
                                        const std::vector<double>& rates, bool synaptic_filtering);

// The self-consistent rates. Throws ConfigError for an invalid description (a source index
// out of range, a negative in-degree or rate); a run that does not converge returns
// converged = false with the last rates and their residual.
MeanFieldResult solve_mean_field(const std::vector<MeanFieldPopulation>& populations,
                                 const MeanFieldOptions& options = {});

}  // namespace spikeflow::models
