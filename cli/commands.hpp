// The subcommands of `spikeflow` and the exit codes they share.
//
// Each command receives the words after its name and the whole command line (for the
// provenance of what it writes), prints its own --help, and throws on failure; main()
// turns every exception into one `spikeflow: error: <message>` line and an exit code.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace spikeflow::cli {

// Exit codes, documented in `spikeflow --help` and cli/README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitModelError = 1,      // the model file or a --set value is invalid
  kExitUsage = 2,           // unknown command or option, malformed option value
  kExitIo = 3,              // output not writable, HDF5 failure, unreadable input file
  kExitRuntime = 4,         // the simulation failed (out of memory)
  kExitNumericalFault = 5,  // a state variable became NaN or infinite; the file is closed
  kExitDiskFull = 6,        // the output's filesystem is nearly full; the file is closed
  kExitSigint = 130,        // stopped by SIGINT; the file is closed and valid
  kExitSigterm = 143,       // stopped by SIGTERM; the file is closed and valid
};

// An input or output file cannot be read or written. Exit code 3.
class IoFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The output's filesystem has less free space than a run keeps (kDiskMarginBytes,
// cli/disk_space.hpp): refused before the build. Exit code 6, as for a run stopped by it.
class DiskFull : public IoFailure {
 public:
  using IoFailure::IoFailure;
};

// The memory a build may still take, in bytes: MemAvailable of /proc/meminfo, or less if
// an address-space limit (ulimit -v) leaves less room above what the process already maps;
// 0 if neither can be read (cli/run_command.cpp).
double available_memory_bytes();
// Its parts: the node's MemAvailable, and the room ulimit -v leaves this process (0: none).
double node_available_memory_bytes();
double process_memory_room_bytes();

// The exit code of an exception a command threw, and the message to print (cli/main.cpp).
int exit_code_of(std::exception_ptr error, std::string& message);

int run_command(const std::vector<std::string>& args, const std::string& command_line);
int resume_command(const std::vector<std::string>& args, const std::string& command_line);
int validate_command(const std::vector<std::string>& args);
int inspect_command(const std::vector<std::string>& args);
int recover_command(const std::vector<std::string>& args);
int meanfield_command(const std::vector<std::string>& args);
int compare_command(const std::vector<std::string>& args);
int convert_command(const std::vector<std::string>& args);

}  // namespace spikeflow::cli
