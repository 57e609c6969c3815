// A small command-line parser for the subcommands of `spikeflow`: long options
// (`--threads 4`, `--threads=4`), short aliases (`-o out.h5`), repeatable options
// (`--set a=1 --set b=2`), flags without a value, positionals, and `--` to end the options.
//
//   const std::vector<OptionSpec> specs = {
//       {"output", 'o', "FILE", "where to write the recording"},
//       {"quiet", 'q', "", "no progress and no summary"},
//   };
//   ParsedArgs args = parse_args(argv_after_command, specs);   // throws UsageError
//   if (args.has("quiet")) ...
//   std::optional<std::string> out = args.last("output");
//
// A misspelt option is an error naming it, never silently a positional:
//   unknown option '--thread' for 'spikeflow run' (see 'spikeflow run --help')
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace spikeflow::cli {

// The command line is wrong: unknown command or option, missing or malformed value.
// Exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::string name;        // long name without the dashes: "threads"
  char short_name = 0;     // 0: none
  std::string value_name;  // empty: a flag that takes no value
  std::string help;
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> values;  // flags hold one empty string

  bool has(const std::string& name) const { return values.count(name) != 0; }
  // The last value given for an option (a later one overrides an earlier one).
  std::optional<std::string> last(const std::string& name) const;
  // Every value of a repeatable option, in command-line order.
  std::vector<std::string> all(const std::string& name) const;
};

// Parses `args` (the words after the subcommand). `command` names the subcommand in errors.
ParsedArgs parse_args(std::span<const std::string> args, std::span<const OptionSpec> specs,
                      const std::string& command);

// The option table of a --help text, one option a line, descriptions aligned.
std::string format_options(std::span<const OptionSpec> specs);

// Typed values of options; errors name the option and the value:
//   option --threads: expected an integer >= 0, got 'four'
std::int64_t parse_integer(const std::string& option, const std::string& text, std::int64_t min,
                           std::int64_t max);
std::uint64_t parse_unsigned(const std::string& option, const std::string& text);
double parse_positive_double(const std::string& option, const std::string& text);
// A finite number in a range, each end open or closed; the message states the range:
//   option --initial-v: expected a number in [0, 1), got '-3'
//   option --from: expected a number >= 0, got '-100'        (max = infinity)
struct NumberRange {
  double min = 0.0, max = 0.0;
  bool min_included = true, max_included = true;
};
double parse_number_in(const std::string& option, const std::string& text,
                       const NumberRange& range);

}  // namespace spikeflow::cli
