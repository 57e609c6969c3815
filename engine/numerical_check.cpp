// The numerical check of the window loop (see engine/numerical_check.hpp).
#include "engine/numerical_check.hpp"

#include <bit>

#include "engine/kernel_clones.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

SPIKEFLOW_KERNEL_CLONES std::size_t first_non_finite(const double* x, std::size_t begin,
                                                     std::size_t end) {
  // A value is NaN or infinite when its exponent bits are all ones: e = bits & kExponent is
  // then kExponent, and e + 2^52 carries into bit 63, which no smaller e reaches. So bit 63
  // of the OR of e + 2^52 over a block tells whether the block holds one (three integer
  // operations per value in any vector width).
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ull;
  constexpr std::uint64_t kCarry = 0x0010000000000000ull;
  constexpr std::size_t kBlock = 1024;
  for (std::size_t block = begin; block < end; block += kBlock) {
    const std::size_t last = block + kBlock < end ? block + kBlock : end;
    std::uint64_t any = 0;
    for (std::size_t i = block; i < last; ++i)
      any |= (std::bit_cast<std::uint64_t>(x[i]) & kExponent) + kCarry;
    if ((any >> 63) == 0) continue;
    for (std::size_t i = block; i < last; ++i)
      if ((std::bit_cast<std::uint64_t>(x[i]) & kExponent) == kExponent) return i;
  }
  return end;
}

void Network::find_numerical_fault(int part) {
  NumericalFault& fault = scratch_[static_cast<std::size_t>(part)].fault;
  fault = {};
  for (std::uint32_t k = 0; k < populations_.size() && !fault.found; ++k) {
    const PopulationEntry& e = populations_[k];
    const NeuronRange r = e.ranges[static_cast<std::size_t>(part)];
    // The smallest neuron index over all variables, ties to the earlier variable.
    for (std::uint32_t v = 0; v < e.state_arrays.size(); ++v) {
      const std::span<const double> x = e.state_arrays[v];
      const std::size_t end = fault.found ? fault.neuron : r.end;
      const std::size_t i = first_non_finite(x.data(), r.begin, end);
      if (i == end) continue;
      fault = {true, k, static_cast<std::uint32_t>(i), v, x[i]};
    }
  }
}

namespace {

// The smallest fault over all partitions (the same whatever the partitioning).
template <typename Scratch>
NumericalFault first_fault(const std::vector<Scratch>& scratch) {
  NumericalFault first;
  for (const auto& s : scratch)
    if (s.fault.before(first)) first = s.fault;
  return first;
}

}  // namespace

std::string Network::describe_fault(const NumericalFault& fault) const {
  const PopulationEntry& e = populations_[fault.population];
  return concat("population '", e.name, "' (", e.model->model(), "), neuron ", fault.neuron,
                ", variable ", e.state_names[fault.variable], " = ", fault.value);
}

void Network::throw_if_numerical_fault(Step begin, Step end) {
  const NumericalFault first = first_fault(scratch_);
  if (!first.found) return;
  throw NumericalFaultError(concat("numerical fault at t = ", grid_.time_of(end),
                                   " ms: ", describe_fault(first),
                                   " (it was finite at t = ", grid_.time_of(begin),
                                   " ms, the last check); look for a huge weight, current or "
                                   "initial value"));
}

void Network::check_loaded_state() {
  pool_->for_each(0, options_.partitions, [&](int part) { find_numerical_fault(part); });
  const NumericalFault first = first_fault(scratch_);
  if (first.found)
    throw NumericalFaultError(concat("checkpoint: the state at t = ", grid_.time_of(now_),
                                     " ms is not finite: ", describe_fault(first),
                                     "; a run continued from it cannot recover"));
  checked_until_ = now_;
}

}  // namespace spikeflow
