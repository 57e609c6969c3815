// Rate-based learning rules for a weight matrix W (out x in, row-major) between a vector of
// presynaptic rates x and postsynaptic rates y, applied once per update after y is known.
//
//   hebb  dW_ij = eta y_i x_j
//   oja   dW_ij = eta (y_i x_j - y_i^2 W_ij)              (Oja 1982; each output row
//                                                         separately, not Sanger's rule)
//   bcm   dW_ij = eta y_i (y_i - theta_i) x_j,            (Bienenstock, Cooper & Munro 1982,
//         theta_i <- theta_i + (y_i^2 - theta_i) / tau_theta    in the form of Intrator &
//                                                         Cooper 1992: theta tracks <y^2>)
//
// Every rule is one explicit Euler step per update with the x and y of that update; the
// weights change in place, so the next update sees them. Biases are not learned.
// For a linear neuron y = w . x fed zero-mean input with covariance C, Oja's rule converges
// to the unit-norm eigenvector of C with the largest eigenvalue (sign undetermined), Hebb's
// rule turns w towards the same eigenvector while |w| grows as exp(eta lambda_max t), and
// BCM becomes selective: with K orthonormal patterns shown with equal probability the stable
// state answers one pattern with y = K and the others with y = 0.
// Fixed points and rates hold for small eta (eta lambda_max << 1); with large eta the
// update itself is unstable (Oja: eta lambda_max of order 1 diverges).
//
// Parameters (RateLearning::Params):
//   rule       hebb, oja (default) or bcm
//   eta        learning rate, > 0 (default 1e-3), in units of W / (x y) per update
//   tau_theta  bcm only: time constant of the threshold, >= 1 update (default 100)
//   theta0     bcm only: initial threshold, >= 0 (default 0), in units of y^2
// State: theta_i (bcm), one per output, recorded as "theta".
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "models/dnn/dense.hpp"
#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

enum class RateRule { hebb, oja, bcm };

std::string_view rate_rule_name(RateRule rule);
// "hebb", "oja" or "bcm"; anything else is a ConfigError with the value and the allowed names.
RateRule parse_rate_rule(std::string_view name);

class RateLearning {
 public:
  struct Params {
    RateRule rule = RateRule::oja;
    double eta = 1e-3;
    double tau_theta = 100.0;
    double theta0 = 0.0;
  };

  RateLearning(const Params& params, std::size_t outputs);

  // One update of W (out x in, out = y.size(), in = x.size()) from this update's x and y.
  void update(std::span<double> weights, std::span<const double> x, std::span<const double> y);

  const Params& params() const { return params_; }
  std::span<const double> theta() const { return theta_; }
  void reset();  // theta back to theta0
  // Checkpoints: theta, one value per output.
  void save_state(const StateSection& out) const { out.write("theta", theta_); }
  void load_state(const StateSource& in) { in.read("theta", theta_); }

 private:
  Params params_;
  std::vector<double> theta_;
};

// learning_dense: a dense layer whose weights learn by a RateLearning rule after every
// forward (y = phi(W x + b), then W changes; the returned y is the one before the change).
class LearningDense final : public Module {
 public:
  LearningDense(Dense layer, const RateLearning::Params& params);

  std::string_view kind() const override { return "learning_dense"; }
  std::size_t input_size() const override { return layer_.input_size(); }
  std::size_t output_size() const override { return layer_.output_size(); }
  void forward(std::span<const double> x, std::span<double> y) override;
  // Resets the rule's state (theta); the learned weights are kept.
  void reset() override { rule_.reset(); }
  // Checkpoints: the learned weights (the bias does not learn) and the rule's theta.
  void save_state(const StateSection& out) const override {
    out.write("weights", layer_.weights());
    rule_.save_state(out.section("rule"));
  }
  void load_state(const StateSource& in) override {
    in.read("weights", layer_.weights());
    rule_.load_state(in.section("rule"));
  }

  // Learning can be paused (e.g. to test a trained layer); it is on after construction.
  void set_learning(bool on) { learning_ = on; }
  bool learning() const { return learning_; }
  const Dense& layer() const { return layer_; }
  Dense& layer() { return layer_; }
  const RateLearning& rule() const { return rule_; }

 private:
  Dense layer_;
  RateLearning rule_;
  bool learning_ = true;
};

}  // namespace spikeflow::dnn
