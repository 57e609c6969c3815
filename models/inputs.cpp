#include "models/inputs.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "engine/error.hpp"
#include "engine/kernel_clones.hpp"
#include "engine/random.hpp"

namespace spikeflow::models {

namespace {

// [start, stop) in ms as steps; stop may be infinite.
struct ActiveSteps {
  Step begin = 0;
  Step end = std::numeric_limits<Step>::max();
  bool contains(Step s) const { return s >= begin && s < end; }
};

ActiveSteps active_steps(const char* kind, double start, double stop, const TimeGrid& grid) {
  if (!(start >= 0.0)) throw ConfigError(concat(kind, ": start must be >= 0 ms, got ", start));
  if (!(stop >= start))
    throw ConfigError(concat(kind, ": stop must be >= start = ", start, " ms, got ", stop));
  ActiveSteps a;
  a.begin = grid.steps(start, concat(kind, ": start"));
  if (std::isfinite(stop)) a.end = grid.steps(stop, concat(kind, ": stop"));
  return a;
}

// The uniform of RandomStream::uniform_from(hi, lo), (bits + 0.5) 2^-53 with bits the top
// 53 of the 64 bits hi:lo, written with signed 32-bit conversions (which AVX2 has):
// bits = (hi >> 1) 2^22 + ((hi & 1) 2^21 + (lo >> 11)), both terms and their sum exact.
inline double uniform_of(std::uint32_t hi, std::uint32_t lo) {
  const double high = static_cast<double>(static_cast<std::int32_t>(hi >> 1)) * 0x1.0p22;
  const double rest =
      static_cast<double>(static_cast<std::int32_t>(((hi & 1u) << 21) | (lo >> 11)));
  return (high + rest + 0.5) * 0x1.0p-53;
}

// Poisson counts by inversion, for n neurons whose uniforms are the word pairs `pairs`:
// counts[j] = the number of the Head entries of `head` below u_j. Branch-free, so the
// compiler vectorises it over neurons. Returns whether some count reached Head (its draw
// may go further: finish_counts).
template <std::size_t Head>
SPIKEFLOW_KERNEL_CLONES bool count_in_head(const std::uint32_t* __restrict pairs, std::size_t n,
                                           const double* __restrict head,
                                           std::uint32_t* __restrict counts) {
  double entries[Head];
  for (std::size_t k = 0; k < Head; ++k) entries[k] = head[k];
  std::uint32_t beyond = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double u = uniform_of(pairs[2 * j], pairs[2 * j + 1]);
    std::uint32_t k = 0;
    for (std::size_t e = 0; e < Head; ++e) k += entries[e] < u ? 1u : 0u;
    counts[j] = k;
    beyond |= k == Head ? 1u : 0u;
  }
  return beyond != 0;
}

// target[j] += counts[j] * weight where counts[j] > 0 (a vector loop with masked stores).
SPIKEFLOW_KERNEL_CLONES void add_counts(const std::uint32_t* __restrict counts, std::size_t n,
                                        double weight, double* __restrict target) {
  for (std::size_t j = 0; j < n; ++j)
    if (counts[j]) target[j] += static_cast<double>(counts[j]) * weight;
}

class PoissonInput final : public Input {
 public:
  explicit PoissonInput(const PoissonParams& p) : params_(p) {
    if (!(p.rate >= 0.0) || !std::isfinite(p.rate))
      throw ConfigError(concat("poisson: rate must be >= 0 Hz, got ", p.rate));
    if (!std::isfinite(p.weight))
      throw ConfigError(concat("poisson: weight must be finite, got ", p.weight));
  }
  std::string_view kind() const override { return "poisson"; }
  const PoissonParams& params() const { return params_; }

  void prepare(const TimeGrid& grid) override {
    active_ = active_steps("poisson", params_.start, params_.stop, grid);
    mean_per_step_ = params_.rate * grid.dt() * 1e-3;
    build_cumulative_table();
  }

