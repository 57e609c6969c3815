// Test-only adapters and probes for the tests of engine/adapter.hpp and the converters:
// a source of given graded values, a population that records the inputs it receives, and
// a DNN module y = W x with W given (the real dense module is written elsewhere).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/adapter.hpp"
#include "models/dnn/module.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::test {

// An adapter whose output i after update u (u = 0, 1, ... at steps k - 1, 2k - 1, ...) is
// value(u, i). It ignores its inputs.
class ValueSource final : public Adapter {
 public:
  using Values = std::function<double(std::int64_t update, NeuronIndex i)>;
  ValueSource(NeuronIndex size, Step k, Values value)
      : size_(size), k_(k), value_(std::move(value)), y_(size, 0.0) {}

  std::string_view model() const override { return "value_source"; }
  NeuronIndex size() const override { return size_; }
  void prepare(const TimeGrid&) override {}
  void update(NeuronRange range, Step step, const StepInput&, SpikeSink&) override {
    if ((step + 1) % k_ != 0) return;
    const std::int64_t u = (step + 1) / k_ - 1;
    for (NeuronIndex i = range.begin; i < range.end; ++i) y_[i] = value_(u, i);
  }
  std::vector<std::string> state_names() const override { return {"y"}; }
  std::span<double> state(std::string_view name) override {
    return models::find_state(name, {{"y", &y_}});
  }
  std::string_view state_unit(std::string_view) const override { return ""; }
  Step update_interval() const override { return k_; }
  std::span<const double> outputs() const override { return y_; }

 private:
  NeuronIndex size_;
  Step k_;
  Values value_;
  std::vector<double> y_;
};

// A population that keeps, per neuron, the inputs of the step it last updated: "current"
// (pA) and "input" (excitatory + inhibitory). Record them every step to see each step's.
class InputProbe final : public Population {
 public:
  explicit InputProbe(NeuronIndex size) : current_(size, 0.0), input_(size, 0.0) {}
  std::string_view model() const override { return "input_probe"; }
  NeuronIndex size() const override { return static_cast<NeuronIndex>(current_.size()); }
  void prepare(const TimeGrid&) override {}
  void update(NeuronRange range, Step, const StepInput& in, SpikeSink&) override {
    for (NeuronIndex i = range.begin; i < range.end; ++i) {
      current_[i] = in.current[i];
      input_[i] = in.excitatory[i] + in.inhibitory[i];
    }
  }
  std::vector<std::string> state_names() const override { return {"current", "input"}; }
  std::span<double> state(std::string_view name) override {
    return models::find_state(name, {{"current", &current_}, {"input", &input_}});
  }
  std::string_view state_unit(std::string_view) const override { return ""; }

 private:
  std::vector<double> current_;
  std::vector<double> input_;
};

// y = W x, W given row-major (outputs x inputs).
class MatrixModule final : public dnn::Module {
 public:
  MatrixModule(std::size_t inputs, std::size_t outputs, std::vector<double> w)
      : inputs_(inputs), outputs_(outputs), w_(std::move(w)) {}
  std::string_view kind() const override { return "test_matrix"; }
  std::size_t input_size() const override { return inputs_; }
  std::size_t output_size() const override { return outputs_; }
  void forward(std::span<const double> x, std::span<double> y) override {
    for (std::size_t o = 0; o < outputs_; ++o) {
      double s = 0.0;
      for (std::size_t j = 0; j < inputs_; ++j) s += w_[o * inputs_ + j] * x[j];
      y[o] = s;
    }
    ++calls;
  }
  // Stateless between calls: a checkpoint saves nothing of it.
  void save_state(const StateSection&) const override {}
  void load_state(const StateSource&) override {}
  int calls = 0;

 private:
  std::size_t inputs_, outputs_;
  std::vector<double> w_;
};

}  // namespace spikeflow::test
