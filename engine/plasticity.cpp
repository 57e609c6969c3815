// The plastic projections' part of the window loop (engine/plasticity.hpp): storage,
// the sequential per-window pass that feeds the rules, and the parallel delivery.
#include "engine/plasticity.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

void PlasticRows::build(std::vector<GeneratedSynapse>& synapses, NeuronIndex source_count) {
  *this = PlasticRows();
  if (synapses.empty()) return;

  // As SynapseRows::build: a stable counting sort by source, then each row stably by delay,
  // so the storage order is the generation order within a (source, delay) group.
  std::vector<GeneratedSynapse> sorted;
  const std::vector<std::uint64_t> row_begin = sort_by_source(synapses, source_count, sorted);

  // Blocks of 65536 target neurons from the partition's first target.
  NeuronIndex origin = std::numeric_limits<NeuronIndex>::max();
  for (const GeneratedSynapse& syn : sorted) origin = std::min(origin, syn.target);
  constexpr int kOffsetBits = 16;

  offsets_.resize(sorted.size());
  weights_.resize(sorted.size());
  rows_.resize(source_count);
  min_delay_ = std::numeric_limits<std::uint16_t>::max();
  for (NeuronIndex src = 0; src < source_count; ++src) {
    const auto first = sorted.begin() + static_cast<std::ptrdiff_t>(row_begin[src]);
    const auto last = sorted.begin() + static_cast<std::ptrdiff_t>(row_begin[src + 1]);
    std::stable_sort(first, last,
                     [](const auto& a, const auto& b) { return a.delay_steps < b.delay_steps; });
    if (groups_.size() + static_cast<std::size_t>(last - first) >=
        std::numeric_limits<std::uint32_t>::max())
      throw RuntimeError(
          "plastic synapse storage: more than 2^32 delay groups in one partition of one "
          "projection; use more partitions");
    RowHeader& row = rows_[src];
    row.synapse_begin = row_begin[src];
    row.group_begin = static_cast<std::uint32_t>(groups_.size());
    for (auto it = first; it != last; ++it) {
      const auto k = static_cast<std::size_t>(it - sorted.begin());
      const NeuronIndex base = origin + (((it->target - origin) >> kOffsetBits) << kOffsetBits);
      offsets_[k] = static_cast<std::uint16_t>(it->target - base);
      weights_[k] = it->weight;
      const bool same_group = it != first && groups_.back().delay_steps == it->delay_steps &&
                              groups_.back().base == base &&
                              groups_.back().count < std::numeric_limits<std::uint16_t>::max();
      if (same_group)
        ++groups_.back().count;
      else
        groups_.push_back({it->delay_steps, 1, base});
      min_delay_ = std::min(min_delay_, it->delay_steps);
      max_delay_ = std::max(max_delay_, it->delay_steps);
    }
    row.group_end = static_cast<std::uint32_t>(groups_.size());
  }
  groups_.shrink_to_fit();
}

std::uint64_t PlasticRows::bytes() const {
  return rows_.capacity() * sizeof(RowHeader) + groups_.capacity() * sizeof(Group) +
         offsets_.capacity() * sizeof(std::uint16_t) + weights_.capacity() * sizeof(double);
}

void Network::set_plasticity(ProjectionHandle projection, std::unique_ptr<Plasticity> rule) {
  require_not_built("make a projection plastic");
  if (projection.index >= projections_.size())
    throw ConfigError(concat("no projection with index ", projection.index));
  ProjectionEntry& proj = projections_[projection.index];
  const std::string where = concat("projection '", proj.name, "': ");
  if (!rule) throw ConfigError(concat(where, "no plasticity rule given"));
  if (proj.plastic) throw ConfigError(concat(where, "is plastic already"));
  // Spike rules pair spikes with the target's spikes; graded rules pair an adapter's
  // outputs with a rate population's (engine/graded_plasticity.cpp).
  if (rule->graded())
    check_graded_plastic_projection(proj, *rule, where);
  else if (populations_[proj.source].adapter || populations_[proj.target].adapter)
    throw ConfigError(concat(where, "plasticity needs spiking source and target populations; '",
                             populations_[proj.source].name, "' -> '",
                             populations_[proj.target].name, "' involves an adapter"));
  if (proj.synapse.kind != SynapseSpec::Kind::static_synapse)
    throw ConfigError(concat(where, "plasticity applies to static (spike) synapses only"));

  // Initial weights inside the bounds, so that no weight is ever outside them. The weights
  // are stored as drawn (a float draw widened to double), so the bound is checked on the
  // distribution's range.
  const Distribution& w = proj.synapse.weight;
  double lo = w.is_constant() ? w.a() : w.min_value();
  double hi = w.is_constant() ? w.a() : w.max_value();
  std::string described = w.describe();
  if (const auto& m = proj.synapse.weight_matrix; m && !m->empty()) {
    const auto [low, high] = std::minmax_element(m->begin(), m->end());
    lo = *low, hi = *high;
    described = concat("matrix in [", lo, ", ", hi, "]");
  }
  if (!(lo >= rule->w_min() && hi <= rule->w_max()))
    throw ConfigError(concat(where, "weight ", described, " must lie within the ", rule->rule(),
                             " bounds [w_min, w_max] = [", rule->w_min(), ", ", rule->w_max(),
                             "]; bound the distribution with min and max"));
  proj.plastic = std::make_unique<PlasticPart>();
  proj.plastic->rule = std::move(rule);
  has_plastic_ = true;
}

