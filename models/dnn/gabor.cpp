#include "models/dnn/gabor.hpp"

#include <cmath>
#include <numbers>

#include "engine/error.hpp"

namespace spikeflow::dnn {

void validate(const GaborBank& b) {
  if (b.size < 1) throw ConfigError(concat("gabor bank: size must be >= 1 pixel, got ", b.size));
  if (!(b.sigma > 0.0) || !std::isfinite(b.sigma))
    throw ConfigError(concat("gabor bank: sigma must be > 0 pixels, got ", b.sigma));
  if (!(b.gamma > 0.0) || !std::isfinite(b.gamma))
    throw ConfigError(concat("gabor bank: gamma must be > 0, got ", b.gamma));
  if (b.orientations.empty() || b.frequencies.empty() || b.phases.empty())
    throw ConfigError(
        concat("gabor bank: orientations, frequencies and phases each need at "
               "least one value, got ",
               b.orientations.size(), ", ", b.frequencies.size(), ", ", b.phases.size()));
  for (const double f : b.frequencies)
    if (!(f > 0.0 && f <= 0.5))
      throw ConfigError(
          concat("gabor bank: frequencies must be in (0, 0.5] cycles/pixel, got ", f));
  for (const double v : b.orientations)
    if (!std::isfinite(v))
      throw ConfigError(concat("gabor bank: orientation must be finite, got ", v));
  for (const double v : b.phases)
    if (!std::isfinite(v)) throw ConfigError(concat("gabor bank: phase must be finite, got ", v));
}

std::vector<double> gabor_kernel(const GaborBank& b, double theta, double f, double psi) {
  const std::size_t n = b.size;
  const double centre = (static_cast<double>(n) - 1.0) / 2.0;
  const double ct = std::cos(theta), st = std::sin(theta);
  std::vector<double> k(n * n);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < n; ++c) {
      const double x = static_cast<double>(c) - centre, y = static_cast<double>(r) - centre;
      const double xr = x * ct + y * st, yr = -x * st + y * ct;
      const double envelope =
          std::exp(-(xr * xr + b.gamma * b.gamma * yr * yr) / (2.0 * b.sigma * b.sigma));
      k[r * n + c] = envelope * std::cos(2.0 * std::numbers::pi * f * xr + psi);
    }
  }

  if (b.zero_mean) {
    double mean = 0.0;
    for (const double v : k) mean += v;
    mean /= static_cast<double>(k.size());
    for (double& v : k) v -= mean;
  }
  if (b.unit_norm) {
    double norm = 0.0;
    for (const double v : k) norm += v * v;
    norm = std::sqrt(norm);
    if (norm > 0.0)
      for (double& v : k) v /= norm;
  }
  return k;
}

std::vector<double> gabor_weights(const GaborBank& b, std::size_t in_channels) {
  validate(b);
  if (in_channels < 1)
    throw ConfigError(concat("gabor bank: in_channels must be >= 1, got ", in_channels));
  std::vector<double> w;
  w.reserve(b.count() * in_channels * b.size * b.size);
  for (const double theta : b.orientations)
    for (const double f : b.frequencies)
      for (const double psi : b.phases) {
        const std::vector<double> k = gabor_kernel(b, theta, f, psi);
        for (std::size_t i = 0; i < in_channels; ++i) w.insert(w.end(), k.begin(), k.end());
      }
  return w;
}

}  // namespace spikeflow::dnn
