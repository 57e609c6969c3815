#include "engine/parallel.hpp"

#include <algorithm>

#if defined(SPIKEFLOW_STD_THREADS)
#include <sched.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>
#else
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#endif

namespace spikeflow {

#if defined(SPIKEFLOW_STD_THREADS)

// The std::thread backend (SPIKEFLOW_THREADS=std, the default of ThreadSanitizer builds).
// Every hand-off between threads goes through one mutex and two condition variables in this
// file, so ThreadSanitizer, which cannot see the synchronisation inside an uninstrumented
// libtbb.so, sees every happens-before edge the engine relies on. Not tuned for speed: one
// lock per partition claimed. Release builds use oneTBB.

const char* PartitionPool::backend_name() {
  return "std::thread";
}

int hardware_threads() {
  // The CPUs this process may run on (as oneTBB counts them), not all of the machine's.
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// threads - 1 persistent workers; the calling thread of run() is the last one. A job is a
// range of partitions claimed one at a time under the mutex by whoever is free.
struct PartitionPool::Backend {
  explicit Backend(int threads) {
    workers.reserve(static_cast<std::size_t>(threads - 1));
    for (int i = 0; i < threads - 1; ++i) workers.emplace_back([this] { work(); });
  }

  ~Backend() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    job_posted.notify_all();
    for (auto& w : workers) w.join();
  }

  void run(int begin, int end, const std::function<void(int)>& f) {
    std::unique_lock lock(mutex);
    job = &f;
    next = begin;
    last = end;
    unfinished = end - begin;
    error = nullptr;
    ++generation;
    job_posted.notify_all();
    claim_until_done(lock);
    job_finished.wait(lock, [this] { return unfinished == 0; });
    job = nullptr;
    if (error) std::rethrow_exception(std::exchange(error, nullptr));
  }

 private:
  void work() {
    std::unique_lock lock(mutex);
    std::uint64_t seen = 0;
    for (;;) {
      job_posted.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation;
      claim_until_done(lock);
    }
  }

  // Runs partitions of the posted job until none is left to claim; `lock` is held on entry
  // and on return, released while f runs.
  void claim_until_done(std::unique_lock<std::mutex>& lock) {
    while (next < last) {
      const int p = next++;
      const std::function<void(int)>& f = *job;
      lock.unlock();
      std::exception_ptr thrown;
      try {
        f(p);
      } catch (...) {
        thrown = std::current_exception();
      }
      lock.lock();
      if (thrown && !error) {
        // The first exception wins and the partitions not yet claimed are skipped, as a
        // cancelled tbb::parallel_for would.
        error = thrown;
        unfinished -= last - next;
        next = last;
      }
      if (--unfinished == 0) job_finished.notify_one();
    }
  }

  std::mutex mutex;
  std::condition_variable job_posted;    // workers wait here for a job (or for stopping)
  std::condition_variable job_finished;  // run() waits here for the job's last partition
  // Guarded by `mutex`:
  std::uint64_t generation = 0;  // counts the jobs posted; a worker runs each at most once
  bool stopping = false;
  const std::function<void(int)>* job = nullptr;
  int next = 0;        // the next partition to claim
  int last = 0;        // one past the job's last partition
  int unfinished = 0;  // partitions of the job not yet returned (or skipped)
  std::exception_ptr error;
  std::vector<std::thread> workers;
};

#else

const char* PartitionPool::backend_name() {
  return "oneTBB";
}

int hardware_threads() {
  return std::max(1, tbb::info::default_concurrency());
}

struct PartitionPool::Backend {
  // More threads than cores: TBB needs its worker limit raised, or it warns and runs with
  // fewer.
  explicit Backend(int threads)
      : oversubscription(threads > tbb::info::default_concurrency()
                             ? std::make_unique<tbb::global_control>(
                                   tbb::global_control::max_allowed_parallelism,
                                   static_cast<std::size_t>(threads))
                             : nullptr),
        arena(threads) {}

  void run(int begin, int end, const std::function<void(int)>& f) {
    arena.execute([&] { tbb::parallel_for(begin, end, [&](int p) { f(p); }); });
  }

  std::unique_ptr<tbb::global_control> oversubscription;
  tbb::task_arena arena;
};

#endif

PartitionPool::PartitionPool(int threads)
    : threads_(threads), backend_(std::make_unique<Backend>(threads)) {}

PartitionPool::~PartitionPool() = default;

void PartitionPool::for_each(int begin, int end, const std::function<void(int)>& f) {
  if (end <= begin) return;
  if (threads_ == 1 || end - begin == 1) {
    for (int p = begin; p < end; ++p) f(p);
    return;
  }
  backend_->run(begin, end, f);
}

}  // namespace spikeflow
