// Inputs attached to a population (engine/input.hpp): Poisson drive, DC and step currents.
//
// poisson: every target neuron receives its own Poisson spike train of `rate` Hz; each
//   input spike adds `weight` (the target model's weight unit) in the step it falls in.
//   The count per neuron and step is drawn directly (Poisson with mean rate * dt), from the
//   stream (seed, poisson_input, input, neuron id, step): independent across neurons, the
//   same for any thread or partition count. Active during steps [start, stop).
// dc: a constant current `amplitude` pA into every target neuron during [start, stop) ms.
// step_current: piecewise constant current: amplitudes[k] pA from times[k] until
//   times[k + 1] (the last one for ever); times increasing, on the grid; 0 before times[0].
#pragma once

#include <limits>
#include <memory>
#include <vector>

#include "engine/input.hpp"

namespace spikeflow::models {

inline constexpr double kForever = std::numeric_limits<double>::infinity();

struct PoissonParams {
  double rate = 0.0;    // Hz, >= 0
  double weight = 1.0;  // model weight unit
  double start = 0.0;   // ms
  double stop = kForever;
};

struct DcParams {
  double amplitude = 0.0;  // pA
  double start = 0.0;      // ms
  double stop = kForever;  // ms
};

struct StepCurrentParams {
  std::vector<double> times;       // ms
  std::vector<double> amplitudes;  // pA
};

std::unique_ptr<Input> make_poisson_input(const PoissonParams& params);
std::unique_ptr<Input> make_dc_input(const DcParams& params);
std::unique_ptr<Input> make_step_current_input(const StepCurrentParams& params);

// The parameters of an input made by make_poisson_input / make_dc_input; nullptr for an
// input of another kind.
const PoissonParams* poisson_params(const Input& input);
const DcParams* dc_params(const Input& input);

}  // namespace spikeflow::models
