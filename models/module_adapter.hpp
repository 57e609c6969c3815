// module: a DNN-equivalent module (models/dnn/module.hpp: dense, conv2d, ...) as an adapter
// (engine/adapter.hpp), so it sits in a network beside spiking populations.
//
// Every update interval h = k dt the adapter evaluates y = module(x) once, where x_j is
// the input j received averaged over the k steps of the interval (weight x value of graded
// events held over the interval, weights of arriving spikes, currents of attached inputs).
// y is then emitted as graded outputs. The module's input and output sizes are the
// adapter's input and output widths: incoming projections target indices [0, input_size),
// outgoing ones start from [0, output_size). A module is not elementwise, so the network
// evaluates it whole in partition 0 (its cost is not spread over threads).
//
// Parameters:
//   update_interval  0 ms   h; 0 means every step. A multiple of dt dividing the window
// State: y (the outputs, unit of the module), initially 0 until the first update.
// The population's model name is the module's kind ("dense", ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/adapter.hpp"
#include "models/dnn/module.hpp"

namespace spikeflow::models {

class ModuleAdapter final : public Adapter {
 public:
  ModuleAdapter(std::unique_ptr<dnn::Module> module, double update_interval);

  std::string_view model() const override { return kind_; }
  NeuronIndex size() const override { return static_cast<NeuronIndex>(y_.size()); }
  NeuronIndex input_size() const override { return static_cast<NeuronIndex>(x_.size()); }
  bool elementwise() const override { return false; }
  void prepare(const TimeGrid& grid) override;
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override;
  std::vector<std::string> state_names() const override { return {"y"}; }
  std::span<double> state(std::string_view name) override;
  std::string_view state_unit(std::string_view) const override { return ""; }

  Step update_interval() const override { return k_; }
  std::span<const double> outputs() const override { return y_; }
  // Checkpoints: y, the input summed so far in the current interval, the last averaged
  // input, and the module's own state under module/ (ConfigError if it cannot save it).
  void save_state(const StateSection& out) const override {
    Adapter::save_state(out);
    out.write("sum", sum_);
    out.write("x", x_);
    module_->save_state(out.section("module"));
  }
  void load_state(const StateSource& in) override {
    Adapter::load_state(in);
    in.read("sum", sum_);
    in.read("x", x_);
    module_->load_state(in.section("module"));
  }
  dnn::Module& module() { return *module_; }

 private:
  std::unique_ptr<dnn::Module> module_;
  std::string kind_;
  double interval_ms_;
  Step k_ = 1;
  std::vector<double> sum_;  // inputs summed over the steps of the current interval
  std::vector<double> x_;    // the averaged input of the last update
  std::vector<double> y_;
};

// Throws ConfigError if `module` is null or has a size beyond 2^32 - 1.
std::unique_ptr<Adapter> make_module_adapter(std::unique_ptr<dnn::Module> module,
                                             double update_interval = 0.0);

}  // namespace spikeflow::models
