// Tests of engine/random.hpp (RandomStream): distributions of every draw kind against their
// theoretical moments and probability mass functions, and the addressing of streams.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "engine/random.hpp"
#include "engine_test_support.hpp"

using namespace spikeflow;
using test::kSigmas;

namespace {

RandomStream stream_for(std::uint64_t object) {
  return RandomStream(2024, Purpose::connect, object, 7);
}

double log_poisson_pmf(double lambda, std::int64_t k) {
  return k * std::log(lambda) - lambda - std::lgamma(k + 1.0);
}

double log_binomial_pmf(std::uint64_t n, double p, std::int64_t k) {
  const double nd = static_cast<double>(n);
  return std::lgamma(nd + 1) - std::lgamma(k + 1.0) - std::lgamma(nd - k + 1) + k * std::log(p) +
         (nd - k) * std::log1p(-p);
}

void check_chi_square(const std::pair<double, double>& fit, const std::string& what) {
  const double bound = test::chi_square_quantile(fit.second, kSigmas);
  INFO(what << ": chi-square " << fit.first << " with " << fit.second << " dof (bound " << bound
            << ")");
  CHECK(fit.second >= 1);
  CHECK(fit.first <= bound);
}

}  // namespace

TEST_CASE("uniform() lies in (0, 1) with the mean and variance of U(0, 1)", "[unit]") {
  // Requirement: uniform draws are never 0 or 1 and have the moments of U(0, 1); successive
  // draws are uncorrelated.
  RandomStream s = stream_for(1);
  const std::size_t n = 1000000;
  std::vector<double> u(n);
  for (auto& x : u) x = s.uniform();
  CHECK(*std::min_element(u.begin(), u.end()) > 0.0);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0);
  test::check_moments(u, test::uniform_moments(0, 1), "uniform");

  // Lag-1 correlation: the products of centred successive draws have mean 0, sd 1/12.
  double sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += (u[i] - 0.5) * (u[i + 1] - 0.5);
  const double pairs = static_cast<double>(n / 2);
  CHECK(std::abs(sum / pairs) <= kSigmas * (1.0 / 12) / std::sqrt(pairs));

  RandomStream t = stream_for(2);
  std::vector<double> v(200000);
  for (auto& x : v) x = t.uniform(-3.0, 5.0);
  test::check_moments(v, test::uniform_moments(-3, 5), "uniform(-3, 5)");
}

TEST_CASE("below(n) is uniform on 0..n-1, also for n = 1 and n not a power of two", "[unit]") {
  // Requirement: integer draws are unbiased (Lemire's rejection works) for every n.
  RandomStream one = stream_for(3);
  for (int i = 0; i < 1000; ++i) REQUIRE(one.below(1) == 0);

  for (const std::uint64_t n : {2ull, 3ull, 7ull, 10ull, 1000ull, 4099ull}) {
    RandomStream s = stream_for(100 + n);
    const std::size_t draws = 200 * n < 400000 ? 400000 : 200 * n;
    std::vector<double> counts(n, 0.0);
    for (std::size_t i = 0; i < draws; ++i) {
      const std::uint64_t k = s.below(n);
      REQUIRE(k < n);
      counts[k] += 1;
    }
    const double e = static_cast<double>(draws) / static_cast<double>(n);
    double chi2 = 0;
    for (const double c : counts) chi2 += (c - e) * (c - e) / e;
    const double dof = static_cast<double>(n - 1);
    INFO("n = " << n << ": chi-square " << chi2 << " with " << dof << " dof");
    CHECK(chi2 <= test::chi_square_quantile(dof, kSigmas));
    if (dof >= 10) CHECK(chi2 >= test::chi_square_quantile(dof, -kSigmas));
  }

  // n = 3 * 2^62: a quarter of all 64-bit draws must be rejected. The value splits into
  // three equally likely thirds, and within a third the lowest bits are uniform.
  const std::uint64_t big = 3ull << 62;
  RandomStream s = stream_for(5);
  std::vector<double> thirds(3, 0.0), low_bits(16, 0.0);
  const std::size_t draws = 300000;
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint64_t k = s.below(big);
    REQUIRE(k < big);
    thirds[k >> 62] += 1;
    low_bits[k & 15] += 1;
  }
  double chi2 = 0;
  for (const double c : thirds) chi2 += (c - draws / 3.0) * (c - draws / 3.0) / (draws / 3.0);
  CHECK(chi2 <= test::chi_square_quantile(2, kSigmas));
  chi2 = 0;
  for (const double c : low_bits) chi2 += (c - draws / 16.0) * (c - draws / 16.0) / (draws / 16.0);
  CHECK(chi2 <= test::chi_square_quantile(15, kSigmas));
}

