// Tests of the Gabor kernel bank (models/dnn/gabor.hpp): each kernel's Fourier transform,
// computed here independently by a direct DFT, peaks at the requested orientation and
// spatial frequency; the odd-phase kernels have zero mean; the options do what they say;
// the bank is laid out as conv2d weights.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "models/dnn/conv2d.hpp"
#include "models/dnn/gabor.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using std::numbers::pi;

namespace {

// |sum_{r,c} g[r][c] exp(-2 pi i (kx c + ky r))|, frequencies in cycles/pixel.
double dtft_magnitude(const std::vector<double>& g, std::size_t n, double kx, double ky) {
  std::complex<double> sum = 0.0;
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t c = 0; c < n; ++c)
      sum +=
          g[r * n + c] *
          std::polar(1.0, -2.0 * pi * (kx * static_cast<double>(c) + ky * static_cast<double>(r)));
  return std::abs(sum);
}

struct Peak {
  double kx, ky;
};

// The global maximum of |G| over a grid of 128 x 128 frequencies in [-0.5, 0.5)^2 (computed
// separably: rows first, then columns), then refined by hill climbing with a halving step
// down to 1/128/2^10 cycles/pixel.
Peak spectrum_peak(const std::vector<double>& g, std::size_t n) {
  constexpr int kGrid = 128;
  const auto freq = [](int i) { return -0.5 + i / double(kGrid); };
  std::vector<std::complex<double>> phase(kGrid * n);  // exp(-2 pi i k_i m)
  for (int i = 0; i < kGrid; ++i)
    for (std::size_t m = 0; m < n; ++m)
      phase[i * n + m] = std::polar(1.0, -2.0 * pi * freq(i) * static_cast<double>(m));
  std::vector<std::complex<double>> rows(n * kGrid);  // rows[r][ix] = sum_c g[r][c] e(kx c)
  for (std::size_t r = 0; r < n; ++r)
    for (int ix = 0; ix < kGrid; ++ix) {
      std::complex<double> sum = 0.0;
      for (std::size_t c = 0; c < n; ++c) sum += g[r * n + c] * phase[ix * n + c];
      rows[r * kGrid + ix] = sum;
    }
  Peak best{0.0, 0.0};
  double best_value = -1.0;
  for (int iy = 0; iy < kGrid; ++iy)
    for (int ix = 0; ix < kGrid; ++ix) {
      std::complex<double> sum = 0.0;
      for (std::size_t r = 0; r < n; ++r) sum += rows[r * kGrid + ix] * phase[iy * n + r];
      if (std::abs(sum) > best_value) best_value = std::abs(sum), best = {freq(ix), freq(iy)};
    }
  for (double h = 1.0 / kGrid; h > 1.0 / kGrid / 1024; h /= 2) {
    const Peak centre = best;
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const Peak p{centre.kx + dx * h, centre.ky + dy * h};
        const double v = dtft_magnitude(g, n, p.kx, p.ky);
        if (v > best_value) best_value = v, best = p;
      }
  }
  return best;
}

// Angle difference modulo pi (a real kernel's spectrum is point-symmetric, so a peak at
// theta and at theta + pi are the same orientation).
double orientation_error(double a, double b) {
  double d = std::fmod(a - b, pi);
  if (d < 0) d += pi;
  return std::min(d, pi - d);
}

}  // namespace

TEST_CASE(
    "gabor bank: the Fourier peak of every kernel is at the requested orientation and "
    "frequency",
    "[model][unit][dnn]") {
  // Requirement: kernel k = (theta, f, psi) has |FT| maximal at f (cos theta, sin theta)
  // cycles/pixel. sigma f >= 0.4 keeps the two lobes apart (shift below 0.5%).
  dnn::GaborBank bank;
  bank.size = 31;
  bank.sigma = 5.0;
  for (int k = 0; k < 6; ++k) bank.orientations.push_back(k * pi / 6);
  bank.frequencies = {0.08, 0.15, 0.25};
  bank.phases = {0.0, pi / 2};
  const std::vector<double> w = dnn::gabor_weights(bank);
  REQUIRE(w.size() == 36 * 31 * 31);

  double worst_f = 0.0, worst_theta = 0.0;
  std::size_t k = 0;
  for (const double theta : bank.orientations)
    for (const double f : bank.frequencies)
      for (const double psi : bank.phases) {
        const std::vector<double> g(w.begin() + k * 961, w.begin() + (k + 1) * 961);
        ++k;
        const Peak p = spectrum_peak(g, 31);
        const double f_peak = std::hypot(p.kx, p.ky);
        const double theta_peak = std::atan2(p.ky, p.kx);
        INFO("theta " << theta << " f " << f << " psi " << psi << ": peak f " << f_peak << " theta "
                      << theta_peak);
        CHECK(std::abs(f_peak - f) / f < 5e-3);
        CHECK(orientation_error(theta_peak, theta) < 0.2 * pi / 180);
        worst_f = std::max(worst_f, std::abs(f_peak - f) / f);
        worst_theta = std::max(worst_theta, orientation_error(theta_peak, theta));
      }
  WARN("gabor peak: worst relative frequency error " << worst_f << ", worst orientation error "
                                                     << worst_theta * 180 / pi << " deg");
}

