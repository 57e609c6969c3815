// The MPI communicator (engine/comm_mpi.hpp): the collectives of engine/comm.hpp on
// MPI_COMM_WORLD, through the MPI C API.
#include "engine/comm_mpi.hpp"

// The C API only: OpenMPI's and MPICH's mpi.h pull in the deprecated C++ bindings otherwise,
// which need a library this build does not link.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <numeric>

#include "engine/error.hpp"

namespace spikeflow {

namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw RuntimeError(concat("MPI ", what, " failed: ", text));
}

int as_count(std::size_t bytes, const char* what) {
  if (bytes > static_cast<std::size_t>(INT_MAX))
    throw RuntimeError(concat("MPI ", what, ": ", bytes,
                              " bytes from one rank; at most 2^31 - 1 bytes per rank and call"));
  return static_cast<int>(bytes);
}

// Displacements of `counts`, which must add up to at most INT_MAX (MPI's limit).
std::vector<int> displacements(const std::vector<int>& counts, const char* what) {
  std::vector<int> displ(counts.size(), 0);
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displ[r] = as_count(total, what);
    total += static_cast<std::size_t>(counts[r]);
  }
  as_count(total, what);
  return displ;
}

}  // namespace

struct MpiSession::World final : Communicator {
  int rank_ = 0;
  int size_ = 1;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allgather(std::span<const std::byte> local, std::span<std::byte> all) override {
    const int n = as_count(local.size(), "allgather");
    check(MPI_Allgather(local.data(), n, MPI_BYTE, all.data(), n, MPI_BYTE, MPI_COMM_WORLD),
          "allgather");
  }

  void allgatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
                  std::vector<std::size_t>& counts) override {
    const int n = as_count(local.size(), "allgatherv");
    std::vector<int> sizes(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD), "allgather");
    const std::vector<int> displ = displacements(sizes, "allgatherv");
    all.resize(static_cast<std::size_t>(displ.back()) + static_cast<std::size_t>(sizes.back()));
    check(MPI_Allgatherv(local.data(), n, MPI_BYTE, all.data(), sizes.data(), displ.data(),
                         MPI_BYTE, MPI_COMM_WORLD),
          "allgatherv");
    counts.assign(sizes.begin(), sizes.end());
  }

  void allgatherv_known(std::span<const std::byte> local, std::span<const std::size_t> counts,
                        std::vector<std::byte>& all) override {
    std::vector<int> sizes;
    for (const std::size_t c : counts) sizes.push_back(as_count(c, "allgatherv"));
    const std::vector<int> displ = displacements(sizes, "allgatherv");
    all.resize(static_cast<std::size_t>(displ.back()) + static_cast<std::size_t>(sizes.back()));
    check(MPI_Allgatherv(local.data(), as_count(local.size(), "allgatherv"), MPI_BYTE, all.data(),
                         sizes.data(), displ.data(), MPI_BYTE, MPI_COMM_WORLD),
          "allgatherv");
  }

  void gatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
               std::vector<std::size_t>& counts) override {
    const int n = as_count(local.size(), "gatherv");
    std::vector<int> sizes(static_cast<std::size_t>(size_));
    check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "gather");
    all.clear();
    counts.clear();
    std::vector<int> displ;
    if (rank_ == 0) {
      displ = displacements(sizes, "gatherv");
      all.resize(static_cast<std::size_t>(displ.back()) + static_cast<std::size_t>(sizes.back()));
      counts.assign(sizes.begin(), sizes.end());
    }
    check(MPI_Gatherv(local.data(), n, MPI_BYTE, all.data(), sizes.data(), displ.data(), MPI_BYTE,
                      0, MPI_COMM_WORLD),
          "gatherv");
  }

  void allreduce_sum(std::span<std::uint64_t> values) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), as_count(values.size(), "allreduce"),
                        MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD),
          "allreduce");
  }

  void allreduce_max(std::span<std::uint64_t> values) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), as_count(values.size(), "allreduce"),
                        MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD),
          "allreduce");
  }
};

MpiSession::MpiSession(int& argc, char**& argv) : world_(std::make_unique<World>()) {
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "initialisation");
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw RuntimeError("MPI: the library does not support MPI_THREAD_FUNNELED");
  }
  // Errors come back as codes (check() turns them into exceptions) instead of ending the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &world_->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &world_->size_);
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

Communicator& MpiSession::world() {
  return *world_;
}

void MpiSession::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; if it did, end this rank anyway
}

}  // namespace spikeflow