TEST_CASE("normal() has mean 0, variance 1 and the fourth moment 3 of a standard normal",
          "[unit]") {
  // Requirement: Box-Muller draws (both halves of each pair) are standard normal.
  RandomStream s = stream_for(6);
  const std::size_t n = 1000000;
  std::vector<double> x(n);
  for (auto& v : x) v = s.normal();
  test::check_moments(x, test::normal_moments(0, 1), "normal");

  // E[X^4] = 3 with Var[X^4] = E[X^8] - 9 = 105 - 9 = 96.
  double m4 = 0, m3 = 0;
  for (const double v : x) {
    m4 += v * v * v * v;
    m3 += v * v * v;
  }
  m4 /= n;
  m3 /= n;
  CHECK(std::abs(m4 - 3.0) <= kSigmas * std::sqrt(96.0 / n));
  CHECK(std::abs(m3) <= kSigmas * std::sqrt(15.0 / n));  // Var[X^3] = 15

  // Tail mass beyond 3 sd: 2 (1 - Phi(3)) = 0.0026998.
  const double p_tail = 2 * (1 - test::normal_cdf(3.0));
  double tail = 0;
  for (const double v : x) tail += std::abs(v) > 3.0;
  CHECK(std::abs(tail - n * p_tail) <= kSigmas * std::sqrt(n * p_tail * (1 - p_tail)));

  // Even and odd draws (cos and sin halves) are uncorrelated.
  double cross = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) cross += x[i] * x[i + 1];
  CHECK(std::abs(cross / (n / 2)) <= kSigmas / std::sqrt(n / 2.0));
}

TEST_CASE("poisson(lambda) has mean and variance lambda, on both sides of the PTRS switch",
          "[unit]") {
  // Requirement: inversion (lambda < 10) and PTRS (lambda >= 10) draw Poisson numbers:
  // mean and variance within 4 standard errors, and the shape matches the pmf.
  CHECK(stream_for(7).poisson(0.0) == 0);
  for (const double lambda : {0.01, 0.5, 2.0, 9.9, 10.0, 30.0, 1000.0}) {
    RandomStream s = stream_for(static_cast<std::uint64_t>(lambda * 1000) + 11);
    const std::size_t n = 400000;
    std::vector<std::uint64_t> x(n);
    for (auto& v : x) v = s.poisson(lambda);
    test::check_moments(x, test::poisson_moments(lambda), "poisson " + std::to_string(lambda));

    const double sd = std::sqrt(lambda);
    const auto kmin = static_cast<std::int64_t>(std::max(0.0, lambda - 12 * sd - 5));
    const auto kmax = static_cast<std::int64_t>(lambda + 12 * sd + 20);
    check_chi_square(
        test::chi_square_vs_pmf(
            x, kmin, kmax, [&](std::int64_t k) { return std::exp(log_poisson_pmf(lambda, k)); }),
        "poisson pmf " + std::to_string(lambda));
  }
}

