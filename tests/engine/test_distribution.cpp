// Tests of engine/distribution.hpp: moments of every kind, truncation by redrawing, and
// parameter checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/error.hpp"
#include "engine_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> draw(const Distribution& d, std::size_t n, std::uint64_t object) {
  RandomStream s(77, Purpose::weight, object, 0);
  std::vector<double> x(n);
  for (auto& v : x) v = d.sample(s);
  return x;
}

}  // namespace

TEST_CASE("constant, uniform, normal and lognormal distributions have their moments", "[unit]") {
  // Requirement: each kind samples its distribution (mean and variance within 4 standard
  // errors of the analytic values).
  for (const double v : draw(Distribution::constant(87.8), 1000, 1)) REQUIRE(v == 87.8);
  CHECK(Distribution::constant(-3).min_value() == -3);
  CHECK(Distribution::constant(-3).max_value() == -3);

  const std::size_t n = 400000;
  const auto u = draw(Distribution::uniform(-60, -50), n, 2);
  CHECK(*std::min_element(u.begin(), u.end()) >= -60);
  CHECK(*std::max_element(u.begin(), u.end()) <= -50);
  test::check_moments(u, test::uniform_moments(-60, -50), "uniform(-60, -50)");

  test::check_moments(draw(Distribution::normal(87.8, 8.78), n, 3),
                      test::normal_moments(87.8, 8.78), "normal(87.8, 8.78)");
  for (const double v : draw(Distribution::normal(2.5, 0.0), 100, 4)) REQUIRE(v == 2.5);

  const auto ln = draw(Distribution::lognormal(0.5, 0.4), n, 5);
  CHECK(*std::min_element(ln.begin(), ln.end()) > 0);
  test::check_moments(ln, test::lognormal_moments(0.5, 0.4), "lognormal(0.5, 0.4)");
  CHECK(Distribution::lognormal(0.5, 0.4).mean_hint() == Approx(std::exp(0.5 + 0.08)));
}

TEST_CASE("bounded() and clipped_to_sign() give truncated distributions, never outside", "[unit]") {
  // Requirement: bounds are applied by redrawing, so a bounded normal is a truncated normal
  // (its mean matches the analytic truncated mean) and no draw falls outside the bounds.
  struct Case {
    Distribution d;
    double mean, sd, low, high;
  };
  const Case cases[] = {
      {Distribution::normal(1.5, 0.75).bounded(0.1, kInf), 1.5, 0.75, 0.1, kInf},
      {Distribution::normal(0.0, 1.0).bounded(-1.0, 2.0), 0.0, 1.0, -1.0, 2.0},
      {Distribution::normal(87.8, 87.8).clipped_to_sign(), 87.8, 87.8, 0.0, kInf},
      {Distribution::normal(-2.0, 3.0).clipped_to_sign(), -2.0, 3.0, -kInf, 0.0},
      // Bounds intersect when applied twice.
      {Distribution::normal(0.0, 2.0).bounded(-3.0, 5.0).bounded(-10.0, 1.0), 0.0, 2.0, -3.0, 1.0},
  };
  std::uint64_t object = 10;
  for (const Case& c : cases) {
    const auto x = draw(c.d, 300000, object++);
    CHECK(*std::min_element(x.begin(), x.end()) >= c.low);
    CHECK(*std::max_element(x.begin(), x.end()) <= c.high);
    CHECK(c.d.min_value() == c.low);
    CHECK(c.d.max_value() == c.high);
    const test::Moments m = test::truncated_normal_moments(c.mean, c.sd, c.low, c.high);
    // The quadrature must agree with the closed-form truncated mean.
    REQUIRE(m.mean ==
            Approx(test::truncated_normal_mean(c.mean, c.sd, c.low, c.high)).epsilon(1e-8));
    test::check_moments(x, m, c.d.describe());
  }

  // Uniform and lognormal bounds.
  const auto u = draw(Distribution::uniform(0, 10).bounded(2, 3), 100000, 20);
  CHECK(*std::min_element(u.begin(), u.end()) >= 2);
  CHECK(*std::max_element(u.begin(), u.end()) <= 3);
  test::check_moments(u, test::uniform_moments(2, 3), "uniform(0, 10) within [2, 3]");
  const auto ln = draw(Distribution::lognormal(0, 1).bounded(0.5, 2.0), 100000, 21);
  CHECK(*std::min_element(ln.begin(), ln.end()) >= 0.5);
  CHECK(*std::max_element(ln.begin(), ln.end()) <= 2.0);

  // A constant inside its bounds stays; a uniform's own range is its min/max.
  RandomStream s(1, Purpose::weight, 0, 0);
  CHECK(Distribution::constant(0.5).bounded(0, 1).sample(s) == 0.5);
  CHECK(Distribution::uniform(1, 4).min_value() == 1);
  CHECK(Distribution::uniform(1, 4).max_value() == 4);
}

TEST_CASE("invalid distribution parameters throw ConfigError", "[unit]") {
  // Requirement: parameters that describe no distribution are refused when the distribution
  // is made, with the offending value in the message.
  CHECK_THROWS_AS(Distribution::constant(std::nan("")), ConfigError);
  CHECK_THROWS_AS(Distribution::constant(kInf), ConfigError);
  CHECK_THROWS_WITH(Distribution::uniform(2, 1), Contains("low = 2") && Contains("high = 1"));
  CHECK_THROWS_AS(Distribution::uniform(-kInf, 1), ConfigError);
  CHECK_THROWS_WITH(Distribution::normal(0, -1), Contains("sd") && Contains("-1"));
  CHECK_THROWS_AS(Distribution::normal(0, std::nan("")), ConfigError);
  CHECK_THROWS_AS(Distribution::normal(kInf, 1), ConfigError);
  CHECK_THROWS_WITH(Distribution::lognormal(0, -0.5), Contains("sigma") && Contains("-0.5"));
  CHECK_THROWS_AS(Distribution::lognormal(std::nan(""), 1), ConfigError);

  CHECK_THROWS_AS(Distribution::normal(0, 1).bounded(2, 1), ConfigError);
  CHECK_THROWS_AS(Distribution::normal(0, 1).bounded(std::nan(""), 1), ConfigError);
  CHECK_THROWS_AS(Distribution::normal(0, 1).bounded(-1, 1).bounded(2, 3), ConfigError);
  CHECK_THROWS_AS(Distribution::uniform(0, 1).bounded(2, 3), ConfigError);
  CHECK_THROWS_AS(Distribution::lognormal(0, 1).bounded(-2, -1), ConfigError);
  // Degenerate distributions outside their bounds could never draw a value inside them.
  CHECK_THROWS_AS(Distribution::constant(5).bounded(0, 1), ConfigError);
  CHECK_THROWS_AS(Distribution::normal(5, 0).bounded(0, 1), ConfigError);
  CHECK_THROWS_WITH(Distribution::normal(0, 1).clipped_to_sign(), Contains("non-zero mean"));
  CHECK_THROWS_AS(Distribution::constant(0).clipped_to_sign(), ConfigError);

  // Bounds that leave a vanishing probability give up with an error instead of looping.
  RandomStream s(1, Purpose::weight, 0, 0);
  CHECK_THROWS_WITH(Distribution::normal(0, 1).bounded(12, 13).sample(s),
                    Contains("widen the bounds"));
}
