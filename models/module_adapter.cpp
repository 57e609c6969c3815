#include "models/module_adapter.hpp"

#include <limits>

#include "engine/error.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::models {

namespace {

std::size_t checked_width(const dnn::Module& m, std::size_t n, const char* side) {
  if (n > std::numeric_limits<NeuronIndex>::max())
    throw ConfigError(concat(m.kind(), ": ", side, " size must be at most 2^32 - 1, got ", n));
  return n;
}

}  // namespace

ModuleAdapter::ModuleAdapter(std::unique_ptr<dnn::Module> module, double update_interval)
    : module_(std::move(module)), interval_ms_(update_interval) {
  if (!module_) throw ConfigError("module adapter: no module given");
  kind_ = std::string(module_->kind());
  sum_.assign(checked_width(*module_, module_->input_size(), "input"), 0.0);
  x_.assign(sum_.size(), 0.0);
  y_.assign(checked_width(*module_, module_->output_size(), "output"), 0.0);
}

void ModuleAdapter::prepare(const TimeGrid& grid) {
  k_ = update_interval_steps(kind_, interval_ms_, grid);
}

// Runs in partition 0 only, with range = [0, size()); the inputs span [0, input_size()).
void ModuleAdapter::update(NeuronRange, Step step, const StepInput& in, SpikeSink&) {
  for (std::size_t j = 0; j < sum_.size(); ++j)
    sum_[j] += in.excitatory[j] + in.inhibitory[j] + in.current[j];
  if ((step + 1) % k_ != 0) return;

  const double inv_k = 1.0 / static_cast<double>(k_);
  for (std::size_t j = 0; j < sum_.size(); ++j) {
    x_[j] = sum_[j] * inv_k;
    sum_[j] = 0.0;
  }
  module_->forward(x_, y_);
}

std::span<double> ModuleAdapter::state(std::string_view name) {
  return find_state(name, {{"y", &y_}});
}

std::unique_ptr<Adapter> make_module_adapter(std::unique_ptr<dnn::Module> module,
                                             double update_interval) {
  return std::make_unique<ModuleAdapter>(std::move(module), update_interval);
}

}  // namespace spikeflow::models
