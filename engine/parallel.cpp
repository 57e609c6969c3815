#include "engine/parallel.hpp"

#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace spikeflow {

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
  std::unique_ptr<tbb::global_control> oversubscription;
  tbb::task_arena arena;
};

PartitionPool::PartitionPool(int threads)
    : threads_(threads), backend_(std::make_unique<Backend>(threads)) {}

PartitionPool::~PartitionPool() = default;

void PartitionPool::for_each(int begin, int end, const std::function<void(int)>& f) {
  if (end <= begin) return;
  if (threads_ == 1 || end - begin == 1) {
    for (int p = begin; p < end; ++p) f(p);
    return;
  }
  backend_->arena.execute([&] { tbb::parallel_for(begin, end, [&](int p) { f(p); }); });
}

}  // namespace spikeflow
