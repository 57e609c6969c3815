// Plastic synapses in the engine: the interface a learning rule implements, and the storage
// of a plastic projection's synapses.
//
//   net.set_plasticity(proj, models::make_stdp(params));   // before build(); see models/stdp.hpp
//
// Timing convention (the same for every rule): the whole synaptic delay d is dendritic, as
// in NEST. A presynaptic spike reaches the synapse at its own time t_pre; a postsynaptic
// spike emitted at t_post reaches it at t_post + d. A rule pairs these times at the
// synapse: dt = (t_post + d) - t_pre. The weight a spike transmits is the weight after the
// update at t_pre. All times are integer steps, so dt is exact.
//
// Why the update can run at delivery: a pre spike of the window [begin, end) needs only
// post spikes that reached the synapse by t_pre, i.e. emitted at or before t_pre - d; as
// d >= the window length, those were all emitted before `begin` and are known.
//
// Division of labour. The engine, once per window and on the calling thread, hands the rule
// the window's spikes of the source and of the target population (Plasticity::begin_window:
// the rule updates its per-neuron traces and spike histories there); then every partition,
// in parallel, walks the window's pre spikes over its own synapses (on_pre: the rule updates
// the weights of one delay group, the engine then delivers them). Per-neuron state lives in
// the rule, one entry per source or target neuron, not per synapse; a synapse is a target
// index and a weight. During the parallel phase the rule's state is only read, and each
// weight belongs to one partition, so nothing writable is shared.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/connectivity.hpp"
#include "engine/population.hpp"
#include "engine/state_io.hpp"
#include "engine/time.hpp"

namespace spikeflow {

// A spike as the rule sees it: its step and the neuron within its population.
struct NeuronSpike {
  Step step;
  NeuronIndex neuron;
};

// A graded output as a graded rule sees it: the update step, the unit, its nonzero value.
struct GradedValue {
  Step step;
  NeuronIndex index;
  double value;
};

// The targets of one group of plastic synapses: synapse j ends on neuron base + offsets[j]
// of the target population (PlasticRows stores 16-bit offsets from a base per group).
struct GroupTargets {
  NeuronIndex base;
  const std::uint16_t* offsets;
  NeuronIndex operator[](std::uint32_t j) const { return base + offsets[j]; }
};

class Plasticity {
 public:
  virtual ~Plasticity() = default;

  // The rule's name as a user types it ("stdp", "triplet") and a one-line description.
  virtual std::string_view rule() const = 0;
  virtual std::string describe() const = 0;
  // Weight bounds: every weight, initial or learnt, lies in [w_min(), w_max()].
  virtual double w_min() const = 0;
  virtual double w_max() const = 0;

  // Once, at build: checks the parameters against the grid and sizes the per-neuron state.
  // `window` is the engine's window length and `max_delay` the longest delay of the
  // projection, both in steps.
  virtual void prepare(const TimeGrid& grid, NeuronIndex sources, NeuronIndex targets, Step window,
                       Step max_delay) = 0;

  // Sequential, once per window [begin, end): the window's spikes of the source population
  // (`pre`) and of the target population (`post`), each in step order. Afterwards
  // flush_count() sources are to be flushed and pre spike k of `pre` is processed by
  // on_pre(k, ...).
  virtual void begin_window(Step begin, Step end, std::span<const NeuronSpike> pre,
                            std::span<const NeuronSpike> post) = 0;
  virtual std::size_t flush_count() const = 0;
  virtual NeuronIndex flush_source(std::size_t f) const = 0;

  // Parallel over partitions, read-only on the rule's state: updates the weights of one
  // delay group (all synapses of one source with delay `delay` in one partition) for pre
  // spike k of the window, or flushes them (on_flush: the pairings of a source silent for
  // the rule's horizon are applied, so its history can be dropped).
  virtual void on_pre(std::size_t k, Step delay, GroupTargets targets, double* weights,
                      std::uint32_t count) const = 0;
  virtual void on_flush(std::size_t f, Step delay, GroupTargets targets, double* weights,
                        std::uint32_t count) const = 0;

  // The weight of a synapse at step `now` (a window boundary): `stored` with the pairings
  // applied that reached the synapse since its source's last spike. Nothing is changed, so
  // reading weights between runs does not change the run.
  virtual double current_weight(NeuronIndex source, NeuronIndex target, Step delay, double stored,
                                Step now) const = 0;

  // Bytes of per-neuron state (traces, histories) now held.
  virtual std::uint64_t state_bytes() const = 0;

  // --- Graded rules (engine/graded_plasticity.cpp, models/rate_plasticity.hpp) ---
  // A graded rule learns from the outputs of adapters (rates) instead of spikes. Its
  // projection runs from an adapter with graded outputs into an elementwise adapter with
  // graded outputs (a rate population); the spike functions above are not called. Per
  // window the engine, in each partition, goes through the steps in order: at an update
  // step of the target it calls on_target_update for every delay group of the partition,
  // then it delivers the source's outputs of that step with the weights as they then are.
  virtual bool graded() const { return false; }
  // Once, at build, before prepare(): the update intervals of source and target, in steps.
  virtual void set_update_intervals(Step /*source*/, Step /*target*/) {}
  // Sequential, once per window [begin, end): the nonzero outputs of the source (`pre`) and
  // of the target (`post`) in this window, each ordered by (step, index).
  virtual void begin_graded_window(Step /*begin*/, Step /*end*/,
                                   std::span<const GradedValue> /*pre*/,
                                   std::span<const GradedValue> /*post*/) {}
  // Parallel over partitions, read-only on the rule's state: updates the weights of one
  // delay group (source `source`, delay `delay`) at the target's update of step `step`.
  virtual void on_target_update(Step /*step*/, NeuronIndex /*source*/, Step /*delay*/,
                                GroupTargets /*targets*/, double* /*weights*/,
                                std::uint32_t /*count*/) const {}

