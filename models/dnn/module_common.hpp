// Helpers shared by the DNN-equivalent modules (not part of the module interface).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "engine/error.hpp"

namespace spikeflow::dnn::detail {

// A forward call with spans of the wrong length is a programming error of the caller; it is
// reported as a ConfigError naming the module kind and both lengths.
inline void check_spans(std::string_view kind, std::size_t in_expected, std::size_t in_got,
                        std::size_t out_expected, std::size_t out_got) {
  if (in_got != in_expected)
    throw ConfigError(
        concat(kind, ": forward input has ", in_got, " values, expected ", in_expected));
  if (out_got != out_expected)
    throw ConfigError(concat(kind, ": forward output has room for ", out_got, " values, expected ",
                             out_expected));
}

// A tensor given to a constructor must have the size its shape implies.
inline void check_tensor(std::string_view kind, std::string_view name, std::size_t expected,
                         std::size_t got) {
  if (got != expected)
    throw ConfigError(concat(kind, ": ", name, " has ", got, " values, expected ", expected));
}

}  // namespace spikeflow::dnn::detail