TEST_CASE("binomial(n, p) has the binomial mean and variance in the inversion and BTRS regimes",
          "[unit]") {
  // Requirement: inversion (n min(p, 1-p) < 10) and BTRS (otherwise), including p > 0.5
  // (drawn as n - binomial(n, 1 - p)), give binomial numbers.
  CHECK(stream_for(8).binomial(0, 0.3) == 0);
  CHECK(stream_for(8).binomial(17, 0.0) == 0);
  CHECK(stream_for(8).binomial(17, 1.0) == 17);

  struct Case {
    std::uint64_t n;
    double p;
  };
  // Inversion: (20, 0.3), (1000, 0.005), (7, 0.95), (50, 0.9) [n(1-p) = 5].
  // BTRS: (1000, 0.3), (10^6, 0.5), (100, 0.85) [n(1-p) = 15], (40, 0.5), (10^9, 1e-6).
  const Case cases[] = {{20, 0.3},     {1000, 0.005},     {7, 0.95},   {50, 0.9},
                        {1000, 0.3},   {1000000, 0.5},    {100, 0.85}, {40, 0.5},
                        {30, 1.0 / 3}, {1000000000, 1e-6}};
  std::uint64_t object = 300;
  for (const Case c : cases) {
    RandomStream s = stream_for(object++);
    const std::size_t draws = 300000;
    std::vector<std::uint64_t> x(draws);
    for (auto& v : x) {
      v = s.binomial(c.n, c.p);
      REQUIRE(v <= c.n);
    }
    const std::string what = "binomial(" + std::to_string(c.n) + ", " + std::to_string(c.p) + ")";
    test::check_moments(x, test::binomial_moments(static_cast<double>(c.n), c.p), what);

    const double mean = c.n * c.p;
    const double sd = std::sqrt(mean * (1 - c.p));
    const auto kmin = static_cast<std::int64_t>(std::max(0.0, mean - 12 * sd - 5));
    const auto kmax =
        static_cast<std::int64_t>(std::min(static_cast<double>(c.n), mean + 12 * sd + 5));
    check_chi_square(
        test::chi_square_vs_pmf(
            x, kmin, kmax, [&](std::int64_t k) { return std::exp(log_binomial_pmf(c.n, c.p, k)); }),
        what + " pmf");
  }
}

TEST_CASE("streams are addressed by (seed, purpose, object, entity, position)", "[unit]") {
  // Requirement: the same address gives the same draws anywhere; changing any part of the
  // address gives a different sequence.
  const auto first_draws = [](RandomStream s) {
    std::vector<std::uint32_t> v(16);
    for (auto& x : v) x = s.next_u32();
    return v;
  };
  const auto base = first_draws(RandomStream(5, Purpose::weight, 3, 9));
  CHECK(first_draws(RandomStream(5, Purpose::weight, 3, 9)) == base);
  CHECK(first_draws(RandomStream(5, Purpose::weight, 3, 9, 0)) == base);

  std::set<std::vector<std::uint32_t>> seen{base};
  const RandomStream variants[] = {RandomStream(6, Purpose::weight, 3, 9),
                                   RandomStream(5, Purpose::delay, 3, 9),
                                   RandomStream(5, Purpose::weight, 4, 9),
                                   RandomStream(5, Purpose::weight, 3, 10),
                                   RandomStream(5, Purpose::weight, 3, 9, 1),
                                   RandomStream(5, Purpose::weight, 9, 3),
                                   RandomStream(5, Purpose::weight, 3, 9ull << 32),
                                   RandomStream(5ull << 40, Purpose::weight, 3, 9),
                                   RandomStream::at_step(5, Purpose::weight, 3, 9, 1),
                                   RandomStream::at_step(5, Purpose::weight, 3, 9, 2)};
  for (const RandomStream& v : variants) CHECK(seen.insert(first_draws(v)).second);

  // Position p starts where the stream at position 0 is after p blocks of four words.
  RandomStream walk(5, Purpose::weight, 3, 9);
  for (int i = 0; i < 12; ++i) walk.next_u32();
  CHECK(first_draws(walk) == first_draws(RandomStream(5, Purpose::weight, 3, 9, 3)));

  // A copy taken mid-stream continues identically, also for the cached normal.
  RandomStream a(5, Purpose::initial_state, 1, 2);
  a.normal();
  RandomStream b = a;
  for (int i = 0; i < 100; ++i) REQUIRE(a.normal() == b.normal());

  // Neighbouring entities are uncorrelated: correlation of uniforms within 4 / sqrt(n).
  const std::size_t n = 20000;
  double sum = 0;
  for (std::uint64_t e = 0; e < n; ++e) {
    RandomStream x(5, Purpose::poisson_input, 0, e);
    RandomStream y(5, Purpose::poisson_input, 0, e + 1);
    sum += (x.uniform() - 0.5) * (y.uniform() - 0.5) * 12.0;
  }
  CHECK(std::abs(sum / n) <= kSigmas / std::sqrt(static_cast<double>(n)));
}

