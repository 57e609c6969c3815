// Tests of engine/parallel.hpp (PartitionPool), for whichever backend the build uses
// (oneTBB by default, std::thread in ThreadSanitizer builds, where .ci/sanitizers runs them).
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/parallel.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// How often f was called for each p in [0, size): each call writes only its own slot, as
// the engine's partitions do.
std::vector<int> calls_per_index(PartitionPool& pool, int begin, int end, int size) {
  std::vector<int> calls(static_cast<std::size_t>(size), 0);
  pool.for_each(begin, end, [&](int p) { ++calls[static_cast<std::size_t>(p)]; });
  return calls;
}

std::vector<int> once_in(int begin, int end, int size) {
  std::vector<int> expected(static_cast<std::size_t>(size), 0);
  for (int p = begin; p < end; ++p) expected[static_cast<std::size_t>(p)] = 1;
  return expected;
}

}  // namespace

TEST_CASE("PartitionPool calls f exactly once for every index of the range", "[unit]") {
  // Requirement: every partition of a phase runs once, none twice, none outside the range,
  // for one thread, a few, and more threads than the machine has cores.
  INFO("backend " << PartitionPool::backend_name());
  for (const int threads : {1, 2, 3, 8}) {
    PartitionPool pool(threads);
    CHECK(pool.threads() == threads);
    for (const auto& [begin, end] : std::vector<std::pair<int, int>>{
             {0, 0}, {5, 5}, {7, 3}, {0, 1}, {0, 2}, {0, 7}, {3, 11}, {0, 64}}) {
      INFO("threads " << threads << ", range [" << begin << ", " << end << ")");
      CHECK(calls_per_index(pool, begin, end, 64) == once_in(begin, end, 64));
    }
  }
}

TEST_CASE("PartitionPool runs many phases in a row on the same workers", "[unit]") {
  // Risk: a lost wake-up or a worker running a finished job again shows only over many jobs
  // (the window loop posts two per window).
  PartitionPool pool(3);
  std::vector<long> sums(16, 0);
  for (int job = 0; job < 2000; ++job)
    pool.for_each(0, 16, [&](int p) { sums[static_cast<std::size_t>(p)] += job; });
  for (const long s : sums) CHECK(s == 1999L * 2000L / 2);
}

TEST_CASE("PartitionPool hands an exception thrown by f to the caller, and stays usable",
          "[unit]") {
  // Requirement (STYLE.md 6): an error inside a parallel task is rethrown on the calling
  // thread, with its type and message; the pool runs the next phase normally.
  for (const int threads : {1, 2, 8}) {
    INFO("threads " << threads);
    PartitionPool pool(threads);
    CHECK_THROWS_MATCHES(pool.for_each(0, 16,
                                       [](int p) {
                                         if (p == 5)
                                           throw ConfigError("partition 5: weight must be finite");
                                       }),
                         ConfigError,
                         Catch::Matchers::Message("partition 5: weight must be finite"));
    // Several partitions throw: one of their exceptions arrives, whole.
    CHECK_THROWS_WITH(
        pool.for_each(0, 16,
                      [](int p) {
                        if (p % 2 == 1)
                          throw std::runtime_error("odd partition " + std::to_string(p));
                      }),
        Contains("odd partition"));
    CHECK(calls_per_index(pool, 0, 16, 16) == once_in(0, 16, 16));
  }
}

TEST_CASE("PartitionPool of the std::thread backend runs `threads` partitions at once", "[unit]") {
  // Requirement: with 8 threads on a 2-core machine all 8 partitions are in f at the same
  // time (each waits for the others), so the pool really has 8 threads and none of them is
  // idle while work is left. Only the std::thread backend promises this; oneTBB may run two
  // partitions on one thread. The 60 s limit only turns a deadlock into a failure.
  if (std::string(PartitionPool::backend_name()) != "std::thread") {
    SUCCEED("oneTBB backend: not applicable");
    return;
  }
  constexpr int kThreads = 8;
  PartitionPool pool(kThreads);
  std::mutex mutex;
  std::condition_variable all_arrived;
  int arrived = 0;
  std::vector<int> met_all(kThreads, 0);
  pool.for_each(0, kThreads, [&](int p) {
    std::unique_lock lock(mutex);
    if (++arrived == kThreads) all_arrived.notify_all();
    met_all[static_cast<std::size_t>(p)] =
        all_arrived.wait_for(lock, std::chrono::seconds(60), [&] { return arrived == kThreads; });
  });
  CHECK(met_all == std::vector<int>(kThreads, 1));
}
