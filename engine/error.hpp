// Error types of spikeflow. Every message names the object, the parameter, the offending
// value and what is allowed, in lowercase:
//   population 'exc': tau_m must be > 0 ms, got -5
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace spikeflow {

// Base of every error spikeflow throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parameter, a model description or an API call is invalid. Thrown before anything is
// changed, so the object stays as it was.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// The simulation cannot go on (for example a numerical fault).
class RuntimeError : public Error {
 public:
  using Error::Error;
};

// Concatenates the arguments with operator<< into one string.
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  out.precision(12);
  (out << ... << parts);
  return out.str();
}

}  // namespace spikeflow
