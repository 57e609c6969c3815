// Tests of engine/huge_pages.hpp: arrays on their own 2 MiB-aligned mappings behave as
// std::vector does (values kept across growth, copies and moves), whatever pages the kernel
// backs them with.
#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "engine/huge_pages.hpp"

using namespace spikeflow;

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

bool huge_page_aligned(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) % kHugePage == 0;
}

// 0, 1, 2, ... as doubles: every element distinct, so a lost or shifted element shows.
HugePageVector<double> counting(std::size_t n) {
  HugePageVector<double> v(n);
  std::iota(v.begin(), v.end(), 0.0);
  return v;
}

bool counts_up(const HugePageVector<double>& v, std::size_t n) {
  if (v.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (v[i] != static_cast<double>(i)) return false;
  return true;
}

}  // namespace

TEST_CASE("huge page vectors: large arrays are 2 MiB aligned, small ones come from the heap",
          "[huge_pages]") {
  // Sizes around the threshold and not a whole number of pages or huge pages.
  const std::size_t large = kHugePage / sizeof(double) * 3 + 513;
  const HugePageVector<double> big = counting(large);
  CHECK(huge_page_aligned(big.data()));
  CHECK(counts_up(big, large));

  const std::size_t just_below = kHugePage / sizeof(double) - 1;
  const HugePageVector<double> small = counting(just_below);
  CHECK(counts_up(small, just_below));

  const HugePageVector<double> at_threshold = counting(kHugePage / sizeof(double));
  CHECK(huge_page_aligned(at_threshold.data()));
  CHECK(counts_up(at_threshold, kHugePage / sizeof(double)));
}

TEST_CASE("huge page vectors: growth, copies and moves keep every value", "[huge_pages]") {
  HugePageVector<double> v;
  const std::size_t n = 5 * kHugePage / sizeof(double) + 7;
  for (std::size_t i = 0; i < n; ++i) v.push_back(static_cast<double>(i));  // from heap to maps
  CHECK(counts_up(v, n));

  HugePageVector<double> copy = v;
  CHECK(counts_up(copy, n));
  copy.assign(n / 2, 0.0);  // shrinks within its capacity, then is freed by its destructor
  CHECK(copy.size() == n / 2);

  HugePageVector<double> moved = std::move(v);
  CHECK(counts_up(moved, n));
  moved.resize(3);  // the mapping stays; only the size changes
  moved.shrink_to_fit();
  CHECK(counts_up(moved, 3));
}
