#include "cli/args.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace spikeflow::cli {

namespace {

const OptionSpec* find_long(std::span<const OptionSpec> specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
  for (const auto& s : specs)
    if (s.short_name != 0 && s.short_name == c) return &s;
  return nullptr;
}

std::string unknown_option(const std::string& word, const std::string& command) {
  return "unknown option '" + word + "' for 'spikeflow " + command + "' (see 'spikeflow " +
         command + " --help')";
}

}  // namespace

std::optional<std::string> ParsedArgs::last(const std::string& name) const {
  const auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  const auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

ParsedArgs parse_args(std::span<const std::string> args, std::span<const OptionSpec> specs,
                      const std::string& command) {
  ParsedArgs out;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (options_ended || word.size() < 2 || word[0] != '-') {
      out.positionals.push_back(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }

    // Split the word into the option it names and an attached value, if any.
    const OptionSpec* spec = nullptr;
    std::optional<std::string> attached;
    std::string shown;  // the option as the user should see it in an error
    if (word.rfind("--", 0) == 0) {
      const auto eq = word.find('=');
      const std::string name = word.substr(2, eq == std::string::npos ? eq : eq - 2);
      if (eq != std::string::npos) attached = word.substr(eq + 1);
      spec = find_long(specs, name);
      if (!spec) throw UsageError(unknown_option("--" + name, command));
      shown = "--" + name;
    } else {
      spec = find_short(specs, word[1]);
      if (!spec) throw UsageError(unknown_option(word.substr(0, 2), command));
      if (word.size() > 2) attached = word.substr(2);
      shown = word.substr(0, 2) + " (--" + spec->name + ")";
    }

    if (spec->value_name.empty()) {
      if (attached)
        throw UsageError("option " + shown + " takes no value, got '" + *attached + "'");
      out.values[spec->name].push_back("");
      continue;
    }
    if (!attached) {
      if (i + 1 >= args.size())
        throw UsageError("option " + shown + " needs a value (" + spec->value_name + ")");
      attached = args[++i];
    }
    out.values[spec->name].push_back(*attached);
  }
  return out;
}

std::string format_options(std::span<const OptionSpec> specs) {
  std::vector<std::string> heads;
  std::size_t width = 0;
  for (const auto& s : specs) {
    std::string head = s.short_name ? std::string("-") + s.short_name + ", " : "    ";
    head += "--" + s.name;
    if (!s.value_name.empty()) head += " " + s.value_name;
    width = std::max(width, head.size());
    heads.push_back(std::move(head));
  }
  std::ostringstream out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    out << "  " << heads[i] << std::string(width - heads[i].size() + 2, ' ');
    // Continuation lines of a long description line up under its first line.
    const std::string indent(width + 4, ' ');
    for (const char c : specs[i].help) {
      out << c;
      if (c == '\n') out << indent;
    }
    out << '\n';
  }
  return out.str();
}

std::int64_t parse_integer(const std::string& option, const std::string& text, std::int64_t min,
                           std::int64_t max) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    std::string range = "an integer >= " + std::to_string(min);
    if (max != INT64_MAX)
      range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    throw UsageError("option " + option + ": expected " + range + ", got '" + text + "'");
  }
  return value;
}

std::uint64_t parse_unsigned(const std::string& option, const std::string& text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end)
    throw UsageError("option " + option + ": expected an integer in [0, 2^64 - 1], got '" + text +
                     "'");
  return value;
}

double parse_positive_double(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) || !(value > 0.0))
    throw UsageError("option " + option + ": expected a number > 0, got '" + text + "'");
  return value;
}

double parse_number_in(const std::string& option, const std::string& text,
                       const NumberRange& range) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const bool above_min = range.min_included ? value >= range.min : value > range.min;
  const bool below_max = range.max_included ? value <= range.max : value < range.max;
  if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(value) && above_min &&
      below_max)
    return value;
  std::ostringstream expected;
  expected.precision(12);
  if (std::isinf(range.max))
    expected << (range.min_included ? ">= " : "> ") << range.min;
  else
    expected << "in " << (range.min_included ? '[' : '(') << range.min << ", " << range.max
             << (range.max_included ? ']' : ')');
  throw UsageError("option " + option + ": expected a number " + expected.str() + ", got '" + text +
                   "'");
}

}  // namespace spikeflow::cli
