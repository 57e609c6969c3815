// The public C++ API: build a network and run it.
//
//   spikeflow::Network net({.dt = 0.1, .seed = 42});
//   auto exc = net.add_population("exc", spikeflow::models::make_lif_delta(3200, params));
//   net.connect(exc, exc, ConnectionRule::pairwise_bernoulli(0.1),
//               {.weight = Distribution::constant(0.1), .delay = Distribution::constant(1.5)});
//   net.add_input(exc, spikeflow::models::make_poisson_input(8000.0, 0.1));
//   net.record_spikes(exc);
//   net.run(1000.0);                       // ms; may be called again, time keeps counting
//   for (const SpikeEvent& s : net.spikes(exc)) ...
//
// The window loop (see DESIGN.md): the window is the smallest synaptic delay d_min. In a
// window every partition updates its neurons step by step (parallel over partitions), the
// spikes are merged into one list ordered by (step, global id), then every partition adds
// the weights of the synapses that end in it to its ring buffers (parallel over target
// partitions). Partitions own disjoint slices of every population, so nothing writable is
// shared, and the result is the same for any thread or partition count.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/adapter.hpp"
#include "engine/comm.hpp"
#include "engine/connectivity.hpp"
#include "engine/distribution.hpp"
#include "engine/input.hpp"
#include "engine/population.hpp"
#include "engine/recording.hpp"
#include "engine/state_io.hpp"
#include "engine/time.hpp"

namespace spikeflow {

// Partitions: spikes do not depend on their count (nor on the thread count); it only sets
// how finely work is split. Each partition costs a row lookup per spike and projection and
// every per-step cost of the update once more, so the default is one per thread: one
// partition when running on one thread (N2 on one thread: 3.5 CPU s with one partition
// against 4.2 s with two).
struct NetworkOptions {
  double dt = 0.1;  // ms
  std::uint64_t seed = 1;
  int threads = 0;                        // 0: all cores
  int partitions = 0;                     // 0: one per thread
  bool keep_recordings_in_memory = true;  // false when only sinks (files) consume them
  // The ranks of a distributed run (engine/comm.hpp); null: this process alone. With R
  // ranks the partitions are dealt out in contiguous blocks, rank r owning
  // [P r / R, P (r + 1) / R); P is raised to R if smaller. Spikes do not depend on R.
  Communicator* comm = nullptr;
};

struct PopulationHandle {
  std::uint32_t index;
};
struct ProjectionHandle {
  std::uint32_t index;
};
struct TraceHandle {
  std::uint32_t index;
};

// A recorded spike in user terms: the step, and the neuron within its population.
struct SpikeEvent {
  Step step;
  NeuronIndex neuron;
  friend bool operator==(const SpikeEvent&, const SpikeEvent&) = default;
};

// An in-memory state recording: frames x neurons, and the step of each frame.
struct Trace {
  std::vector<Step> frame_steps;
  std::vector<double> values;  // row-major, frame_steps.size() x neurons.size()
};

struct RunProgress {
  Step now;        // steps done
  Step run_begin;  // step at which this run() started
  Step run_end;    // step at which it will end
  std::uint64_t spikes_in_run;
};

enum class RunStatus { completed, stopped };

struct PopulationInfo {
  std::string name;
  NeuronIndex size;
  NeuronId first_id;
};

// What a projection was declared with (population indices, rule, weight and delay).
struct ProjectionInfo {
  std::string name;
  std::uint32_t source;
  std::uint32_t target;
  ConnectionRule rule;
  SynapseSpec synapse;
};

// What the window exchange of a distributed run cost this rank so far (engine/exchange.cpp).
// `agree_seconds`: the header allgather, which also waits for the slowest rank to finish its
// update; `payload_seconds`: the allgatherv of the spikes, graded records and trace values.
struct ExchangeStats {
  std::uint64_t windows = 0;
  double agree_seconds = 0.0;
  double payload_seconds = 0.0;
  std::uint64_t bytes_received = 0;  // payload bytes of all ranks, this rank's included
  std::uint64_t spikes_received = 0;
};

struct InputInfo {
  std::uint32_t target;  // population index
  std::string kind;      // Input::kind(), e.g. "poisson"
};

class Plasticity;
class PartitionPool;
struct NumericalFault;

class Network {
 public:
  explicit Network(NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // --- building (all before the first run) ---
  PopulationHandle add_population(std::string name, std::unique_ptr<Population> model);
  // Sets a state variable of every neuron: a constant, or a draw per neuron from the
  // stream (seed, initial_state, population, variable).
  void set_initial_state(PopulationHandle population, const std::string& variable,
                         const Distribution& value);
  ProjectionHandle connect(PopulationHandle source, PopulationHandle target,
                           const ConnectionRule& rule, const SynapseSpec& synapse,
                           std::string name = {});
  // Makes a projection's synapses plastic under `rule` (engine/plasticity.hpp); its initial
  // weights must lie within the rule's bounds.
  void set_plasticity(ProjectionHandle projection, std::unique_ptr<Plasticity> rule);
  void add_input(PopulationHandle target, std::unique_ptr<Input> input);
  void record_spikes(PopulationHandle population);
  // Records `variable` of `neurons` (all if empty) every `interval` ms.
  TraceHandle record_state(PopulationHandle population, const std::string& variable,
                           std::vector<NeuronIndex> neurons = {}, double interval = 0.0);
  void add_sink(RecordingSink* sink);

  // Generates the synapses and allocates the buffers; run() calls it if needed.
  void build();
  bool built() const { return built_; }

  // --- running ---
  // Advances the clock by `duration` ms (a whole number of steps). Returns `stopped` if
  // request_stop() was called; the clock then stands at the last window boundary reached.
  RunStatus run(double duration, const std::function<void(const RunProgress&)>& progress = {});
  // Asks a running run() to stop at the next window boundary. Safe to call from a signal
  // handler or another thread. With several ranks, a request on any rank stops every rank,
  // at the same window boundary (agreed in the next window's exchange).
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }

