// lif_alpha: leaky integrate-and-fire neuron with alpha-shaped synaptic currents.
//
//   C_m dV_m/dt = -C_m (V_m - E_L) / tau_m + I_syn_ex + I_syn_in + I_e + I_ext(t)
//   a spike of weight w (pA) at time 0 gives I_syn(t) = w (e / tau_syn) t e^{-t/tau_syn},
//   a current that peaks at exactly w pA at t = tau_syn (NEST's normalisation)
//
// Each current is the pair (dI, I) with dI' = -dI/tau_syn, I' = dI - I/tau_syn; per step h
// (exact, NEST's iaf_psc_alpha scheme):
//   V_m <- E_L + (V_m - E_L) P33 + dI P31 + I P32 + (I_e + I_ext) P30   (both receptors)
//   I   <- h e^{-h/tau_syn} dI + e^{-h/tau_syn} I
//   dI  <- e^{-h/tau_syn} dI + (e / tau_syn) * weights arriving in this step
// P31 and P32 stay exact for tau_syn equal or close to tau_m (propagators.hpp). Currents
// evolve during refractoriness; only V_m is held (spike rule: lif_common.hpp).
//
// Parameters (NEST iaf_psc_alpha names and defaults):
//   E_L -70 mV, C_m 250 pF, tau_m 10 ms, t_ref 2 ms, V_th -55 mV, V_reset -70 mV, I_e 0 pA,
//   tau_syn_ex 2 ms, tau_syn_in 2 ms.
// State: V_m (mV, initially E_L); I_syn_ex, I_syn_in (pA, initially 0); dI_syn_ex,
// dI_syn_in (pA/ms, initially 0).
// Weights: pA, the peak of the current; the sign selects the synapse.
#pragma once

#include <memory>

#include "models/lif_common.hpp"

namespace spikeflow::models {

class LifAlpha final : public Population {
 public:
  struct Params : MembraneParams {
    double tau_syn_ex = 2.0;  // ms
    double tau_syn_in = 2.0;  // ms
  };

  LifAlpha(NeuronIndex size, const Params& params);

  std::string_view model() const override { return "lif_alpha"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  bool clears_spike_input() const override { return true; }
  std::vector<std::string> state_names() const override {
    return {"V_m", "I_syn_ex", "I_syn_in", "dI_syn_ex", "dI_syn_in"};
  }
  std::span<double> state(std::string_view name) override {
    return find_state(name, {{"V_m", &V_m_},
                             {"I_syn_ex", &I_ex_},
                             {"I_syn_in", &I_in_},
                             {"dI_syn_ex", &dI_ex_},
                             {"dI_syn_in", &dI_in_}});
  }
  std::string_view state_unit(std::string_view name) const override {
    if (name == "V_m") return "mV";
    if (name == "I_syn_ex" || name == "I_syn_in") return "pA";
    if (name == "dI_syn_ex" || name == "dI_syn_in") return "pA/ms";
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
  // Propagators of one receptor.
  struct Receptor {
    double P11 = 0, P21 = 0, P31 = 0, P32 = 0, jump = 0;
  };
  Receptor receptor(double h, double tau_syn) const;

  NeuronIndex size_;
  Params params_;
  double P33_ = 0, P30_ = 0;
  Receptor ex_, in_;
  Step hold_ = 0;
  std::vector<double> V_m_, I_ex_, I_in_, dI_ex_, dI_in_;
  std::vector<Step> free_from_;  // first step at which the neuron integrates again
};

std::unique_ptr<Population> make_lif_alpha(NeuronIndex size, const LifAlpha::Params& params = {});

}  // namespace spikeflow::models