  // Checkpoints (docs/checkpoints.md): the per-neuron state that spans windows (traces,
  // spike histories, pending flushes), at a window boundary. What begin_window computes
  // for one window only is not saved. load_state follows prepare() on a network built the
  // same way and throws ConfigError if the arrays do not fit.
  virtual void save_state(const StateSection& out) const = 0;
  virtual void load_state(const StateSource& in) = 0;
};

// The synapses of one plastic projection that end in one partition, as compressed rows by
// source, grouped by delay: the layout of SynapseRows with double weights that the rule
// changes in place, and targets as 16-bit offsets from a base per group.
//
// Cost: 10 bytes per synapse (16-bit target offset + 64-bit weight), 8 bytes per group,
// 16 bytes per source row. A group holds synapses of one source with one delay whose
// targets lie in one block of 65536 neurons of the target population, blocks counted from
// the partition's first target: a partition with at most 65536 neurons of the target
// population has one group per (source, delay), as the static rows; a larger one has a
// group per block that a row reaches. Weights are double, not float as for static
// synapses: a rule's single updates are often far below a float's resolution (a pairing of
// the triplet rule's visual-cortex preset changes a weight of 0.5 by 5e-10 of its range,
// a float's step there is 6e-8), and float storage would silently round them away.
// Limitations: as SynapseRows (delays at most 65535 steps).
class PlasticRows {
 public:
  // Packs `synapses` (consumed) for sources [0, source_count).
  void build(std::vector<GeneratedSynapse>& synapses, NeuronIndex source_count);

  bool empty() const { return offsets_.empty(); }
  std::uint64_t synapse_count() const { return offsets_.size(); }
  std::uint64_t bytes() const;
  std::uint16_t min_delay() const { return min_delay_; }
  std::uint16_t max_delay() const { return max_delay_; }

  // Clamps every weight to [lo, hi]: initial weights are drawn as floats, and a draw
  // just inside a bound can round to a float just outside it.
  void clamp_weights(double lo, double hi) {
    for (double& w : weights_) w = std::min(std::max(w, lo), hi);
  }

  // Calls f(delay_steps, GroupTargets, weights, count) for each group of `source`.
  template <typename F>
  void for_each_group(NeuronIndex source, F&& f) {
    if (offsets_.empty()) return;
    const RowHeader row = rows_[source];
    std::uint64_t s = row.synapse_begin;
    for (std::uint32_t g = row.group_begin; g < row.group_end; ++g) {
      const Group group = groups_[g];
      f(group.delay_steps, GroupTargets{group.base, offsets_.data() + s}, weights_.data() + s,
        group.count);
      s += group.count;
    }
  }

  // The stored weights in storage order (the order for_each_synapse visits).
  std::span<double> weights() { return weights_; }

  // Visits every synapse: f(source, target, stored weight, delay_steps).
  template <typename F>
  void for_each_synapse(F&& f) const {
    if (offsets_.empty()) return;
    const auto rows = static_cast<NeuronIndex>(rows_.size());
    for (NeuronIndex src = 0; src < rows; ++src) {
      const RowHeader row = rows_[src];
      std::uint64_t s = row.synapse_begin;
      for (std::uint32_t g = row.group_begin; g < row.group_end; ++g) {
        const Group group = groups_[g];
        for (std::uint32_t k = 0; k < group.count; ++k, ++s)
          f(src, group.base + offsets_[s], weights_[s], group.delay_steps);
      }
    }
  }

 private:
  // delay_steps: 16 bits (at most 65535 steps); count: 16 bits, so a row with more synapses
  // of one delay in one block is split into several groups; base: the target neuron that
  // offset 0 stands for.
  struct Group {
    std::uint16_t delay_steps;
    std::uint16_t count;
    NeuronIndex base;
  };
  static_assert(sizeof(Group) == 8);
  struct RowHeader {
    std::uint64_t synapse_begin;
    std::uint32_t group_begin;
    std::uint32_t group_end;
  };
  static_assert(sizeof(RowHeader) == 16);

  std::vector<RowHeader> rows_;
  std::vector<Group> groups_;
  std::vector<std::uint16_t> offsets_;  // target - group base
  std::vector<double> weights_;
  std::uint16_t min_delay_ = 0;
  std::uint16_t max_delay_ = 0;
};

// What the engine keeps for a plastic projection: the rule, the rows per partition, and the
// window's pre and post spikes handed to the rule.
struct PlasticPart {
  std::unique_ptr<Plasticity> rule;
  std::vector<PlasticRows> rows;  // one per partition
  std::vector<NeuronSpike> window_pre;
  std::vector<NeuronSpike> window_post;
  // Graded rules: the window's source outputs and the target's update steps.
  std::vector<GradedValue> window_graded_pre;
  std::vector<GradedValue> window_graded_post;
  std::vector<Step> window_target_updates;
};

}  // namespace spikeflow
