#include "engine/network.hpp"

#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <cmath>
#include <limits>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

Network::Network(NetworkOptions options) : options_(options), grid_(options.dt) {
  if (options_.partitions < 0)
    throw ConfigError(
        concat("partitions must be >= 0 (0: one per thread), got ", options_.partitions));
  if (options_.threads < 0)
    throw ConfigError(concat("threads must be >= 0 (0: all cores), got ", options_.threads));
  comm_ = options_.comm ? options_.comm : &single_process();
  pool_ =
      std::make_unique<PartitionPool>(options_.threads > 0 ? options_.threads : hardware_threads());
  if (options_.partitions == 0) options_.partitions = pool_->threads();
  // Every rank owns at least one partition.
  options_.partitions = std::max(options_.partitions, comm_->size());
  first_partition_ = first_partition_of(comm_->rank());
  last_partition_ = first_partition_of(comm_->rank() + 1);
}

Network::~Network() = default;

int Network::threads() const {
  return pool_->threads();
}

Network::PopulationEntry& Network::entry(PopulationHandle p) {
  if (p.index >= populations_.size())
    throw ConfigError(concat("no population with index ", p.index));
  return populations_[p.index];
}

void Network::require_not_built(const char* what) const {
  if (built_) throw ConfigError(concat("cannot ", what, " after the network has been built"));
}

PopulationHandle Network::add_population(std::string name, std::unique_ptr<Population> model) {
  require_not_built("add a population");
  if (!model) throw ConfigError(concat("population '", name, "': no model given"));
  for (const auto& p : populations_)
    if (p.name == name) throw ConfigError(concat("population '", name, "' already exists"));
  PopulationEntry e;
  e.name = std::move(name);
  e.first_id = neuron_count();
  e.model = std::move(model);
  e.adapter = dynamic_cast<Adapter*>(e.model.get());
  if (e.adapter && e.adapter->elementwise() && e.adapter->input_size() != e.model->size())
    throw ConfigError(concat("population '", e.name, "' (", e.model->model(),
                             "): an elementwise adapter must have as many inputs as outputs, got ",
                             e.adapter->input_size(), " and ", e.model->size()));
  populations_.push_back(std::move(e));
  return {static_cast<std::uint32_t>(populations_.size() - 1)};
}

void Network::set_initial_state(PopulationHandle population, const std::string& variable,
                                const Distribution& value) {
  require_not_built("set an initial state");
  PopulationEntry& e = entry(population);
  if (e.model->state(variable).empty())
    throw ConfigError(concat("population '", e.name, "' (", e.model->model(),
                             ") has no state variable '", variable, "'"));
  e.initial_states.emplace_back(variable, value);
}

ProjectionHandle Network::connect(PopulationHandle source, PopulationHandle target,
                                  const ConnectionRule& rule, const SynapseSpec& synapse,
                                  std::string name) {
  require_not_built("connect");
  const PopulationEntry& src = entry(source);
  const PopulationEntry& tgt = entry(target);
  if (name.empty()) name = concat(src.name, "->", tgt.name);
  const std::string where = concat("projection '", name, "': ");
  if (!tgt.model->accepts_input())
    throw ConfigError(concat(where, "target population '", tgt.name, "' (", tgt.model->model(),
                             ") does not accept input"));

  check_adapter_projection(src, tgt, synapse, where);
  const NeuronIndex target_width = tgt.adapter ? tgt.adapter->input_size() : tgt.model->size();
  const ProjectionGeometry geometry{options_.seed, static_cast<std::uint64_t>(projections_.size()),
                                    src.model->size(), target_width, source.index == target.index};
  validate_rule(rule, geometry, name);
  validate_weight_matrix(rule, synapse, geometry, name);

  const Distribution& delay = synapse.delay;
  if (delay.is_constant()) {
    const Step d = grid_.steps(delay.a(), concat(where, "delay"));
    if (d < 1)
      throw ConfigError(
          concat(where, "delay must be >= dt = ", grid_.dt(), " ms, got ", delay.a(), " ms"));
  } else if (delay.min_value() < grid_.dt() * (1.0 - 1e-9)) {
    throw ConfigError(concat(where, "delay distribution ", delay.describe(),
                             " can draw values below dt = ", grid_.dt(),
                             " ms; bound it below at dt or more"));
  }
  // An unbounded upper tail is allowed; a draw beyond the limit is rejected when drawn.
  const double max_delay_ms = delay.max_value();
  if (std::isfinite(max_delay_ms) && !(max_delay_ms <= 65535.0 * grid_.dt()))
    throw ConfigError(concat(where, "delay must be <= 65535 steps (", 65535.0 * grid_.dt(),
                             " ms), got ", delay.describe()));

  ProjectionEntry p{name, source.index, target.index, rule, synapse, {}, nullptr};
  projections_.push_back(std::move(p));
  populations_[source.index].outgoing.push_back(
      static_cast<std::uint32_t>(projections_.size() - 1));
  return {static_cast<std::uint32_t>(projections_.size() - 1)};
}

