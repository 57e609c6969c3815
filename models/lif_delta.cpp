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

void LifDelta::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const Params& p = params_;
  // Integration without branches, so the loop vectorises; input to a held neuron is lost.
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const double v = p.E_L + (V_m_[i] - p.E_L) * P22_ + (p.I_e + in.current[i]) * P20_ +
                     in.excitatory[i] + in.inhibitory[i];
    V_m_[i] = step >= free_from_[i] ? v : V_m_[i];
  }
  emit_spikes(range, step, p.V_th, p.V_reset, hold_, V_m_.data(), free_from_.data(), out);
}

std::unique_ptr<Population> make_lif_delta(NeuronIndex size, const LifDelta::Params& params) {
  return std::make_unique<LifDelta>(size, params);
}

}  // namespace spikeflow::models
