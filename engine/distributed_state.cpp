// Network::merge_rank_states: the checkpoint of a distributed run, in the layout of a
// single-process one (engine/checkpoint.cpp), so that it resumes with any rank count.
//
// Each rank saves its own state (save_local_state) into memory; every array is then merged
// on rank 0 by who holds its current values:
// - projections/<k>/plastic/weights: each rank's weights in canonical order (by target), so
//   the ranks' arrays concatenated in rank order are the canonical array of all synapses;
// - populations/<name>/ring_*: slot-major rows of the input width; each rank's columns are
//   the inputs of the partitions it owns;
// - populations/<name>/model/*: an array whose length is a multiple of the population size
//   is taken as rows of one value per neuron (state variables, refractory counters, a box
//   filter's per-step history), each rank's columns being its neurons; any other array
//   (scalars, a whole adapter's module state) is the same on every rank or held by rank 0
//   (a whole adapter lives in partition 0), and rank 0's copy is kept;
// - everything else (clock, spike counts, in-memory recordings, rule state built from the
//   global spike list, inputs, components) is the same on every rank: rank 0's copy.
// Rule for model authors: a per-neuron array must be laid out as rows of population size.
#include <algorithm>
#include <string_view>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The union of the non-empty ranges of partitions [first, last) (contiguous by construction).
NeuronRange union_of(const std::vector<NeuronRange>& ranges, int first, int last) {
  NeuronIndex begin = 0;
  NeuronIndex end = 0;
  bool any = false;
  for (int p = first; p < last; ++p) {
    const NeuronRange r = ranges[static_cast<std::size_t>(p)];
    if (r.size() == 0) continue;
    begin = any ? std::min(begin, r.begin) : r.begin;
    end = any ? std::max(end, r.end) : r.end;
    any = true;
  }
  return {begin, end};
}

// On rank 0: `values` with columns [owned[r].begin, owned[r].end) of every row of `width`
// taken from rank r. Elsewhere: sends this rank's columns; the result is not used.
template <typename T>
std::vector<T> merge_columns(Communicator& comm, const std::vector<T>& values, std::size_t width,
                             const std::vector<NeuronRange>& owned) {
  const std::size_t rows = width == 0 ? 0 : values.size() / width;
  const NeuronRange mine = owned[static_cast<std::size_t>(comm.rank())];
  std::vector<T> send;
  send.reserve(rows * mine.size());
  for (std::size_t row = 0; row < rows; ++row)
    send.insert(send.end(), values.begin() + row * width + mine.begin,
                values.begin() + row * width + mine.end);
  const std::vector<T> all = gatherv_values(comm, std::span<const T>(send));
  if (comm.rank() != 0) return {};
  std::vector<T> merged = values;
  auto in = all.begin();
  for (int r = 0; r < comm.size(); ++r) {
    const NeuronRange theirs = owned[static_cast<std::size_t>(r)];
    for (std::size_t row = 0; row < rows; ++row) {
      std::copy(in, in + theirs.size(), merged.begin() + row * width + theirs.begin);
      in += theirs.size();
    }
  }
  return merged;
}

}  // namespace

void Network::merge_rank_states(const MemoryState& local, StateWriter& out) const {
  const int ranks = comm_->size();
  const auto owned = [&](const std::vector<NeuronRange>& ranges) {
    std::vector<NeuronRange> per_rank;
    for (int r = 0; r < ranks; ++r)
      per_rank.push_back(union_of(ranges, first_partition_of(r), first_partition_of(r + 1)));
    return per_rank;
  };
  const auto find_population = [&](std::string_view name) -> const PopulationEntry& {
    for (const PopulationEntry& e : populations_)
      if (e.name == name) return e;
    throw RuntimeError(concat("checkpoint: no population '", name, "'"));
  };

  // Every rank holds the same paths (the same network), in the map's order.
  for (const auto& [path, array] : local.arrays()) {
    std::visit(
        [&, path = std::string_view(path)](const auto& values) {
          using T = typename std::decay_t<decltype(values)>::value_type;
          std::vector<T> merged;
          if (starts_with(path, "projections/") && ends_with(path, "/plastic/weights")) {
            merged = gatherv_values(*comm_, std::span<const T>(values));
          } else if (starts_with(path, "populations/")) {
            const std::string_view rest = path.substr(std::string_view("populations/").size());
            const std::string_view name = rest.substr(0, rest.find('/'));
            const std::string_view item = rest.substr(name.size() + 1);
            const PopulationEntry& e = find_population(name);
            const std::size_t size = e.model->size();
            if (starts_with(item, "ring_"))
              merged = merge_columns(*comm_, values, e.ring_width, owned(e.input_ranges));
            else if (starts_with(item, "model/") && size > 0 && values.size() % size == 0)
              merged = merge_columns(*comm_, values, size, owned(e.ranges));
            else
              merged = values;
          } else {
            merged = values;
          }
          if (comm_->rank() == 0) out.write(std::string(path), std::span<const T>(merged));
        },
        array);
  }
}

}  // namespace spikeflow
