// rate: a population of rate units, an adapter (engine/adapter.hpp) with graded outputs.
//
//   tau dr/dt = -r + phi(I + b)
//
// I is the unit's input: the sum of what arrives through its projections (weight x value
// of graded events, weight of spikes) and the currents of attached inputs, averaged over
// the update interval h = k dt. Holding I constant over the interval, the linear
// relaxation is integrated exactly:
//   r(t + h) = phi + (r(t) - phi) e^{-h/tau},   phi = phi(I + b),
// so a constant input gives the exact solution at every update; tau = 0 makes r = phi at
// once (a feed-forward layer). r is emitted as the unit's output at every update.
//
// Transfer functions phi(x):
//   relu               max(0, x)
//   threshold_linear   min(r_max, gain max(0, x - theta))
//   sigmoid            r_max / (1 + e^{-gain (x - theta)})
//   tanh               r_max tanh(gain (x - theta))
//   lif                the deterministic LIF f-I curve (models/lif_transfer.hpp): x is a current
//                      in pA, the membrane relaxes to mu = E_L + tau_m x / C_m and the rate
//                      is 1 / (t_ref + tau_m ln((mu - V_reset) / (mu - V_th))) Hz for
//                      mu > V_th, else 0 (continuous time: a simulated lif_delta on a grid
//                      of step dt has intervals in (1/rate - dt, 1/rate]).
//   siegert            the Siegert rate of the same neuron for Gaussian white-noise input of
//                      mean mu (as for lif) and amplitude sigma (mV, Brunel's convention).
//                      sigma is either given, or (sigma not given) derived from the input as
//                      shot noise of jumps J_exc, J_inh (mV): a projection that stands for K
//                      spiking inputs of jump J at rate nu carries x = C_m K J nu / 1000 pA
//                      (weight C_m J / 1000 pA per Hz of the source), so
//                        sigma^2 = (tau_m / C_m) (J_exc x_exc + J_inh |x_inh|),
//                      x_exc, x_inh the interval-averaged positive and negative parts of the
//                      projected input (attached inputs' currents count as noiseless). With
//                      tau_syn > 0 the Fourcaud-Brunel correction for exponential synapses.
//                      Known shortcoming: derived sigma assumes one jump size per sign.
//
// Parameters:
//   tau              10 ms    relaxation time constant, >= 0
//   b                0        bias, in the unit of I
//   phi              relu     transfer function (above)
//   gain             1        slope of phi (1 / unit of I), > 0
//   theta            0        threshold of phi, in the unit of I
//   r_max            100 Hz   saturation of threshold_linear, sigmoid and tanh, > 0
//   update_interval  0 ms     h; 0 means every step. A multiple of dt dividing the window
//   neuron (lif, siegert only; NEST iaf_psc defaults): E_L -70 mV, C_m 250 pF (> 0),
//                    tau_m 10 ms (> 0), t_ref 2 ms (>= 0), V_th -55 mV, V_reset -70 mV
//                    (< V_th); I_e is not used (b plays its part)
//   sigma            derived  siegert: noise amplitude, mV, >= 0 (0: the deterministic curve)
//   J_exc, J_inh     0 mV     siegert with derived sigma: jump sizes, >= 0
//   tau_syn          0 ms     siegert: synaptic time constant for the correction, >= 0
// State: r (Hz: rates are in Hz throughout; with relu the unit is that of I), initially 0;
//        I (unit of the input), the averaged input of the last update.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/adapter.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::models {

enum class TransferFunction { relu, threshold_linear, sigmoid, tanh, lif, siegert };

// Parses a transfer-function name; throws ConfigError listing the names for any other.
TransferFunction transfer_function(const std::string& name);
const char* transfer_function_name(TransferFunction phi);

struct RateParams {
  double tau = 10.0;  // ms
  double b = 0.0;
  TransferFunction phi = TransferFunction::relu;
  double gain = 1.0;
  double theta = 0.0;
  double r_max = 100.0;          // Hz
  double update_interval = 0.0;  // ms, 0: every step
  MembraneParams neuron;         // lif, siegert
  std::optional<double> sigma;   // siegert, mV; empty: derived from the input
  double J_exc = 0.0;            // mV, siegert with derived sigma
  double J_inh = 0.0;            // mV
  double tau_syn = 0.0;          // ms, siegert
};

// phi(x) for the given parameters. For siegert with derived sigma, `noise` is
// J_exc x_exc + J_inh |x_inh| (mV pA), so sigma^2 = tau_m noise / C_m; otherwise unused.
double transfer(const RateParams& p, double x, double noise = 0.0);

class RatePopulation final : public Adapter {
 public:
  RatePopulation(NeuronIndex size, const RateParams& params);

  std::string_view model() const override { return "rate"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  std::vector<std::string> state_names() const override { return {"r", "I"}; }
  std::span<double> state(std::string_view name) override;
  std::string_view state_unit(std::string_view name) const override {
    return name == "r" ? "Hz" : "";
  }

  Step update_interval() const override { return k_; }
  std::span<const double> outputs() const override { return r_; }
  // Checkpoints: r and I, and sum (the input summed so far in the current interval).
  void save_state(const StateSection& out) const override {
    Adapter::save_state(out);
    out.write("sum", sum_);
  }
  void load_state(const StateSource& in) override {
    Adapter::load_state(in);
    in.read("sum", sum_);
  }
  const RateParams& params() const { return params_; }

 private:
  NeuronIndex size_;
  RateParams params_;
  Step k_ = 1;
  double decay_ = 0.0;  // e^{-h/tau}
  std::vector<double> r_;
  std::vector<double> I_;
  std::vector<double> sum_;        // input summed over the steps of the current interval
  std::vector<double> noise_sum_;  // siegert, derived sigma: J_exc exc + J_inh |inh| summed
};

std::unique_ptr<Adapter> make_rate(NeuronIndex size, const RateParams& params = {});

}  // namespace spikeflow::models
