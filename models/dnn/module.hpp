// A DNN-equivalent module: a deterministic map from an input vector to an output vector,
// evaluated once per adapter update. Recurrent cells keep their hidden state between calls.
//
// Modules know nothing of time or spikes; the engine's adapter population (models/adapter)
// wraps a module so it sits in a network beside spiking populations.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "engine/error.hpp"
#include "engine/state_io.hpp"

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
  // Checkpoints (docs/checkpoints.md): the state that carries from one forward to the next
  // (recurrent cells: h and c; learning layers: weights and thresholds), as named arrays.
  // Every module says what it saves: a stateless one overrides both with nothing. The
  // default refuses, so that a module written without checkpoints in mind makes saving
  // fail with its name instead of resuming with its state silently reset.
  virtual void save_state(const StateSection&) const {
    throw ConfigError(concat("checkpoint: module '", kind(),
                             "' cannot save its state (it implements no save_state)"));
  }
  virtual void load_state(const StateSource&) {
    throw ConfigError(concat("checkpoint: module '", kind(),
                             "' cannot load its state (it implements no load_state)"));
  }
};

}  // namespace spikeflow::dnn
