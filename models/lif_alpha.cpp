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

namespace {

// The n neurons of one block, the arrays starting at its first neuron; returns the OR of
// their threshold masks.
template <bool kWithCurrent, typename Receptor>
[[gnu::always_inline]] inline std::uint64_t integrate_block(
    double E_L, double P33, const ExternalDrive& drive, double constant_drive, const Receptor& ex_r,
    const Receptor& in_r, double V_th, Step step, NeuronIndex n, double* __restrict V,
    double* __restrict I_ex, double* __restrict dI_ex, double* __restrict I_in,
    double* __restrict dI_in, const Step* __restrict free_from, double* __restrict ex,
    double* __restrict inh, const double* __restrict current) {
  std::uint64_t above = 0;
  for (NeuronIndex i = 0; i < n; ++i) {
    const double I_ext = kWithCurrent ? (drive.I_e + current[i]) * drive.P20 : constant_drive;
    const double v = E_L + (V[i] - E_L) * P33 + dI_ex[i] * ex_r.P31 + I_ex[i] * ex_r.P32 +
                     dI_in[i] * in_r.P31 + I_in[i] * in_r.P32 + I_ext;
    const double v_next = step >= free_from[i] ? v : V[i];  // a held neuron keeps V_m
    V[i] = v_next;
    above |= crossed(v_next, V_th);
    I_ex[i] = ex_r.P21 * dI_ex[i] + ex_r.P11 * I_ex[i];
    dI_ex[i] = ex_r.P11 * dI_ex[i] + ex_r.jump * ex[i];
    I_in[i] = in_r.P21 * dI_in[i] + in_r.P11 * I_in[i];
    dI_in[i] = in_r.P11 * dI_in[i] + in_r.jump * inh[i];
    ex[i] = 0.0;
    inh[i] = 0.0;
  }
  return above;
}

// One step for neurons [begin, end): integration, threshold and the clearing of this step's
// ring slot fused, block by block (see lif_exp.cpp).
template <bool kWithCurrent, typename Receptor>
SPIKEFLOW_KERNEL_CLONES void step_neurons(double E_L, double P33, const ExternalDrive drive,
                                          const Receptor ex_r, const Receptor in_r,
                                          const FireRule fire, NeuronIndex begin, NeuronIndex end,
                                          Step step, double* V, double* I_ex, double* dI_ex,
                                          double* I_in, double* dI_in, Step* free_from, double* ex,
                                          double* inh, const double* current, SpikeSink& out) {
  const double constant_drive = drive.constant();
  const auto block = [&](NeuronIndex b, NeuronIndex n) __attribute__((always_inline)) {
    return integrate_block<kWithCurrent>(E_L, P33, drive, constant_drive, ex_r, in_r, fire.V_th,
                                         step, n, V + b, I_ex + b, dI_ex + b, I_in + b, dI_in + b,
                                         free_from + b, ex + b, inh + b, current + b);
  };
  integrate_and_fire(begin, end, step, fire, V, free_from, out, block);
}

}  // namespace

void LifAlpha::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const ExternalDrive drive{params_.I_e, P30_};
  const FireRule fire{params_.V_th, params_.V_reset, hold_};
  // The ring slot is the engine's and writable (clears_spike_input).
  auto* ex = const_cast<double*>(in.excitatory);
  auto* inh = const_cast<double*>(in.inhibitory);
  const auto kernel = in.has_current ? step_neurons<true, Receptor> : step_neurons<false, Receptor>;
  kernel(params_.E_L, P33_, drive, ex_, in_, fire, range.begin, range.end, step, V_m_.data(),
         I_ex_.data(), dI_ex_.data(), I_in_.data(), dI_in_.data(), free_from_.data(), ex, inh,
         in.current, out);
}

std::unique_ptr<Population> make_lif_alpha(NeuronIndex size, const LifAlpha::Params& params) {
  return std::make_unique<LifAlpha>(size, params);
}

}  // namespace spikeflow::models