void Network::add_input(PopulationHandle target, std::unique_ptr<Input> input) {
  require_not_built("add an input");
  PopulationEntry& e = entry(target);
  if (!input) throw ConfigError(concat("population '", e.name, "': no input given"));
  if (!e.model->accepts_input())
    throw ConfigError(
        concat("population '", e.name, "' (", e.model->model(), ") does not accept input"));
  inputs_.push_back({target.index, std::move(input)});
  e.inputs.push_back(static_cast<std::uint32_t>(inputs_.size() - 1));
}

void Network::record_spikes(PopulationHandle population) {
  require_not_built("add a recording");
  entry(population).record_spikes = true;
}

TraceHandle Network::record_state(PopulationHandle population, const std::string& variable,
                                  std::vector<NeuronIndex> neurons, double interval) {
  require_not_built("add a recording");
  PopulationEntry& e = entry(population);
  const std::string where = concat("recording of '", e.name, "'.", variable, ": ");
  if (e.model->state(variable).empty()) {
    std::string known;
    for (const auto& n : e.model->state_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError(concat(where, "model ", e.model->model(), " has no variable '", variable,
                             "' (it has: ", known, ")"));
  }
  if (neurons.empty()) {
    neurons.resize(e.model->size());
    for (NeuronIndex i = 0; i < e.model->size(); ++i) neurons[i] = i;
  }
  std::sort(neurons.begin(), neurons.end());
  neurons.erase(std::unique(neurons.begin(), neurons.end()), neurons.end());
  if (neurons.back() >= e.model->size())
    throw ConfigError(concat(where, "neuron ", neurons.back(), " is outside the population (size ",
                             e.model->size(), ")"));
  const Step steps = interval == 0.0 ? 1 : grid_.steps(interval, where + "interval");
  if (steps < 1)
    throw ConfigError(
        concat(where, "interval must be >= dt = ", grid_.dt(), " ms, got ", interval));
  TraceEntry t;
  t.spec = {population.index, variable, std::move(neurons), steps};
  traces_.push_back(std::move(t));
  e.traces.push_back(static_cast<std::uint32_t>(traces_.size() - 1));
  return {static_cast<std::uint32_t>(traces_.size() - 1)};
}

void Network::add_sink(RecordingSink* sink) {
  if (!sink) throw ConfigError("add_sink: null sink");
  sinks_.push_back(sink);
}

NeuronRange Network::partition_range(std::uint32_t population, int partition) const {
  const PopulationEntry& e = populations_[population];
  const std::uint64_t n = e.model->size();
  // A whole adapter lives in partition 0 (engine/adapter.hpp).
  if (e.adapter && !e.adapter->elementwise())
    return partition == 0 ? NeuronRange{0, e.model->size()} : NeuronRange{};
  const std::uint64_t parts = static_cast<std::uint64_t>(options_.partitions);
  return {static_cast<NeuronIndex>(n * static_cast<std::uint64_t>(partition) / parts),
          static_cast<NeuronIndex>(n * static_cast<std::uint64_t>(partition + 1) / parts)};
}

void Network::build() {
  if (built_) return;
  bind_adapters();
  for (auto& p : populations_) p.model->prepare(grid_);
  for (auto& i : inputs_) i.input->prepare(grid_);
  apply_initial_states();
  build_connections();
  finish_adapters();
  allocate_buffers();
  count_synapses_over_ranks();
  built_ = true;
#if defined(__GLIBC__)
  // Construction frees as much as it keeps (unpacked synapses, sort buffers); glibc would
  // hold on to those pages. Return them, so resident memory is what the network uses.
  malloc_trim(0);
#endif
}

void Network::apply_initial_states() {
  for (std::uint32_t k = 0; k < populations_.size(); ++k) {
    PopulationEntry& e = populations_[k];
    for (std::size_t v = 0; v < e.initial_states.size(); ++v) {
      const auto& [variable, value] = e.initial_states[v];
      std::span<double> state = e.model->state(variable);
      // One stream per (population, variable name), one counter per neuron: a neuron's
      // initial value depends on nothing but the seed, its population and its index.
      std::uint64_t name_hash = 0;
      for (const char c : variable)
        name_hash = splitmix64(name_hash ^ static_cast<unsigned char>(c));
      const std::uint64_t object = (static_cast<std::uint64_t>(k) << 32) ^ (name_hash >> 32);
      for (NeuronIndex i = 0; i < state.size(); ++i) {
        RandomStream stream(options_.seed, Purpose::initial_state, object, i);
        state[i] = value.sample(stream);
      }
    }
  }
}

void Network::build_connections() {
  const int parts = options_.partitions;
  for (auto& proj : projections_) {
    proj.rows.assign(static_cast<std::size_t>(parts), {});
    if (proj.plastic) proj.plastic->rows.assign(static_cast<std::size_t>(parts), {});
  }
  pool_->for_each(first_partition_, last_partition_, [&](int part) {
    std::vector<GeneratedSynapse> generated;
    for (std::size_t k = 0; k < projections_.size(); ++k) {
      ProjectionEntry& proj = projections_[k];
      const PopulationEntry& target = populations_[proj.target];
      const NeuronIndex target_width =
          target.adapter ? target.adapter->input_size() : target.model->size();
      const ProjectionGeometry geometry{options_.seed, k, populations_[proj.source].model->size(),
                                        target_width, proj.source == proj.target};
      generated.clear();
      generate_synapses(proj.rule, proj.synapse, geometry, input_range(proj.target, part), grid_,
                        generated);
      if (proj.plastic)
        proj.plastic->rows[static_cast<std::size_t>(part)].build(generated, geometry.source_size);
      else
        proj.rows[static_cast<std::size_t>(part)].build(generated, geometry.source_size);
    }
  });

  // The window is the smallest delay, the ring the largest.
  Step min_delay = std::numeric_limits<Step>::max();
  Step max_delay = 0;
  for (const auto& proj : projections_) {
    for (const auto& rows : proj.rows)
      if (!rows.empty()) {
        min_delay = std::min<Step>(min_delay, rows.min_delay());
        max_delay = std::max<Step>(max_delay, rows.max_delay());
      }
    if (proj.plastic)
      for (const auto& rows : proj.plastic->rows)
        if (!rows.empty()) {
          min_delay = std::min<Step>(min_delay, rows.min_delay());
          max_delay = std::max<Step>(max_delay, rows.max_delay());
        }
  }
  // Each rank holds the synapses that end in its partitions; window and ring need them all.
  if (comm_->size() > 1) {
    const Step none = std::numeric_limits<Step>::max();
    std::uint64_t extremes[2] = {static_cast<std::uint64_t>(none - min_delay),
                                 static_cast<std::uint64_t>(max_delay)};
    comm_->allreduce_max(extremes);
    min_delay = none - static_cast<Step>(extremes[0]);
    max_delay = static_cast<Step>(extremes[1]);
  }
  // Any window up to the smallest delay is exact. Without synapses any length would be;
  // capping it keeps stop requests, progress and sink flushes coming at least every
  // kMaxWindowSteps steps whatever dt is.
  constexpr Step kMaxWindowSteps = 1000;
  if (max_delay == 0) {
    window_ = std::clamp<Step>(grid_.nearest_steps(1.0), 1, kMaxWindowSteps);
    ring_slots_ = 1;
  } else {
    window_ = std::min(min_delay, kMaxWindowSteps);
    ring_slots_ = max_delay + 1;
  }
  prepare_plasticity();
}

void Network::allocate_buffers() {
  for (std::uint32_t k = 0; k < populations_.size(); ++k) {
    PopulationEntry& e = populations_[k];
    e.ranges.resize(static_cast<std::size_t>(options_.partitions));
    e.input_ranges.resize(static_cast<std::size_t>(options_.partitions));
    for (int part = 0; part < options_.partitions; ++part) {
      e.ranges[static_cast<std::size_t>(part)] = partition_range(k, part);
      e.input_ranges[static_cast<std::size_t>(part)] = input_range(k, part);
    }
  }
  for (auto& e : populations_) {
    const std::size_t n = e.adapter ? e.adapter->input_size() : e.model->size();
    e.ring_width = n;
    if (e.model->accepts_input()) {
      e.ring_excitatory.assign(n * static_cast<std::size_t>(ring_slots_), 0.0);
      e.ring_inhibitory.assign(n * static_cast<std::size_t>(ring_slots_), 0.0);
    }
    if (e.receives_current) e.ring_current.assign(n * static_cast<std::size_t>(ring_slots_), 0.0);
    const auto slots = static_cast<std::size_t>(ring_slots_);
    e.slot_offsets.resize(2 * slots);
    for (std::size_t i = 0; i < 2 * slots; ++i) e.slot_offsets[i] = (i % slots) * n;
    e.current.assign(n, 0.0);
    e.state_names = e.model->state_names();
    e.state_arrays.clear();
    for (const auto& name : e.state_names) e.state_arrays.push_back(e.model->state(name));
  }
  for (auto& t : traces_) {
    t.state = populations_[t.spec.population].model->state(t.spec.variable);
    t.partition_slice.resize(static_cast<std::size_t>(options_.partitions));
    for (int part = 0; part < options_.partitions; ++part) {
      const NeuronRange r = partition_range(t.spec.population, part);
      const auto& ns = t.spec.neurons;
      const auto first = std::lower_bound(ns.begin(), ns.end(), r.begin) - ns.begin();
      const auto last = std::lower_bound(ns.begin(), ns.end(), r.end) - ns.begin();
      t.partition_slice[static_cast<std::size_t>(part)] = {first, last};
    }
  }
  scratch_.resize(static_cast<std::size_t>(options_.partitions));
  allocate_arrival_lists();
}

void Network::allocate_arrival_lists() {
  for (std::uint32_t k = 0; k < populations_.size(); ++k) {
    PopulationEntry& e = populations_[k];
    e.arrivals.clear();
    // Lists are filled by static spike delivery only: Poisson and other inputs, held current,
    // graded events and plastic synapses write the ring without them.
    bool static_spikes_only =
        e.model->reads_arrival_lists() && !e.adapter && e.inputs.empty() && !e.receives_current;
    for (const auto& proj : projections_) {
      if (proj.target != k) continue;
      const Adapter* source = populations_[proj.source].adapter;
      if (proj.plastic || (source && source->graded())) static_spikes_only = false;
    }
    if (!static_spikes_only) continue;
    e.arrivals.resize(static_cast<std::size_t>(options_.partitions * ring_slots_));
    for (int part = 0; part < options_.partitions; ++part) {
      // Beyond an eighth of the neurons, reading the whole slot costs less than the list.
      // At least one, so that a list has storage (a null list means "read the slot whole").
      const std::size_t capacity =
          std::max<std::size_t>(1, e.ranges[static_cast<std::size_t>(part)].size() / 8);
      for (Step slot = 0; slot < ring_slots_; ++slot) {
        ArrivalList& list = e.arrivals[static_cast<std::size_t>(part * ring_slots_ + slot)];
        list.capacity = capacity;
        list.targets.reserve(capacity);
      }
    }
  }
}

RunStatus Network::run(double duration, const std::function<void(const RunProgress&)>& progress) {
  const Step steps = grid_.steps(duration, "run duration");
  if (steps < 0) throw ConfigError(concat("run duration must be >= 0 ms, got ", duration));
  build();
  if (!started_) {
    for (auto* sink : sinks_) sink->on_start(*this);
    started_ = true;
  }
  stop_requested_.store(false, std::memory_order_relaxed);
  for (auto& g : gathered_) g.clear();  // gather_synapses copies are for one snapshot

  const Step run_begin = now_;
  const Step run_end = now_ + steps;
  std::uint64_t spikes_in_run = 0;
  stop_agreed_ = false;
  while (now_ < run_end) {
    if (stop_agreed()) {
      sum_events_over_ranks();
      return RunStatus::stopped;
    }
    const Step end = std::min(now_ + window_, run_end);
    // The state is checked at the end of the window once kNumericalCheckSteps have passed
    // since the last check, and at the end of every run().
    numerical_check_due_ = end == run_end || end - checked_until_ >= kNumericalCheckSteps;
    run_window(now_, end);
    spikes_in_run += window_spikes_.size();
    now_ = end;
    if (numerical_check_due_) {
      // After the sinks have the window, so a file keeps everything up to the fault.
      throw_if_numerical_fault(checked_until_, end);
      checked_until_ = end;
    }
    if (progress) progress({now_, run_begin, run_end, spikes_in_run});
  }
  sum_events_over_ranks();
  return RunStatus::completed;
}

void Network::run_window(Step begin, Step end) {
  for (auto& t : traces_) {
    // Frames are taken at the end of steps s with (s + 1) % interval == 0.
    const Step k = t.spec.interval;
    const Step first = ((begin + k) / k) * k - 1;  // first s >= begin with (s+1) % k == 0
    t.window_first_frame = first;
    t.window_frames = first < end ? static_cast<std::size_t>((end - 1 - first) / k + 1) : 0;
    t.window_values.assign(t.window_frames * t.spec.neurons.size(), 0.0);
  }

  pool_->for_each(first_partition_, last_partition_,
                  [&](int part) { update_partition(part, begin, end); });

  exchange_window();
  collect_window(begin, end);
  collect_graded();
  begin_plastic_window(begin, end);

  if (!projections_.empty() &&
      (!window_spikes_.empty() || !window_graded_.empty() || plastic_work_)) {
    pool_->for_each(first_partition_, last_partition_, [&](int part) {
      // One fixed order of summation per target: static spikes, plastic spikes, graded.
      deliver_partition(part);
      if (plastic_work_) deliver_plastic_partition(part);
      deliver_graded_partition(part);
    });
    for (auto& s : scratch_) {
      synaptic_events_ += s.events;
      s.events = 0;
    }
  }
}

void Network::update_partition(int part, Step begin, Step end) {
  PartitionScratch& scratch = scratch_[static_cast<std::size_t>(part)];
  scratch.spikes.clear();
  scratch.graded.clear();
  for (Step step = begin; step < end; ++step) {
    const std::size_t slot = static_cast<std::size_t>(step % ring_slots_);
    for (std::uint32_t k = 0; k < populations_.size(); ++k) {
      PopulationEntry& e = populations_[k];
      const NeuronRange r = e.ranges[static_cast<std::size_t>(part)];
      if (r.size() == 0) continue;
      // The input side: r itself, except for a whole adapter (engine/adapter.hpp).
      const NeuronRange ir = e.input_ranges[static_cast<std::size_t>(part)];
      const std::size_t n = e.ring_width;
      double* ex = e.ring_excitatory.empty() ? nullptr : e.ring_excitatory.data() + slot * n;
      double* in = e.ring_inhibitory.empty() ? nullptr : e.ring_inhibitory.data() + slot * n;
      double* cur = e.current.data();
      const bool has_current = !e.inputs.empty() || !e.ring_current.empty();

      if (has_current) {
        std::fill(cur + ir.begin, cur + ir.end, 0.0);
        StepInputBuffers buffers{ex, in, cur};
        for (const std::uint32_t i : e.inputs) {
          const InputContext context{options_.seed, i, e.first_id};
          inputs_[i].input->apply(ir, step, context, buffers);
        }
        if (!e.ring_current.empty()) add_held_current(e, ir, slot, cur);
      }

      StepInput input{ex, in, cur, has_current};
      ArrivalList* arrivals =
          e.arrivals.empty()
              ? nullptr
              : &e.arrivals[static_cast<std::size_t>(part * ring_slots_ + step % ring_slots_)];
      if (arrivals && !arrivals->overflowed) {
        input.arrivals = arrivals->targets.data();
        input.arrival_count = arrivals->targets.size();
      }

      scratch.step_spikes.clear();
      SpikeSink sink(scratch.step_spikes);
      e.model->update(r, step, input, sink);
      if (arrivals) arrivals->clear();
      for (const NeuronIndex i : scratch.step_spikes) scratch.spikes.push_back({step, k, i});
      if (e.adapter) emit_graded(k, r, step, scratch);

      // Models that clear their slot as they read it say so; the engine clears the rest.
      if (!e.model->clears_spike_input()) {
        if (ex) std::fill(ex + ir.begin, ex + ir.end, 0.0);
        if (in) std::fill(in + ir.begin, in + ir.end, 0.0);
      }

      for (const std::uint32_t ti : e.traces) {
        TraceEntry& t = traces_[ti];
        if ((step + 1) % t.spec.interval != 0) continue;
        const auto frame =
            static_cast<std::size_t>((step - t.window_first_frame) / t.spec.interval);
        const auto [first, last] = t.partition_slice[static_cast<std::size_t>(part)];
        double* row = t.window_values.data() + frame * t.spec.neurons.size();
        for (std::size_t j = first; j < last; ++j) row[j] = t.state[t.spec.neurons[j]];
      }
    }
  }
  if (numerical_check_due_) find_numerical_fault(part);
}

void Network::collect_window(Step begin, Step end) {
  // Exchange: one list for the window, ordered by (step, global id). The partitions' lists
  // are each in that order already; concatenated and sorted, which costs little next to
  // delivering the same spikes.
  window_spikes_.clear();
  for (const auto& s : scratch_)
    window_spikes_.insert(window_spikes_.end(), s.spikes.begin(), s.spikes.end());
  std::sort(window_spikes_.begin(), window_spikes_.end());

  std::vector<SpikeRecord>& recorded = window_recorded_;
  recorded.clear();
  for (const SpikeRecord& s : window_spikes_) {
    PopulationEntry& e = populations_[s.population];
    ++e.spike_count;
    if (!e.record_spikes) continue;
    if (!sinks_.empty()) recorded.push_back(s);
    if (options_.keep_recordings_in_memory) e.recorded.push_back({s.step, s.index});
  }

  std::vector<TraceFrames>& frames = window_frames_;
  frames.clear();
  for (std::size_t ti = 0; ti < traces_.size(); ++ti) {
    TraceEntry& t = traces_[ti];
    if (t.window_frames == 0) continue;
    frames.push_back({ti, t.window_first_frame, t.window_frames, t.window_values});
    if (options_.keep_recordings_in_memory) {
      for (std::size_t f = 0; f < t.window_frames; ++f)
        t.memory.frame_steps.push_back(t.window_first_frame +
                                       static_cast<Step>(f) * t.spec.interval);
      t.memory.values.insert(t.memory.values.end(), t.window_values.begin(), t.window_values.end());
    }
  }
  for (auto* sink : sinks_) sink->on_window(*this, begin, end, recorded, frames);
}

namespace {

// How many synapses ahead of the one it updates a row walk prefetches the ring cell.
constexpr std::size_t kCellAhead = 16;

// The ring cell a static synapse of a spike adds its weight to. slot_offset[d] is where the
// slot a delay of d steps reaches begins (slot * ring width).
double* ring_cell(SynapseRows::Synapse s, const SynapseRows::Unpack& unpack,
                  const std::size_t* slot_offset, double* excitatory, double* inhibitory) {
  return (s.weight >= 0.0f ? excitatory : inhibitory) + unpack.target_base +
         slot_offset[unpack.delay(s)] + unpack.target_offset(s);
}

// Adds the weights of one spike's row of static synapses into the target's ring buffers.
// The ring cells are scattered over many megabytes, so each is prefetched for writing
// kCellAhead synapses before it is updated (deliver_partition prefetches the first ones); the
// row itself is prefetched kRowPrefetchAhead synapses ahead. Both keep several cache misses
// in flight while the row is read in order.
std::uint64_t deliver_row(std::span<const SynapseRows::Synapse> row,
                          const SynapseRows::Unpack& unpack, const std::size_t* slot_offset,
                          double* excitatory, double* inhibitory) {
  const auto cell = [&](SynapseRows::Synapse s) {
    return ring_cell(s, unpack, slot_offset, excitatory, inhibitory);
  };
  const std::size_t n = row.size();
  std::size_t k = 0;
  for (; k + kCellAhead < n; ++k) {
    __builtin_prefetch(row.data() + k + SynapseRows::kRowPrefetchAhead);
    __builtin_prefetch(cell(row[k + kCellAhead]), 1);
    *cell(row[k]) += static_cast<double>(row[k].weight);
  }
  for (; k < n; ++k) *cell(row[k]) += static_cast<double>(row[k].weight);
  return n;
}

// deliver_row for a target population that reads arrival lists (ArrivalList): each
// synapse's target is also listed in the list of the slot it reaches. `arrivals` are the
// partition's lists, one per ring slot; the spike's own slot is `first_slot`.
std::uint64_t deliver_row_listing(std::span<const SynapseRows::Synapse> row,
                                  const SynapseRows::Unpack& unpack, const std::size_t* slot_offset,
                                  double* excitatory, double* inhibitory, ArrivalList* arrivals,
                                  std::size_t first_slot, std::size_t ring_slots) {
  for (const SynapseRows::Synapse s : row) {
    *ring_cell(s, unpack, slot_offset, excitatory, inhibitory) += static_cast<double>(s.weight);
    std::size_t slot = first_slot + unpack.delay(s);
    if (slot >= ring_slots) slot -= ring_slots;
    arrivals[slot].add(unpack.target(s));
  }
  return row.size();
}

}  // namespace

void Network::deliver_partition(int part) {
  const auto p = static_cast<std::size_t>(part);
  // Rows of different spikes are scattered in memory: fetch row offsets kHeaderAhead spikes
  // ahead, the start of rows kRowAhead spikes ahead and the ring cells of their first
  // kCellAhead synapses one spike ahead, so the walk rarely waits for memory.
  constexpr std::size_t kHeaderAhead = 8;
  constexpr std::size_t kRowAhead = 4;
  const auto prefetch = [&](std::size_t j, bool header) {
    if (j >= window_spikes_.size()) return;
    const SpikeRecord& ahead = window_spikes_[j];
    for (const std::uint32_t pi : populations_[ahead.population].outgoing) {
      const SynapseRows& rows = projections_[pi].rows[p];
      header ? rows.prefetch_header(ahead.index) : rows.prefetch_row(ahead.index);
    }
  };
  // Calls f(row, unpack, target, first_slot) for each of the partition's non-empty rows of a
  // spike.
  const auto for_each_row = [&](const SpikeRecord& spike, auto&& f) {
    const auto first_slot = static_cast<std::size_t>(spike.step % ring_slots_);
    for (const std::uint32_t pi : populations_[spike.population].outgoing) {
      const ProjectionEntry& proj = projections_[pi];
      const SynapseRows& rows = proj.rows[p];
      if (!rows.empty())
        f(rows.row(spike.index), rows.unpack(), populations_[proj.target], first_slot);
    }
  };
  using Row = std::span<const SynapseRows::Synapse>;

  std::uint64_t events = 0;
  for (std::size_t j = 0; j < window_spikes_.size(); ++j) {
    prefetch(j + kHeaderAhead, true);
    prefetch(j + kRowAhead, false);
    if (j + 1 < window_spikes_.size()) {
      for_each_row(window_spikes_[j + 1], [&](Row row, const SynapseRows::Unpack& unpack,
                                              PopulationEntry& target, std::size_t first_slot) {
        for (std::size_t k = 0; k < std::min(row.size(), kCellAhead); ++k)
          __builtin_prefetch(
              ring_cell(row[k], unpack, target.slot_offsets.data() + first_slot,
                        target.ring_excitatory.data(), target.ring_inhibitory.data()),
              1);
      });
    }
    for_each_row(window_spikes_[j], [&](Row row, const SynapseRows::Unpack& unpack,
                                        PopulationEntry& target, std::size_t first_slot) {
      const std::size_t* slot_offset = target.slot_offsets.data() + first_slot;
      if (target.arrivals.empty()) {
        events += deliver_row(row, unpack, slot_offset, target.ring_excitatory.data(),
                              target.ring_inhibitory.data());
      } else {
        ArrivalList* arrivals = &target.arrivals[p * static_cast<std::size_t>(ring_slots_)];
        events += deliver_row_listing(row, unpack, slot_offset, target.ring_excitatory.data(),
                                      target.ring_inhibitory.data(), arrivals, first_slot,
                                      static_cast<std::size_t>(ring_slots_));
      }
    });
  }
  scratch_[p].events += events;
}

const std::vector<SpikeEvent>& Network::spikes(PopulationHandle population) const {
  if (population.index >= populations_.size())
    throw ConfigError(concat("no population with index ", population.index));
  const PopulationEntry& e = populations_[population.index];
  if (!e.record_spikes)
    throw ConfigError(concat("population '", e.name,
                             "': spikes are not recorded; call "
                             "record_spikes before the run"));
  return e.recorded;
}

const Trace& Network::trace(TraceHandle trace) const {
  return traces_.at(trace.index).memory;
}

const TraceSpec& Network::trace_spec(TraceHandle trace) const {
  return traces_.at(trace.index).spec;
}

std::size_t Network::trace_count() const {
  return traces_.size();
}

std::size_t Network::population_count() const {
  return populations_.size();
}

std::size_t Network::projection_count() const {
  return projections_.size();
}

ProjectionInfo Network::projection_info(std::uint32_t index) const {
  if (index >= projections_.size()) throw ConfigError(concat("no projection with index ", index));
  const ProjectionEntry& e = projections_[index];
  return {e.name, e.source, e.target, e.rule, e.synapse};
}

std::size_t Network::input_count() const {
  return inputs_.size();
}

InputInfo Network::input_info(std::uint32_t index) const {
  if (index >= inputs_.size()) throw ConfigError(concat("no input with index ", index));
  return {inputs_[index].target, std::string(inputs_[index].input->kind())};
}

const Input& Network::input(std::uint32_t index) const {
  if (index >= inputs_.size()) throw ConfigError(concat("no input with index ", index));
  return *inputs_[index].input;
}

Population& Network::population(PopulationHandle p) {
  return *entry(p).model;
}

const Population& Network::population(PopulationHandle p) const {
  if (p.index >= populations_.size())
    throw ConfigError(concat("no population with index ", p.index));
  return *populations_[p.index].model;
}

bool Network::is_recording_spikes(std::uint32_t population) const {
  return populations_.at(population).record_spikes;
}

std::uint64_t Network::spike_count(std::uint32_t population) const {
  return populations_.at(population).spike_count;
}

PopulationInfo Network::population_info(std::uint32_t index) const {
  const PopulationEntry& e = populations_.at(index);
  return {e.name, e.model->size(), e.first_id};
}

NeuronId Network::neuron_count() const {
  NeuronId n = 0;
  for (const auto& p : populations_) n += p.model->size();
  return n;
}

std::uint64_t Network::synapse_count() const {
  std::uint64_t n = 0;
  for (std::uint32_t k = 0; k < projections_.size(); ++k) n += synapse_count({k});
  return n;
}

std::uint64_t Network::synapse_count(ProjectionHandle projection) const {
  if (built_) return synapse_counts_.at(projection.index);
  std::uint64_t n = 0;
  const ProjectionEntry& proj = projections_.at(projection.index);
  for (const auto& rows : proj.rows) n += rows.synapse_count();
  if (proj.plastic)
    for (const auto& rows : proj.plastic->rows) n += rows.synapse_count();
  return n;
}

std::uint64_t Network::connectivity_bytes() const {
  std::uint64_t n = 0;
  for (const auto& proj : projections_) {
    for (const auto& rows : proj.rows) n += rows.bytes();
    if (proj.plastic)
      for (const auto& rows : proj.plastic->rows) n += rows.bytes();
  }
  return n;
}

void Network::for_each_synapse(
    ProjectionHandle projection,
    const std::function<void(NeuronIndex, NeuronIndex, float, Step)>& f) const {
  if (is_plastic(projection) || has_gathered(projection.index))
    return for_each_weight(projection, [&](NeuronIndex s, NeuronIndex t, double w, Step d) {
      f(s, t, static_cast<float>(w), d);
    });
  for (const auto& rows : projections_.at(projection.index).rows)
    rows.for_each_synapse([&](NeuronIndex s, NeuronIndex t, float w, std::uint16_t d) {
      f(s, t, w, static_cast<Step>(d));
    });
}

}  // namespace spikeflow
