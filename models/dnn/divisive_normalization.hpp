// divisive_normalization: each unit's drive divided by the pooled drive of its neighbours
// (Heeger 1992; Carandini & Heeger 2012).
//
//   y_i = x_i^n / (sigma^n + sum_j w_ij x_j^n),   i, j < size
//
// Inputs are rates or contrasts and meant to be >= 0; a negative input is rectified first
// (x_i^n reads max(x_i, 0)^n) so that non-integer exponents stay real.
//
// Parameters:
//   size   number of units (>= 1), input and output size
//   n      exponent, > 0 (default 2)
//   sigma  semi-saturation constant, > 0, in the units of x (default 1)
//   w      size x size row-major pool weights, each >= 0 (default all 1: every unit is
//          normalised by the summed drive of all units)
// Properties: for a pattern x = c p, y_i -> p_i^n / sum_j w_ij p_j^n as c grows (the response
// saturates and its shape no longer depends on contrast); for one unit with w = 1 the
// contrast-response curve is the Naka-Rushton function c^n / (sigma^n + c^n).
// Numerical method: x^n by std::pow (n = 2 as x * x); the denominator is >= sigma^n > 0.
// HDF5 tensors (io/tensor_file.hpp, docs/dnn.md): weight [size, size].
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

class DivisiveNormalization final : public Module {
 public:
  struct Params {
    double n = 2.0;
    double sigma = 1.0;
  };

  // `weights` empty means all ones; otherwise size x size values, each >= 0.
  DivisiveNormalization(std::size_t size, const Params& params, std::vector<double> weights = {});

  std::string_view kind() const override { return "divisive_normalization"; }
  std::size_t input_size() const override { return size_; }
  std::size_t output_size() const override { return size_; }
  void forward(std::span<const double> x, std::span<double> y) override;
  // Stateless between calls: a checkpoint saves nothing of it.
  void save_state(const StateSection&) const override {}
  void load_state(const StateSource&) override {}

  const Params& params() const { return params_; }
  std::span<const double> weights() const { return weights_; }

 private:
  double power(double x) const;

  std::size_t size_;
  Params params_;
  double sigma_n_;
  std::vector<double> weights_;
  std::vector<double> drive_;  // x_j^n of the current call
};

}  // namespace spikeflow::dnn
