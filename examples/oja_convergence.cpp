// Oja's rule on a linear rate neuron: writes the convergence to a CSV for plot_oja.py.
//
//   build/examples/oja_convergence oja.csv [eta] [samples]
//   /usr/bin/python3 examples/plot_oja.py oja.csv oja.png
//
// Input: zero-mean Gaussian 2-D vectors with covariance C = [[3, 1], [1, 2]] (eigenvalues
// (5 +- sqrt 5) / 2, first eigenvector e1 = (cos a, sin a) with tan 2a = 2). The neuron is a
// 1-output dnn::LearningDense (identity activation, no bias) under Oja's rule and, for
// contrast, a second one under Hebb's rule. Each CSV row: sample, w_oja (2 values), |w_oja|,
// |cos(w_oja, e1)|, |w_hebb|, |cos(w_hebb, e1)|, every 100 samples.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "models/dnn/rate_learning.hpp"

using namespace spikeflow;

namespace {

double length(std::span<const double> w) {
  return std::hypot(w[0], w[1]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: oja_convergence OUT.csv [eta=1e-3] [samples=20000]\n");
    return 2;
  }
  const double eta = argc > 2 ? std::atof(argv[2]) : 1e-3;
  const long samples = argc > 3 ? std::atol(argv[3]) : 20000;

  // L L^T = C for C = [[3, 1], [1, 2]].
  const double l00 = std::sqrt(3.0), l10 = 1.0 / l00, l11 = std::sqrt(2.0 - l10 * l10);
  const double a = 0.5 * std::atan2(2.0, 3.0 - 2.0);
  const double e1[2] = {std::cos(a), std::sin(a)};

  const std::vector<double> w0 = {0.05, -0.08};
  dnn::LearningDense oja(dnn::Dense(w0, {0.0}, 2, 1), {.rule = dnn::RateRule::oja, .eta = eta});
  dnn::LearningDense hebb(dnn::Dense(w0, {0.0}, 2, 1), {.rule = dnn::RateRule::hebb, .eta = eta});

  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::perror(argv[1]);
    return 1;
  }
  std::fprintf(out, "sample,w0,w1,norm,cosine,hebb_norm,hebb_cosine\n");
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  double y = 0.0;
  for (long s = 0; s <= samples; ++s) {
    if (s % 100 == 0) {
      const auto w = oja.layer().weights();
      const auto h = hebb.layer().weights();
      std::fprintf(out, "%ld,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", s, w[0], w[1], length(w),
                   std::abs(w[0] * e1[0] + w[1] * e1[1]) / length(w), length(h),
                   std::abs(h[0] * e1[0] + h[1] * e1[1]) / length(h));
    }
    const double z0 = normal(rng), z1 = normal(rng);
    const double x[2] = {l00 * z0, l10 * z0 + l11 * z1};
    oja.forward(x, std::span<double>(&y, 1));
    hebb.forward(x, std::span<double>(&y, 1));
  }
  std::fclose(out);
  return 0;
}
