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

SetupDigest& SetupDigest::add(std::string_view text) {
  add(static_cast<std::uint64_t>(text.size()));
  mix(text.data(), text.size());
  return *this;
}

SetupDigest& SetupDigest::add(double value) {
  mix(&value, sizeof value);
  return *this;
}

SetupDigest& SetupDigest::add(std::uint64_t value) {
  mix(&value, sizeof value);
  return *this;
}

void SetupDigest::mix(const void* bytes, std::size_t count) {
  const auto* byte = static_cast<const unsigned char*>(bytes);
  for (std::size_t i = 0; i < count; ++i) {
    hash_ ^= byte[i];
    hash_ *= 1099511628211ull;  // FNV-1a 64 prime
  }
}

namespace {

// What each rank contributes to the one collective of agree_on_setup.
struct SetupOutcome {
  std::uint64_t code;    // exit code of the setup's failure; 0: it succeeded
  std::uint64_t digest;  // SetupDigest of what was loaded (0 if it failed or none is asked)
};

// The first rank whose setup failed, or -1.
int first_failed_rank(const std::vector<SetupOutcome>& outcomes) {
  for (std::size_t r = 0; r < outcomes.size(); ++r)
    if (outcomes[r].code != 0) return static_cast<int>(r);
  return -1;
}

// The first rank whose digest differs from rank 0's, or -1.
int first_differing_rank(const std::vector<SetupOutcome>& outcomes) {
  for (std::size_t r = 1; r < outcomes.size(); ++r)
    if (outcomes[r].digest != outcomes[0].digest) return static_cast<int>(r);
  return -1;
}

}  // namespace

void agree_on_setup(const std::function<void()>& setup,
                    const std::function<std::uint64_t()>& digest) {
  SetupOutcome mine{0, 0};
  std::string message;
  std::exception_ptr error;
  try {
    setup();
    if (digest) mine.digest = digest();
  } catch (...) {
    error = std::current_exception();
    mine.code = static_cast<std::uint64_t>(exit_code_of(error, message));
  }
  Communicator& comm = ranks();
  if (comm.size() == 1) {
    if (error) std::rethrow_exception(error);
    return;
  }
  const std::vector<SetupOutcome> outcomes = allgather_value(comm, mine);
  if (const int failed = first_failed_rank(outcomes); failed >= 0) {
    const int exit_code = static_cast<int>(outcomes[static_cast<std::size_t>(failed)].code);
    throw AgreedFailure(exit_code, comm.rank() == failed, message);
  }
  if (const int differing = first_differing_rank(outcomes); differing >= 0)
    throw AgreedFailure(kExitModelError, comm.rank() == 0,
                        "the ranks loaded different models or options (rank " +
                            std::to_string(differing) +
                            " differs from rank 0): every rank must read the same model file "
                            "and options");
}

}  // namespace spikeflow::cli
