// lif_delta: leaky integrate-and-fire neuron with voltage-jump (delta) synapses.
//
//   tau_m dV_m/dt = -(V_m - E_L) + tau_m (I_e + I_ext(t)) / C_m
//   an input spike of weight w (mV) makes V_m jump by w at the end of the step it arrives in
//
// Integration is exact: with P22 = e^{-dt/tau_m} and P20 = (tau_m/C_m)(1 - P22),
//   V_m <- E_L + (V_m - E_L) P22 + (I_e + I_ext) P20 + sum of arriving weights.
// Spike, reset and refractoriness: see lif_common.hpp. Spikes arriving while the neuron is
// held at V_reset are discarded (as NEST's iaf_psc_delta does by default).
//
// Parameters (NEST iaf_psc_delta names and defaults):
//   E_L      -70 mV    resting potential
//   C_m      250 pF    membrane capacitance (only scales I_e and external currents)
//   tau_m    10 ms     membrane time constant
//   t_ref    2 ms      refractory period (a whole number of steps)
//   V_th     -55 mV    threshold
//   V_reset  -70 mV    reset potential, < V_th
//   I_e      0 pA      constant external current
// State: V_m (mV), initially E_L.
// Weights: mV (positive excitatory, negative inhibitory).
#pragma once

#include <memory>

#include "models/lif_common.hpp"

namespace spikeflow::models {

class LifDelta final : public Population {
 public:
  using Params = MembraneParams;

  LifDelta(NeuronIndex size, const Params& params);

  std::string_view model() const override { return "lif_delta"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  bool clears_spike_input() const override { return true; }
  std::vector<std::string> state_names() const override { return {"V_m"}; }
  std::span<double> state(std::string_view name) override {
    return find_state(name, {{"V_m", &V_m_}});
  }
  std::string_view state_unit(std::string_view name) const override {
    return name == "V_m" ? "mV" : "";
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
  double P22_ = 0.0;
  double P20_ = 0.0;
  Step hold_ = 0;
  std::vector<double> V_m_;
  std::vector<Step> free_from_;  // first step at which the neuron integrates again
};

std::unique_ptr<Population> make_lif_delta(NeuronIndex size, const LifDelta::Params& params = {});

}  // namespace spikeflow::models