  // --- checkpoints (engine/checkpoint.cpp; files: io/checkpoint.hpp) ---
  // Writes everything a continuation needs: the clock, every population's state (named
  // and hidden), ring buffers, spike counts, input state, the in-memory recordings, and
  // every registered component. Call it between runs (the clock is at a window boundary).
  // The network must be built. With several ranks it is collective: every rank calls it, and
  // rank 0's writer receives the state of all ranks merged into the single-process layout
  // (engine/distributed_state.cpp); the other ranks' writers receive nothing.
  void save_state(StateWriter& out) const;
  // Restores what save_state wrote into a network made from the same description and seed
  // (building it first if needed): continuing then gives the spikes the saved network would
  // have given, for any thread, partition or rank count (collective: every rank loads the
  // whole checkpoint). Throws ConfigError if the checkpoint does not fit the network (seed,
  // dt, population sizes, synapse counts differ), and NumericalFaultError if the state it
  // holds is NaN or infinite somewhere.
  void load_state(const StateReader& in);
  // Adds a component saved and loaded under "components/<name>" (see state_io.hpp).
  void add_state_component(std::string name, StateComponent* component);

  // --- results and facts ---
  const TimeGrid& grid() const { return grid_; }
  const NetworkOptions& options() const { return options_; }
  Step now() const { return now_; }
  Step window_steps() const { return window_; }
  int threads() const;
  const std::vector<SpikeEvent>& spikes(PopulationHandle population) const;
  const Trace& trace(TraceHandle trace) const;
  const TraceSpec& trace_spec(TraceHandle trace) const;
  std::size_t trace_count() const;

