// A linear pre-scan of TOML text for over-long keys, run before the text goes to toml11.
//
// Why: toml11 3.7 (Debian's libtoml11-dev) parses a key in time quadratic in its length: a
// 100 kB key takes 5 s, a 1 MB key minutes, before the loader can refuse it as unknown. No
// model-file key is longer than a few tens of characters, so keys (bare, quoted or dotted, in
// key = value pairs, inline tables and [table] headers) longer than kMaxKeyLength are refused
// here, with their place, in one pass over the text.
//
// Known shortcoming: toml11 is also quadratic in the length of a line holding many values
// (it scans the line for comments once per value): an inline array of 100 000 numbers on
// one line takes 20 to 30 s to parse. Arrays written over several lines parse in linear
// time. Not refused here, since such a line is valid.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace spikeflow::io {

inline constexpr std::size_t kMaxKeyLength = 1024;  // characters, quotes included

struct LongKey {
  std::size_t offset = 0;  // index in the text where the key starts
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based, where the key starts
  std::size_t length = 0;  // characters scanned before giving up (> max_length)
};

// The first key of `text` longer than `max_length` characters, or nothing. Text that is not
// valid TOML is scanned as far as it goes; toml11 reports its errors afterwards.
std::optional<LongKey> find_long_key(std::string_view text, std::size_t max_length = kMaxKeyLength);

}  // namespace spikeflow::io
