// The ranks of a distributed run as the commands see them (cli/distributed.hpp).
#include "cli/distributed.hpp"

#include "cli/commands.hpp"

#include <cstdlib>
#include <memory>
#include <vector>

#ifdef SPIKEFLOW_MPI
#include "engine/comm_mpi.hpp"
#endif

namespace spikeflow::cli {

namespace {

#ifdef SPIKEFLOW_MPI
std::unique_ptr<MpiSession> g_session;

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}
#endif

}  // namespace

void start_ranks_if_launched([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef SPIKEFLOW_MPI
  if (!g_session && launched_by_mpi()) g_session = std::make_unique<MpiSession>(argc, argv);
#endif
}

void stop_ranks() {
#ifdef SPIKEFLOW_MPI
  g_session.reset();
#endif
}

Communicator& ranks() {
#ifdef SPIKEFLOW_MPI
  if (g_session) return g_session->world();
#endif
  return single_process();
}

void abort_all_ranks([[maybe_unused]] int code) {
#ifdef SPIKEFLOW_MPI
  if (g_session && g_session->world().size() > 1) g_session->abort(code);
#endif
}

void agree_on_setup(const std::function<void()>& setup) {
  std::uint64_t code = 0;
  std::string message;
  std::exception_ptr error;
  try {
    setup();
  } catch (...) {
    error = std::current_exception();
    code = static_cast<std::uint64_t>(exit_code_of(error, message));
  }
  Communicator& comm = ranks();
  if (comm.size() == 1) {
    if (error) std::rethrow_exception(error);
    return;
  }
  const std::vector<std::uint64_t> codes = allgather_value(comm, code);
  int first_failed = -1;
  for (int r = 0; r < comm.size() && first_failed < 0; ++r)
    if (codes[static_cast<std::size_t>(r)] != 0) first_failed = r;
  if (first_failed < 0) return;
  const int exit_code = static_cast<int>(codes[static_cast<std::size_t>(first_failed)]);
  throw AgreedFailure(exit_code, comm.rank() == first_failed, message);
}

}  // namespace spikeflow::cli
