// Counter-based random streams (Philox4x32-10 from Random123).
//
// A stream is addressed by (seed, purpose, object) for its key and by (entity, position)
// for its counter, so any draw can be recomputed from where it is used, on any thread, in
// any partition and on any rank. This is what makes a run a function of the seed alone.
//
//   entity    64 bits: a neuron id, a source id, a block index
//   position  64 bits: the draw index, or (step << kStepShift) + draw for per-step streams
//
// Nothing here is thread-safe on one object, and nothing needs to be: streams are cheap
// values made where they are used.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/time.hpp"

namespace spikeflow {

// Why a stream is drawn from. Distinct purposes never share a key.
enum class Purpose : std::uint32_t {
  connect = 1,  // source/target choice of a projection
  weight = 2,   // synaptic weights of a projection
  delay = 3,    // synaptic delays of a projection
  initial_state = 4,
  poisson_input = 5,
  total_number_split = 6,  // per-block counts of fixed_total_number
  rates_to_spikes = 7,     // spike draws of the rates_to_spikes converter
};

std::uint64_t splitmix64(std::uint64_t x);

// The key of a family of streams, hashed once from (seed, purpose, object) so that hot
// loops (one stream per neuron and step) do not rehash it.
struct StreamKey {
  StreamKey(std::uint64_t seed, Purpose purpose, std::uint64_t object);
  std::uint64_t value;
};

class RandomStream {
 public:
  // Per-step streams put the step in the upper bits of the position: 2^40 steps (3.5 years
  // of model time at dt = 0.1 ms) with up to 2^24 draws per entity and step.
  static constexpr int kStepShift = 24;

  RandomStream(std::uint64_t seed, Purpose purpose, std::uint64_t object, std::uint64_t entity,
               std::uint64_t position = 0)
      : RandomStream(StreamKey(seed, purpose, object), entity, position) {}
  RandomStream(StreamKey key, std::uint64_t entity, std::uint64_t position = 0);

  // A stream for one entity at one step.
  static RandomStream at_step(std::uint64_t seed, Purpose purpose, std::uint64_t object,
                              std::uint64_t entity, Step step) {
    return at_step(StreamKey(seed, purpose, object), entity, step);
  }
  static RandomStream at_step(StreamKey key, std::uint64_t entity, Step step) {
    return RandomStream(key, entity, static_cast<std::uint64_t>(step) << kStepShift);
  }

  // One Philox block (four 32-bit words) at an explicit counter, for hot loops that split
  // a block between several consumers.
  static std::array<std::uint32_t, 4> block(StreamKey key, std::uint64_t entity,
                                            std::uint64_t position);
  // The blocks at entities first_entity + j, j in [0, count), all at `position`: the words
  // block() gives, four per block, block j in out[4j .. 4j + 3]. Many blocks at once are
  // computed side by side in vector registers (AVX2, AVX-512), several times faster per
  // block than block().
  static void blocks(StreamKey key, std::uint64_t first_entity, std::uint64_t position,
                     std::size_t count, std::uint32_t* out);
  // Uniform on (0, 1) from two words, as uniform() makes it.
  static double uniform_from(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t bits = ((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
  }

  std::uint32_t next_u32() {
    if (used_ == 4) refill();
    return block_[used_++];
  }
  // Uniform on (0, 1): never 0 or 1, so log() of it is always finite. 53 random bits.
  double uniform() {
    const std::uint32_t hi = next_u32();
    return uniform_from(hi, next_u32());
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), n >= 1, without modulo bias (Lemire's method on 64 bits).
  std::uint64_t below(std::uint64_t n);
  double normal();  // standard normal (Box-Muller; the second value is kept for the next call)
  // Poisson(lambda), lambda >= 0: inversion below 10, PTRS (Hoermann 1993) above.
  std::uint64_t poisson(double lambda);
  // Poisson(lambda) by inversion with e^{-lambda} precomputed; for lambda < 10 only.
  std::uint64_t poisson_small(double lambda, double exp_minus_lambda);
  // Binomial(n, p): inversion for small n*min(p,1-p), BTRS (Hoermann 1993) otherwise.
  std::uint64_t binomial(std::uint64_t n, double p);

 private:
  using Philox = r123::Philox4x32;
  void refill();

  Philox::key_type key_;
  Philox::ctr_type counter_;
  std::array<std::uint32_t, 4> block_{};
  int used_ = 4;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

namespace detail {

// The versions behind RandomStream::blocks, for tests that compare them: returns false (and
// writes nothing) if this machine cannot run `isa`.
enum class PhiloxIsa { scalar, avx2, avx512 };
bool philox_blocks(PhiloxIsa isa, StreamKey key, std::uint64_t first_entity, std::uint64_t position,
                   std::size_t count, std::uint32_t* out);

}  // namespace detail

}  // namespace spikeflow
