#include "engine/random.hpp"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// Philox4x32-10 (Salmon et al. 2011, the algorithm of Random123's philox4x32) for many
// counters side by side. Each counter word sits in the low half of a 64-bit vector lane, so
// one vpmuludq gives a lane's whole 32 x 32 -> 64-bit product; the high halves carry
// garbage that vpmuludq ignores and the final store masks off. Integer arithmetic only:
// every version gives the words of the scalar Random123 code (tests/engine/test_random.cpp
// checks them block for block).
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;  // PHILOX_M4x32_0
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;  // PHILOX_M4x32_1
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;        // PHILOX_W32_0, the key's increment
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;        // PHILOX_W32_1

struct PhiloxBatch {
  std::uint32_t key0, key1;
  std::uint64_t first_entity;
  std::uint32_t position_lo, position_hi;
};

void philox_scalar(const PhiloxBatch& b, std::size_t begin, std::size_t count, std::uint32_t* out) {
  const r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {{b.key0, b.key1}};
  for (std::size_t j = begin; j < count; ++j) {
    const std::uint64_t entity = b.first_entity + j;
    const r123::Philox4x32::ctr_type c = {{static_cast<std::uint32_t>(entity),
                                           static_cast<std::uint32_t>(entity >> 32), b.position_lo,
                                           b.position_hi}};
    const r123::Philox4x32::ctr_type w = philox(c, key);
    for (int i = 0; i < 4; ++i) out[4 * j + i] = w[i];
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define SPIKEFLOW_HAVE_VECTOR_PHILOX 1

// 32 counters per pass: four vectors of eight lanes, interleaved to hide the multiply's
// latency. Shifts and logic are written with GCC's vector operators: GCC 12's intrinsics
// for them (_mm512_srli_epi64 ...) trip -Wmaybe-uninitialized on their "undefined" operand.
using U64x8 = std::uint64_t __attribute__((vector_size(64)));

__attribute__((target("avx512f"))) inline U64x8 mul_low_words(U64x8 a, U64x8 b) {
  return reinterpret_cast<U64x8>(_mm512_maskz_mul_epu32(
      static_cast<__mmask8>(0xFF), reinterpret_cast<__m512i>(a), reinterpret_cast<__m512i>(b)));
}

__attribute__((target("avx512f"))) void philox_avx512(const PhiloxBatch& b, std::size_t count,
                                                      std::uint32_t* out) {
  constexpr std::size_t kVectors = 4;
  constexpr std::size_t kPass = 8 * kVectors;
  const U64x8 lane = {0, 1, 2, 3, 4, 5, 6, 7};
  const __m512i pair_lo = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i pair_hi = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  std::size_t base = 0;
  for (; base + kPass <= count; base += kPass) {
    U64x8 c0[kVectors], c1[kVectors], c2[kVectors], c3[kVectors];
    for (std::size_t v = 0; v < kVectors; ++v) {
      c0[v] = (b.first_entity + base + 8 * v) + lane;
      c1[v] = c0[v] >> 32;
      c2[v] = U64x8{} + b.position_lo;
      c3[v] = U64x8{} + b.position_hi;
    }
    std::uint32_t k0 = b.key0, k1 = b.key1;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 += kWeyl0;
        k1 += kWeyl1;
      }
      for (std::size_t v = 0; v < kVectors; ++v) {
        const U64x8 p0 = mul_low_words(c0[v], U64x8{} + kMultiplier0);
        const U64x8 p1 = mul_low_words(c2[v], U64x8{} + kMultiplier1);
        c0[v] = (p1 >> 32) ^ c1[v] ^ k0;
        c2[v] = (p0 >> 32) ^ c3[v] ^ k1;
        c1[v] = p1;
        c3[v] = p0;
      }
    }
    for (std::size_t v = 0; v < kVectors; ++v) {
      // Lane j: words (0, 1) and (2, 3) as two 64-bit values, then blocks in order.
      const auto w01 = reinterpret_cast<__m512i>((c0[v] & 0xFFFFFFFFu) | (c1[v] << 32));
      const auto w23 = reinterpret_cast<__m512i>((c2[v] & 0xFFFFFFFFu) | (c3[v] << 32));
      std::uint32_t* dst = out + 4 * (base + 8 * v);
      _mm512_storeu_si512(dst, _mm512_permutex2var_epi64(w01, pair_lo, w23));
      _mm512_storeu_si512(dst + 16, _mm512_permutex2var_epi64(w01, pair_hi, w23));
    }
  }
  philox_scalar(b, base, count, out);
}

