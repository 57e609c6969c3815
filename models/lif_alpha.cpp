#include "models/lif_alpha.hpp"

#include "models/propagators.hpp"

namespace spikeflow::models {

LifAlpha::LifAlpha(NeuronIndex size, const Params& params)
    : size_(size),
      params_(params),
      V_m_(size, params.E_L),
      I_ex_(size, 0.0),
      I_in_(size, 0.0),
      dI_ex_(size, 0.0),
      dI_in_(size, 0.0),
      free_from_(size, 0) {
  validate_membrane("lif_alpha", params_);
  require_positive("lif_alpha", "tau_syn_ex", params_.tau_syn_ex, "ms");
  require_positive("lif_alpha", "tau_syn_in", params_.tau_syn_in, "ms");
}

LifAlpha::Receptor LifAlpha::receptor(double h, double tau_syn) const {
  Receptor r;
  r.P11 = decay(h, tau_syn);
  r.P21 = h * r.P11;
  r.P31 = alpha_current_response(h, params_.tau_m, tau_syn, params_.C_m);
  r.P32 = exp_current_response(h, params_.tau_m, tau_syn, params_.C_m);
  r.jump = M_E / tau_syn;
  return r;
}

void LifAlpha::prepare(const TimeGrid& grid) {
  const double h = grid.dt();
  P33_ = decay(h, params_.tau_m);
  P30_ = constant_current_response(h, params_.tau_m, params_.C_m);
  ex_ = receptor(h, params_.tau_syn_ex);
  in_ = receptor(h, params_.tau_syn_in);
  hold_ = hold_steps("lif_alpha", params_.t_ref, grid);
}

void LifAlpha::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const Params& p = params_;
  // Integration without branches, so the loop vectorises; a held neuron keeps V_m.
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const double v = p.E_L + (V_m_[i] - p.E_L) * P33_ + dI_ex_[i] * ex_.P31 +
                     I_ex_[i] * ex_.P32 + dI_in_[i] * in_.P31 + I_in_[i] * in_.P32 +
                     (p.I_e + in.current[i]) * P30_;
    V_m_[i] = step >= free_from_[i] ? v : V_m_[i];
    I_ex_[i] = ex_.P21 * dI_ex_[i] + ex_.P11 * I_ex_[i];
    dI_ex_[i] = ex_.P11 * dI_ex_[i] + ex_.jump * in.excitatory[i];
    I_in_[i] = in_.P21 * dI_in_[i] + in_.P11 * I_in_[i];
    dI_in_[i] = in_.P11 * dI_in_[i] + in_.jump * in.inhibitory[i];
  }
  emit_spikes(range, step, p.V_th, p.V_reset, hold_, V_m_.data(), free_from_.data(), out);
}

std::unique_ptr<Population> make_lif_alpha(NeuronIndex size, const LifAlpha::Params& params) {
  return std::make_unique<LifAlpha>(size, params);
}

}  // namespace spikeflow::models