  void apply(NeuronRange range, Step step, const InputContext& context,
             StepInputBuffers& buffers) const override {
    if (!active_.contains(step) || mean_per_step_ == 0.0) return;
    double* target = params_.weight >= 0.0 ? buffers.excitatory : buffers.inhibitory;
    const StreamKey key(context.seed, Purpose::poisson_input, context.input_index);
    const auto position = static_cast<std::uint64_t>(step) << RandomStream::kStepShift;
    if (cumulative_.empty()) {
      for (NeuronIndex i = range.begin; i < range.end; ++i) {
        RandomStream stream(key, context.first_id + i, position);
        const std::uint64_t count = stream.poisson(mean_per_step_);
        if (count) target[i] += static_cast<double>(count) * params_.weight;
      }
      return;
    }
    // Small means: one Philox block gives the uniforms of two neurons, the pair
    // (2m, 2m + 1) of global ids sharing block m, whichever partition each is in. The
    // blocks of a chunk of neurons are made side by side (RandomStream::blocks), then the
    // counts of the chunk are drawn in one vector loop.
    std::array<std::uint32_t, 2 * kChunk + 4> words;  // 4 per block, one more block if odd
    std::array<std::uint32_t, kChunk> counts;
    for (NeuronIndex i = range.begin; i < range.end; i += kChunk) {
      const std::size_t n = std::min<std::size_t>(kChunk, range.end - i);
      const NeuronId first = context.first_id + i;
      const std::uint64_t first_block = first >> 1;
      const std::uint64_t blocks = ((first + n - 1) >> 1) - first_block + 1;
      RandomStream::blocks(key, first_block, position, blocks, words.data());
      // Neuron i + j takes words 2j and 2j + 1 from here (the high and the low word).
      const std::uint32_t* pairs = words.data() + 2 * (first & 1);
      const bool beyond_head = head_.size() == kWideHead
                                   ? count_in_head<kWideHead>(pairs, n, head_.data(), counts.data())
                                   : count_in_head<kHead>(pairs, n, head_.data(), counts.data());
      if (beyond_head) finish_counts(pairs, n, counts.data());
      add_counts(counts.data(), n, params_.weight, target + i);
    }
  }

 private:
  // For small means the count is drawn by inversion against a table of the cumulative
  // distribution, built with the same recurrence as RandomStream::poisson_small, so the
  // result is the same number that function would return, without a division per term.
  // The count is the number of the first `last_` entries below u (the table is
  // non-decreasing, so they are a prefix; the inversion's answer is the smallest k with
  // u <= cumulative_[k]). The table ends where the sum reaches 1 or the terms underflow,
  // and RandomStream::poisson_small stops at the same k then.
  void build_cumulative_table() {
    cumulative_.clear();
    head_.clear();
    if (mean_per_step_ >= kTableLimit || mean_per_step_ == 0.0) return;
    double p = std::exp(-mean_per_step_);
    double sum = p;
    cumulative_.push_back(sum);
    for (std::uint64_t k = 1; p > 0.0 && sum < 1.0; ++k) {
      p *= mean_per_step_ / static_cast<double>(k);
      sum += p;
      cumulative_.push_back(sum);
    }
    last_ = cumulative_.size() - 1;
    // The head: the first entries a count may pass, +inf beyond last_ (never below u).
    // Eight cover all but 0.15 % of the draws up to a mean of 2.3 per step (23 kHz at
    // dt = 0.1 ms); sixteen are used above a mean of 3.
    head_.assign(mean_per_step_ > 3.0 ? kWideHead : kHead, kInfinity);
    for (std::size_t k = 0; k < head_.size() && k < last_; ++k) head_[k] = cumulative_[k];
  }

  // Draws beyond the head (count == head size) continue the scan in the whole table.
  void finish_counts(const std::uint32_t* pairs, std::size_t n, std::uint32_t* counts) const {
    for (std::size_t j = 0; j < n; ++j) {
      std::uint32_t k = counts[j];
      if (k != head_.size()) continue;
      const double u = RandomStream::uniform_from(pairs[2 * j], pairs[2 * j + 1]);
      while (k < last_ && cumulative_[k] < u) ++k;
      counts[j] = k;
    }
  }