TEST_CASE("blocks() gives the words of block(), in every vector version", "[unit]") {
  // Requirement: the vectorised Philox behind RandomStream::blocks (scalar, AVX2 and
  // AVX-512 versions; the machine runs the widest it has) computes Philox4x32-10 exactly:
  // Random123's published known-answer vectors, and block() word for word over runs of
  // counters that are not multiples of a vector pass and cross 2^32 in the entity's low
  // word.
  using detail::PhiloxIsa;
  struct Known {
    std::uint32_t counter[4];
    std::uint32_t key[2];
    std::uint32_t words[4];
  };
  // Random123 kat_vectors, philox4x32 with 10 rounds.
  const Known known[] = {{{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
                         {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                          {0xffffffff, 0xffffffff},
                          {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
                         {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                          {0xa4093822, 0x299f31d0},
                          {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}};
  const auto compose = [](std::uint32_t lo, std::uint32_t hi) {
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
  };
  int versions = 0;
  for (const PhiloxIsa isa : {PhiloxIsa::scalar, PhiloxIsa::avx2, PhiloxIsa::avx512}) {
    std::vector<std::uint32_t> out(4 * 45);
    if (!detail::philox_blocks(isa, StreamKey(1, Purpose::connect, 0), 0, 0, 1, out.data()))
      continue;
    ++versions;
    INFO("version " << static_cast<int>(isa));
    for (const Known& k : known) {
      StreamKey key(0, Purpose::connect, 0);
      key.value = compose(k.key[0], k.key[1]);
      const std::uint64_t entity = compose(k.counter[0], k.counter[1]);
      const std::uint64_t position = compose(k.counter[2], k.counter[3]);
      // The known counter in lane 13 of 45 (inside a vector pass; entity 2^64 - 1 wraps).
      REQUIRE(detail::philox_blocks(isa, key, entity - 13, position, 45, out.data()));
      for (int w = 0; w < 4; ++w) CHECK(out[4 * 13 + w] == k.words[w]);
      CHECK(RandomStream::block(key, entity, position) ==
            std::array<std::uint32_t, 4>{k.words[0], k.words[1], k.words[2], k.words[3]});
    }

    const StreamKey key(99, Purpose::poisson_input, 5);
    for (const std::size_t count : {1u, 7u, 31u, 32u, 33u, 100u, 257u}) {
      for (const std::uint64_t first : {0ull, (1ull << 32) - 50, 123456789ull}) {
        const std::uint64_t position = (777ull << RandomStream::kStepShift) + 3;
        std::vector<std::uint32_t> words(4 * count);
        REQUIRE(detail::philox_blocks(isa, key, first, position, count, words.data()));
        std::size_t mismatches = 0;
        for (std::size_t j = 0; j < count; ++j) {
          const auto expected = RandomStream::block(key, first + j, position);
          for (int w = 0; w < 4; ++w) mismatches += words[4 * j + w] != expected[w];
        }
        INFO(count << " blocks from entity " << first);
        CHECK(mismatches == 0);
      }
    }
  }
  CHECK(versions >= 1);
  // What the engine calls: the widest version.
  std::vector<std::uint32_t> words(4 * 40);
  RandomStream::blocks(StreamKey(3, Purpose::weight, 1), 10, 20, 40, words.data());
  for (std::size_t j = 0; j < 40; ++j)
    CHECK(RandomStream::block(StreamKey(3, Purpose::weight, 1), 10 + j, 20) ==
          std::array<std::uint32_t, 4>{words[4 * j], words[4 * j + 1], words[4 * j + 2],
                                       words[4 * j + 3]});
}
