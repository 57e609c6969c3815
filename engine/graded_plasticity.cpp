// Plastic projections between rate populations (graded rules, engine/plasticity.hpp; the
// rules are in models/rate_plasticity.hpp): the checks at connect time, the per-window
// hand-over of the outputs to the rule, and the delivery that interleaves learning and
// sending step by step.
//
// Order within a partition and window: step by step, first the target's update of that step
// changes the weights (on_target_update: its output is known, and so is every source value
// that reached the synapses, since those left at least one window earlier), then the source's
// outputs of that step are added to the target's ring with the weights as they now are. The
// weights a value carries therefore depend on the step only, not on the window length, the
// partition or the thread: each synapse is written by the partition of its target alone.
#include <algorithm>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

void Network::check_graded_plastic_projection(ProjectionEntry& proj, const Plasticity& rule,
                                              const std::string& where) {
  PopulationEntry& source = populations_[proj.source];
  PopulationEntry& target = populations_[proj.target];
  if (!source.adapter || !source.adapter->graded())
    throw ConfigError(concat(where, rule.rule(), " learns from rates: the source '", source.name,
                             "' (", source.model->model(),
                             ") must be an adapter with graded outputs (rate, spikes_to_rates, a "
                             "module)"));
  if (!target.adapter || !target.adapter->graded() || !target.adapter->elementwise())
    throw ConfigError(concat(where, rule.rule(), " learns from rates: the target '", target.name,
                             "' (", target.model->model(), ") must be a rate population"));
  target.learns = true;
}

void Network::begin_graded_plastic_window(ProjectionEntry& proj, Step begin, Step end) {
  PlasticPart& part = *proj.plastic;
  part.window_graded_pre.clear();
  part.window_graded_post.clear();
  for (const GradedRecord& g : window_graded_) {
    if (g.population == proj.source) part.window_graded_pre.push_back({g.step, g.index, g.value});
    if (g.population == proj.target) part.window_graded_post.push_back({g.step, g.index, g.value});
  }
  part.window_target_updates.clear();
  const Step k = populations_[proj.target].adapter->update_interval();
  for (Step s = ((begin + k) / k) * k - 1; s < end; s += k) part.window_target_updates.push_back(s);
  part.rule->begin_graded_window(begin, end, part.window_graded_pre, part.window_graded_post);
  if (!part.window_graded_pre.empty() || !part.window_target_updates.empty()) plastic_work_ = true;
}

void Network::deliver_graded_plastic(ProjectionEntry& proj, std::size_t partition,
                                     std::uint64_t& events) {
  PlasticPart& part = *proj.plastic;
  PlasticRows& rows = part.rows[partition];
  const Plasticity& rule = *part.rule;
  const PopulationEntry& source = populations_[proj.source];
  PopulationEntry& target = populations_[proj.target];
  const NeuronIndex sources = source.model->size();
  const Step hold = source.adapter->update_interval();
  const std::size_t n = target.ring_width;

  const auto learn = [&](Step step) {
    for (NeuronIndex src = 0; src < sources; ++src)
      rows.for_each_group(src, [&](std::uint16_t delay, GroupTargets targets, double* weights,
                                   std::uint32_t count) {
        rule.on_target_update(step, src, delay, targets, weights, count);
      });
  };
  const auto send = [&](const GradedValue& g) {
    rows.for_each_group(g.index, [&](std::uint16_t delay, GroupTargets targets, double* weights,
                                     std::uint32_t count) {
      events += count;
      for (Step h = 0; h < hold; ++h) {
        const std::size_t offset =
            static_cast<std::size_t>((g.step + delay + 1 + h) % ring_slots_) * n;
        for (std::uint32_t k = 0; k < count; ++k) {
          const double x = weights[k] * g.value;
          (x >= 0.0 ? target.ring_excitatory : target.ring_inhibitory)[offset + targets[k]] += x;
        }
      }
    });
  };

  // Merge the target's update steps and the source's outputs, learning first at equal steps.
  const std::vector<Step>& updates = part.window_target_updates;
  const std::vector<GradedValue>& sent = part.window_graded_pre;
  std::size_t u = 0;
  for (std::size_t v = 0; v < sent.size(); ++v) {
    while (u < updates.size() && updates[u] <= sent[v].step) learn(updates[u++]);
    send(sent[v]);
  }
  while (u < updates.size()) learn(updates[u++]);
}

}  // namespace spikeflow
