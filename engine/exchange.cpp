// The parts of Network that make a distributed run (engine/comm.hpp) give the spikes of one
// process: partition ownership, the per-window exchange, and the sums over ranks.
//
// Rank r owns the partitions [P r / R, P (r + 1) / R): it generates the synapses that end in
// them, updates their neurons and delivers into their ring buffers. Every rank holds the whole
// state arrays of every population (only its own slices move) and every rule's per-neuron
// state (computed from the global spike list, so the same on every rank).
//
// One window's exchange is two collectives: an allgather of a fixed header per rank (payload
// size, stop request, numerical fault) and an allgatherv of the payloads (spike records,
// graded records, the trace values of its neurons). Each other rank's part is put where the
// single-process code finds it: in the scratch of that rank's first partition, and at that
// rank's positions of the window's trace rows. collect_window and collect_graded then merge
// and sort exactly as with one process, so every rank holds the same ordered window list.
#include <algorithm>
#include <chrono>
#include <cstring>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

namespace {

// What each rank announces every window. Trivially copyable, sent as bytes.
struct ExchangeHeader {
  std::uint64_t payload_bytes;
  std::uint64_t spikes;
  std::uint64_t graded;
  std::uint64_t stop;  // 1: this rank was asked to stop
  NumericalFault fault;
};

template <typename T>
void append_bytes(std::vector<std::byte>& out, const T* data, std::size_t count) {
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  out.insert(out.end(), bytes, bytes + count * sizeof(T));
}

template <typename T>
void take_bytes(const std::byte*& in, T* data, std::size_t count) {
  if (count == 0) return;
  std::memcpy(data, in, count * sizeof(T));
  in += count * sizeof(T);
}

}  // namespace

int Network::first_partition_of(int rank) const {
  const auto parts = static_cast<std::int64_t>(options_.partitions);
  return static_cast<int>(parts * rank / comm_->size());
}

std::pair<std::size_t, std::size_t> Network::owned_trace_slice(const TraceEntry& t,
                                                               int rank) const {
  // Partition slices are increasing, but a whole adapter's are empty except partition 0's.
  std::size_t first = t.spec.neurons.size();
  std::size_t last = 0;
  for (int part = first_partition_of(rank); part < first_partition_of(rank + 1); ++part) {
    const auto [a, b] = t.partition_slice[static_cast<std::size_t>(part)];
    if (a == b) continue;
    first = std::min(first, a);
    last = std::max(last, b);
  }
  return first < last ? std::pair{first, last} : std::pair<std::size_t, std::size_t>{0, 0};
}

bool Network::stop_agreed() const {
  if (comm_->size() == 1) return stop_requested_.load(std::memory_order_relaxed);
  return stop_agreed_;
}

void Network::exchange_window() {
  if (comm_->size() == 1) return;
  const int ranks = comm_->size();
  const int me = comm_->rank();

  // This rank's part.
  ExchangeHeader mine{};
  std::vector<std::byte>& send = exchange_send_;
  send.clear();
  for (int p = first_partition_; p < last_partition_; ++p) {
    const auto& spikes = scratch_[static_cast<std::size_t>(p)].spikes;
    append_bytes(send, spikes.data(), spikes.size());
    mine.spikes += spikes.size();
  }
  for (int p = first_partition_; p < last_partition_; ++p) {
    const auto& graded = scratch_[static_cast<std::size_t>(p)].graded;
    append_bytes(send, graded.data(), graded.size());
    mine.graded += graded.size();
  }
  for (const TraceEntry& t : traces_) {
    const auto [first, last] = owned_trace_slice(t, me);
    const std::size_t width = t.spec.neurons.size();
    for (std::size_t f = 0; f < t.window_frames; ++f)
      append_bytes(send, t.window_values.data() + f * width + first, last - first);
  }
  mine.payload_bytes = send.size();
  mine.stop = stop_requested_.load(std::memory_order_relaxed) ? 1 : 0;
  for (int p = first_partition_; p < last_partition_; ++p) {
    const NumericalFault& fault = scratch_[static_cast<std::size_t>(p)].fault;
    if (fault.before(mine.fault)) mine.fault = fault;
  }

  // Everyone's parts.
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::vector<ExchangeHeader> headers = allgather_value(*comm_, mine);
  const auto agreed = Clock::now();
  std::vector<std::size_t> sizes(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) sizes[static_cast<std::size_t>(r)] = headers[r].payload_bytes;
  comm_->allgatherv_known(send, sizes, exchange_receive_);
  ExchangeStats& stats = exchange_stats_;
  ++stats.windows;
  stats.agree_seconds += std::chrono::duration<double>(agreed - start).count();
  stats.payload_seconds += std::chrono::duration<double>(Clock::now() - agreed).count();
  stats.bytes_received += exchange_receive_.size();

  // The others' parts, where the single-process code looks for them.
  stop_agreed_ = false;
  const std::byte* in = exchange_receive_.data();
  for (int r = 0; r < ranks; ++r) {
    const ExchangeHeader& h = headers[static_cast<std::size_t>(r)];
    stop_agreed_ = stop_agreed_ || h.stop != 0;
    stats.spikes_received += h.spikes;
    if (r == me) {
      in += h.payload_bytes;
      continue;
    }
    PartitionScratch& scratch = scratch_[static_cast<std::size_t>(first_partition_of(r))];
    scratch.spikes.resize(h.spikes);
    take_bytes(in, scratch.spikes.data(), h.spikes);
    scratch.graded.resize(h.graded);
    take_bytes(in, scratch.graded.data(), h.graded);
    for (TraceEntry& t : traces_) {
      const auto [first, last] = owned_trace_slice(t, r);
      const std::size_t width = t.spec.neurons.size();
      for (std::size_t f = 0; f < t.window_frames; ++f)
        take_bytes(in, t.window_values.data() + f * width + first, last - first);
    }
    scratch.fault = h.fault;
  }
}

Step Network::global_max_delay(Step local) const {
  return static_cast<Step>(allreduce_max(*comm_, static_cast<std::uint64_t>(local)));
}

void Network::count_synapses_over_ranks() {
  synapse_counts_.resize(projections_.size());
  for (std::uint32_t k = 0; k < projections_.size(); ++k) synapse_counts_[k] = synapse_count({k});
  comm_->allreduce_sum(synapse_counts_);
  gathered_.assign(projections_.size(), {});
}

void Network::sum_events_over_ranks() {
  if (comm_->size() == 1) return;
  synaptic_events_elsewhere_ = allreduce_sum(*comm_, synaptic_events_) - synaptic_events_;
}

void Network::gather_synapses(const std::vector<ProjectionHandle>& projections) {
  if (comm_->size() == 1) return;
  for (auto& g : gathered_) g.clear();
  for (const ProjectionHandle h : projections) {
    std::vector<GatheredSynapse> local;
    for_each_weight(h, [&](NeuronIndex s, NeuronIndex t, double w, Step d) {
      local.push_back({s, t, w, d});
    });
    gathered_.at(h.index) = gatherv_values(*comm_, std::span<const GatheredSynapse>(local));
  }
}

}  // namespace spikeflow