  std::size_t population_count() const;
  PopulationInfo population_info(std::uint32_t index) const;
  std::size_t projection_count() const;
  ProjectionInfo projection_info(std::uint32_t index) const;
  std::size_t input_count() const;
  InputInfo input_info(std::uint32_t index) const;
  // The input object itself (models/inputs.hpp reads the parameters of its own kinds).
  const Input& input(std::uint32_t index) const;
  Population& population(PopulationHandle p);
  const Population& population(PopulationHandle p) const;
  bool is_recording_spikes(std::uint32_t population) const;
  // --- distributed runs (engine/exchange.cpp) ---
  // This process's rank and the rank count (0 and 1 without a communicator).
  int rank() const { return comm_->rank(); }
  int ranks() const { return comm_->size(); }
  Communicator& communicator() const { return *comm_; }
  const ExchangeStats& exchange_stats() const { return exchange_stats_; }
  // The partitions this rank updates and delivers into: [first, last).
  std::pair<int, int> owned_partitions() const { return {first_partition_, last_partition_}; }
  // Collective: makes for_each_synapse and for_each_weight on rank 0 visit the synapses of
  // `projections` held by every rank (in rank order, which is partition order), until the
  // next call or run(). Elsewhere they keep visiting this rank's synapses only. A weight
  // snapshot of a distributed run calls it first. Nothing to do with one rank.
  void gather_synapses(const std::vector<ProjectionHandle>& projections);
  // Spikes emitted so far by each population, recorded or not.
  std::uint64_t spike_count(std::uint32_t population) const;
  NeuronId neuron_count() const;
  // Synapse counts over all ranks (summed once when the network is built).
  std::uint64_t synapse_count() const;
  std::uint64_t synapse_count(ProjectionHandle projection) const;
  // Bytes of synapse storage of this rank.
  std::uint64_t connectivity_bytes() const;
  // Synaptic events delivered so far (one per spike and synapse it crosses).
  // With several ranks: the events of all ranks, summed at the end of each run().
  std::uint64_t synaptic_events() const { return synaptic_events_ + synaptic_events_elsewhere_; }
  // Visits every synapse of a projection: f(source, target, weight, delay_steps). With
  // several ranks, the synapses this rank holds (see gather_synapses).
  void for_each_synapse(ProjectionHandle projection,
                        const std::function<void(NeuronIndex, NeuronIndex, float, Step)>& f) const;
  // The same with the weights in double precision; for a plastic projection, the weights
  // now, with every pairing that has reached the synapse applied.
  void for_each_weight(ProjectionHandle projection,
                       const std::function<void(NeuronIndex, NeuronIndex, double, Step)>& f) const;
  bool is_plastic(ProjectionHandle projection) const;
  // The learning rule of a plastic projection (engine/plasticity.hpp), nullptr if static.
  const Plasticity* plasticity(ProjectionHandle projection) const;
  // Bytes of the plastic rules' per-neuron state (traces, spike histories) now held.
  std::uint64_t plasticity_state_bytes() const;

 private:
  struct PopulationEntry;
  struct ProjectionEntry;
  struct InputEntry;
  struct TraceEntry;
  struct PartitionScratch;