TEST_CASE("gabor bank: odd-phase kernels have zero mean, even ones do not unless asked",
          "[model][unit][dnn]") {
  dnn::GaborBank bank;
  bank.size = 15;
  bank.sigma = 3.0;
  bank.frequencies = {0.1, 0.2};
  bank.orientations = {0.3, 1.2, 2.5};
  for (const std::size_t size : {15, 16}) {  // odd and even sizes: the centre is symmetric
    bank.size = size;
    for (const double theta : bank.orientations)
      for (const double f : bank.frequencies) {
        const auto odd = dnn::gabor_kernel(bank, theta, f, pi / 2);
        const auto even = dnn::gabor_kernel(bank, theta, f, 0.0);
        double sum_odd = 0, abs_odd = 0, sum_even = 0;
        for (const double v : odd) sum_odd += v, abs_odd += std::abs(v);
        for (const double v : even) sum_even += v;
        INFO("size " << size << " theta " << theta << " f " << f);
        CHECK(std::abs(sum_odd) < 1e-12 * abs_odd);
        CHECK(std::abs(sum_even) > 1e-3);  // the DC leak removed by zero_mean below
      }
  }
  bank.size = 15;
  bank.zero_mean = true;
  bank.unit_norm = true;
  const auto even = dnn::gabor_kernel(bank, 0.7, 0.1, 0.0);
  double sum = 0, norm = 0;
  for (const double v : even) sum += v, norm += v * v;
  CHECK(std::abs(sum) < 1e-12);
  CHECK(std::sqrt(norm) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("gabor bank: values follow the formula at chosen pixels and feed a conv2d",
          "[model][unit][dnn]") {
  // g(r, c) = exp(-(x'^2 + gamma^2 y'^2) / (2 sigma^2)) cos(2 pi f x' + psi), centre 2, 2.
  dnn::GaborBank bank{.size = 5,
                      .orientations = {pi / 2},
                      .frequencies = {0.25},
                      .phases = {0.0},
                      .sigma = 2.0,
                      .gamma = 0.5};
  const auto g = dnn::gabor_kernel(bank, pi / 2, 0.25, 0.0);
  // theta = pi/2: x' = y (row offset), y' = -x (column offset). Pixel r = 0, c = 4:
  // x = 2, y = -2 -> x' = -2, y' = -2.
  const double expected = std::exp(-(4.0 + 0.25 * 4.0) / 8.0) * std::cos(2 * pi * 0.25 * -2.0);
  CHECK(g[0 * 5 + 4] == Approx(expected).epsilon(1e-12));
  CHECK(g[2 * 5 + 2] == Approx(1.0).epsilon(1e-15));

  bank.orientations = {0.0, pi / 2};
  bank.phases = {0.0, pi / 2};
  const auto w = dnn::gabor_weights(bank, 2);
  REQUIRE(w.size() == 4 * 2 * 25);
  // Kernel order: orientation outermost, phase innermost; repeated over input channels.
  const auto k3 = dnn::gabor_kernel(bank, pi / 2, 0.25, pi / 2);
  for (std::size_t i = 0; i < 25; ++i) {
    CHECK(w[(3 * 2 + 0) * 25 + i] == k3[i]);
    CHECK(w[(3 * 2 + 1) * 25 + i] == k3[i]);
  }
  dnn::Conv2d::Shape s{
      .in_channels = 2, .height = 9, .width = 9, .out_channels = 4, .kernel_h = 5, .kernel_w = 5};
  dnn::Conv2d conv(s, w, std::vector<double>(4, 0.0));
  CHECK(conv.output_size() == 4 * 5 * 5);
}

TEST_CASE("gabor bank: invalid parameters are refused with their values", "[model][unit][dnn]") {
  using Catch::Matchers::Contains;
  dnn::GaborBank ok{
      .size = 5, .orientations = {0}, .frequencies = {0.1}, .phases = {0}, .sigma = 1.0};
  auto bad = ok;
  bad.frequencies = {0.6};
  CHECK_THAT(test::config_error([&] { dnn::gabor_weights(bad); }),
             Contains("frequencies must be in (0, 0.5] cycles/pixel, got 0.6"));
  bad = ok;
  bad.sigma = -1;
  CHECK_THAT(test::config_error([&] { dnn::gabor_weights(bad); }),
             Contains("sigma must be > 0 pixels, got -1"));
  bad = ok;
  bad.phases.clear();
  CHECK_THAT(test::config_error([&] { dnn::gabor_weights(bad); }), Contains("at least one"));
}
