// Numerical faults: finding a state value that is NaN or infinite.
//
// The engine checks every state variable of every neuron at the end of a window once
// kNumericalCheckSteps steps have passed since the last check (and at the end of every
// run()), so a run whose state overflows stops with the population, neuron, variable and
// time instead of recording nonsense for hours. The scan tests the exponent bits with
// integer operations, which GCC vectorises (std::isfinite in a loop it does not; the loop is
// cloned for AVX2 and AVX-512), and locates the neuron only in the rare block that holds one.
//
// Why not every window: with one-step windows (CUBA, delay = dt) a scan of the three state
// arrays per step cost 40% of the simulation time; every 20 steps it is about 2% (1%
// since the scan is cloned: N1 for 1 s, 24.3 -> 9.3 million instructions under callgrind).
// Shortcoming: a value that is infinite only within a step (V_m = inf makes the neuron spike
// and be reset) or only between two checks is not seen; the variables that carry a fault
// on (synaptic currents, a V_m of NaN, which never crosses threshold) are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/error.hpp"
#include "engine/time.hpp"

namespace spikeflow {

// Steps between two checks at least (at window ends, so windows longer than this are
// checked at every end).
inline constexpr Step kNumericalCheckSteps = 20;

// The index of the first value in x[begin, end) that is NaN or +-infinity, or `end`.
std::size_t first_non_finite(const double* x, std::size_t begin, std::size_t end);

// A state value found NaN or infinite at the end of a window. Ordered so that the smallest
// fault over all partitions is the same whatever the partitioning: by population, neuron,
// then the variable's position in the model's state_names().
struct NumericalFault {
  bool found = false;
  std::uint32_t population = 0;
  std::uint32_t neuron = 0;
  std::uint32_t variable = 0;
  double value = 0.0;

  bool before(const NumericalFault& o) const {
    if (!o.found) return found;
    if (!found) return false;
    if (population != o.population) return population < o.population;
    if (neuron != o.neuron) return neuron < o.neuron;
    return variable < o.variable;
  }
};

// The run cannot go on: a state variable is NaN or infinite. The message names the
// population, neuron, variable, value and the window in which it happened.
class NumericalFaultError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

}  // namespace spikeflow
