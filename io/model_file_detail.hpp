// Internal to the model-file loader (io/model_file*.cpp): where a value was written, errors
// at that place, and typed access to TOML values with units. Shared by model_file.cpp and
// the files that read one section each (model_file_weights.cpp, model_file_learning.cpp).
// Not part of the public API.
#pragma once

#include <toml.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/distribution.hpp"
#include "engine/error.hpp"
#include "engine/time.hpp"
#include "io/model_file.hpp"
#include "io/units.hpp"

namespace spikeflow::io::detail {

using Value = toml::value;

// Values given with --set are parsed from "_ = <value>" in a pseudo file of this name and
// the override's 1-based position; `where` turns that back into "--set:<n>:<column>".
inline constexpr std::string_view kOverrideFile = "--set#";
inline constexpr double kInf = std::numeric_limits<double>::infinity();

std::string join(const std::vector<std::string>& words);
// " (did you mean 'tau_m'?)" for a near miss, otherwise " (known: a, b, c)".
std::string suggestion(const std::string& word, const std::vector<std::string>& known);
std::string type_name(const Value& v);
// The value as a user wrote it, for messages.
std::string show(const Value& v);

class Context {
 public:
  std::vector<std::string> override_keys;
  LoadOptions options;

  std::string where(const Value& v) const {
    const toml::source_location loc = v.location();
    const std::string& file = loc.file_name();
    if (file.rfind(kOverrideFile, 0) == 0) {
      const std::size_t n = std::stoul(file.substr(kOverrideFile.size()));
      // The value starts at column 5 of "_ = value", at key.size() + 2 of "key=value".
      const std::size_t column =
          loc.column() >= 5 ? loc.column() - 4 + override_keys[n - 1].size() + 1 : 1;
      return concat("--set:", n, ":", column);
    }
    return concat(file, ":", loc.line(), ":", loc.column());
  }

  [[noreturn]] void fail(const Value& at, const std::string& key, const std::string& what) const {
    throw ModelFileError(concat(where(at), ": ", key, ": ", what));
  }
};
// An engine ConfigError "<object>: <param> <rest>" re-thrown at the location of <param>.
// `table` is where the parameters were written, `key` its dotted path; when the message
// names no known parameter it is reported at `fallback`.
[[noreturn]] void rethrow_at_param(const Context& ctx, const ConfigError& e, const Value* table,
                                   const std::string& key, const Value& fallback,
                                   const std::string& fallback_key);

// A table with a fixed set of known keys; an unknown key is an error naming the nearest
// known one.
class Table {
 public:
  Table(const Context& ctx, const Value& v, std::string key, std::vector<std::string> known)
      : ctx_(&ctx), value_(&v), key_(std::move(key)), known_(std::move(known)) {
    if (!v.is_table()) ctx.fail(v, key_, concat("expected a table, got ", show(v)));
    const Value* first_unknown = nullptr;
    std::string first_name;
    for (const auto& [name, child] : v.as_table()) {
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
      const auto loc = child.location();
      if (!first_unknown || std::make_pair(loc.line(), loc.column()) <
                                std::make_pair(first_unknown->location().line(),
                                               first_unknown->location().column())) {
        first_unknown = &child;
        first_name = name;
      }
    }
    if (first_unknown)
      ctx.fail(*first_unknown, child_key(first_name),
               concat("unknown key '", first_name, "'", suggestion(first_name, known_)));
  }

  const Value& value() const { return *value_; }
  const std::string& key() const { return key_; }
  std::string child_key(const std::string& name) const {
    return key_.empty() ? name : concat(key_, ".", name);
  }
  const Value* find(const std::string& name) const {
    const auto& t = value_->as_table();
    const auto it = t.find(name);
    return it == t.end() ? nullptr : &it->second;
  }
  bool has(const std::string& name) const { return find(name) != nullptr; }
  const Value& get(const std::string& name) const {
    const Value* v = find(name);
    if (!v) ctx_->fail(*value_, key_, concat("missing required key '", name, "'"));
    return *v;
  }

 private:
  const Context* ctx_;
  const Value* value_;
  std::string key_;
  std::vector<std::string> known_;
};
// A number in the base unit of `d`, or a string with a unit ("20 ms") converted to it.
double quantity(const Context& ctx, const Value& v, const std::string& key, Dimension d);
// "-5 ms" for messages: a converted value with its unit.
std::string with_unit(double x, Dimension d);
double positive(const Context& ctx, const Value& v, const std::string& key, Dimension d);
double non_negative(const Context& ctx, const Value& v, const std::string& key, Dimension d);
std::int64_t integer(const Context& ctx, const Value& v, const std::string& key);
// Names of populations and projections become HDF5 group names in the recording file.
void require_group_name(const Context& ctx, const Value& v, const std::string& key,
                        const std::string& name);
std::string string(const Context& ctx, const Value& v, const std::string& key);
bool boolean(const Context& ctx, const Value& v, const std::string& key);
const toml::array& array(const Context& ctx, const Value& v, const std::string& key);
std::vector<double> quantity_list(const Context& ctx, const Value& v, const std::string& key,
                                  Dimension d);
// A time that must be a whole number of steps of `grid`.
Step on_grid(const Context& ctx, const Value& v, const std::string& key, double ms,
             const TimeGrid& grid);
// The one name among `names` that the user typed, with a suggestion if it is none of them.
std::string choice(const Context& ctx, const Value& v, const std::string& key,
                   const std::string& what, const std::vector<std::string>& names);
// A constant (a quantity) or a table { normal = {...} } etc. with optional min, max, clip.
Distribution distribution(const Context& ctx, const Value& v, const std::string& key, Dimension d);

}  // namespace spikeflow::io::detail
