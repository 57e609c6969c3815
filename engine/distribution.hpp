// Values that are either constant or drawn per neuron or per synapse: weights, delays,
// initial states.
//
//   Distribution::constant(87.8)
//   Distribution::uniform(-60, -50)
//   Distribution::normal(87.8, 8.78).clipped_to_sign()     // redraw until the sign matches
//   Distribution::normal(1.5, 0.75).bounded(0.1, inf)      // redraw outside [0.1, inf)
//   Distribution::lognormal(mu, sigma)                      // exp(normal(mu, sigma))
//
// Bounds are applied by redrawing (as NEST's `redraw`), so a bounded normal is a truncated
// normal, not a normal with mass piled on the bound. A bound that leaves a vanishing
// probability would loop for ever; sampling gives up after 1000 redraws with an error.
#pragma once

#include <limits>
#include <string>

#include "engine/random.hpp"

namespace spikeflow {

class Distribution {
 public:
  enum class Kind { constant, uniform, normal, lognormal };

  static Distribution constant(double value);
  static Distribution uniform(double low, double high);
  static Distribution normal(double mean, double sd);
  static Distribution lognormal(double mu, double sigma);

  // Keep draws within [low, high] by redrawing.
  Distribution bounded(double low, double high) const;
  // Keep draws on the side of zero the mean is on (weights that must stay excitatory or
  // inhibitory). For a mean of 0 this is an error.
  Distribution clipped_to_sign() const;

  Kind kind() const { return kind_; }
  bool is_constant() const { return kind_ == Kind::constant; }
  double a() const { return a_; }  // value, low, mean or mu
  double b() const { return b_; }  // unused, high, sd or sigma
  double low() const { return low_; }
  double high() const { return high_; }
  // Smallest and largest value a draw can take.
  double min_value() const;
  double max_value() const;
  double mean_hint() const;  // the value that describes it in a summary

  double sample(RandomStream& stream) const;
  std::string describe() const;

 private:
  Distribution(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  double draw_unbounded(RandomStream& stream) const;

  Kind kind_;
  double a_;
  double b_;
  double low_ = -std::numeric_limits<double>::infinity();
  double high_ = std::numeric_limits<double>::infinity();
};

}  // namespace spikeflow