  static constexpr double kTableLimit = 10.0;
  static constexpr std::size_t kChunk = 256;  // neurons per pass
  static constexpr std::size_t kHead = 8;
  static constexpr std::size_t kWideHead = 16;
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
  PoissonParams params_;
  ActiveSteps active_;
  double mean_per_step_ = 0.0;
  std::vector<double> cumulative_;
  std::size_t last_ = 0;      // entries of cumulative_ a count may pass
  std::vector<double> head_;  // the first kHead or kWideHead of them, +inf padded
};

class DcInput final : public Input {
 public:
  explicit DcInput(const DcParams& p) : params_(p) {
    if (!std::isfinite(p.amplitude))
      throw ConfigError(concat("dc: amplitude must be finite, got ", p.amplitude));
  }
  std::string_view kind() const override { return "dc"; }
  const DcParams& params() const { return params_; }
  void prepare(const TimeGrid& grid) override {
    active_ = active_steps("dc", params_.start, params_.stop, grid);
  }
  void apply(NeuronRange range, Step step, const InputContext&,
             StepInputBuffers& buffers) const override {
    if (!active_.contains(step)) return;
    for (NeuronIndex i = range.begin; i < range.end; ++i) buffers.current[i] += params_.amplitude;
  }

 private:
  DcParams params_;
  ActiveSteps active_;
};

class StepCurrentInput final : public Input {
 public:
  explicit StepCurrentInput(const StepCurrentParams& p) : params_(p) {
    if (p.times.size() != p.amplitudes.size())
      throw ConfigError(concat("step_current: times and amplitudes must have the same length, got ",
                               p.times.size(), " and ", p.amplitudes.size()));
    for (std::size_t k = 0; k < p.times.size(); ++k) {
      if (!std::isfinite(p.amplitudes[k]))
        throw ConfigError(
            concat("step_current: amplitude ", k, " must be finite, got ", p.amplitudes[k]));
      if (k > 0 && !(p.times[k] > p.times[k - 1]))
        throw ConfigError(concat("step_current: times must increase, got ", p.times[k - 1],
                                 " ms then ", p.times[k], " ms"));
    }
  }
  std::string_view kind() const override { return "step_current"; }
  void prepare(const TimeGrid& grid) override {
    steps_.clear();
    for (const double t : params_.times) {
      if (!(t >= 0.0)) throw ConfigError(concat("step_current: times must be >= 0 ms, got ", t));
      steps_.push_back(grid.steps(t, "step_current: time"));
    }
  }
  void apply(NeuronRange range, Step step, const InputContext&,
             StepInputBuffers& buffers) const override {
    // The last change at or before this step (few changes: a linear scan is fine).
    double amplitude = 0.0;
    for (std::size_t k = 0; k < steps_.size() && steps_[k] <= step; ++k)
      amplitude = params_.amplitudes[k];
    if (amplitude == 0.0) return;
    for (NeuronIndex i = range.begin; i < range.end; ++i) buffers.current[i] += amplitude;
  }

 private:
  StepCurrentParams params_;
  std::vector<Step> steps_;
};

}  // namespace

std::unique_ptr<Input> make_poisson_input(const PoissonParams& params) {
  return std::make_unique<PoissonInput>(params);
}
std::unique_ptr<Input> make_dc_input(const DcParams& params) {
  return std::make_unique<DcInput>(params);
}
std::unique_ptr<Input> make_step_current_input(const StepCurrentParams& params) {
  return std::make_unique<StepCurrentInput>(params);
}

const PoissonParams* poisson_params(const Input& input) {
  const auto* poisson = dynamic_cast<const PoissonInput*>(&input);
  return poisson ? &poisson->params() : nullptr;
}
const DcParams* dc_params(const Input& input) {
  const auto* dc = dynamic_cast<const DcInput*>(&input);
  return dc ? &dc->params() : nullptr;
}

}  // namespace spikeflow::models
