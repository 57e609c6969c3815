#include "models/dnn/activation.hpp"

#include "engine/error.hpp"

namespace spikeflow::dnn {

std::string_view activation_name(Activation phi) {
  switch (phi) {
    case Activation::identity:
      return "identity";
    case Activation::relu:
      return "relu";
    case Activation::sigmoid:
      return "sigmoid";
    case Activation::tanh:
      return "tanh";
  }
  return "identity";
}

Activation parse_activation(std::string_view name, std::string_view what) {
  for (const Activation phi :
       {Activation::identity, Activation::relu, Activation::sigmoid, Activation::tanh})
    if (name == activation_name(phi)) return phi;
  throw ConfigError(
      concat(what, " must be one of identity, relu, sigmoid, tanh, got '", std::string(name), "'"));
}

}  // namespace spikeflow::dnn
