// Connection rules, synapse specifications and the compressed storage of static synapses.
//
// Generation is per target neuron from that neuron's own random streams (fixed_outdegree:
// per source neuron; fixed_total_number: per block of kTotalNumberBlock targets), so the
// synapses of a projection do not depend on how many threads or partitions build them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/population.hpp"

namespace spikeflow {

struct ConnectionRule {
  enum class Kind {
    all_to_all,
    one_to_one,
    pairwise_bernoulli,
    fixed_indegree,
    fixed_outdegree,
    fixed_total_number
  };

  Kind kind = Kind::all_to_all;
  double p = 0.0;               // pairwise_bernoulli: connection probability, [0, 1]
  std::uint64_t n = 0;          // in-degree, out-degree or total number
  bool allow_autapses = true;   // a neuron may connect to itself (same population only)
  bool allow_multapses = true;  // a pair may be connected more than once

  static ConnectionRule all_to_all() { return {Kind::all_to_all}; }
  static ConnectionRule one_to_one() { return {Kind::one_to_one}; }
  static ConnectionRule pairwise_bernoulli(double p) { return {Kind::pairwise_bernoulli, p}; }
  static ConnectionRule fixed_indegree(std::uint64_t k) { return {Kind::fixed_indegree, 0, k}; }
  static ConnectionRule fixed_outdegree(std::uint64_t k) { return {Kind::fixed_outdegree, 0, k}; }
  static ConnectionRule fixed_total_number(std::uint64_t n) {
    return {Kind::fixed_total_number, 0, n};
  }
  ConnectionRule autapses(bool allow) const {
    ConnectionRule r = *this;
    r.allow_autapses = allow;
    return r;
  }
  ConnectionRule multapses(bool allow) const {
    ConnectionRule r = *this;
    r.allow_multapses = allow;
    return r;
  }

  std::string name() const;
};

// Weight (model units: mV for voltage jumps, pA for currents, nS for conductances; the
// sign selects excitatory or inhibitory input) and delay (ms) of a static synapse.
struct SynapseSpec {
  Distribution weight = Distribution::constant(1.0);
  Distribution delay = Distribution::constant(1.0);
  // What a synapse adds to: the target's spike input (static), or, for projections out of
  // an adapter with graded outputs, its external current (rates to currents, see
  // engine/adapter.hpp): weight * value pA, plus `offset` pA to every target neuron.
  enum class Kind { static_synapse, current };
  Kind kind = Kind::static_synapse;
  double offset = 0.0;  // pA, current projections only
  // Given weights instead of draws from `weight` (all_to_all only): the synapse from source j
  // to target i has weight (*weight_matrix)[i * sources + j], the layout of a PyTorch Linear
  // weight [out, in]. Null: weights are drawn. Network::connect checks the size.
  std::shared_ptr<const std::vector<double>> weight_matrix = nullptr;
};

// What a generator needs to know about one projection.
struct ProjectionGeometry {
  std::uint64_t seed;
  std::uint64_t projection_index;
  NeuronIndex source_size;
  NeuronIndex target_size;
  bool same_population;
};

// One synapse during construction, before it is packed into SynapseRows.
struct GeneratedSynapse {
  NeuronIndex source;
  NeuronIndex target;
  float weight;
  std::uint16_t delay_steps;
};

// Checks a rule against the population sizes; throws ConfigError naming the projection.
void validate_rule(const ConnectionRule& rule, const ProjectionGeometry& geometry,
                   const std::string& projection_name);

// Checks an explicit weight matrix (SynapseSpec::weight_matrix) against the rule and the
// sizes; throws ConfigError naming the projection:
//   projection 'L1->L2': weight matrix has 12 values, expected 4 targets x 2 sources = 8
void validate_weight_matrix(const ConnectionRule& rule, const SynapseSpec& spec,
                            const ProjectionGeometry& geometry, const std::string& projection_name);

// The number of synapses a rule makes for this geometry: exact for every rule but
// pairwise_bernoulli, whose count is binomial around this mean.
double expected_synapse_count(const ConnectionRule& rule, const ProjectionGeometry& geometry);

// Appends the synapses of the projection that end in `targets`, in a canonical order
// (by target for the per-target rules). `delay_steps` converts a drawn delay in ms to
// steps; `weight` and `delay` are drawn from their own streams.
void generate_synapses(const ConnectionRule& rule, const SynapseSpec& spec,
                       const ProjectionGeometry& geometry, NeuronRange targets,
                       const TimeGrid& grid, std::vector<GeneratedSynapse>& out);

// Orders synapses by source with a stable counting sort (generation order kept within a
// source) into `sorted`, frees `synapses`, and returns the row offsets (source_count + 1).
// Shared by the static and the plastic row builders.
std::vector<std::uint64_t> sort_by_source(std::vector<GeneratedSynapse>& synapses,
                                          NeuronIndex source_count,
                                          std::vector<GeneratedSynapse>& sorted);

// Static synapses of one projection that end in one partition, as compressed rows by
// source; within a row, synapses are grouped by delay in increasing order.
//
// Cost: 8 bytes per synapse (32-bit target index + 32-bit float weight), 4 bytes per
// delay group of a row, 16 bytes per source row. A spike costs one row-header read per
// partition and projection (one cache line), then a contiguous walk over its synapses.
// Limitations: delays are at most 65535 steps (6.5 s at dt = 0.1 ms; longer delays are
// rejected at connect time); one projection's part in one partition holds at most 2^32
// delay groups.
class SynapseRows {
 public:
  // Packs `synapses` (consumed) for sources [0, source_count).
  void build(std::vector<GeneratedSynapse>& synapses, NeuronIndex source_count);

