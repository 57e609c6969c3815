// Tests of the rate-based learning rules (models/dnn/rate_learning.hpp) against their
// known limits: a linear neuron under Oja's rule, fed zero-mean Gaussian input of known
// covariance (2-D and 10-D), converges to the first principal component with |w| = 1; pure
// Hebbian learning on the same data turns to the same direction while |w| grows without
// bound at the rate eta lambda_max; BCM becomes selective to one of K patterns with the
// closed-form response K. Eigenvectors are computed here by power iteration, independently
// of the construction of the covariance. Inputs come from std::mt19937_64.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "models/dnn/rate_learning.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;

namespace {

using Matrix = std::vector<std::vector<double>>;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}
double norm(const std::vector<double>& a) {
  return std::sqrt(dot(a, a));
}

std::vector<double> times(const Matrix& m, const std::vector<double>& v) {
  std::vector<double> out(m.size(), 0.0);
  for (std::size_t i = 0; i < m.size(); ++i) out[i] = dot(m[i], v);
  return out;
}

// The eigenvector of the largest eigenvalue of a symmetric positive definite matrix, by
// power iteration to a fixed point (the eigengap of the test matrices is large).
std::vector<double> principal_eigenvector(const Matrix& c, double* eigenvalue) {
  std::vector<double> v(c.size(), 1.0);
  for (int it = 0; it < 10000; ++it) {
    std::vector<double> next = times(c, v);
    const double n = norm(next);
    for (double& e : next) e /= n;
    v = next;
  }
  *eigenvalue = dot(v, times(c, v));
  return v;
}

// Lower triangular L with L L^T = C.
Matrix cholesky(const Matrix& c) {
  const std::size_t n = c.size();
  Matrix l(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = c[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      l[i][j] = i == j ? std::sqrt(s) : s / l[j][j];
    }
  return l;
}

// C = Q diag(lambda) Q^T with Q orthonormal from Gram-Schmidt on random vectors.
Matrix covariance_with_spectrum(const std::vector<double>& lambda, std::mt19937_64& rng) {
  const std::size_t n = lambda.size();
  std::normal_distribution<double> normal;
  Matrix q;
  while (q.size() < n) {
    std::vector<double> v(n);
    for (double& e : v) e = normal(rng);
    for (const auto& u : q) {
      const double p = dot(u, v);
      for (std::size_t k = 0; k < n; ++k) v[k] -= p * u[k];
    }
    const double len = norm(v);
    for (double& e : v) e /= len;
    q.push_back(v);
  }
  Matrix c(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t k = 0; k < n; ++k) c[i][j] += q[k][i] * lambda[k] * q[k][j];
  return c;
}

// Zero-mean Gaussian vectors with covariance L L^T.
class GaussianInput {
 public:
  GaussianInput(const Matrix& c, std::uint64_t seed) : l_(cholesky(c)), rng_(seed) {}
  std::vector<double> next() {
    std::vector<double> z(l_.size());
    for (double& e : z) e = normal_(rng_);
    return times(l_, z);
  }

 private:
  Matrix l_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_;
};

struct Trained {
  std::vector<double> w;
  std::vector<double> norms;  // |w| after every sample
};

// A linear neuron y = w . x (a 1-output learning_dense) trained on `samples` inputs.
Trained train(const Matrix& c, dnn::RateRule rule, double eta, std::size_t samples,
              std::uint64_t seed) {
  const std::size_t n = c.size();
  std::mt19937_64 init(seed + 1);
  std::uniform_real_distribution<double> small(-0.1, 0.1);
  std::vector<double> w0(n);
  for (double& e : w0) e = small(init);
  dnn::LearningDense neuron(dnn::Dense(w0, {0.0}, n, 1), {.rule = rule, .eta = eta});

  GaussianInput input(c, seed);
  Trained t;
  t.norms.reserve(samples);
  double y = 0.0;
  for (std::size_t s = 0; s < samples; ++s) {
    const std::vector<double> x = input.next();
    neuron.forward(x, std::span<double>(&y, 1));
    const auto w = neuron.layer().weights();
    t.norms.push_back(std::sqrt(
        dot(std::vector<double>(w.begin(), w.end()), std::vector<double>(w.begin(), w.end()))));
  }
  const auto w = neuron.layer().weights();
  t.w.assign(w.begin(), w.end());
  return t;
}

struct Case {
  const char* name;
  Matrix c;
  std::size_t samples;
};

std::vector<Case> cases() {
  std::mt19937_64 rng(42);
  return {
      // Eigenvalues (5 +- sqrt 5) / 2 = 3.618 and 1.382.
      {"2-D", {{3.0, 1.0}, {1.0, 2.0}}, 400000},
      {"10-D", covariance_with_spectrum({5, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.6, 0.4, 0.2}, rng), 600000},
  };
}

constexpr double kEta = 2e-5;

}  // namespace

TEST_CASE(
    "oja: a linear neuron converges to the first principal component with |w| = 1, "
    "2-D and 10-D",
    "[model][unit][dnn][plasticity]") {
  for (const Case& k : cases()) {
    double lambda = 0.0;
    const std::vector<double> e1 = principal_eigenvector(k.c, &lambda);
    REQUIRE(norm(times(k.c, e1)) == Approx(lambda).epsilon(1e-12));  // an eigenpair
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      const Trained t = train(k.c, dnn::RateRule::oja, kEta, k.samples, seed);
      const double cosine = std::abs(dot(t.w, e1)) / norm(t.w);
      INFO(k.name << " seed " << seed);
      CHECK(cosine > 0.999);
      CHECK(std::abs(norm(t.w) - 1.0) < 0.01);
      WARN("oja " << k.name << " seed " << seed << ": eta " << kEta << ", " << k.samples
                  << " samples, lambda_max " << lambda << ", |cosine| " << cosine << ", |w| "
                  << norm(t.w));
    }
  }
}

