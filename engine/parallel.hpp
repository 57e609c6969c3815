// The worker threads that run a window's phases over partitions.
//
// Every parallel phase of the engine (connection generation, update, delivery) is "run f
// for each partition of a range"; the partitions share nothing writable, so the only
// requirement on the pool is that every call has finished when for_each returns. Keeping
// that one entry point here lets the engine change how threads are made without touching the
// window loop:
// - by default a oneTBB task arena of `threads` workers;
// - in builds with SPIKEFLOW_THREADS=std (the default of ThreadSanitizer builds,
//   CMakeLists.txt), threads - 1 persistent std::threads and the calling thread, handing
//   work over through a mutex and condition variables that ThreadSanitizer can see (it
//   cannot see the synchronisation inside an uninstrumented libtbb.so);
// - with one thread, or one partition to run, a plain loop on the calling thread (a TBB
//   dispatch costs microseconds, which a one-step window such as CUBA's pays every step).
#pragma once

#include <functional>
#include <memory>

namespace spikeflow {

class PartitionPool {
 public:
  // threads >= 1. More threads than cores is allowed (tests run 8 threads on 2 cores).
  explicit PartitionPool(int threads);
  ~PartitionPool();
  PartitionPool(const PartitionPool&) = delete;
  PartitionPool& operator=(const PartitionPool&) = delete;

  int threads() const { return threads_; }
  // "oneTBB" or "std::thread": the backend this build was made with (SPIKEFLOW_THREADS).
  static const char* backend_name();

  // Calls f(p) once for every p in [begin, end), in parallel; returns when all have
  // returned. An exception thrown by f reaches the caller (the first one, if several
  // partitions throw; partitions not started by then may be skipped). f must not call
  // for_each of the same pool.
  void for_each(int begin, int end, const std::function<void(int)>& f);

 private:
  struct Backend;
  int threads_;
  std::unique_ptr<Backend> backend_;
};

// The number of hardware threads this process may use (the default thread count).
int hardware_threads();

}  // namespace spikeflow
