// A DNN-equivalent module: a deterministic map from an input vector to an output vector,
// evaluated once per adapter update. Recurrent cells keep their hidden state between calls.
//
// Modules know nothing of time or spikes; the engine's adapter population (models/adapter)
// wraps a module so it sits in a network beside spiking populations.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace spikeflow::dnn {

class Module {
 public:
  virtual ~Module() = default;
  // The name a user types, e.g. "dense", "conv2d", "lstm".
  virtual std::string_view kind() const = 0;
  virtual std::size_t input_size() const = 0;
  virtual std::size_t output_size() const = 0;
  // One evaluation: reads x (input_size values), writes y (output_size values).
  virtual void forward(std::span<const double> x, std::span<double> y) = 0;
  // Clears any hidden state (recurrent cells); stateless modules do nothing.
  virtual void reset() {}
};

}  // namespace spikeflow::dnn
