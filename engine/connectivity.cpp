#include "engine/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "engine/error.hpp"

namespace spikeflow {

namespace {

// fixed_total_number splits its synapses over blocks of this many targets; the blocks,
// not the partitions, decide which random numbers a synapse takes, so the result does
// not depend on the partition count.
constexpr NeuronIndex kTotalNumberBlock = 1024;
constexpr std::uint64_t kMaxDelaySteps = std::numeric_limits<std::uint16_t>::max();

// Draws weight and delay of the synapses one generator makes, in generation order.
class SynapseValues {
 public:
  SynapseValues(const SynapseSpec& spec, const ProjectionGeometry& g, std::uint64_t entity,
                const TimeGrid& grid)
      : spec_(spec),
        grid_(grid),
        sources_(g.source_size),
        weight_stream_(g.seed, Purpose::weight, g.projection_index, entity),
        delay_stream_(g.seed, Purpose::delay, g.projection_index, entity) {}

  GeneratedSynapse make(NeuronIndex source, NeuronIndex target) {
    const double w =
        spec_.weight_matrix
            ? (*spec_.weight_matrix)[static_cast<std::size_t>(target) * sources_ + source]
            : spec_.weight.sample(weight_stream_);
    const double delay_ms = spec_.delay.sample(delay_stream_);
    const Step d = grid_.nearest_steps(delay_ms);
    // Connect-time checks keep delays >= 1 step; a distribution without an upper bound
    // (NEST allows that) is checked here, on the value actually drawn.
    if (d > static_cast<Step>(kMaxDelaySteps))
      throw ConfigError(concat("delay ", delay_ms, " ms drawn from ", spec_.delay.describe(),
                               " exceeds the longest delay, 65535 steps (", 65535.0 * grid_.dt(),
                               " ms); bound the distribution above"));
    const auto delay = static_cast<std::uint16_t>(std::max<Step>(d, 1));
    return {source, target, static_cast<float>(w), delay};
  }

