#include "models/lif_cond_exp.hpp"

#include "models/propagators.hpp"

namespace spikeflow::models {

LifCondExp::LifCondExp(NeuronIndex size, const Params& params)
    : size_(size),
      params_(params),
      V_m_(size, params.E_L),
      g_ex_(size, 0.0),
      g_in_(size, 0.0),
      free_from_(size, 0) {
  constexpr std::string_view model = "lif_cond_exp";
  const Params& p = params_;
  require_finite(model, "E_L", p.E_L, "mV");
  require_positive(model, "C_m", p.C_m, "pF");
  if (!(p.t_ref >= 0.0) || !std::isfinite(p.t_ref))
    throw ConfigError(concat(model, ": t_ref must be >= 0 ms, got ", p.t_ref));
  require_finite(model, "V_th", p.V_th, "mV");
  require_finite(model, "V_reset", p.V_reset, "mV");
  if (!(p.V_reset < p.V_th))
    throw ConfigError(
        concat(model, ": V_reset must be < V_th = ", p.V_th, " mV, got ", p.V_reset, " mV"));
  require_finite(model, "I_e", p.I_e, "pA");
  require_positive(model, "g_L", p.g_L, "nS");
  require_finite(model, "E_ex", p.E_ex, "mV");
  require_finite(model, "E_in", p.E_in, "mV");
  require_positive(model, "tau_syn_ex", p.tau_syn_ex, "ms");
  require_positive(model, "tau_syn_in", p.tau_syn_in, "ms");
}

void LifCondExp::prepare(const TimeGrid& grid) {
  h_ = grid.dt();
  P_ex_ = decay(h_, params_.tau_syn_ex);
  P_in_ = decay(h_, params_.tau_syn_in);
  // Mean of e^{-u/tau} over [0, h]: tau (1 - e^{-h/tau}) / h.
  mean_ex_ = -params_.tau_syn_ex * std::expm1(-h_ / params_.tau_syn_ex) / h_;
  mean_in_ = -params_.tau_syn_in * std::expm1(-h_ / params_.tau_syn_in) / h_;
  hold_ = hold_steps("lif_cond_exp", params_.t_ref, grid);
}

namespace {

// One step for neurons [begin, end), without branches (restrict parameters: see
// lif_exp.cpp). Limitation: std::exp keeps this loop scalar.
void integrate(const LifCondExp::Params p, double h, double P_ex, double P_in, double mean_ex,
               double mean_in, NeuronIndex begin, NeuronIndex end, Step step, double* __restrict V,
               double* __restrict g_ex_state, double* __restrict g_in_state,
               const Step* __restrict free_from, double* __restrict ex, double* __restrict inh,
               const double* __restrict current) {
  for (NeuronIndex i = begin; i < end; ++i) {
    const double g_ex = g_ex_state[i] * mean_ex;
    const double g_in = g_in_state[i] * mean_in;
    const double g_total = p.g_L + g_ex + g_in;
    const double v_inf =
        (p.g_L * p.E_L + g_ex * p.E_ex + g_in * p.E_in + p.I_e + current[i]) / g_total;
    const double v = v_inf + (V[i] - v_inf) * std::exp(-h * g_total / p.C_m);
    V[i] = step >= free_from[i] ? v : V[i];  // a held neuron keeps V_m
    g_ex_state[i] = g_ex_state[i] * P_ex + ex[i];
    g_in_state[i] = g_in_state[i] * P_in - inh[i];
    ex[i] = 0.0;  // this step's ring slot, cleared here (clears_spike_input)
    inh[i] = 0.0;
  }
}

}  // namespace

void LifCondExp::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  integrate(params_, h_, P_ex_, P_in_, mean_ex_, mean_in_, range.begin, range.end, step,
            V_m_.data(), g_ex_.data(), g_in_.data(), free_from_.data(),
            const_cast<double*>(in.excitatory), const_cast<double*>(in.inhibitory), in.current);
  emit_spikes(range, step, params_.V_th, params_.V_reset, hold_, V_m_.data(), free_from_.data(),
              out);
}

std::unique_ptr<Population> make_lif_cond_exp(NeuronIndex size, const LifCondExp::Params& params) {
  return std::make_unique<LifCondExp>(size, params);
}

}  // namespace spikeflow::models
