#include "engine/distribution.hpp"

#include <algorithm>
#include <cmath>

#include "engine/error.hpp"

namespace spikeflow {

namespace {
constexpr int kMaxRedraws = 1000;
constexpr double kInf = std::numeric_limits<double>::infinity();

void require_finite(double v, const char* what) {
  if (!std::isfinite(v))
    throw ConfigError(concat("distribution ", what, " must be finite, got ", v));
}
}  // namespace

Distribution Distribution::constant(double value) {
  require_finite(value, "value");
  return Distribution(Kind::constant, value, 0.0);
}

Distribution Distribution::uniform(double low, double high) {
  require_finite(low, "low");
  require_finite(high, "high");
  if (!(low <= high))
    throw ConfigError(
        concat("uniform distribution needs low <= high, got low = ", low, ", high = ", high));
  return Distribution(Kind::uniform, low, high);
}

Distribution Distribution::normal(double mean, double sd) {
  require_finite(mean, "mean");
  if (!(sd >= 0.0) || !std::isfinite(sd))
    throw ConfigError(concat("normal distribution needs sd >= 0, got ", sd));
  return Distribution(Kind::normal, mean, sd);
}

Distribution Distribution::lognormal(double mu, double sigma) {
  require_finite(mu, "mu");
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    throw ConfigError(concat("lognormal distribution needs sigma >= 0, got ", sigma));
  return Distribution(Kind::lognormal, mu, sigma);
}

Distribution Distribution::bounded(double low, double high) const {
  if (std::isnan(low) || std::isnan(high) || !(low <= high))
    throw ConfigError(concat("distribution bounds need low <= high, got [", low, ", ", high, "]"));
  Distribution d = *this;
  d.low_ = std::max(low_, low);
  d.high_ = std::min(high_, high);
  // min_value()/max_value() of a constant (or of a normal with sd = 0) ignore the bounds,
  // so the range is intersected with them here: constant(5).bounded(0, 1) can never draw.
  if (std::max(d.min_value(), d.low_) > std::min(d.max_value(), d.high_))
    throw ConfigError(
        concat("distribution ", describe(), " cannot take a value in [", low, ", ", high, "]"));
  return d;
}

Distribution Distribution::clipped_to_sign() const {
  const double centre = mean_hint();
  if (centre > 0.0) return bounded(0.0, kInf);
  if (centre < 0.0) return bounded(-kInf, 0.0);
  throw ConfigError(concat("clip to sign needs a non-zero mean, got ", describe()));
}

double Distribution::min_value() const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::uniform:
      return std::max(a_, low_);
    case Kind::normal:
      return b_ == 0.0 ? a_ : low_;
    case Kind::lognormal:
      return std::max(0.0, low_);
  }
  return low_;
}

double Distribution::max_value() const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::uniform:
      return std::min(b_, high_);
    case Kind::normal:
      return b_ == 0.0 ? a_ : high_;
    case Kind::lognormal:
      return high_;
  }
  return high_;
}

double Distribution::mean_hint() const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::uniform:
      return 0.5 * (a_ + b_);
    case Kind::normal:
      return a_;
    case Kind::lognormal:
      return std::exp(a_ + 0.5 * b_ * b_);
  }
  return a_;
}

double Distribution::draw_unbounded(RandomStream& stream) const {
  switch (kind_) {
    case Kind::constant:
      return a_;
    case Kind::uniform:
      return stream.uniform(a_, b_);
    case Kind::normal:
      return a_ + b_ * stream.normal();
    case Kind::lognormal:
      return std::exp(a_ + b_ * stream.normal());
  }
  return a_;
}

double Distribution::sample(RandomStream& stream) const {
  if (kind_ == Kind::constant) return a_;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    const double x = draw_unbounded(stream);
    if (x >= low_ && x <= high_) return x;
  }
  throw ConfigError(concat("distribution ", describe(), " drew no value within its bounds in ",
                           kMaxRedraws, " attempts; widen the bounds"));
}

std::string Distribution::describe() const {
  std::string text;
  switch (kind_) {
    case Kind::constant:
      return concat(a_);
    case Kind::uniform:
      text = concat("uniform(", a_, ", ", b_, ")");
      break;
    case Kind::normal:
      text = concat("normal(mean = ", a_, ", sd = ", b_, ")");
      break;
    case Kind::lognormal:
      text = concat("lognormal(mu = ", a_, ", sigma = ", b_, ")");
      break;
  }
  if (low_ > -kInf || high_ < kInf) text += concat(" within [", low_, ", ", high_, "]");
  return text;
}

}  // namespace spikeflow