// 16 counters per pass: four vectors of four lanes.
__attribute__((target("avx2"))) void philox_avx2(const PhiloxBatch& b, std::size_t count,
                                                 std::uint32_t* out) {
  constexpr std::size_t kVectors = 4;
  constexpr std::size_t kPass = 4 * kVectors;
  const __m256i m0 = _mm256_set1_epi64x(kMultiplier0);
  const __m256i m1 = _mm256_set1_epi64x(kMultiplier1);
  const __m256i low = _mm256_set1_epi64x(0xFFFFFFFFll);
  const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
  std::size_t base = 0;
  for (; base + kPass <= count; base += kPass) {
    __m256i c0[kVectors], c1[kVectors], c2[kVectors], c3[kVectors];
    for (std::size_t v = 0; v < kVectors; ++v) {
      const __m256i entity = _mm256_add_epi64(
          _mm256_set1_epi64x(static_cast<long long>(b.first_entity + base + 4 * v)), lane);
      c0[v] = entity;
      c1[v] = _mm256_srli_epi64(entity, 32);
      c2[v] = _mm256_set1_epi64x(b.position_lo);
      c3[v] = _mm256_set1_epi64x(b.position_hi);
    }
    std::uint32_t k0 = b.key0, k1 = b.key1;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 += kWeyl0;
        k1 += kWeyl1;
      }
      const __m256i key0 = _mm256_set1_epi64x(k0);
      const __m256i key1 = _mm256_set1_epi64x(k1);
      for (std::size_t v = 0; v < kVectors; ++v) {
        const __m256i p0 = _mm256_mul_epu32(c0[v], m0);
        const __m256i p1 = _mm256_mul_epu32(c2[v], m1);
        c0[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1[v]), key0);
        c2[v] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3[v]), key1);
        c1[v] = p1;
        c3[v] = p0;
      }
    }
    for (std::size_t v = 0; v < kVectors; ++v) {
      const __m256i w01 =
          _mm256_or_si256(_mm256_and_si256(c0[v], low), _mm256_slli_epi64(c1[v], 32));
      const __m256i w23 =
          _mm256_or_si256(_mm256_and_si256(c2[v], low), _mm256_slli_epi64(c3[v], 32));
      // unpack gives blocks (0, 2) and (1, 3) per 128-bit half; the permute puts them in order.
      const __m256i even = _mm256_unpacklo_epi64(w01, w23);  // blocks 0 | 2
      const __m256i odd = _mm256_unpackhi_epi64(w01, w23);   // blocks 1 | 3
      std::uint32_t* dst = out + 4 * (base + 4 * v);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                          _mm256_permute2x128_si256(even, odd, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 8),
                          _mm256_permute2x128_si256(even, odd, 0x31));
    }
  }
  philox_scalar(b, base, count, out);
}
#endif

using PhiloxKernel = void (*)(const PhiloxBatch&, std::size_t, std::uint32_t*);

void philox_baseline(const PhiloxBatch& b, std::size_t count, std::uint32_t* out) {
  philox_scalar(b, 0, count, out);
}

// The version for `isa`, or null if this machine cannot run it.
PhiloxKernel philox_kernel(detail::PhiloxIsa isa) {
  switch (isa) {
    case detail::PhiloxIsa::scalar:
      return philox_baseline;
#ifdef SPIKEFLOW_HAVE_VECTOR_PHILOX
    case detail::PhiloxIsa::avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") ? philox_avx2 : nullptr;
    case detail::PhiloxIsa::avx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") ? philox_avx512 : nullptr;
#else
    default:
      return nullptr;
#endif
  }
  return nullptr;
}

// The widest version this machine runs.
PhiloxKernel best_philox_kernel() {
  for (const auto isa : {detail::PhiloxIsa::avx512, detail::PhiloxIsa::avx2})
    if (const PhiloxKernel kernel = philox_kernel(isa)) return kernel;
  return philox_baseline;
}

PhiloxBatch batch_of(StreamKey key, std::uint64_t first_entity, std::uint64_t position) {
  return {static_cast<std::uint32_t>(key.value), static_cast<std::uint32_t>(key.value >> 32),
          first_entity, static_cast<std::uint32_t>(position),
          static_cast<std::uint32_t>(position >> 32)};
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

void RandomStream::blocks(StreamKey key, std::uint64_t first_entity, std::uint64_t position,
                          std::size_t count, std::uint32_t* out) {
  static const PhiloxKernel kernel = best_philox_kernel();
  kernel(batch_of(key, first_entity, position), count, out);
}

bool detail::philox_blocks(PhiloxIsa isa, StreamKey key, std::uint64_t first_entity,
                           std::uint64_t position, std::size_t count, std::uint32_t* out) {
  const PhiloxKernel kernel = philox_kernel(isa);
  if (kernel) kernel(batch_of(key, first_entity, position), count, out);
  return kernel != nullptr;
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
