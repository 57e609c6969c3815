#include "models/inputs.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "engine/error.hpp"
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
        add_count(target, i, stream.poisson(mean_per_step_));
      }
      return;
    }
    // Small means: one Philox block gives the uniforms of two neurons, the pair
    // (2m, 2m + 1) of global ids sharing block m, whichever partition each is in.
    std::array<std::uint32_t, 4> words{};
    std::uint64_t block_of = ~0ull;
    for (NeuronIndex i = range.begin; i < range.end; ++i) {
      const NeuronId id = context.first_id + i;
      if ((id >> 1) != block_of) {
        block_of = id >> 1;
        words = RandomStream::block(key, block_of, position);
      }
      const unsigned half = static_cast<unsigned>(id & 1) * 2;
      add_count(target, i, count_below(RandomStream::uniform_from(words[half], words[half + 1])));
    }
  }

 private:
  // For small means the count is drawn by inversion against a table of the cumulative
  // distribution, built with the same recurrence as RandomStream::poisson_small, so the
  // result is the same number that function would return, without a division per term.
  void build_cumulative_table() {
    cumulative_.clear();
    if (mean_per_step_ >= kTableLimit || mean_per_step_ == 0.0) return;
    double p = std::exp(-mean_per_step_);
    double sum = p;
    cumulative_.push_back(sum);
    for (std::uint64_t k = 1; p > 0.0 && sum < 1.0; ++k) {
      p *= mean_per_step_ / static_cast<double>(k);
      sum += p;
      cumulative_.push_back(sum);
    }
    build_guide_table();
  }

  // The smallest k with u <= cumulative_[k] (the inversion's answer): the number of the
  // first `last` table entries below u (the table is non-decreasing, so they are a prefix).
  // The table ends where the sum reaches 1 or the terms underflow, and
  // RandomStream::poisson_small stops at the same k then. A guide table (Chen and Asau's
  // indexed search) gives the count below the bucket's lower edge b / kGuideBuckets <= u,
  // so the scan starts there: about one comparison per draw instead of one per entry.
  std::uint64_t count_below(double u) const {
    const auto bucket = std::min(static_cast<std::size_t>(u * kGuideBuckets), kGuideBuckets - 1);
    std::uint64_t k = guide_[bucket];
    while (k < last_ && cumulative_[k] < u) ++k;
    return k;
  }

  void build_guide_table() {
    last_ = cumulative_.size() - 1;
    guide_.assign(kGuideBuckets, 0);
    std::uint32_t k = 0;
    for (std::size_t b = 0; b < kGuideBuckets; ++b) {
      const double edge = static_cast<double>(b) / kGuideBuckets;  // exact: a power of 2
      while (k < last_ && cumulative_[k] < edge) ++k;
      guide_[b] = k;
    }
  }

  void add_count(double* target, NeuronIndex i, std::uint64_t count) const {
    if (count) target[i] += static_cast<double>(count) * params_.weight;
  }

  static constexpr double kTableLimit = 10.0;
  static constexpr std::size_t kGuideBuckets = 256;
  PoissonParams params_;
  ActiveSteps active_;
  double mean_per_step_ = 0.0;
  std::vector<double> cumulative_;
  std::size_t last_ = 0;              // entries of cumulative_ a count may pass
  std::vector<std::uint32_t> guide_;  // per bucket of u: entries below its lower edge
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
