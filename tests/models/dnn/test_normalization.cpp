// Properties of divisive normalisation (models/dnn/divisive_normalization.hpp) against its
// closed forms: the contrast-response curve rises as c^n, reaches half its limit at the
// semi-saturation contrast and saturates at p_i^n / sum_j w_ij p_j^n; scaling all inputs by
// a large c leaves the shape of the normalised pattern unchanged. Batch normalisation, the
// contrast case, stays affine in c and never saturates.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "models/dnn/batch_normalization.hpp"
#include "models/dnn/divisive_normalization.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;

namespace {

// A stimulus pattern and a non-uniform pool (each unit pooled mostly with its neighbours),
// so that shape invariance is not trivially true at every contrast.
const std::vector<double> kPattern = {0.2, 1.0, 0.6, 0.1, 0.8};
constexpr std::size_t kN = 5;

std::vector<double> pool_weights() {
  std::vector<double> w(kN * kN);
  for (std::size_t i = 0; i < kN; ++i)
    for (std::size_t j = 0; j < kN; ++j) {
      const double d = static_cast<double>(i > j ? i - j : j - i);
      w[i * kN + j] = std::exp(-d * d / 2.0) + 0.05;
    }
  return w;
}

std::vector<double> respond(dnn::Module& m, double c) {
  std::vector<double> x(kN), y(kN);
  for (std::size_t k = 0; k < kN; ++k) x[k] = c * kPattern[k];
  m.forward(x, y);
  return y;
}

std::vector<double> unit_vector(std::vector<double> v) {
  double norm = 0.0;
  for (const double e : v) norm += e * e;
  for (double& e : v) e /= std::sqrt(norm);
  return v;
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) d += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(d);
}

}  // namespace

TEST_CASE(
    "divisive_normalization: the contrast-response curve is expansive, half-saturates "
    "at c50 and saturates at its closed-form limit",
    "[model][unit][dnn]") {
  for (const double n : {1.0, 2.0, 2.5}) {
    const double sigma = 0.4;
    dnn::DivisiveNormalization dn(kN, {n, sigma}, pool_weights());
    const std::vector<double> w = pool_weights();
    for (std::size_t i = 0; i < kN; ++i) {
      // Closed forms for x = c p: y_i = c^n p_i^n / (sigma^n + c^n S_i), S_i = sum_j w_ij p_j^n.
      double S = 0.0;
      for (std::size_t j = 0; j < kN; ++j) S += w[i * kN + j] * std::pow(kPattern[j], n);
      const double limit = std::pow(kPattern[i], n) / S;
      const double c50 = sigma / std::pow(S, 1.0 / n);
      INFO("n " << n << " unit " << i << " limit " << limit << " c50 " << c50);

      CHECK(respond(dn, c50)[i] == Approx(limit / 2).epsilon(1e-12));
      CHECK(respond(dn, 1e4 * c50)[i] == Approx(limit).epsilon(1e-4 * n));
      CHECK(respond(dn, 1e4 * c50)[i] < limit);  // approached from below, never crossed
      // The whole curve is limit c^n / (c50^n + c^n) (Naka-Rushton).
      for (const double c : {0.01, 0.3, 1.0, 3.0, 100.0}) {
        const double rel = std::pow(c, n) / (1.0 + std::pow(c, n));
        CHECK(respond(dn, c * c50)[i] == Approx(limit * rel).epsilon(1e-12));
      }
      // Low contrast: y grows as c^n (the accelerating foot of the curve for n > 1).
      const double low = respond(dn, 1e-6 * c50)[i], low2 = respond(dn, 2e-6 * c50)[i];
      CHECK(low2 / low == Approx(std::pow(2.0, n)).epsilon(1e-5));
      // Monotonic rise over six decades of contrast, and saturation: the gain of a decade
      // shrinks to nothing.
      double previous = 0.0;
      for (double c = 1e-3 * c50; c < 1e3 * c50; c *= std::sqrt(10.0)) {
        const double y = respond(dn, c)[i];
        CHECK(y > previous);
        previous = y;
      }
      CHECK(respond(dn, 1e3 * c50)[i] / respond(dn, 1e2 * c50)[i] < 1.0 + 1e-2 * n);
    }
  }
}

TEST_CASE(
    "divisive_normalization: for large c the normalised pattern's shape does not depend "
    "on c",
    "[model][unit][dnn]") {
  dnn::DivisiveNormalization dn(kN, {2.0, 0.5}, pool_weights());
  // Low contrast: y_i ~ (c p_i)^n / sigma^n, shape p^n; high contrast: p_i^n / S_i.
  const auto low = unit_vector(respond(dn, 1e-3));
  const auto high = unit_vector(respond(dn, 1e3));
  CHECK(distance(low, high) > 0.05);  // the pool is non-uniform: shape changes on the way
  double previous = INFINITY;
  for (const double c : {1e1, 1e2, 1e3, 1e4}) {
    const double change = distance(unit_vector(respond(dn, c)), unit_vector(respond(dn, 10 * c)));
    INFO("c " << c << ": shape change to 10 c " << change);
    CHECK(change < previous);  // converges
    previous = change;
  }
  CHECK(previous < 1e-8);
  CHECK(distance(unit_vector(respond(dn, 1e4)), unit_vector(respond(dn, 1e6))) < 1e-8);
}

TEST_CASE("batch_normalization: the output is affine in the contrast and never saturates",
          "[model][unit][dnn]") {
  // The contrast with divisive normalisation: BN(c x) - BN(0) = c (BN(x) - BN(0)) exactly
  // (up to rounding) for every c.
  dnn::BatchNormalization bn(kN, 1,
                             {{1.5, 0.5, 1, 2, 0.7},
                              {0.1, -0.2, 0, 0.3, 0.5},
                              {0.2, 0.1, -0.3, 0, 1},
                              {1, 2, 0.5, 0.1, 3}});
  const auto base = respond(bn, 0.0), unit = respond(bn, 1.0);
  for (const double c : {10.0, 1e3, 1e6}) {
    const auto y = respond(bn, c);
    for (std::size_t k = 0; k < kN; ++k)
      CHECK(y[k] - base[k] == Approx(c * (unit[k] - base[k])).epsilon(1e-9));
  }
}

TEST_CASE("normalization modules: invalid parameters are refused with their values",
          "[model][unit][dnn]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(test::config_error([] {
               dnn::DivisiveNormalization(3, {2.0, 0.0});
             }),
             Contains("sigma must be > 0, got 0"));
  CHECK_THAT(test::config_error([] {
               dnn::DivisiveNormalization(3, {-1.0, 1.0});
             }),
             Contains("n must be > 0, got -1"));
  CHECK_THAT(test::config_error([] {
               dnn::DivisiveNormalization(2, {}, {1, 1, -0.5, 1});
             }),
             Contains("weight[1][0] must be >= 0 and finite, got -0.5"));
  CHECK_THAT(test::config_error([] {
               dnn::BatchNormalization(1, 1, {{1}, {0}, {0}, {-1}});
             }),
             Contains("running_var[0] must be >= 0, got -1"));
  CHECK_THAT(test::config_error([] {
               dnn::BatchNormalization(2, 1, {{1}, {0}, {0}, {1}});
             }),
             Contains("weight (gamma) [channels] has 1 values, expected 2"));
}
