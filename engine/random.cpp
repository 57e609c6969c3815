#include "engine/random.hpp"

#include <cmath>

namespace spikeflow {

namespace {

// ln Gamma(x), x > 0. Not std::lgamma: lgamma() also stores the sign of Gamma(x) in the
// global `signgam` (POSIX), a data race when partitions draw in parallel (found by
// ThreadSanitizer in the parallel connection build). lgamma_r returns the sign instead and
// gives the same value (glibc computes lgamma with it).
double log_gamma(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

StreamKey::StreamKey(std::uint64_t seed, Purpose purpose, std::uint64_t object) {
  // The key hashes (seed, purpose, object); a 64-bit hash makes collisions between the
  // streams of one run vanishingly unlikely (about n^2 / 2^65 for n streams).
  const std::uint64_t tag = splitmix64((static_cast<std::uint64_t>(purpose) << 56) ^ object);
  value = splitmix64(seed ^ tag);
}

RandomStream::RandomStream(StreamKey stream_key, std::uint64_t entity, std::uint64_t position) {
  const std::uint64_t key = stream_key.value;
  key_ = {{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)}};
  counter_ = {{static_cast<std::uint32_t>(entity), static_cast<std::uint32_t>(entity >> 32),
               static_cast<std::uint32_t>(position), static_cast<std::uint32_t>(position >> 32)}};
}

std::array<std::uint32_t, 4> RandomStream::block(StreamKey key, std::uint64_t entity,
                                                 std::uint64_t position) {
  const Philox philox;
  const Philox::key_type k = {
      {static_cast<std::uint32_t>(key.value), static_cast<std::uint32_t>(key.value >> 32)}};
  const Philox::ctr_type c = {
      {static_cast<std::uint32_t>(entity), static_cast<std::uint32_t>(entity >> 32),
       static_cast<std::uint32_t>(position), static_cast<std::uint32_t>(position >> 32)}};
  const Philox::ctr_type out = philox(c, k);
  return {out[0], out[1], out[2], out[3]};
}

void RandomStream::refill() {
  const Philox philox;
  const Philox::ctr_type out = philox(counter_, key_);
  for (int i = 0; i < 4; ++i) block_[i] = out[i];
  used_ = 0;
  // Advance the 64-bit position (counter words 2 and 3).
  if (++counter_[2] == 0) ++counter_[3];
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  __extension__ using u128 = unsigned __int128;
  // Lemire: multiply a 64-bit random number by n and keep the high word, rejecting the
  // few low values that would bias the result.
  const auto draw64 = [this] {
    const std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  };
  u128 m = static_cast<u128>(draw64()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(draw64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double radius = std::sqrt(-2.0 * std::log(uniform()));
  const double angle = 2.0 * M_PI * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

std::uint64_t RandomStream::poisson(double lambda) {
  if (lambda <= 0.0) return 0;
  if (lambda < 10.0) return poisson_small(lambda, std::exp(-lambda));
  // PTRS: transformed rejection with squeeze, Hoermann (1993), Insurance: Mathematics and
  // Economics 12:39-45.
  const double slam = std::sqrt(lambda);
  const double loglam = std::log(lambda);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform() - 0.5;
    const double v = uniform();
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -lambda + k * loglam - log_gamma(k + 1.0))
      return static_cast<std::uint64_t>(k);
  }
}

std::uint64_t RandomStream::poisson_small(double lambda, double exp_minus_lambda) {
  // Inversion by sequential search; about lambda + 1 iterations.
  double p = exp_minus_lambda;
  double cumulative = p;
  const double u = uniform();
  std::uint64_t k = 0;
  while (u > cumulative && p > 0.0) {
    ++k;
    p *= lambda / static_cast<double>(k);
    cumulative += p;
  }
  return k;
}

std::uint64_t RandomStream::binomial(std::uint64_t n, double p) {
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  if (p > 0.5) return n - binomial(n, 1.0 - p);
  const double nd = static_cast<double>(n);
  const double q = 1.0 - p;
  if (nd * p < 10.0) {
    // Inversion: walk the cumulative distribution from k = 0.
    const double u = uniform();
    double prob = std::exp(nd * std::log1p(-p));
    double cumulative = prob;
    std::uint64_t k = 0;
    const double ratio = p / q;
    while (u > cumulative && k < n && prob > 0.0) {
      prob *= ratio * static_cast<double>(n - k) / static_cast<double>(k + 1);
      ++k;
      cumulative += prob;
    }
    return k;
  }
  // BTRS: transformed rejection with squeeze, Hoermann (1993), J. Statist. Comput.
  // Simul. 46:101-110.
  const double spq = std::sqrt(nd * p * q);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = nd * p + 0.5;
  const double vr = 0.92 - 4.2 / b;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double lpq = std::log(p / q);
  const double m = std::floor((nd + 1.0) * p);
  const double h = log_gamma(m + 1.0) + log_gamma(nd - m + 1.0);
  for (;;) {
    const double u = uniform() - 0.5;
    double v = uniform();
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0.0 || k > nd) continue;
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    v = std::log(v * alpha / (a / (us * us) + b));
    if (v <= h - log_gamma(k + 1.0) - log_gamma(nd - k + 1.0) + (k - m) * lpq)
      return static_cast<std::uint64_t>(k);
  }
}

}  // namespace spikeflow
