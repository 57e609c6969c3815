// lif_cond_exp: leaky integrate-and-fire neuron with exponentially decaying synaptic
// conductances.
//
//   C_m dV_m/dt = -g_L (V_m - E_L) - g_ex (V_m - E_ex) - g_in (V_m - E_in) + I_e + I_ext(t)
//   dg_ex/dt = -g_ex / tau_syn_ex,   dg_in/dt = -g_in / tau_syn_in
//   a spike of weight w > 0 (nS) adds w to g_ex; w < 0 adds |w| to g_in
//
// Numerical method: the conductances are integrated exactly; V_m is advanced by the exact
// solution of the linear equation obtained with each conductance replaced by its mean over
// the step, g tau (1 - e^{-h/tau}) / h ("exponential Euler" with step-averaged
// conductances). Limitation: unlike the current-based models this is not exact; its error is
// second order in dt, to leading order dt^2 g_L |E_syn - E_L| |w| / (12 C_m^2) per input near
// rest. Measured against a converged reference (tests/models/test_lif_cond_exp.cpp), at
// dt = 0.1 ms with the defaults the largest error of V_m is 2.9e-4 mV after a 20 nS
// excitatory input and 2.4e-5 mV after a 10 nS inhibitory one (so about 1.5e-5 and 2.4e-6 mV
// per nS), and 4e-14 mV under a constant current alone (then the scheme is exact). NEST
// (adaptive RK45) and Brian2 (exponential Euler with start-of-step conductances) give
// slightly different traces.
// Spike rule: lif_common.hpp. Conductances keep decaying during refractoriness.
//
// Parameters (NEST iaf_cond_exp names and defaults):
//   E_L -70 mV, C_m 250 pF, t_ref 2 ms, V_th -55 mV, V_reset -60 mV, I_e 0 pA,
//   g_L 16.6667 nS (leak conductance), E_ex 0 mV, E_in -85 mV (reversal potentials),
//   tau_syn_ex 0.2 ms, tau_syn_in 2 ms. (tau_m of MembraneParams is unused: C_m / g_L.)
// State: V_m (mV, initially E_L), g_ex and g_in (nS, initially 0).
// Weights: nS.
#pragma once

#include <memory>

#include "models/lif_common.hpp"

namespace spikeflow::models {

class LifCondExp final : public Population {
 public:
  struct Params {
    double E_L = -70.0;
    double C_m = 250.0;
    double t_ref = 2.0;
    double V_th = -55.0;
    double V_reset = -60.0;
    double I_e = 0.0;
    double g_L = 16.6667;
    double E_ex = 0.0;
    double E_in = -85.0;
    double tau_syn_ex = 0.2;
    double tau_syn_in = 2.0;
  };

  LifCondExp(NeuronIndex size, const Params& params);

  std::string_view model() const override { return "lif_cond_exp"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  bool clears_spike_input() const override { return true; }
  std::vector<std::string> state_names() const override { return {"V_m", "g_ex", "g_in"}; }
  std::span<double> state(std::string_view name) override {
    return find_state(name, {{"V_m", &V_m_}, {"g_ex", &g_ex_}, {"g_in", &g_in_}});
  }
  std::string_view state_unit(std::string_view name) const override {
    if (name == "V_m") return "mV";
    if (name == "g_ex" || name == "g_in") return "nS";
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
  double h_ = 0, P_ex_ = 0, P_in_ = 0, mean_ex_ = 0, mean_in_ = 0;
  Step hold_ = 0;
  std::vector<double> V_m_, g_ex_, g_in_;
  std::vector<Step> free_from_;  // first step at which the neuron integrates again
};

std::unique_ptr<Population> make_lif_cond_exp(NeuronIndex size,
                                              const LifCondExp::Params& params = {});

}  // namespace spikeflow::models
