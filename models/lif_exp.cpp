#include "models/lif_exp.hpp"

#include "models/propagators.hpp"

namespace spikeflow::models {

LifExp::LifExp(NeuronIndex size, const Params& params)
    : size_(size),
      params_(params),
      V_m_(size, params.E_L),
      I_ex_(size, 0.0),
      I_in_(size, 0.0),
      free_from_(size, 0) {
  validate_membrane("lif_exp", params_);
  require_positive("lif_exp", "tau_syn_ex", params_.tau_syn_ex, "ms");
  require_positive("lif_exp", "tau_syn_in", params_.tau_syn_in, "ms");
}

void LifExp::prepare(const TimeGrid& grid) {
  const Params& p = params_;
  const double h = grid.dt();
  // In the mV form dV/dt = g / tau_m, which is the pA form with C_m = tau_m.
  const double synaptic_c = p.weights_in_mV ? p.tau_m : p.C_m;
  P22_ = decay(h, p.tau_m);
  P20_ = constant_current_response(h, p.tau_m, p.C_m);
  P21ex_ = exp_current_response(h, p.tau_m, p.tau_syn_ex, synaptic_c);
  P21in_ = exp_current_response(h, p.tau_m, p.tau_syn_in, synaptic_c);
  P11ex_ = decay(h, p.tau_syn_ex);
  P11in_ = decay(h, p.tau_syn_in);
  hold_ = hold_steps("lif_exp", p.t_ref, grid);
}

void LifExp::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const Params& p = params_;
  // Integration without branches, so the loop vectorises; a held neuron keeps V_m.
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const double v = p.E_L + (V_m_[i] - p.E_L) * P22_ + I_ex_[i] * P21ex_ + I_in_[i] * P21in_ +
                     (p.I_e + in.current[i]) * P20_;
    V_m_[i] = step >= free_from_[i] ? v : V_m_[i];
    I_ex_[i] = I_ex_[i] * P11ex_ + in.excitatory[i];
    I_in_[i] = I_in_[i] * P11in_ + in.inhibitory[i];
  }
  emit_spikes(range, step, p.V_th, p.V_reset, hold_, V_m_.data(), free_from_.data(), out);
}

std::unique_ptr<Population> make_lif_exp(NeuronIndex size, const LifExp::Params& params) {
  return std::make_unique<LifExp>(size, params);
}

}  // namespace spikeflow::models
