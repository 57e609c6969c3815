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

// The n neurons of one block, the arrays starting at its first neuron; returns the OR of
// their threshold masks. Input to a held neuron is lost.
template <bool kWithCurrent>
[[gnu::always_inline]] inline std::uint64_t integrate_block(
    double E_L, double P22, const ExternalDrive& drive, double constant_drive, double V_th,
    Step step, NeuronIndex n, double* __restrict V, const Step* __restrict free_from,
    double* __restrict ex, double* __restrict inh, const double* __restrict current) {
  std::uint64_t above = 0;
  for (NeuronIndex i = 0; i < n; ++i) {
    const double I_ext = kWithCurrent ? (drive.I_e + current[i]) * drive.P20 : constant_drive;
    const double v = E_L + (V[i] - E_L) * P22 + I_ext + ex[i] + inh[i];
    const double v_next = step >= free_from[i] ? v : V[i];
    V[i] = v_next;
    above |= crossed(v_next, V_th);
    ex[i] = 0.0;
    inh[i] = 0.0;
  }
  return above;
}

// One step for neurons [begin, end): integration, threshold and the clearing of this step's
// ring slot fused, block by block (see lif_exp.cpp).
template <bool kWithCurrent>
SPIKEFLOW_KERNEL_CLONES void step_neurons(double E_L, double P22, const ExternalDrive drive,
                                          const FireRule fire, NeuronIndex begin, NeuronIndex end,
                                          Step step, double* V, Step* free_from, double* ex,
                                          double* inh, const double* current, SpikeSink& out) {
  const double constant_drive = drive.constant();
  const auto block = [&](NeuronIndex b, NeuronIndex n) __attribute__((always_inline)) {
    return integrate_block<kWithCurrent>(E_L, P22, drive, constant_drive, fire.V_th, step, n, V + b,
                                         free_from + b, ex + b, inh + b, current + b);
  };
  integrate_and_fire(begin, end, step, fire, V, free_from, out, block);
}

}  // namespace

void LifDelta::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const ExternalDrive drive{params_.I_e, P20_};
  const FireRule fire{params_.V_th, params_.V_reset, hold_};
  // The ring slot is the engine's and writable (clears_spike_input).
  auto* ex = const_cast<double*>(in.excitatory);
  auto* inh = const_cast<double*>(in.inhibitory);
  const auto kernel = in.has_current ? step_neurons<true> : step_neurons<false>;
  kernel(params_.E_L, P22_, drive, fire, range.begin, range.end, step, V_m_.data(),
         free_from_.data(), ex, inh, in.current, out);
}

std::unique_ptr<Population> make_lif_delta(NeuronIndex size, const LifDelta::Params& params) {
  return std::make_unique<LifDelta>(size, params);
}

}  // namespace spikeflow::models
