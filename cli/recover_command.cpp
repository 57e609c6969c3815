// `spikeflow recover FILE.h5`: makes the file of a killed run readable again (clears the
// writer's flag, trims every dataset to its last consistent length) and reports what it did.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "io/hdf5_writer.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kRecoverOptions = {
    {"help", 'h', "", "this text"},
};

constexpr const char* kRecoverUsage =
    "usage: spikeflow recover FILE.h5\n"
    "\n"
    "Makes the file of a run that was killed (SIGKILL, power loss, out of memory) open\n"
    "normally again: clears the 'open for write' flag and trims every spike population,\n"
    "trace and weight recording to the lengths of its last completed flush, so the file\n"
    "holds every spike up to there. Safe to run twice; changes nothing in a complete file.\n"
    "Never run it on a file that is still being written.\n"
    "\n"
    "options:\n";

}  // namespace

int recover_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kRecoverOptions, "recover");
  if (args.has("help")) {
    std::printf("%s%s", kRecoverUsage, format_options(kRecoverOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "recover: missing the file (usage: spikeflow recover FILE.h5)"
                         : "recover: expected one file, got " +
                               std::to_string(args.positionals.size()) + " arguments");
  const std::filesystem::path path = args.positionals.front();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw IoFailure("cannot recover '" + path.string() + "': no such file");

  std::string report;
  try {
    report = io::recover_file(path);
  } catch (const std::exception& e) {
    throw IoFailure(e.what());
  }
  std::printf("%s", report.c_str());
  if (!report.empty() && report.back() != '\n') std::printf("\n");
  return kExitOk;
}

}  // namespace spikeflow::cli
