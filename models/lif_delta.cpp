#include "models/lif_delta.hpp"

#include "models/propagators.hpp"

namespace spikeflow::models {

LifDelta::LifDelta(NeuronIndex size, const Params& params)
    : size_(size), params_(params), V_m_(size, params.E_L), free_from_(size, 0) {
  validate_membrane("lif_delta", params_);
}

void LifDelta::prepare(const TimeGrid& grid) {
  const double h = grid.dt();
  P22_ = decay(h, params_.tau_m);
  P20_ = constant_current_response(h, params_.tau_m, params_.C_m);
  hold_ = hold_steps("lif_delta", params_.t_ref, grid);
}

namespace {

// One step for neurons [begin, end), without branches so that it vectorises (restrict
// parameters: see lif_exp.cpp). Input to a held neuron is lost.
SPIKEFLOW_KERNEL_CLONES void integrate(double E_L, double I_e, double P22, double P20,
                                       NeuronIndex begin, NeuronIndex end, Step step,
                                       double* __restrict V, const Step* __restrict free_from,
                                       const double* __restrict ex, const double* __restrict inh,
                                       const double* __restrict current) {
  for (NeuronIndex i = begin; i < end; ++i) {
    const double v = E_L + (V[i] - E_L) * P22 + (I_e + current[i]) * P20 + ex[i] + inh[i];
    V[i] = step >= free_from[i] ? v : V[i];
  }
}

}  // namespace

void LifDelta::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  integrate(params_.E_L, params_.I_e, P22_, P20_, range.begin, range.end, step, V_m_.data(),
            free_from_.data(), in.excitatory, in.inhibitory, in.current);
  emit_spikes(range, step, params_.V_th, params_.V_reset, hold_, V_m_.data(), free_from_.data(),
              out);
}

std::unique_ptr<Population> make_lif_delta(NeuronIndex size, const LifDelta::Params& params) {
  return std::make_unique<LifDelta>(size, params);
}

}  // namespace spikeflow::models
