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
//   lif                not yet: the LIF f-I curve / Siegert (models/lif_transfer.hpp) has not
//                      landed; asking for it is an error that says so.
//
// Parameters:
//   tau              10 ms    relaxation time constant, >= 0
//   b                0        bias, in the unit of I
//   phi              relu     transfer function (above)
//   gain             1        slope of phi (1 / unit of I), > 0
//   theta            0        threshold of phi, in the unit of I
//   r_max            100 Hz   saturation of threshold_linear, sigmoid and tanh, > 0
//   update_interval  0 ms     h; 0 means every step. A multiple of dt dividing the window
// State: r (Hz: rates are in Hz throughout; with relu the unit is that of I), initially 0;
//        I (unit of the input), the averaged input of the last update.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/adapter.hpp"

namespace spikeflow::models {

enum class TransferFunction { relu, threshold_linear, sigmoid, tanh, lif };

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
};

// phi(x) for the given parameters.
double transfer(const RateParams& p, double x);

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
  std::vector<double> sum_;  // input summed over the steps of the current interval
};

std::unique_ptr<Adapter> make_rate(NeuronIndex size, const RateParams& params = {});

}  // namespace spikeflow::models
