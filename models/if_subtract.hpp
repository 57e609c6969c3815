// if_subtract: non-leaky integrate-and-fire neuron with reset by subtraction, the neuron of
// rate-based ANN-to-SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017).
//
//   C_m dV_m/dt = I_e + I_ext(t)
//   an input spike of weight w (mV) makes V_m jump by w at the end of the step it arrives in
//
// Integration is exact for currents constant over a step:
//   V_m <- max(V_min, V_m + (I_e + I_ext) dt / C_m + sum of arriving weights)
// Spike and reset: a neuron spikes in step s when V_m >= V_th at the end of the step (the
// spike is stamped (s + 1) dt, as for the LIF models) and V_th is subtracted from V_m: the
// charge above threshold is kept, not discarded as a reset to a fixed potential would. At
// most one spike per step: a neuron still at or above V_th after the subtraction spikes again
// in the next step, so the rate saturates at 1 / dt. No refractory period.
//
// Why subtraction: with a net input of z mV per step (0 <= z <= V_th) the neuron has fired
// floor((V_0 + n z) / V_th) times after n steps (V_0 the initial V_m in [0, V_th)), so its
// count differs from n z / V_th by less than one spike at every n and its rate is exactly
// z / (V_th dt) in the long run. A reset to 0 would lose the excess at every spike and fire
// slower than z / V_th per step (Rueckauer et al. 2017, section 2.2). The ReLU of the ANN
// appears because a negative net input never fires; V_min bounds how much negative charge
// a neuron can store (none by default: -infinity).
//
// Parameters:
//   V_th   1 mV          threshold, and the amount subtracted at a spike; > 0
//   C_m    1 pF          capacitance (only scales I_e and external currents); > 0
//   I_e    0 pA          constant current
//   V_min  -infinity mV  lower bound of V_m; < V_th
// State: V_m (mV), initially 0.
// Weights: mV (a jump of V_m; positive excitatory, negative inhibitory).
//
// References: Diehl P U et al. (2015) Fast-classifying, high-accuracy spiking deep networks
// through weight and threshold balancing. IJCNN. Rueckauer B et al. (2017) Conversion of
// continuous-valued deep networks to efficient event-driven networks for image
// classification. Front. Neurosci. 11:682.
#pragma once

#include <limits>
#include <memory>

#include "engine/population.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::models {

class IfSubtract final : public Population {
 public:
  struct Params {
    double V_th = 1.0;                                        // mV
    double C_m = 1.0;                                         // pF
    double I_e = 0.0;                                         // pA
    double V_min = -std::numeric_limits<double>::infinity();  // mV
  };

  IfSubtract(NeuronIndex size, const Params& params);

  std::string_view model() const override { return "if_subtract"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  std::vector<std::string> state_names() const override { return {"V_m"}; }
  std::span<double> state(std::string_view name) override {
    return find_state(name, {{"V_m", &V_m_}});
  }
  std::string_view state_unit(std::string_view name) const override {
    return name == "V_m" ? "mV" : "";
  }
  const Params& params() const { return params_; }

 private:
  NeuronIndex size_;
  Params params_;
  double per_pA_ = 0.0;  // dt / C_m: mV per pA over one step
  std::vector<double> V_m_;
};

std::unique_ptr<Population> make_if_subtract(NeuronIndex size,
                                             const IfSubtract::Params& params = {});

}  // namespace spikeflow::models
