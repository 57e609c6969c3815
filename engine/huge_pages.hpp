// Storage for the engine's largest arrays, the synapse rows and the ring buffers, on 2 MiB
// transparent huge pages where the kernel grants them.
//
// Why: delivery reads rows scattered over hundreds of megabytes and writes ring cells
// scattered over tens; with 4 KiB pages nearly every row start and many cell writes miss the
// TLB and wait for a page walk. On this project's 2-core test machine, N2 (Brunel, 1 thread)
// simulates ~5 % faster and N4 (2 threads) ~5-10 % faster with these arrays on huge pages
// (bench/README.md, fifth session).
//
// How: an array of at least 2 MiB is mapped on its own (mmap), aligned to 2 MiB, and marked
// MADV_HUGEPAGE before its first write, which is what Linux's default THP mode ("madvise")
// needs. Smaller arrays use operator new. Where the kernel refuses (THP "never", no free huge
// page) the advice is ignored and the array lives on ordinary pages: correctness never
// depends on it, and the values stored are the same either way.
//
// Cost: the part of an array past its last 2 MiB boundary stays on 4 KiB pages, so no memory
// is committed beyond what is written. Building can be slower (the kernel may compact memory
// to find a huge page on a first write: N4's build 20.7 -> 23.5 s).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace spikeflow {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static constexpr std::size_t kPage = 4096;

  HugePageAllocator() = default;
  template <typename U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugePage) return static_cast<T*>(::operator new(n * sizeof(T)));
    const std::size_t length = mapped_bytes(n);
    // Map one huge page more than needed, keep the aligned part, give back the rest.
    void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (begin + kHugePage - 1) / kHugePage * kHugePage;
    const std::uintptr_t end = begin + length + kHugePage;
    if (aligned > begin) munmap(raw, aligned - begin);
    if (end > aligned + length)
      munmap(reinterpret_cast<void*>(aligned + length), end - aligned - length);
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);
    return reinterpret_cast<T*>(aligned);
  }

  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePage)
      ::operator delete(p);
    else
      munmap(p, mapped_bytes(n));
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }

 private:
  static std::size_t mapped_bytes(std::size_t n) {
    return (n * sizeof(T) + kPage - 1) / kPage * kPage;
  }
};

template <typename T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace spikeflow
