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
#include "engine/connectivity.hpp"
#include "engine/distribution.hpp"
#include "engine/input.hpp"
#include "engine/population.hpp"
#include "engine/recording.hpp"
#include "engine/state_io.hpp"
#include "engine/time.hpp"

namespace spikeflow {

// The default partition count: the number of hardware threads of this machine. Spikes do
// not depend on it (nor on the thread count); it only sets how finely work is split. Fewer
// partitions make delivery cheaper (each spike is looked up once per partition and
// projection), so it is not larger than the machine needs.
int default_partitions();

struct NetworkOptions {
  double dt = 0.1;  // ms
  std::uint64_t seed = 1;
  int threads = 0;                        // 0: all cores
  int partitions = default_partitions();  // independent of the thread count
  bool keep_recordings_in_memory = true;  // false when only sinks (files) consume them
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
  // handler or another thread.
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }

  // --- checkpoints (engine/checkpoint.cpp; files: io/checkpoint.hpp) ---
  // Writes everything a continuation needs: the clock, every population's state (named
  // and hidden), ring buffers, spike counts, input state, the in-memory recordings, and
  // every registered component. Call it between runs (the clock is at a window boundary).
  // The network must be built.
  void save_state(StateWriter& out) const;
  // Restores what save_state wrote into a network made from the same description and seed
  // (building it first if needed): continuing then gives the spikes the saved network would
  // have given, for any thread or partition count. Throws ConfigError if the checkpoint does
  // not fit the network (seed, dt, population sizes, synapse counts differ), and
  // NumericalFaultError if the state it holds is NaN or infinite somewhere.
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
  // Spikes emitted so far by each population, recorded or not.
  std::uint64_t spike_count(std::uint32_t population) const;
  NeuronId neuron_count() const;
  std::uint64_t synapse_count() const;
  std::uint64_t synapse_count(ProjectionHandle projection) const;
  std::uint64_t connectivity_bytes() const;
  // Synaptic events delivered so far (one per spike and synapse it crosses).
  std::uint64_t synaptic_events() const { return synaptic_events_; }
  // Visits every synapse of a projection: f(source, target, weight, delay_steps).
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
  void apply_initial_states();
  void run_window(Step begin, Step end);
  void update_partition(int partition, Step begin, Step end);
  void deliver_partition(int partition);
  // engine/plasticity.cpp: the plastic projections' part of a window.
  void prepare_plasticity();
  void begin_plastic_window(Step begin, Step end);
  void deliver_plastic_partition(int partition);
  void collect_window(Step begin, Step end);
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
