// Simulated time. The clock is an integer step count; milliseconds appear only at the
// edges (parameters in, timestamps out), so no rounding error accumulates over long runs.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "engine/error.hpp"

namespace spikeflow {

using Step = std::int64_t;

// The time grid: step width dt (ms) and the conversions between ms and steps.
class TimeGrid {
 public:
  // Tolerance, in steps, within which a duration counts as a whole number of steps.
  static constexpr double kGridTolerance = 1e-9;

  // Longest duration, in steps, that converts exactly: 2^53 (28 000 years at dt = 0.1 ms).
  static constexpr double kMaxSteps = 9007199254740992.0;

  explicit TimeGrid(double dt) : dt_(dt) {
    if (!(dt > 0.0) || !std::isfinite(dt))
      throw ConfigError(concat("dt must be a finite number > 0 ms, got ", dt));
    // A decimal dt is the fraction p/q with q a power of ten (0.1 = 1/10, 0.3 = 3/10,
    // 0.025 = 25/1000). Times are then computed as (step * p) / q: exact integers divided
    // once, so the result is the correctly rounded decimal (999.9, not 999.9000000000001).
    for (double q = 1.0; q <= 1e9; q *= 10.0) {
      const double p = std::nearbyint(dt * q);
      if (p >= 1.0 && std::abs(dt * q - p) <= 1e-9 * p) {
        numerator_ = p;
        denominator_ = q;
        break;
      }
    }
  }

  double dt() const { return dt_; }

  // A duration in ms as a whole number of steps. `what` names the value in the error:
  //   delay must be a multiple of dt = 0.1 ms, got 0.15 ms (1.5 steps)
  Step steps(double ms, std::string_view what) const {
    if (!std::isfinite(ms)) throw ConfigError(concat(what, " must be finite, got ", ms, " ms"));
    const double exact = ms / dt_;
    if (std::abs(exact) > kMaxSteps)
      throw ConfigError(concat(what, " must be at most 2^53 steps (", kMaxSteps * dt_,
                               " ms at dt = ", dt_, " ms), got ", ms, " ms"));
    const double rounded = std::nearbyint(exact);
    if (std::abs(exact - rounded) > kGridTolerance)
      throw ConfigError(concat(what, " must be a multiple of dt = ", dt_, " ms, got ", ms, " ms (",
                               exact, " steps)"));
    return static_cast<Step>(rounded);
  }

  // A duration in ms rounded to the nearest step, for values drawn from distributions.
  Step nearest_steps(double ms) const { return static_cast<Step>(std::nearbyint(ms / dt_)); }

  // Time in ms at the end of step `step` (the time a spike of that step is stamped with).
  double end_of(Step step) const { return time_of(step + 1); }
  double start_of(Step step) const { return time_of(step); }
  // Time in ms of the boundary before step `step`.
  double time_of(Step step) const {
    const auto s = static_cast<double>(step);
    // step * p stays an exact integer below 2^53; beyond, or for a dt that is no short
    // decimal, the product with dt is the best there is.
    if (denominator_ > 0.0 && std::abs(s) * numerator_ < 9007199254740992.0)
      return s * numerator_ / denominator_;
    return s * dt_;
  }

 private:
  double dt_;
  double numerator_ = 0.0;    // dt = numerator_ / denominator_ when dt is a short decimal,
  double denominator_ = 0.0;  // else both 0
};

}  // namespace spikeflow
