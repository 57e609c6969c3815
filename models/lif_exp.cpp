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

namespace {

// One step for neurons [begin, end): integration, threshold and the clearing of this step's
// ring slot fused in one pass, block by block (integrate_and_fire). The integration loop has
// no branches so that it vectorises; a function with restrict parameters because GCC
// ignores restrict on locals, and without it the arrays would need more alias checks than it
// is willing to emit. The kernel is cloned for wider ISAs, and the threshold walk with it,
// and compiled in four variants: with or without the current array (ExternalDrive), and
// reading the ring slot for every neuron or only for the listed ones (kListed, see
// add_listed_arrivals).
struct ExpPropagators {
  double E_L, P22, P21ex, P21in, P11ex, P11in;
};

// The n neurons of one block, the arrays starting at its first neuron; returns the OR of
// their threshold masks. (Indexing from 0 to a constant n lets GCC count the iterations,
// which it cannot for i < b + n with b unsigned.)
template <bool kWithCurrent, bool kListed>
[[gnu::always_inline]] inline std::uint64_t integrate_block(
    const ExpPropagators& c, const ExternalDrive& drive, double constant_drive, double V_th,
    Step step, NeuronIndex n, double* __restrict V, double* __restrict I_ex,
    double* __restrict I_in, const Step* __restrict free_from, double* __restrict ex,
    double* __restrict inh, const double* __restrict current) {
  std::uint64_t above = 0;
  for (NeuronIndex i = 0; i < n; ++i) {
    const double I_ext = kWithCurrent ? (drive.I_e + current[i]) * drive.P20 : constant_drive;
    const double v = c.E_L + (V[i] - c.E_L) * c.P22 + I_ex[i] * c.P21ex + I_in[i] * c.P21in + I_ext;
    const double v_next = step >= free_from[i] ? v : V[i];  // a held neuron keeps V_m
    V[i] = v_next;
    above |= crossed(v_next, V_th);
    if constexpr (kListed) {
      I_ex[i] = I_ex[i] * c.P11ex + 0.0;  // what an empty slot entry (+0.0) adds
      I_in[i] = I_in[i] * c.P11in + 0.0;
    } else {
      I_ex[i] = I_ex[i] * c.P11ex + ex[i];
      I_in[i] = I_in[i] * c.P11in + inh[i];
      ex[i] = 0.0;
      inh[i] = 0.0;
    }
  }
  return above;
}

template <bool kWithCurrent, bool kListed>
SPIKEFLOW_KERNEL_CLONES void step_neurons(const ExpPropagators c, const ExternalDrive drive,
                                          const FireRule fire, NeuronIndex begin, NeuronIndex end,
                                          Step step, double* V, double* I_ex, double* I_in,
                                          Step* free_from, double* ex, double* inh,
                                          const double* current, SpikeSink& out) {
  const double constant_drive = drive.constant();
  const auto block = [&](NeuronIndex b, NeuronIndex n) __attribute__((always_inline)) {
    return integrate_block<kWithCurrent, kListed>(c, drive, constant_drive, fire.V_th, step, n,
                                                  V + b, I_ex + b, I_in + b, free_from + b, ex + b,
                                                  inh + b, current + b);
  };
  integrate_and_fire(begin, end, step, fire, V, free_from, out, block);
}

// After step_neurons<..., true>: the listed neurons' slot entries are added to their decayed
// currents, and cleared. The same bits as I_x P11x + slot[i] in one go: the decayed value
// a = I_x P11x + 0.0 is never -0.0, and a slot entry is never -0.0 either (a sum of weights
// started from +0.0), so adding it to a or to I_x P11x rounds alike; a neuron listed again
// gets +0.0 added, which changes nothing that is not -0.0.
void add_listed_arrivals(const NeuronIndex* listed, std::size_t count, double* I_ex, double* I_in,
                         double* ex, double* inh) {
  for (std::size_t k = 0; k < count; ++k) {
    const NeuronIndex i = listed[k];
    I_ex[i] += ex[i];
    I_in[i] += inh[i];
    ex[i] = 0.0;
    inh[i] = 0.0;
  }
}

}  // namespace

void LifExp::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const ExpPropagators c{params_.E_L, P22_, P21ex_, P21in_, P11ex_, P11in_};
  const ExternalDrive drive{params_.I_e, P20_};
  const FireRule fire{params_.V_th, params_.V_reset, hold_};
  // The ring slot is the engine's and writable (clears_spike_input).
  auto* ex = const_cast<double*>(in.excitatory);
  auto* inh = const_cast<double*>(in.inhibitory);
  const bool listed = in.arrivals != nullptr;
  const auto kernel = in.has_current
                          ? (listed ? step_neurons<true, true> : step_neurons<true, false>)
                          : (listed ? step_neurons<false, true> : step_neurons<false, false>);
  kernel(c, drive, fire, range.begin, range.end, step, V_m_.data(), I_ex_.data(), I_in_.data(),
         free_from_.data(), ex, inh, in.current, out);
  if (listed)
    add_listed_arrivals(in.arrivals, in.arrival_count, I_ex_.data(), I_in_.data(), ex, inh);
}

std::unique_ptr<Population> make_lif_exp(NeuronIndex size, const LifExp::Params& params) {
  return std::make_unique<LifExp>(size, params);
}

}  // namespace spikeflow::models
