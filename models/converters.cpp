#include "models/converters.hpp"

#include <cmath>

#include "engine/error.hpp"
#include "models/lif_common.hpp"

namespace spikeflow::models {

SpikesToRates::SpikesToRates(NeuronIndex size, const SpikesToRatesParams& params)
    : size_(size), params_(params), filtered_(size, 0.0), rate_(size, 0.0) {
  require_positive("spikes_to_rates", "tau", params_.tau, "ms");
  require_positive("spikes_to_rates", "window", params_.window, "ms");
}

void SpikesToRates::prepare(const TimeGrid& grid) {
  k_ = update_interval_steps("spikes_to_rates", params_.update_interval, grid);
  if (params_.filter == SpikesToRatesParams::Filter::exponential) {
    decay_ = std::exp(-grid.dt() / params_.tau);
    per_spike_ = 1000.0 / params_.tau;
    return;
  }
  window_steps_ = grid.steps(params_.window, "spikes_to_rates: window");
  if (window_steps_ < 1)
    throw ConfigError(concat("spikes_to_rates: window must be >= dt = ", grid.dt(), " ms, got ",
                             params_.window, " ms"));
  per_spike_ = 1000.0 / params_.window;
  history_.assign(static_cast<std::size_t>(window_steps_) * size_, 0.0);
}

void SpikesToRates::update(NeuronRange range, Step step, const StepInput& in, SpikeSink&) {
  if (params_.filter == SpikesToRatesParams::Filter::exponential) {
    for (NeuronIndex i = range.begin; i < range.end; ++i)
      filtered_[i] = filtered_[i] * decay_ + per_spike_ * (in.excitatory[i] + in.inhibitory[i]);
  } else {
    // The slot of this step held the step window_steps_ ago, which now leaves the window.
    double* slot = history_.data() + static_cast<std::size_t>(step % window_steps_) * size_;
    for (NeuronIndex i = range.begin; i < range.end; ++i) {
      const double x = in.excitatory[i] + in.inhibitory[i];
      filtered_[i] += x - slot[i];
      slot[i] = x;
    }
  }
  if ((step + 1) % k_ != 0) return;
  const double scale =
      params_.filter == SpikesToRatesParams::Filter::exponential ? 1.0 : per_spike_;
  for (NeuronIndex i = range.begin; i < range.end; ++i) rate_[i] = filtered_[i] * scale;
}

std::span<double> SpikesToRates::state(std::string_view name) {
  return find_state(name, {{"rate", &rate_}});
}

RatesToSpikes::RatesToSpikes(NeuronIndex size) : size_(size), rate_(size, 0.0), p_(size, 0.0) {}

void RatesToSpikes::prepare(const TimeGrid& grid) {
  dt_ = grid.dt();
}

void RatesToSpikes::bind(const PopulationContext& context) {
  key_ = StreamKey(context.seed, Purpose::rates_to_spikes, context.population);
}

void RatesToSpikes::update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) {
  const auto position = static_cast<std::uint64_t>(step) << RandomStream::kStepShift;
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const double lambda = in.excitatory[i] + in.inhibitory[i];
    // Held rates change once per source update: the probability is recomputed only then.
    if (lambda != rate_[i]) {
      rate_[i] = lambda;
      p_[i] = lambda > 0.0 ? -std::expm1(-lambda * dt_ * 1e-3) : 0.0;
    }
    if (p_[i] == 0.0) continue;
    // The first draw of the stream at (neuron, step), as RandomStream::at_step().uniform().
    const auto words = RandomStream::block(key_, i, position);
    if (RandomStream::uniform_from(words[0], words[1]) < p_[i]) out.emit(i);
  }
}

std::span<double> RatesToSpikes::state(std::string_view name) {
  return find_state(name, {{"rate", &rate_}});
}

std::unique_ptr<Adapter> make_spikes_to_rates(NeuronIndex size, const SpikesToRatesParams& params) {
  return std::make_unique<SpikesToRates>(size, params);
}

std::unique_ptr<Adapter> make_rates_to_spikes(NeuronIndex size) {
  return std::make_unique<RatesToSpikes>(size);
}

}  // namespace spikeflow::models