TEST_CASE(
    "hebb: the same neuron turns to the first principal component while |w| grows "
    "without bound as exp(eta lambda_max t)",
    "[model][unit][dnn][plasticity]") {
  for (const Case& k : cases()) {
    double lambda = 0.0;
    const std::vector<double> e1 = principal_eigenvector(k.c, &lambda);
    const Trained t = train(k.c, dnn::RateRule::hebb, kEta, k.samples, 1);
    const double cosine = std::abs(dot(t.w, e1)) / norm(t.w);
    INFO(k.name);
    CHECK(cosine > 0.999);

    // |w + eta y x|^2 = |w|^2 + 2 eta y^2 + eta^2 y^2 |x|^2 >= |w|^2: never decreases.
    bool monotonic = true;
    for (std::size_t s = 1; s < t.norms.size(); ++s)
      monotonic = monotonic && t.norms[s] >= t.norms[s - 1] * (1 - 1e-14);
    CHECK(monotonic);
    // Once aligned, E[log |w|] rises by eta lambda_max per sample (to first order in eta).
    const std::size_t half = t.norms.size() / 2, end = t.norms.size() - 1;
    const double rate = (std::log(t.norms[end]) - std::log(t.norms[half])) / double(end - half);
    CHECK(rate == Approx(kEta * lambda).epsilon(0.01));
    CHECK(t.norms[end] > 1e10 * t.norms[0]);
    WARN("hebb " << k.name << ": |cosine| " << cosine << ", |w| from " << t.norms[0] << " to "
                 << t.norms[end] << ", log-growth per sample " << rate << " vs eta lambda "
                 << kEta * lambda);
  }
}

TEST_CASE("bcm: a neuron shown K patterns becomes selective with the response K",
          "[model][unit][dnn][plasticity]") {
  // Intrator & Cooper's fixed point: with theta = <y^2> and K orthonormal patterns of equal
  // probability, the stable state answers one pattern with y = K, the others with y = 0.
  // Patterns: three non-overlapping, non-negative unit vectors in 6-D.
  constexpr std::size_t K = 3, n = 6;
  const double a = 0.6, b = 0.8;
  const std::vector<std::vector<double>> patterns = {
      {a, b, 0, 0, 0, 0}, {0, 0, b, a, 0, 0}, {0, 0, 0, 0, a, b}};
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> positive(0.05, 0.3);
    std::vector<double> w0(n);
    for (double& e : w0) e = positive(rng);
    dnn::LearningDense neuron(dnn::Dense(w0, {0.0}, n, 1, dnn::Activation::relu),
                              {.rule = dnn::RateRule::bcm, .eta = 5e-4, .tau_theta = 100});
    std::uniform_int_distribution<std::size_t> pick(0, K - 1);
    double y = 0.0;
    for (int s = 0; s < 300000; ++s) neuron.forward(patterns[pick(rng)], std::span<double>(&y, 1));

    neuron.set_learning(false);
    std::vector<double> responses;
    for (const auto& p : patterns) {
      neuron.forward(p, std::span<double>(&y, 1));
      responses.push_back(y);
    }
    std::sort(responses.begin(), responses.end());
    INFO("seed " << seed << ": responses " << responses[0] << " " << responses[1] << " "
                 << responses[2] << ", theta " << neuron.rule().theta()[0]);
    CHECK(responses[2] == Approx(double(K)).epsilon(0.1));
    CHECK(responses[1] < 1e-3);
    CHECK(neuron.rule().theta()[0] == Approx(double(K)).epsilon(0.3));
  }
}

TEST_CASE("rate rules: one update equals the rule's formula", "[model][unit][dnn][plasticity]") {
  // dW_ij for W = [[0.5, -0.2], [0.1, 0.3]], x = (1, 2), y = (0.4, -0.5), eta = 0.1.
  const std::vector<double> x = {1.0, 2.0}, y = {0.4, -0.5};
  const std::vector<double> w0 = {0.5, -0.2, 0.1, 0.3};
  const auto updated = [&](dnn::RateLearning::Params p) {
    std::vector<double> w = w0;
    dnn::RateLearning rule(p, 2);
    rule.update(w, x, y);
    return w;
  };
  std::vector<double> hebb = updated({.rule = dnn::RateRule::hebb, .eta = 0.1});
  std::vector<double> oja = updated({.rule = dnn::RateRule::oja, .eta = 0.1});
  std::vector<double> bcm = updated({.rule = dnn::RateRule::bcm, .eta = 0.1, .theta0 = 0.2});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      const double w = w0[i * 2 + j];
      CHECK(hebb[i * 2 + j] == Approx(w + 0.1 * y[i] * x[j]).epsilon(1e-15));
      CHECK(oja[i * 2 + j] == Approx(w + 0.1 * (y[i] * x[j] - y[i] * y[i] * w)).epsilon(1e-15));
      CHECK(bcm[i * 2 + j] == Approx(w + 0.1 * y[i] * (y[i] - 0.2) * x[j]).epsilon(1e-15));
    }
  using Catch::Matchers::Contains;
  CHECK_THAT(test::config_error([] { dnn::RateLearning({.eta = -1}, 1); }),
             Contains("eta must be > 0, got -1"));
  CHECK_THAT(test::config_error([] { dnn::parse_rate_rule("stdp"); }),
             Contains("must be one of hebb, oja, bcm, got 'stdp'"));
}
