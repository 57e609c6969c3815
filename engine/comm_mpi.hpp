// The MPI communicator (engine/comm.hpp), built only with -DSPIKEFLOW_MPI=ON.
//
//   int main(int argc, char** argv) {
//     spikeflow::MpiSession mpi(argc, argv);          // MPI_Init_thread ... MPI_Finalize
//     spikeflow::Network net({.comm = &mpi.world()});
//
// MPI is initialised with MPI_THREAD_FUNNELED: only the thread that runs the window loop
// calls MPI; the partition tasks (oneTBB workers) never do.
#pragma once

#include <memory>

#include "engine/comm.hpp"

namespace spikeflow {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  Communicator& world();
  // Ends every rank of the job with `code` (MPI_Abort): the way out when one rank fails
  // while the others wait in a collective.
  [[noreturn]] void abort(int code);

 private:
  struct World;
  std::unique_ptr<World> world_;
};

}  // namespace spikeflow