bool Network::is_plastic(ProjectionHandle projection) const {
  return projections_.at(projection.index).plastic != nullptr;
}

void Network::prepare_plasticity() {
  for (auto& proj : projections_) {
    if (!proj.plastic) continue;
    Step max_delay = 0;
    const Plasticity& rule = *proj.plastic->rule;
    for (auto& rows : proj.plastic->rows) {
      if (!rows.empty()) max_delay = std::max<Step>(max_delay, rows.max_delay());
      rows.clamp_weights(rule.w_min(), rule.w_max());
    }
    if (rule.graded())
      proj.plastic->rule->set_update_intervals(
          populations_[proj.source].adapter->update_interval(),
          populations_[proj.target].adapter->update_interval());
    max_delay = global_max_delay(max_delay);
    proj.plastic->rule->prepare(grid_, populations_[proj.source].model->size(),
                                populations_[proj.target].model->size(), window_, max_delay);
  }
}

void Network::begin_plastic_window(Step begin, Step end) {
  plastic_work_ = false;
  if (!has_plastic_) return;
  for (auto& proj : projections_) {
    if (!proj.plastic) continue;
    PlasticPart& part = *proj.plastic;
    if (part.rule->graded()) {
      begin_graded_plastic_window(proj, begin, end);
      continue;
    }
    part.window_pre.clear();
    part.window_post.clear();
    for (const SpikeRecord& s : window_spikes_) {
      if (s.population == proj.source) part.window_pre.push_back({s.step, s.index});
      if (s.population == proj.target) part.window_post.push_back({s.step, s.index});
    }
    part.rule->begin_window(begin, end, part.window_pre, part.window_post);
    if (!part.window_pre.empty() || part.rule->flush_count() > 0) plastic_work_ = true;
  }
}

void Network::deliver_plastic_partition(int partition) {
  const auto p = static_cast<std::size_t>(partition);
  std::uint64_t events = 0;
  for (auto& proj : projections_) {
    if (!proj.plastic) continue;
    PlasticPart& part = *proj.plastic;
    PlasticRows& rows = part.rows[p];
    if (rows.empty()) continue;
    const Plasticity& rule = *part.rule;
    if (rule.graded()) {
      deliver_graded_plastic(proj, p, events);
      continue;
    }

    // Flushes first: a flushed source that also spikes in this window has its earlier
    // pairings applied before the new spike's update.
    for (std::size_t f = 0; f < rule.flush_count(); ++f)
      rows.for_each_group(rule.flush_source(f),
                          [&](std::uint16_t delay, GroupTargets t, double* w, std::uint32_t count) {
                            rule.on_flush(f, delay, t, w, count);
                          });

    PopulationEntry& target = populations_[proj.target];
    const std::size_t n = target.model->size();
    double* ex = target.ring_excitatory.data();
    double* in = target.ring_inhibitory.data();
    for (std::size_t k = 0; k < part.window_pre.size(); ++k) {
      const NeuronSpike spike = part.window_pre[k];
      rows.for_each_group(spike.neuron, [&](std::uint16_t delay, GroupTargets targets,
                                            double* weights, std::uint32_t count) {
        rule.on_pre(k, delay, targets, weights, count);
        const std::size_t offset =
            static_cast<std::size_t>((spike.step + delay) % ring_slots_) * n + targets.base;
        double* slot_ex = ex + offset;
        double* slot_in = in + offset;
        events += count;
        for (std::uint32_t j = 0; j < count; ++j) {
          const double w = weights[j];
          (w >= 0.0 ? slot_ex : slot_in)[targets.offsets[j]] += w;
        }
      });
    }
  }
  scratch_[p].events += events;
}

void Network::for_each_weight(
    ProjectionHandle projection,
    const std::function<void(NeuronIndex, NeuronIndex, double, Step)>& f) const {
  const ProjectionEntry& proj = projections_.at(projection.index);
  if (has_gathered(projection.index)) {
    for (const GatheredSynapse& g : gathered_[projection.index])
      f(g.source, g.target, g.weight, g.delay);
    return;
  }
  if (!proj.plastic) {
    for (const auto& rows : proj.rows)
      rows.for_each_synapse([&](NeuronIndex s, NeuronIndex t, float w, std::uint16_t d) {
        f(s, t, static_cast<double>(w), static_cast<Step>(d));
      });
    return;
  }
  const Plasticity& rule = *proj.plastic->rule;
  for (const auto& rows : proj.plastic->rows)
    rows.for_each_synapse([&](NeuronIndex s, NeuronIndex t, double w, std::uint16_t d) {
      f(s, t, built_ ? rule.current_weight(s, t, d, w, now_) : w, static_cast<Step>(d));
    });
}

const Plasticity* Network::plasticity(ProjectionHandle projection) const {
  const ProjectionEntry& proj = projections_.at(projection.index);
  return proj.plastic ? proj.plastic->rule.get() : nullptr;
}

std::uint64_t Network::plasticity_state_bytes() const {
  std::uint64_t n = 0;
  for (const auto& proj : projections_)
    if (proj.plastic) n += proj.plastic->rule->state_bytes();
  return n;
}

}  // namespace spikeflow
