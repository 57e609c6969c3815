// Pointwise activation functions phi of the DNN-equivalent modules.
//
//   identity  phi(u) = u
//   relu      phi(u) = max(u, 0)
//   sigmoid   phi(u) = 1 / (1 + exp(-u)), evaluated as exp(u) / (1 + exp(u)) for u < 0 so
//             that exp never overflows
//   tanh      phi(u) = tanh(u)
#pragma once

#include <cmath>
#include <span>
#include <string>
#include <string_view>

namespace spikeflow::dnn {

enum class Activation { identity, relu, sigmoid, tanh };

inline double sigmoid(double u) {
  if (u >= 0.0) return 1.0 / (1.0 + std::exp(-u));
  const double e = std::exp(u);
  return e / (1.0 + e);
}

inline double apply(Activation phi, double u) {
  switch (phi) {
    case Activation::identity:
      return u;
    case Activation::relu:
      return u > 0.0 ? u : 0.0;
    case Activation::sigmoid:
      return sigmoid(u);
    case Activation::tanh:
      return std::tanh(u);
  }
  return u;
}

inline void apply(Activation phi, std::span<double> values) {
  if (phi == Activation::identity) return;
  for (double& v : values) v = apply(phi, v);
}

std::string_view activation_name(Activation phi);
// "identity", "relu", "sigmoid" or "tanh"; anything else is a ConfigError naming `what`
// (e.g. "dense 'l1': activation"), the value and the allowed names.
Activation parse_activation(std::string_view name, std::string_view what = "activation");

}  // namespace spikeflow::dnn
