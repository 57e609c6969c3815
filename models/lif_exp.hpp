// lif_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic currents.
//
//   C_m dV_m/dt   = -C_m (V_m - E_L) / tau_m + I_syn_ex + I_syn_in + I_e + I_ext(t)
//   dI_syn_ex/dt  = -I_syn_ex / tau_syn_ex,   dI_syn_in/dt = -I_syn_in / tau_syn_in
//   an input spike of weight w > 0 adds w to I_syn_ex, w < 0 adds w to I_syn_in
//
// Exact integration by propagators, per step h (NEST's iaf_psc_exp scheme):
//   V_m      <- E_L + (V_m - E_L) P22 + I_syn_ex P21ex + I_syn_in P21in + (I_e + I_ext) P20
//   I_syn_x  <- I_syn_x P11x + weights arriving in this step
// so a spike arriving in step s raises the current at the end of step s and moves V_m from
// step s + 1 on. P21 is computed through expm1 (propagators.hpp), so tau_syn equal to or
// within any distance of tau_m keeps full precision. Synaptic currents keep evolving while
// the neuron is refractory; only V_m is held (see lif_common.hpp for the spike rule).
//
// With `weights_in_mV` the synaptic variables are voltages (mV) entering as
// tau_m dV_m/dt = -(V_m - E_L) + g_ex + g_in + ..., the form of the CUBA benchmark (Brette et
// al. 2007); the propagators are the same with C_m replaced by tau_m. I_e and I_ext stay pA.
//
// Parameters (NEST iaf_psc_exp names and defaults):
//   E_L -70 mV, C_m 250 pF, tau_m 10 ms, t_ref 2 ms, V_th -55 mV, V_reset -70 mV, I_e 0 pA,
//   tau_syn_ex 2 ms, tau_syn_in 2 ms (excitatory and inhibitory current time constants),
//   weights_in_mV false.
// State: V_m (mV, initially E_L), I_syn_ex and I_syn_in (pA, or mV with weights_in_mV;
// initially 0).
// Weights: pA (or mV with weights_in_mV); the sign selects the synapse.
#pragma once

#include <memory>

#include "models/lif_common.hpp"

namespace spikeflow::models {

class LifExp final : public Population {
 public:
  struct Params : MembraneParams {
    double tau_syn_ex = 2.0;  // ms
    double tau_syn_in = 2.0;  // ms
    bool weights_in_mV = false;
  };

  LifExp(NeuronIndex size, const Params& params);

  std::string_view model() const override { return "lif_exp"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  bool clears_spike_input() const override { return true; }
  bool reads_arrival_lists() const override { return true; }
  std::vector<std::string> state_names() const override { return {"V_m", "I_syn_ex", "I_syn_in"}; }
  std::span<double> state(std::string_view name) override {
    return find_state(name, {{"V_m", &V_m_}, {"I_syn_ex", &I_ex_}, {"I_syn_in", &I_in_}});
  }
  std::string_view state_unit(std::string_view name) const override {
    if (name == "V_m") return "mV";
    if (name == "I_syn_ex" || name == "I_syn_in") return params_.weights_in_mV ? "mV" : "pA";
    return "";
  }
  // Checkpoints: the named state and the refractory counter (hidden state).
  void save_state(const StateSection& out) const override {
    Population::save_state(out);
    out.write("free_from", free_from_);
  }
  void load_state(const StateSource& in) override {
    Population::load_state(in);
    in.read("free_from", free_from_);
  }
  const Params& params() const { return params_; }

 private:
  NeuronIndex size_;
  Params params_;
  double P22_ = 0, P20_ = 0, P21ex_ = 0, P21in_ = 0, P11ex_ = 0, P11in_ = 0;
  Step hold_ = 0;
  std::vector<double> V_m_, I_ex_, I_in_;
  std::vector<Step> free_from_;  // first step at which the neuron integrates again
};

std::unique_ptr<Population> make_lif_exp(NeuronIndex size, const LifExp::Params& params = {});

}  // namespace spikeflow::models
