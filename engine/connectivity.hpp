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
#include "engine/huge_pages.hpp"
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
// source; within a row, synapses are ordered by delay (stable: generation order within a
// delay), so a spike's synapses are delivered in the same order for any partition count.
//
// Cost: 8 bytes per synapse, one 32-bit word holding the target (as an offset from the
// partition's smallest target) and the delay, and a 32-bit float weight side by side; plus
// 8 bytes per source row. Delivery walks a spike's row from start to end: one row offset
// read per partition and projection, then one contiguous run of synapses, no per-delay
// bookkeeping.
// Limitations: the delay takes the bits its largest value needs (8 for up to 255 steps),
// the target offset the rest of the 32; a part of a projection whose target span and
// delays need more (for example more than 2^16 targets in one partition with delays of
// 2^16 - 1 steps) is refused at build time with a message asking for more partitions.
// Delays are at most 65535 steps (6.5 s at dt = 0.1 ms; longer delays are rejected at
// connect time).
class SynapseRows {
 public:
  struct Synapse {
    std::uint32_t packed;  // target offset << delay_bits | delay in steps
    float weight;
  };
  static_assert(sizeof(Synapse) == 8);

  // How to unpack a Synapse of this storage.
  struct Unpack {
    std::uint32_t delay_bits;
    std::uint32_t delay_mask;
    NeuronIndex target_base;
    std::uint32_t delay(Synapse s) const { return s.packed & delay_mask; }
    NeuronIndex target_offset(Synapse s) const { return s.packed >> delay_bits; }
    NeuronIndex target(Synapse s) const { return target_base + target_offset(s); }
  };

  // Packs `synapses` (consumed) for sources [0, source_count).
  void build(std::vector<GeneratedSynapse>& synapses, NeuronIndex source_count);

  bool empty() const { return synapses_.empty(); }
  std::uint64_t synapse_count() const { return synapses_.size(); }
  std::uint64_t bytes() const;
  std::uint16_t min_delay() const { return min_delay_; }
  std::uint16_t max_delay() const { return max_delay_; }
  const Unpack& unpack() const { return unpack_; }

  // The synapses of `source` (the storage must not be empty).
  std::span<const Synapse> row(NeuronIndex source) const {
    return {synapses_.data() + row_begin_[source], synapses_.data() + row_begin_[source + 1]};
  }

  // Calls f(target, weight, delay_steps) for each synapse of `source`, by increasing delay.
  template <typename F>
  void for_each_in_row(NeuronIndex source, F&& f) const {
    if (synapses_.empty()) return;
    for (const Synapse s : row(source))
      f(unpack_.target(s), s.weight, static_cast<std::uint16_t>(unpack_.delay(s)));
  }

  // Synapses a walk over a row prefetches ahead of the one it delivers (512 bytes): rows are
  // a few kilobytes at random places, too short for the hardware prefetcher to get ahead.
  static constexpr std::size_t kRowPrefetchAhead = 64;

  // Hints the cache to fetch the row offsets of `source`, and (once they are cached) the
  // first kRowPrefetchAhead synapses of its row, a few spikes ahead of their delivery.
  void prefetch_header(NeuronIndex source) const {
    if (!synapses_.empty()) __builtin_prefetch(&row_begin_[source]);
  }
  void prefetch_row(NeuronIndex source) const {
    if (synapses_.empty()) return;
    const Synapse* first = synapses_.data() + row_begin_[source];
    const Synapse* end = synapses_.data() + row_begin_[source + 1];
    constexpr std::size_t kPerLine = 64 / sizeof(Synapse);
    for (const Synapse* s = first; s < end && s < first + kRowPrefetchAhead; s += kPerLine)
      __builtin_prefetch(s);
  }

  // Visits every synapse: f(source, target, weight, delay_steps).
  template <typename F>
  void for_each_synapse(F&& f) const {
    if (synapses_.empty()) return;
    const auto rows = static_cast<NeuronIndex>(row_begin_.size() - 1);
    for (NeuronIndex src = 0; src < rows; ++src)
      for_each_in_row(src, [&](NeuronIndex t, float w, std::uint16_t d) { f(src, t, w, d); });
  }

 private:
  std::vector<std::uint64_t> row_begin_;  // source_count + 1 offsets into synapses_
  HugePageVector<Synapse> synapses_;
  Unpack unpack_{0, 0, 0};
  std::uint16_t min_delay_ = 0;
  std::uint16_t max_delay_ = 0;
};

}  // namespace spikeflow