 private:
  const SynapseSpec& spec_;
  const TimeGrid& grid_;
  std::size_t sources_;
  RandomStream weight_stream_;
  RandomStream delay_stream_;
};

// Number of sources a target may choose from, and the mapping that skips the target
// itself when autapses are excluded.
struct SourceChoice {
  NeuronIndex count;
  bool skip_self;
  NeuronIndex map(std::uint64_t draw, NeuronIndex target) const {
    const auto s = static_cast<NeuronIndex>(draw);
    return (skip_self && s >= target) ? s + 1 : s;
  }
};

SourceChoice source_choice(const ConnectionRule& rule, const ProjectionGeometry& g) {
  const bool skip_self = g.same_population && !rule.allow_autapses;
  return {skip_self ? g.source_size - 1 : g.source_size, skip_self};
}

// Draws k distinct values from [0, n) (Floyd's algorithm), in draw order.
void distinct_sample(RandomStream& stream, std::uint64_t n, std::uint64_t k,
                     std::vector<std::uint64_t>& out) {
  out.clear();
  std::unordered_set<std::uint64_t> chosen;
  chosen.reserve(k * 2);
  for (std::uint64_t j = n - k; j < n; ++j) {
    const std::uint64_t t = stream.below(j + 1);
    const std::uint64_t pick = chosen.insert(t).second ? t : j;
    if (pick == j) chosen.insert(j);
    out.push_back(pick);
  }
}

void all_to_all(const ConnectionRule& rule, const ProjectionGeometry& g, NeuronRange targets,
                const SynapseSpec& spec, const TimeGrid& grid, std::vector<GeneratedSynapse>& out) {
  const bool skip_self = g.same_population && !rule.allow_autapses;
  for (NeuronIndex t = targets.begin; t < targets.end; ++t) {
    SynapseValues values(spec, g, t, grid);
    for (NeuronIndex s = 0; s < g.source_size; ++s)
      if (!(skip_self && s == t)) out.push_back(values.make(s, t));
  }
}

void one_to_one(const ProjectionGeometry& g, NeuronRange targets, const SynapseSpec& spec,
                const TimeGrid& grid, std::vector<GeneratedSynapse>& out) {
  for (NeuronIndex t = targets.begin; t < targets.end; ++t) {
    SynapseValues values(spec, g, t, grid);
    out.push_back(values.make(t, t));
  }
}

void pairwise_bernoulli(const ConnectionRule& rule, const ProjectionGeometry& g,
                        NeuronRange targets, const SynapseSpec& spec, const TimeGrid& grid,
                        std::vector<GeneratedSynapse>& out) {
  if (rule.p <= 0.0) return;
  const bool skip_self = g.same_population && !rule.allow_autapses;
  // Geometric skipping: the gap to the next connected source is geometric, so the cost is
  // proportional to the synapses made, not to the pairs tested.
  const double log_q = std::log1p(-rule.p);
  for (NeuronIndex t = targets.begin; t < targets.end; ++t) {
    RandomStream stream(g.seed, Purpose::connect, g.projection_index, t);
    SynapseValues values(spec, g, t, grid);
    std::uint64_t s = 0;
    while (true) {
      if (rule.p < 1.0) {
        // For tiny p the gap can exceed 2^64, which no integer holds: compare it as a double
        // with the sources left before converting.
        const double gap = std::floor(std::log(stream.uniform()) / log_q);
        if (gap >= static_cast<double>(g.source_size - s)) break;
        s += static_cast<std::uint64_t>(gap);
      }
      if (s >= g.source_size) break;
      const auto source = static_cast<NeuronIndex>(s);
      if (!(skip_self && source == t)) out.push_back(values.make(source, t));
      ++s;
    }
  }
}

void fixed_indegree(const ConnectionRule& rule, const ProjectionGeometry& g, NeuronRange targets,
                    const SynapseSpec& spec, const TimeGrid& grid,
                    std::vector<GeneratedSynapse>& out) {
  const SourceChoice choice = source_choice(rule, g);
  std::vector<std::uint64_t> draws;
  for (NeuronIndex t = targets.begin; t < targets.end; ++t) {
    RandomStream stream(g.seed, Purpose::connect, g.projection_index, t);
    SynapseValues values(spec, g, t, grid);
    if (rule.allow_multapses) {
      for (std::uint64_t k = 0; k < rule.n; ++k)
        out.push_back(values.make(choice.map(stream.below(choice.count), t), t));
    } else {
      distinct_sample(stream, choice.count, rule.n, draws);
      for (const std::uint64_t d : draws) out.push_back(values.make(choice.map(d, t), t));
    }
  }
}

void fixed_outdegree(const ConnectionRule& rule, const ProjectionGeometry& g, NeuronRange targets,
                     const SynapseSpec& spec, const TimeGrid& grid,
                     std::vector<GeneratedSynapse>& out) {
  // Per source: every partition replays each source's stream and keeps the synapses that
  // end in its targets. The weights are drawn for every synapse, kept or not, so a
  // synapse's weight does not depend on which partition keeps it.
  const bool skip_self = g.same_population && !rule.allow_autapses;
  const NeuronIndex choices = skip_self ? g.target_size - 1 : g.target_size;
  std::vector<std::uint64_t> draws;
  for (NeuronIndex s = 0; s < g.source_size; ++s) {
    RandomStream stream(g.seed, Purpose::connect, g.projection_index, s);
    SynapseValues values(spec, g, s, grid);
    auto keep = [&](std::uint64_t d) {
      NeuronIndex t = static_cast<NeuronIndex>(d);
      if (skip_self && t >= s) ++t;
      const GeneratedSynapse syn = values.make(s, t);
      if (t >= targets.begin && t < targets.end) out.push_back(syn);
    };
    if (rule.allow_multapses) {
      for (std::uint64_t k = 0; k < rule.n; ++k) keep(stream.below(choices));
    } else {
      distinct_sample(stream, choices, rule.n, draws);
      for (const std::uint64_t d : draws) keep(d);
    }
  }
}

// Splits `total` synapses over the blocks by sequential binomials (a multinomial draw
// with probabilities proportional to block sizes), from one stream of the projection.
// Without multapses a block cannot take more synapses than it has pairs (a small partial
// last block can draw more: 1 source x 1025 targets, N = 512 gives the one-pair last block
// two synapses in 9% of seeds, and its generation loop would never end). The split is then
// drawn again from the same stream until every block fits, i.e. the multinomial conditioned
// on fitting; this is still the same for every partition count.
std::vector<std::uint64_t> total_number_block_counts(const ConnectionRule& rule,
                                                     const ProjectionGeometry& g) {
  constexpr int kMaxSplits = 1000;
  const NeuronIndex blocks = (g.target_size + kTotalNumberBlock - 1) / kTotalNumberBlock;
  const bool skip_self = g.same_population && !rule.allow_autapses;
  const std::uint64_t sources = skip_self ? g.source_size - 1 : g.source_size;
  std::vector<std::uint64_t> counts(blocks, 0);
  RandomStream stream(g.seed, Purpose::total_number_split, g.projection_index, 0);
  for (int attempt = 0; attempt < kMaxSplits; ++attempt) {
    std::fill(counts.begin(), counts.end(), 0);
    std::uint64_t remaining = rule.n;
    double remaining_targets = g.target_size;
    bool fits = true;
    for (NeuronIndex b = 0; b < blocks && remaining > 0; ++b) {
      const NeuronIndex size = std::min(kTotalNumberBlock, g.target_size - b * kTotalNumberBlock);
      const double p = std::min(1.0, size / remaining_targets);
      counts[b] = stream.binomial(remaining, p);
      remaining -= counts[b];
      remaining_targets -= size;
      if (!rule.allow_multapses && counts[b] > static_cast<std::uint64_t>(size) * sources)
        fits = false;
    }
    if (fits) return counts;
  }
  throw ConfigError(concat("fixed_total_number: ", rule.n,
                           " synapses without multapses do not "
                           "fit the blocks of ",
                           kTotalNumberBlock, " targets in ", kMaxSplits,
                           " draws; allow multapses or lower N"));
}

void fixed_total_number(const ConnectionRule& rule, const ProjectionGeometry& g,
                        NeuronRange targets, const SynapseSpec& spec, const TimeGrid& grid,
                        std::vector<GeneratedSynapse>& out) {
  if (targets.size() == 0) return;
  const std::vector<std::uint64_t> counts = total_number_block_counts(rule, g);
  const bool skip_self = g.same_population && !rule.allow_autapses;
  const NeuronIndex first_block = targets.begin / kTotalNumberBlock;
  const NeuronIndex last_block = (targets.end - 1) / kTotalNumberBlock;
  for (NeuronIndex b = first_block; b <= last_block; ++b) {
    const NeuronIndex block_begin = b * kTotalNumberBlock;
    const NeuronIndex block_size = std::min(kTotalNumberBlock, g.target_size - block_begin);
    RandomStream stream(g.seed, Purpose::connect, g.projection_index, b);
    SynapseValues values(spec, g, b, grid);
    std::unordered_set<std::uint64_t> pairs;  // only used without multapses
    for (std::uint64_t k = 0; k < counts[b];) {
      const NeuronIndex t = block_begin + static_cast<NeuronIndex>(stream.below(block_size));
      const auto s = static_cast<NeuronIndex>(stream.below(g.source_size));
      if (skip_self && s == t) continue;
      if (!rule.allow_multapses && !pairs.insert((static_cast<std::uint64_t>(t) << 32) | s).second)
        continue;
      const GeneratedSynapse syn = values.make(s, t);
      if (t >= targets.begin && t < targets.end) out.push_back(syn);
      ++k;
    }
  }
}

}  // namespace

std::string ConnectionRule::name() const {
  switch (kind) {
    case Kind::all_to_all:
      return "all_to_all";
    case Kind::one_to_one:
      return "one_to_one";
    case Kind::pairwise_bernoulli:
      return "pairwise_bernoulli";
    case Kind::fixed_indegree:
      return "fixed_indegree";
    case Kind::fixed_outdegree:
      return "fixed_outdegree";
    case Kind::fixed_total_number:
      return "fixed_total_number";
  }
  return "unknown";
}

void validate_weight_matrix(const ConnectionRule& rule, const SynapseSpec& spec,
                            const ProjectionGeometry& g, const std::string& name) {
  if (!spec.weight_matrix) return;
  const std::string where = concat("projection '", name, "': ");
  if (rule.kind != ConnectionRule::Kind::all_to_all)
    throw ConfigError(concat(where, "a weight matrix needs rule all_to_all, got ", rule.name()));
  const std::vector<double>& m = *spec.weight_matrix;
  const std::uint64_t expected = static_cast<std::uint64_t>(g.target_size) * g.source_size;
  if (m.size() != expected)
    throw ConfigError(concat(where, "weight matrix has ", m.size(), " values, expected ",
                             g.target_size, " targets x ", g.source_size, " sources = ", expected));
  for (std::size_t k = 0; k < m.size(); ++k)
    if (!std::isfinite(m[k]) || std::fabs(m[k]) > std::numeric_limits<float>::max())
      throw ConfigError(concat(where, "weight matrix entry [", k / g.source_size, ", ",
                               k % g.source_size, "] must be finite (float range), got ", m[k]));
}

void validate_rule(const ConnectionRule& rule, const ProjectionGeometry& g,
                   const std::string& name) {
  const std::string where = concat("projection '", name, "' (", rule.name(), "): ");
  const bool skip_self = g.same_population && !rule.allow_autapses;
  const std::uint64_t sources = skip_self ? g.source_size - 1 : g.source_size;
  const std::uint64_t targets = skip_self ? g.target_size - 1 : g.target_size;
  switch (rule.kind) {
    case ConnectionRule::Kind::all_to_all:
      break;
    case ConnectionRule::Kind::one_to_one:
      if (g.source_size != g.target_size)
        throw ConfigError(concat(where, "needs populations of equal size, got ", g.source_size,
                                 " sources and ", g.target_size, " targets"));
      if (g.same_population && !rule.allow_autapses)
        throw ConfigError(concat(where,
                                 "within one population connects each neuron to "
                                 "itself, so allow_autapses must be true"));
      break;
    case ConnectionRule::Kind::pairwise_bernoulli:
      if (!(rule.p >= 0.0 && rule.p <= 1.0))
        throw ConfigError(concat(where, "p must be in [0, 1], got ", rule.p));
      break;
    case ConnectionRule::Kind::fixed_indegree:
      if (rule.n > 0 && sources == 0)
        throw ConfigError(concat(where, "indegree ", rule.n, " needs at least one source"));
      if (!rule.allow_multapses && rule.n > sources)
        throw ConfigError(concat(where, "indegree must be <= ", sources,
                                 " (the available sources) without multapses, got ", rule.n));
      break;
    case ConnectionRule::Kind::fixed_outdegree:
      if (rule.n > 0 && targets == 0)
        throw ConfigError(concat(where, "outdegree ", rule.n, " needs at least one target"));
      if (!rule.allow_multapses && rule.n > targets)
        throw ConfigError(concat(where, "outdegree must be <= ", targets,
                                 " (the available targets) without multapses, got ", rule.n));
      break;
    case ConnectionRule::Kind::fixed_total_number: {
      const std::uint64_t pairs = static_cast<std::uint64_t>(g.source_size) * g.target_size -
                                  (skip_self ? g.source_size : 0);
      if (rule.n > 0 && pairs == 0)
        throw ConfigError(concat(where, "N = ", rule.n, " needs at least one possible pair"));
      // Without multapses the synapses are split over blocks of targets first, and a block
      // cannot take more than its own pairs; half of all pairs keeps that vanishingly rare.
      if (!rule.allow_multapses && rule.n > pairs / 2)
        throw ConfigError(concat(where, "N must be <= ", pairs / 2,
                                 " (half the possible pairs) without multapses, got ", rule.n));
      break;
    }
  }
}

double expected_synapse_count(const ConnectionRule& rule, const ProjectionGeometry& g) {
  const double sources = g.source_size;
  const double targets = g.target_size;
  const bool skip_self = g.same_population && !rule.allow_autapses;
  const double pairs = sources * targets - (skip_self ? sources : 0.0);
  switch (rule.kind) {
    case ConnectionRule::Kind::all_to_all:
      return pairs;
    case ConnectionRule::Kind::one_to_one:
      return targets;
    case ConnectionRule::Kind::pairwise_bernoulli:
      return rule.p * pairs;
    case ConnectionRule::Kind::fixed_indegree:
      return static_cast<double>(rule.n) * targets;
    case ConnectionRule::Kind::fixed_outdegree:
      return static_cast<double>(rule.n) * sources;
    case ConnectionRule::Kind::fixed_total_number:
      return static_cast<double>(rule.n);
  }
  return 0.0;
}

void generate_synapses(const ConnectionRule& rule, const SynapseSpec& spec,
                       const ProjectionGeometry& g, NeuronRange targets, const TimeGrid& grid,
                       std::vector<GeneratedSynapse>& out) {
  switch (rule.kind) {
    case ConnectionRule::Kind::all_to_all:
      return all_to_all(rule, g, targets, spec, grid, out);
    case ConnectionRule::Kind::one_to_one:
      return one_to_one(g, targets, spec, grid, out);
    case ConnectionRule::Kind::pairwise_bernoulli:
      return pairwise_bernoulli(rule, g, targets, spec, grid, out);
    case ConnectionRule::Kind::fixed_indegree:
      return fixed_indegree(rule, g, targets, spec, grid, out);
    case ConnectionRule::Kind::fixed_outdegree:
      return fixed_outdegree(rule, g, targets, spec, grid, out);
    case ConnectionRule::Kind::fixed_total_number:
      return fixed_total_number(rule, g, targets, spec, grid, out);
  }
}

std::vector<std::uint64_t> sort_by_source(std::vector<GeneratedSynapse>& synapses,
                                          NeuronIndex source_count,
                                          std::vector<GeneratedSynapse>& sorted) {
  std::vector<std::uint64_t> row_begin(static_cast<std::size_t>(source_count) + 1, 0);
  for (const auto& s : synapses) ++row_begin[s.source + 1];
  std::partial_sum(row_begin.begin(), row_begin.end(), row_begin.begin());
  sorted.resize(synapses.size());
  std::vector<std::uint64_t> next(row_begin.begin(), row_begin.end() - 1);
  for (const auto& s : synapses) sorted[next[s.source]++] = s;
  std::vector<GeneratedSynapse>().swap(synapses);
  return row_begin;
}

namespace {

// The number of bits needed to write x (0 for x = 0).
std::uint32_t bit_width(std::uint64_t x) {
  std::uint32_t bits = 0;
  for (; x != 0; x >>= 1) ++bits;
  return bits;
}

}  // namespace

void SynapseRows::build(std::vector<GeneratedSynapse>& synapses, NeuronIndex source_count) {
  *this = SynapseRows();
  if (synapses.empty()) return;

  // The packing: the delay in the low bits, the target offset above it.
  NeuronIndex target_min = std::numeric_limits<NeuronIndex>::max(), target_max = 0;
  min_delay_ = std::numeric_limits<std::uint16_t>::max();
  for (const GeneratedSynapse& s : synapses) {
    target_min = std::min(target_min, s.target);
    target_max = std::max(target_max, s.target);
    min_delay_ = std::min(min_delay_, s.delay_steps);
    max_delay_ = std::max(max_delay_, s.delay_steps);
  }
  const std::uint32_t delay_bits = bit_width(max_delay_);
  const std::uint32_t target_bits = bit_width(target_max - target_min);
  if (delay_bits + target_bits > 32)
    throw RuntimeError(concat("synapse storage: ", target_max - target_min + 1,
                              " targets in one partition with delays up to ", max_delay_,
                              " steps do not fit the 32-bit target and delay word (", target_bits,
                              " + ", delay_bits, " bits); use more partitions"));
  unpack_ = {delay_bits, (1u << delay_bits) - 1, target_min};

  // Two stable counting sorts give the order (source, delay, generation): by delay into
  // `by_delay`, then by source into the final rows.
  struct Keyed {
    NeuronIndex source;
    Synapse synapse;
  };
  std::vector<std::uint64_t> delay_begin(static_cast<std::size_t>(max_delay_) + 2, 0);
  row_begin_.assign(static_cast<std::size_t>(source_count) + 1, 0);
  for (const GeneratedSynapse& s : synapses) {
    ++delay_begin[s.delay_steps + 1];
    ++row_begin_[s.source + 1];
  }
  std::partial_sum(delay_begin.begin(), delay_begin.end(), delay_begin.begin());
  std::partial_sum(row_begin_.begin(), row_begin_.end(), row_begin_.begin());

  std::vector<Keyed> by_delay(synapses.size());
  for (const GeneratedSynapse& s : synapses) {
    const std::uint32_t packed = ((s.target - target_min) << delay_bits) | s.delay_steps;
    by_delay[delay_begin[s.delay_steps]++] = {s.source, {packed, s.weight}};
  }
  std::vector<GeneratedSynapse>().swap(synapses);

  synapses_.resize(by_delay.size());
  std::vector<std::uint64_t> next(row_begin_.begin(), row_begin_.end() - 1);
  for (const Keyed& k : by_delay) synapses_[next[k.source]++] = k.synapse;
}

std::uint64_t SynapseRows::bytes() const {
  return row_begin_.capacity() * sizeof(std::uint64_t) + synapses_.capacity() * sizeof(Synapse);
}

}  // namespace spikeflow
