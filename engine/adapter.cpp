// The parts of Network that run adapters (engine/adapter.hpp): their place in the
// partitions, their checks at build, the emission of graded events in the update phase and
// their delivery beside the spikes.
#include <algorithm>
#include <cmath>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

NeuronRange Network::input_range(std::uint32_t population, int partition) const {
  const PopulationEntry& e = populations_[population];
  if (e.adapter && !e.adapter->elementwise())
    return partition == 0 ? NeuronRange{0, e.adapter->input_size()} : NeuronRange{};
  return partition_range(population, partition);
}

void Network::check_adapter_projection(const PopulationEntry& source, const PopulationEntry& target,
                                       const SynapseSpec& synapse, const std::string& where) const {
  if (synapse.kind != SynapseSpec::Kind::current) return;
  if (!source.adapter || !source.adapter->graded())
    throw ConfigError(concat(where, "synapse 'current' needs a source with graded outputs (an ",
                             "adapter such as rate or spikes_to_rates); '", source.name, "' is ",
                             source.model->model()));
  if (!std::isfinite(synapse.offset))
    throw ConfigError(concat(where, "offset must be a finite number of pA, got ", synapse.offset));
  if (target.adapter)
    throw ConfigError(concat(where, "synapse 'current' injects pA into a spiking population; '",
                             target.name, "' is an adapter (", target.model->model(),
                             "): use a static synapse"));
}

void Network::bind_adapters() {
  for (std::uint32_t k = 0; k < populations_.size(); ++k) {
    PopulationEntry& e = populations_[k];
    if (e.adapter) e.adapter->bind({options_.seed, k, e.first_id});
  }
}

void Network::finish_adapters() {
  Step longest_hold = 1;
  for (const PopulationEntry& e : populations_) {
    if (!e.adapter) continue;
    const Step k = e.adapter->update_interval();
    if (k < 1 || window_ % k != 0)
      throw ConfigError(concat(
          "population '", e.name, "' (", e.model->model(), "): update_interval of ", k, " steps (",
          grid_.time_of(k), " ms) must divide the window of ", window_, " steps (",
          grid_.time_of(window_), " ms, the smallest delay, at most 1000 steps)"));
    if (e.adapter->graded() && !e.outgoing.empty()) longest_hold = std::max(longest_hold, k);
  }

  // A graded event of step s is held in steps s + D + 1 ... s + D + k: the ring must reach
  // that far.
  Step max_delay = 0;
  for (const auto& proj : projections_) {
    for (const auto& rows : proj.rows)
      if (!rows.empty()) max_delay = std::max<Step>(max_delay, rows.max_delay());
    if (proj.plastic && proj.plastic->rule->graded())  // graded plastic projections hold too
      for (const auto& rows : proj.plastic->rows)
        if (!rows.empty()) max_delay = std::max<Step>(max_delay, rows.max_delay());
  }
  max_delay = global_max_delay(max_delay);
  if (max_delay > 0) ring_slots_ = std::max(ring_slots_, max_delay + longest_hold);

  for (const auto& proj : projections_) {
    if (proj.synapse.kind != SynapseSpec::Kind::current) continue;
    PopulationEntry& target = populations_[proj.target];
    target.receives_current = true;
    target.current_offset += proj.synapse.offset;
  }
}

void Network::emit_graded(std::uint32_t population, NeuronRange range, Step step,
                          PartitionScratch& scratch) const {
  const PopulationEntry& e = populations_[population];
  if (!e.adapter->graded() || (e.outgoing.empty() && !e.learns)) return;
  if ((step + 1) % e.adapter->update_interval() != 0) return;
  const std::span<const double> y = e.adapter->outputs();
  for (NeuronIndex i = range.begin; i < range.end; ++i)
    if (y[i] != 0.0) scratch.graded.push_back({step, population, i, y[i]});
}

void Network::add_held_current(PopulationEntry& e, NeuronRange range, std::size_t slot,
                               double* current) {
  double* held = e.ring_current.data() + slot * e.ring_width;
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    current[i] += held[i] + e.current_offset;
    held[i] = 0.0;
  }
}

void Network::collect_graded() {
  window_graded_.clear();
  for (const auto& s : scratch_)
    window_graded_.insert(window_graded_.end(), s.graded.begin(), s.graded.end());
  std::sort(window_graded_.begin(), window_graded_.end());
}

void Network::deliver_graded_partition(int part) {
  const auto p = static_cast<std::size_t>(part);
  std::uint64_t events = 0;
  for (const GradedRecord& g : window_graded_) {
    const PopulationEntry& source = populations_[g.population];
    const Step hold = source.adapter->update_interval();
    for (const std::uint32_t pi : source.outgoing) {
      const ProjectionEntry& proj = projections_[pi];
      const SynapseRows& rows = proj.rows[p];
      if (rows.empty()) continue;
      PopulationEntry& target = populations_[proj.target];
      const std::size_t n = target.ring_width;
      const bool to_current = proj.synapse.kind == SynapseSpec::Kind::current;
      rows.for_each_in_row(g.index, [&](NeuronIndex t, float weight, std::uint16_t delay) {
        ++events;
        const double x = static_cast<double>(weight) * g.value;
        double* ring = to_current ? target.ring_current.data()
                       : x >= 0.0 ? target.ring_excitatory.data()
                                  : target.ring_inhibitory.data();
        for (Step h = 0; h < hold; ++h)
          ring[static_cast<std::size_t>((g.step + delay + 1 + h) % ring_slots_) * n + t] += x;
      });
    }
  }
  scratch_[p].events += events;
}

}  // namespace spikeflow
