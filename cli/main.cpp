// `spikeflow`: run, validate and inspect simulations described by model files.
//
//   spikeflow run examples/cuba.toml -o cuba.h5 --threads 2
//   spikeflow validate examples/brunel.toml --set simulation.duration=2000
//   spikeflow inspect cuba.h5
//   spikeflow recover killed.h5
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/distributed.hpp"
#include "engine/error.hpp"
#include "engine/numerical_check.hpp"
#include "io/version.hpp"

namespace {

using namespace spikeflow;
using namespace spikeflow::cli;

constexpr const char* kHelp = R"(usage: spikeflow <command> [options]

Simulates spiking neural networks described by model files (TOML) and records the
results to HDF5 files in the SONATA layout.

commands:
  run MODEL.toml       build the network, simulate it, write the recording (-o OUT.h5)
  resume CKPT.h5       continue a run from its checkpoint (run --checkpoint-every MS)
  validate MODEL.toml  check a model file and show what it would build, without building
  inspect OUT.h5       summarise a recording: populations, spikes, rates, traces, provenance
  recover FILE.h5      make the file of a killed run readable (everything up to its last flush)
  meanfield MODEL.toml predicted stationary rates of a LIF network (mean-field, Siegert)
  compare SPK.h5 RATE.h5  spike rates of a run against a rate model's traces
  convert ANN.h5       a dense ReLU network as a spiking network: agreement, model file

options:
  -h, --help     this text; 'spikeflow <command> --help' describes a command
  -V, --version  engine version and git commit

exit codes:
  0    success
  1    model error: the model file (missing, unreadable or invalid) or a --set value
  2    usage error: unknown command or option, malformed option value
  3    I/O error: output not writable, HDF5 failure, the .h5 file of inspect/recover
       missing or not HDF5
  4    runtime error: the network does not fit in memory (see run --force), the
       simulation failed (out of memory)
  5    numerical fault: a neuron's state became NaN or infinite; the message names
       population, neuron, variable and time, the output file is closed and valid up to there
  6    the output's filesystem has less than 64 MiB free: before the build, the run is
       refused and nothing is written; during the run, it stopped there and the output
       file is closed and valid up to there
  130  interrupted by SIGINT (Ctrl-C); the output file is closed and valid up to there
  143  interrupted by SIGTERM; likewise
)";

// The command line as one string a shell would accept back, for the file's provenance.
std::string quoted_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    const std::string word = argv[i];
    if (i > 0) out += ' ';
    const bool plain =
        !word.empty() &&
        word.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%") ==
            std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

void print_error(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "spikeflow: error: %s\n", message.c_str());
}

int dispatch(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty()) {
    std::fputs(kHelp, stderr);
    return kExitUsage;
  }
  const std::string command = words.front();
  const std::vector<std::string> rest(words.begin() + 1, words.end());

  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kHelp, stdout);
    return kExitOk;
  }
  if (command == "-V" || command == "--version") {
    std::printf("spikeflow %s (commit %s)\n", std::string(io::engine_version()).c_str(),
                std::string(io::git_commit()).c_str());
    return kExitOk;
  }
  if (command == "run") return run_command(rest, quoted_command_line(argc, argv));
  if (command == "resume") return resume_command(rest, quoted_command_line(argc, argv));
  if (command == "validate") return validate_command(rest);
  if (command == "inspect") return inspect_command(rest);
  if (command == "recover") return recover_command(rest);
  if (command == "meanfield") return meanfield_command(rest);
  if (command == "compare") return compare_command(rest);
  if (command == "convert") return convert_command(rest);
  if (!command.empty() && command[0] == '-')
    throw UsageError("unknown option '" + command + "' (see 'spikeflow --help')");
  throw UsageError("unknown command '" + command +
                   "' (commands: run, resume, validate, inspect, recover; see 'spikeflow --help')");
}

}  // namespace

namespace spikeflow::cli {

int exit_code_of(std::exception_ptr error, std::string& message) {
  try {
    std::rethrow_exception(error);
  } catch (const AgreedFailure& e) {
    message = e.what();
    return e.code();
  } catch (const UsageError& e) {
    message = e.what();
    return kExitUsage;
  } catch (const ConfigError& e) {
    message = e.what();
    return kExitModelError;
  } catch (const DiskFull& e) {
    message = e.what();
    return kExitDiskFull;
  } catch (const IoFailure& e) {
    message = e.what();
    return kExitIo;
  } catch (const NumericalFaultError& e) {
    message = e.what();
    return kExitNumericalFault;
  } catch (const std::bad_alloc&) {
    message = "out of memory";
    return kExitRuntime;
  } catch (const std::exception& e) {
    message = e.what();
    return kExitRuntime;
  }
}

}  // namespace spikeflow::cli

int main(int argc, char** argv) {
  // MPI for the commands that simulate, when a launcher started this process.
  const std::string command = argc > 1 ? argv[1] : "";
  int code = kExitOk;
  try {
    if (command == "run" || command == "resume") start_ranks_if_launched(argc, argv);
    code = dispatch(argc, argv);
  } catch (...) {
    const std::exception_ptr error = std::current_exception();
    std::string message;
    code = exit_code_of(error, message);
    // Errors every rank meets at the same point end each rank with the same code, printed
    // once; any other ends the whole job (the others may wait in a collective).
    bool uniform = false;
    bool print = true;
    try {
      std::rethrow_exception(error);
    } catch (const AgreedFailure& e) {
      uniform = true;
      print = e.print();
    } catch (const NumericalFaultError&) {
      uniform = true;
      print = is_root();
    } catch (...) {
    }
    if (print)
      print_error(ranks().size() > 1 && !is_root()
                      ? "rank " + std::to_string(ranks().rank()) + ": " + message
                      : message);
    if (!uniform) abort_all_ranks(code);
  }
  stop_ranks();
  return code;
}
