// Converters between spikes and values: adapters (engine/adapter.hpp) that let spiking
// populations and rate populations or DNN modules talk to each other. The third converter,
// rates to currents, is not a population but a projection: SynapseSpec::Kind::current
// (engine/connectivity.hpp) injects weight x value pA, plus an offset, into a spiking
// population, held until the next update of the source.
//
// spikes_to_rates: one rate estimate per neuron from the spikes it receives (connect a
//   spiking population to it one_to_one with weight 1; a weight w counts a spike w times).
//   Graded outputs in Hz, refreshed every update interval.
//   filter = "exponential": r <- r e^{-dt/tau} + (1000 / tau) x  in every step, x the
//     weighted spike count that arrived in the step: the spike train convolved with the
//     normalised kernel (1/tau) e^{-t/tau} (exact on the grid: a spike arriving in step s
//     contributes (1000/tau) e^{-(s' - s) dt / tau} Hz at the end of step s').
//   filter = "box": r = (1000 / T) x (count in the last T / dt steps, this one included),
//     the sliding-window rate.
//   Parameters:
//     filter           exponential
//     tau              20 ms      exponential filter time constant, > 0
//     window           100 ms     box width T, a multiple of dt, > 0
//     update_interval  0 ms       0: every step; a multiple of dt dividing the window
//   State: rate (Hz), the output as of the last update, initially 0.
//   Memory: the box filter keeps T / dt doubles per neuron (100 ms at dt = 0.1 ms: 8 kB).
//   Limitation: the box sum is kept running (add the new step, subtract the one leaving),
//   exact for integer weights; with fractional weights rounding error can leave a residue
//   of order 1e-16 x count after the spikes leave the window.
//
// rates_to_spikes: one inhomogeneous Poisson spike train per neuron from the rate it
//   receives: in each step the neuron's input (the held graded values arriving through its
//   projections, weight x value, in Hz) is its rate lambda, and it spikes in that step
//   with probability 1 - e^{-lambda dt / 1000} (the chance of at least one event of a
//   Poisson process; at most one spike per step). Negative rates count as 0. The uniform
//   draw comes from the stream (seed, rates_to_spikes, population index) at (neuron,
//   step): independent of threads and partitions.
//   State: rate (Hz), the rate of the last step.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/adapter.hpp"
#include "engine/random.hpp"

namespace spikeflow::models {

struct SpikesToRatesParams {
  enum class Filter { exponential, box };
  Filter filter = Filter::exponential;
  double tau = 20.0;             // ms
  double window = 100.0;         // ms
  double update_interval = 0.0;  // ms, 0: every step
};

class SpikesToRates final : public Adapter {
 public:
  SpikesToRates(NeuronIndex size, const SpikesToRatesParams& params);

  std::string_view model() const override { return "spikes_to_rates"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  std::vector<std::string> state_names() const override { return {"rate"}; }
  std::span<double> state(std::string_view name) override;
  std::string_view state_unit(std::string_view name) const override {
    return name == "rate" ? "Hz" : "";
  }

  Step update_interval() const override { return k_; }
  std::span<const double> outputs() const override { return rate_; }
  // Checkpoints: rate, the filter (exponential: its value; box: the windowed count) and the
  // box window's per-step history, whose slots are indexed by the absolute step.
  void save_state(const StateSection& out) const override {
    Adapter::save_state(out);
    out.write("filtered", filtered_);
    out.write("history", history_);
  }
  void load_state(const StateSource& in) override {
    Adapter::load_state(in);
    in.read("filtered", filtered_);
    in.read("history", history_);
  }

 private:
  NeuronIndex size_;
  SpikesToRatesParams params_;
  Step k_ = 1;
  double decay_ = 0.0;      // e^{-dt/tau}
  double per_spike_ = 0.0;  // Hz added by one spike: 1000/tau, or 1000/T for the box
  Step window_steps_ = 1;
  std::vector<double> filtered_;  // exponential: the filter; box: the windowed count
  std::vector<double> history_;   // box: window_steps_ x size_, slot-major
  std::vector<double> rate_;      // outputs
};

class RatesToSpikes final : public Adapter {
 public:
  explicit RatesToSpikes(NeuronIndex size);

  std::string_view model() const override { return "rates_to_spikes"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  std::vector<std::string> state_names() const override { return {"rate"}; }
  std::span<double> state(std::string_view name) override;
  std::string_view state_unit(std::string_view name) const override {
    return name == "rate" ? "Hz" : "";
  }

  Step update_interval() const override { return 1; }
  bool graded() const override { return false; }
  std::span<const double> outputs() const override { return {}; }
  void bind(const PopulationContext& context) override;
  // Checkpoints: the held rate and its spike probability (recomputed only when the rate
  // changes, so it is state too).
  void save_state(const StateSection& out) const override {
    Adapter::save_state(out);
    out.write("p", p_);
  }
  void load_state(const StateSource& in) override {
    Adapter::load_state(in);
    in.read("p", p_);
  }

 private:
  NeuronIndex size_;
  double dt_ = 0.1;
  StreamKey key_{0, Purpose::rates_to_spikes, 0};
  std::vector<double> rate_;
  std::vector<double> p_;  // spike probability per step at rate_
};

std::unique_ptr<Adapter> make_spikes_to_rates(NeuronIndex size,
                                              const SpikesToRatesParams& params = {});
std::unique_ptr<Adapter> make_rates_to_spikes(NeuronIndex size);

}  // namespace spikeflow::models
