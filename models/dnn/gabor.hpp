// Gabor kernel bank: the weights of a V1-like first conv2d layer.
//
// One kernel per (orientation theta, spatial frequency f, phase psi), in that nesting order
// (orientation outermost, phase innermost), each size x size pixels:
//
//   g(r, c) = exp( -(x'^2 + gamma^2 y'^2) / (2 sigma^2) ) * cos(2 pi f x' + psi)
//   x  = c - (size - 1) / 2,   y = r - (size - 1) / 2   (pixels from the centre; r = row, c =
//                                                       column, so y points down the image)
//   x' = x cos(theta) + y sin(theta),   y' = -x sin(theta) + y cos(theta)
//
// theta is the direction of the wave vector (normal to the stripes), measured from the
// column axis towards increasing row index: theta = 0 gives vertical stripes, varying along
// a row. The kernel's Fourier transform peaks at (f cos theta, f sin theta) cycles/pixel
// (and its mirror), up to the small shift caused by the overlap of the two lobes when
// sigma f is small. psi = 0 is the even (cosine) kernel, psi = pi/2 the odd one, whose mean
// is zero by symmetry.
//
// Parameters (GaborBank): size (odd or even, >= 1, pixels), orientations (rad), frequencies
// (cycles/pixel, in (0, 0.5], the Nyquist limit), phases (rad), sigma (> 0 pixels, envelope
// width), gamma (> 0, aspect ratio of the envelope, default 1 = round), zero_mean (default
// false: subtract each kernel's mean, which removes the DC response of even kernels),
// unit_norm (default false: scale each kernel to Euclidean norm 1, after zero_mean).
//
// Example, 4 orientations x 1 frequency x 2 phases = 8 kernels of 11 x 11:
//   dnn::GaborBank bank{.size = 11, .orientations = {0, pi/4, pi/2, 3*pi/4},
//                       .frequencies = {0.15}, .phases = {0, pi/2}, .sigma = 2.5};
//   auto w = dnn::gabor_weights(bank, 1);  // 8 x 1 x 11 x 11, for Conv2d
#pragma once

#include <cstddef>
#include <vector>

namespace spikeflow::dnn {

struct GaborBank {
  std::size_t size = 0;
  std::vector<double> orientations;  // rad
  std::vector<double> frequencies;   // cycles / pixel
  std::vector<double> phases;        // rad
  double sigma = 0.0;                // pixels
  double gamma = 1.0;
  bool zero_mean = false;
  bool unit_norm = false;

  std::size_t count() const { return orientations.size() * frequencies.size() * phases.size(); }
};

// One kernel, size x size row-major.
std::vector<double> gabor_kernel(const GaborBank& bank, double theta, double f, double psi);

// The bank as conv2d weights, count() x in_channels x size x size: each kernel is repeated
// over the input channels (a luminance filter on every channel); ConfigError for invalid
// parameters, naming the parameter and its value.
std::vector<double> gabor_weights(const GaborBank& bank, std::size_t in_channels = 1);

void validate(const GaborBank& bank);

}  // namespace spikeflow::dnn