  bool empty() const { return targets_.empty(); }
  std::uint64_t synapse_count() const { return targets_.size(); }
  std::uint64_t bytes() const;
  std::uint16_t min_delay() const { return min_delay_; }
  std::uint16_t max_delay() const { return max_delay_; }

  // Calls f(delay_steps, targets, weights, count) for each delay group of `source`.
  template <typename F>
  void for_each_group(NeuronIndex source, F&& f) const {
    if (targets_.empty()) return;
    const RowHeader row = rows_[source];
    std::uint64_t s = row.synapse_begin;
    for (std::uint32_t g = row.group_begin; g < row.group_end; ++g) {
      const DelayGroup group = groups_[g];
      f(group.delay_steps, targets_.data() + s, weights_.data() + s, group.count);
      s += group.count;
    }
  }

  // Hints the cache to fetch the row header of `source`, and (once the header is cached)
  // the first synapses of its row, a few spikes ahead of their delivery.
  void prefetch_header(NeuronIndex source) const {
    if (!rows_.empty()) __builtin_prefetch(&rows_[source]);
  }
  void prefetch_row(NeuronIndex source) const {
    if (rows_.empty()) return;
    const std::uint64_t s = rows_[source].synapse_begin;
    __builtin_prefetch(targets_.data() + s);
    __builtin_prefetch(weights_.data() + s);
    __builtin_prefetch(&groups_[rows_[source].group_begin]);
  }

  // Visits every synapse: f(source, target, weight, delay_steps).
  template <typename F>
  void for_each_synapse(F&& f) const {
    if (targets_.empty()) return;
    const auto rows = static_cast<NeuronIndex>(rows_.size());
    for (NeuronIndex src = 0; src < rows; ++src)
      for_each_group(src,
                     [&](std::uint16_t d, const NeuronIndex* t, const float* w, std::uint32_t n) {
                       for (std::uint32_t k = 0; k < n; ++k) f(src, t[k], w[k], d);
                     });
  }

 private:
  // delay_steps: 16 bits (at most 65535 steps); count: 16 bits, so a row with more
  // synapses of one delay is split into several groups.
  struct DelayGroup {
    std::uint16_t delay_steps;
    std::uint16_t count;
  };
  static_assert(sizeof(DelayGroup) == 4);

  // Where a source's row starts in the synapse arrays, and its groups [begin, end).
  struct RowHeader {
    std::uint64_t synapse_begin;
    std::uint32_t group_begin;
    std::uint32_t group_end;
  };
  static_assert(sizeof(RowHeader) == 16);

  std::vector<RowHeader> rows_;  // one per source
  std::vector<DelayGroup> groups_;
  std::vector<NeuronIndex> targets_;
  std::vector<float> weights_;
  std::uint16_t min_delay_ = 0;
  std::uint16_t max_delay_ = 0;
};

}  // namespace spikeflow
