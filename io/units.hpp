// Values with units in model files: "20 ms", "0.2 s", "87.8 pA", "1 nA", "5 Hz".
//
//   double tau = parse_quantity("0.2 s", Dimension::time);   // 200 (ms)
//   parse_quantity("5 pA", Dimension::time);   // throws UnitError:
//     expected a time in ms, got "5 pA" (a current)
//
// Every quantity is converted to spikeflow's unit of its dimension (DESIGN.md): ms, mV, pA,
// pF, nS, Hz. A string is a number, optional spaces, and a unit symbol; the symbols are
// case-sensitive ("ms" is milliseconds, "Ms" is unknown). Micro is written "u" or "µ".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"

namespace spikeflow::io {

enum class Dimension { dimensionless, time, voltage, current, capacitance, conductance, rate };

// A unit symbol or a quantity string that cannot be read, or one of the wrong dimension.
// The message names the text and what was expected; the model-file loader prefixes the
// location and the key.
class UnitError : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// "ms", "mV", ... ; "" for dimensionless.
const char* base_unit(Dimension d);
// "a time", "a voltage", ... ; "a plain number" for dimensionless.
const char* dimension_name(Dimension d);
// The unit symbols of a dimension in increasing size, e.g. {"us", "ms", "s"}.
std::vector<std::string> unit_symbols(Dimension d);

// The value of `text` (number and unit) in the base unit of `expected`. A plain number in a
// string ("20") is taken in the base unit. Throws UnitError.
double parse_quantity(std::string_view text, Dimension expected);

}  // namespace spikeflow::io
