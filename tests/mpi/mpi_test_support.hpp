// Shared by the MPI engine tests (tests/mpi): the world communicator of the running job.
#pragma once

#include "engine/comm.hpp"

namespace spikeflow::test {

Communicator& world();

}  // namespace spikeflow::test
