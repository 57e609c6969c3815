// The Catch2 runner of the MPI engine tests: every rank runs every test case, in the same
// order, so the collectives inside them match. Run under mpirun (tests/CMakeLists.txt).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "engine/comm_mpi.hpp"
#include "mpi_test_support.hpp"

namespace {
spikeflow::MpiSession* g_session = nullptr;
}

spikeflow::Communicator& spikeflow::test::world() {
  return g_session->world();
}

int main(int argc, char** argv) {
  spikeflow::MpiSession session(argc, argv);
  g_session = &session;
  const int failed = Catch::Session().run(argc, argv);
  // One rank's failure fails the whole test: every rank exits with the worst result.
  const auto worst = spikeflow::allreduce_max(session.world(), static_cast<std::uint64_t>(failed));
  return worst == 0 ? 0 : 1;
}
