// The communicator of a run in one process (engine/comm.hpp).
#include "engine/comm.hpp"

#include <algorithm>

namespace spikeflow {

namespace {

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather(std::span<const std::byte> local, std::span<std::byte> all) override {
    std::copy(local.begin(), local.end(), all.begin());
  }
  void allgatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
                  std::vector<std::size_t>& counts) override {
    all.assign(local.begin(), local.end());
    counts.assign(1, local.size());
  }
  void allgatherv_known(std::span<const std::byte> local, std::span<const std::size_t>,
                        std::vector<std::byte>& all) override {
    all.assign(local.begin(), local.end());
  }
  void gatherv(std::span<const std::byte> local, std::vector<std::byte>& all,
               std::vector<std::size_t>& counts) override {
    allgatherv(local, all, counts);
  }
  void allreduce_sum(std::span<std::uint64_t>) override {}
  void allreduce_max(std::span<std::uint64_t>) override {}
};

}  // namespace

Communicator& single_process() {
  static SingleProcess one;
  return one;
}

}  // namespace spikeflow
