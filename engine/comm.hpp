// What the engine needs from the other processes of a distributed run (MPI ranks): a few
// collectives, each called by every rank in the same order.
//
//   Network net({.dt = 0.1, .seed = 42, .comm = &world});   // world: an MpiSession's, or none
//
// Without a communicator a Network runs in one process (single_process() below), and every
// collective returns the caller's own contribution, so the window loop is the same code for
// one process and for many. The MPI implementation (engine/comm_mpi.hpp) exists only in a
// build configured with -DSPIKEFLOW_MPI=ON.
//
// Every call is collective: all ranks make the same calls, in the same order, from the
// thread that runs the window loop (never from a partition task). A rank that stops making
// them (an exception on one rank only) leaves the others waiting; the CLI turns such a
// failure into MPI_Abort (cli/main.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace spikeflow {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // The ranks that share this rank's node (its memory), this one included.
  virtual int ranks_on_this_node() const = 0;

  // Every rank contributes `local.size()` bytes, the same count on every rank; `all`
  // (size() times as long) receives the contributions in rank order.
  virtual void allgather(std::span<const std::byte> local, std::span<std::byte> all) = 0;
  // Every rank contributes `local`; every rank receives all contributions in rank order in
  // `all`, and each rank's byte count in `counts`. Limitation: at most 2^31 - 1 bytes from
  // all ranks together in one call (MPI counts and displacements are int); the same holds
  // for allgatherv_known and gatherv.
  virtual void allgatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
                          std::vector<std::size_t>& counts) = 0;
  // As allgatherv when every rank knows every rank's byte count already (`counts`, in rank
  // order): one collective instead of two.
  virtual void allgatherv_known(std::span<const std::byte> local,
                                std::span<const std::size_t> counts,
                                std::vector<std::byte>& all) = 0;
  // As allgatherv, but only rank 0 receives; `all` and `counts` are left empty elsewhere.
  virtual void gatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
                       std::vector<std::size_t>& counts) = 0;
  // Element-wise sum or maximum over the ranks, in place on every rank.
  virtual void allreduce_sum(std::span<std::uint64_t> values) = 0;
  virtual void allreduce_max(std::span<std::uint64_t> values) = 0;
};

// The communicator of a run in one process: rank 0 of 1.
Communicator& single_process();

// --- typed helpers over the byte collectives (trivially copyable element types) ----------

template <typename T>
std::span<const std::byte> as_bytes_of(std::span<const T> values) {
  static_assert(std::is_trivially_copyable_v<T>);
  return std::as_bytes(values);
}

// Copies `bytes` (a whole number of T) into a vector of T.
template <typename T>
std::vector<T> values_of(std::span<const std::byte> bytes) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

// Every rank's `value`, in rank order.
template <typename T>
std::vector<T> allgather_value(Communicator& comm, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<std::byte> all(sizeof(T) * static_cast<std::size_t>(comm.size()));
  comm.allgather(std::as_bytes(std::span<const T>(&value, 1)), all);
  return values_of<T>(all);
}

// Per-rank byte counts as element counts of T (the counts argument of the gathers below).
template <typename T>
void element_counts(const std::vector<std::size_t>& bytes, std::vector<std::size_t>* counts) {
  if (!counts) return;
  counts->clear();
  for (const std::size_t b : bytes) counts->push_back(b / sizeof(T));
}

// Every rank's `values`, concatenated in rank order; counts (elements) per rank if asked.
template <typename T>
std::vector<T> allgatherv_values(Communicator& comm, std::span<const T> values,
                                 std::vector<std::size_t>* counts = nullptr) {
  std::vector<std::byte> all;
  std::vector<std::size_t> bytes;
  comm.allgatherv(as_bytes_of(values), all, bytes);
  element_counts<T>(bytes, counts);
  return values_of<T>(all);
}

// As allgatherv_values, received on rank 0 only (empty elsewhere).
template <typename T>
std::vector<T> gatherv_values(Communicator& comm, std::span<const T> values,
                              std::vector<std::size_t>* counts = nullptr) {
  std::vector<std::byte> all;
  std::vector<std::size_t> bytes;
  comm.gatherv(as_bytes_of(values), all, bytes);
  element_counts<T>(bytes, counts);
  return values_of<T>(all);
}

inline std::uint64_t allreduce_sum(Communicator& comm, std::uint64_t value) {
  comm.allreduce_sum(std::span<std::uint64_t>(&value, 1));
  return value;
}

inline std::uint64_t allreduce_max(Communicator& comm, std::uint64_t value) {
  comm.allreduce_max(std::span<std::uint64_t>(&value, 1));
  return value;
}

// True on every rank if `flag` is true on any.
inline bool any_rank(Communicator& comm, bool flag) {
  return allreduce_max(comm, flag ? 1 : 0) != 0;
}

}  // namespace spikeflow
