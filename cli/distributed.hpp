// The ranks of `mpirun -np N spikeflow run|resume ...` as the commands see them.
//
// Started by main() for `run` and `resume` when the process was launched by an MPI launcher
// (mpirun sets OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK) in a build with SPIKEFLOW_MPI;
// otherwise the commands run in one process exactly as without MPI.
//
// Who does what: every rank loads the model, builds its share of the network and runs the
// window loop; rank 0 alone touches the output (checks, lock, recording file, checkpoints),
// prints progress and the summary. Decisions that end or split the loop (signals, a nearly
// full disk) are agreed over all ranks, so no rank waits alone in a collective.
//
// Failures: an error that every rank meets at the same point (the setup before the build,
// agreed by agree_on_setup; a numerical fault, agreed by the engine) ends every rank with its
// exit code, rank 0 printing the message. Any other error (an I/O failure of rank 0 while the
// others simulate, out of memory on one rank) ends the job through MPI_Abort, after the
// failing rank has closed what it could.
#pragma once

#include <functional>
#include <stdexcept>

#include "engine/comm.hpp"

namespace spikeflow::cli {

// Starts MPI if this build has it and a launcher started the process. Call once, first.
void start_ranks_if_launched(int& argc, char**& argv);
// Ends MPI (MPI_Finalize) if it was started; main() calls it before returning.
void stop_ranks();

// The communicator of this process: MPI_COMM_WORLD, or single_process().
Communicator& ranks();
inline bool is_root() {
  return ranks().rank() == 0;
}

// Ends every rank with `code` (MPI_Abort), or returns if there is one process only.
void abort_all_ranks(int code);

// Thrown on every rank when some rank's setup failed: main() exits with `code`; `print`
// says whether this rank prints its own message (the failing rank with the lowest number
// does, so an error met by every rank is printed once).
class AgreedFailure : public std::runtime_error {
 public:
  AgreedFailure(int code, bool print, const std::string& message)
      : std::runtime_error(message), code_(code), print_(print) {}
  int code() const { return code_; }
  bool print() const { return print_; }

 private:
  int code_;
  bool print_;
};

// Runs `setup` on every rank and agrees on its outcome: returns normally on every rank if it
// succeeded everywhere, else throws AgreedFailure on every rank (with one process: rethrows
// what setup threw).
void agree_on_setup(const std::function<void()>& setup);

}  // namespace spikeflow::cli