  PopulationEntry& entry(PopulationHandle p);
  void require_not_built(const char* what) const;
  NeuronRange partition_range(std::uint32_t population, int partition) const;
  NeuronRange input_range(std::uint32_t population, int partition) const;
  // Adapters (engine/adapter.cpp).
  void check_adapter_projection(const PopulationEntry& source, const PopulationEntry& target,
                                const SynapseSpec& synapse, const std::string& where) const;
  void bind_adapters();
  void finish_adapters();
  void emit_graded(std::uint32_t population, NeuronRange range, Step step,
                   PartitionScratch& scratch) const;
  void add_held_current(PopulationEntry& e, NeuronRange range, std::size_t slot, double* current);
  void collect_graded();
  void deliver_graded_partition(int partition);
  void build_connections();
  void allocate_buffers();
  void allocate_arrival_lists();
  void apply_initial_states();
  void run_window(Step begin, Step end);
  // Distributed runs (engine/exchange.cpp): hands every rank the window's spikes, graded
  // outputs, trace values and numerical faults of the other ranks, by putting them in the
  // scratch of the first partition each other rank owns, and agrees on stop requests. Does
  // nothing with one rank.
  void exchange_window();
  bool stop_agreed() const;
  int first_partition_of(int rank) const;
  std::pair<std::size_t, std::size_t> owned_trace_slice(const TraceEntry& t, int rank) const;
  Step global_max_delay(Step local) const;
  bool has_gathered(std::uint32_t projection) const {
    return projection < gathered_.size() && !gathered_[projection].empty();
  }
  void count_synapses_over_ranks();
  void sum_events_over_ranks();
  // engine/checkpoint.cpp and engine/distributed_state.cpp: state of one rank, and its merge.
  void save_local_state(StateWriter& out) const;
  void merge_rank_states(const MemoryState& local, StateWriter& out) const;
  void update_partition(int partition, Step begin, Step end);
  void deliver_partition(int partition);
  // engine/plasticity.cpp: the plastic projections' part of a window.
  void prepare_plasticity();
  void begin_plastic_window(Step begin, Step end);
  void deliver_plastic_partition(int partition);
  void collect_window(Step begin, Step end);
  // engine/graded_plasticity.cpp: plastic projections between rate populations.
  void check_graded_plastic_projection(ProjectionEntry& proj, const Plasticity& rule,
                                       const std::string& where);
  void begin_graded_plastic_window(ProjectionEntry& proj, Step begin, Step end);
  void deliver_graded_plastic(ProjectionEntry& proj, std::size_t partition, std::uint64_t& events);
  // Numerical faults (engine/numerical_check.cpp): each partition scans its neurons' state
  // at the end of a window when a check is due; the run then throws NumericalFaultError if
  // any value was not finite.
  void find_numerical_fault(int partition);
  void throw_if_numerical_fault(Step begin, Step end);
  std::string describe_fault(const NumericalFault& fault) const;
  // After load_state: the loaded state counts as checked at the loaded clock (so a later
  // fault message names it as the last check); a non-finite value throws at once.
  void check_loaded_state();

  NetworkOptions options_;
  TimeGrid grid_;
  std::vector<PopulationEntry> populations_;
  std::vector<ProjectionEntry> projections_;
  std::vector<InputEntry> inputs_;
  std::vector<TraceEntry> traces_;
  std::vector<RecordingSink*> sinks_;
  std::vector<PartitionScratch> scratch_;
  std::vector<SpikeRecord> window_spikes_;
  std::vector<GradedRecord> window_graded_;  // adapter outputs of the window, ordered
  // What the sinks get for the window (kept to reuse their memory from window to window).
  std::vector<SpikeRecord> window_recorded_;
  std::vector<TraceFrames> window_frames_;
  std::unique_ptr<PartitionPool> pool_;
  std::vector<std::pair<std::string, StateComponent*>> state_components_;
  Communicator* comm_ = nullptr;
  int first_partition_ = 0;
  int last_partition_ = 0;
  std::vector<std::uint64_t> synapse_counts_;    // per projection, over all ranks, once built
  std::uint64_t synaptic_events_elsewhere_ = 0;  // the other ranks', as of the last run() end
  bool stop_agreed_ = false;                     // a rank asked to stop (from the last exchange)
  ExchangeStats exchange_stats_;
  std::vector<std::byte> exchange_send_;  // the window's payload of this rank, and of all
  std::vector<std::byte> exchange_receive_;
  // gather_synapses: on rank 0, the synapses of every rank, per projection (empty: local).
  struct GatheredSynapse;
  std::vector<std::vector<GatheredSynapse>> gathered_;

  bool built_ = false;
  bool started_ = false;
  bool has_plastic_ = false;
  bool plastic_work_ = false;  // the plastic projections have spikes or flushes this window
  Step now_ = 0;
  Step window_ = 1;
  Step ring_slots_ = 1;
  std::uint64_t synaptic_events_ = 0;
  Step checked_until_ = 0;            // the state was last found finite at this step boundary
  bool numerical_check_due_ = false;  // in the window being run
  std::atomic<bool> stop_requested_{false};
};

}  // namespace spikeflow
