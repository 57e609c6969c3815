// The mean-field description (models/meanfield.hpp) of a Network built from LIF populations.
//
// What is read, per target population a:
// - the neuron: lif_delta or lif_exp (tau_m, t_ref, V_th, V_reset; mu_ext = E_L + tau_m I_e /
//   C_m plus tau_m I / C_m for every `dc` input of amplitude I pA);
// - each projection b -> a: the mean in-degree K = expected_synapse_count / size of a
//   (engine/connectivity.hpp: exact for fixed_indegree, one_to_one and all_to_all, the mean
//   for pairwise_bernoulli, fixed_outdegree and fixed_total_number, whose in-degrees vary
//   from neuron to neuron), and the mean and mean square of the weight distribution
//   (constant, uniform, normal, lognormal, with bounds: truncated moments in closed form);
// - each `poisson` input: one afferent of its rate and weight.
// Weights become equivalent jumps J (mV), the integral of the postsynaptic potential over
// tau_m, so that a train of rate nu shifts the mean potential by tau_m K J nu:
//   lif_delta                      J = w                 (w in mV)
//   lif_exp, weights in pA         J = w tau_syn / C_m   (the charge of the current w
//   e^{-t/tau_syn}) lif_exp, weights_in_mV         J = w tau_syn / tau_m
// with tau_syn = tau_syn_ex for w > 0 and tau_syn_in for w < 0, which also sets the
// Fourcaud-Brunel correction of lif_exp targets.
//
// Refused (ConfigError naming the population, projection or input and why): any other
// neuron model (lif_alpha, lif_cond_exp: conductance input changes the membrane time
// constant; spike_source_array: no stationary rate), inputs other than poisson and dc, inputs
// that stop (a finite `stop`: no stationary state), and on lif_exp targets a weight
// distribution taking both signs with tau_syn_ex != tau_syn_in.
#pragma once

#include <vector>

#include "engine/network.hpp"
#include "models/meanfield.hpp"

namespace spikeflow::models {

// Population indices of the result are those of the network.
std::vector<MeanFieldPopulation> mean_field_of(const Network& network);

// Mean and mean square of a weight distribution, bounds included (exposed for tests).
struct Moments {
  double mean;
  double mean_square;
};
Moments distribution_moments(const Distribution& d);

}  // namespace spikeflow::models
