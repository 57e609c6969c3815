// Network::save_state and load_state: what a continuation needs, by section.
//
//   network/        format, clock (now), seed, dt, window, ring slots, synaptic events,
//                   and the counts of populations, projections, inputs, traces
//   populations/<name>/   size, spike_count, ring_excitatory, ring_inhibitory (slot-major,
//                   slot * size + neuron, as the engine keeps them), ring_current (the
//                   held graded current of `current` synapses, if any), model/ (the model's
//                   own save_state), recorded_step and recorded_neuron (in-memory spikes)
//   projections/<k>/      synapse_count (a check: connectivity is regenerated from the seed);
//                   plastic/weights (double, canonical order, see canonical_weight_order)
//                   and plastic/rule/ (the rule's per-neuron state) for a plastic projection
//   inputs/<k>/     the input's save_state (nothing for the inputs of models/inputs.hpp)
//   traces/<k>/     frame_steps and values of the in-memory trace
//   components/<name>/    registered StateComponents
//
// What needs no saving, and why: random streams are counter-based (seed, purpose, object,
// neuron, step), so the step is all they need; the window schedule, partition slices and
// trace frame phase are computed from the absolute step; `current` is refilled every step;
// propagators and refractory step counts are derived from the parameters by prepare().
// The ring holds the inputs of the steps still to come (the slots of past steps are zeroed
// after use), and its layout does not depend on the partition count, so a checkpoint taken
// with one partition and thread count resumes with any other.
#include <algorithm>

#include "engine/error.hpp"
#include "engine/network_detail.hpp"

namespace spikeflow {

namespace {

constexpr std::uint64_t kStateFormat = 1;

std::string index_name(std::size_t k) {
  return concat(k);
}

void check_equal(const char* what, std::uint64_t saved, std::uint64_t here) {
  if (saved != here)
    throw ConfigError(concat("checkpoint does not fit this network: ", what, " is ", saved,
                             " in the checkpoint, ", here, " here"));
}

// Where each stored weight of a plastic projection sits, listed in the canonical order
// (target, source, delay, storage order among synapses with the same three). Which partition
// holds a synapse follows its target, so all synapses of one (target, source, delay) lie in
// one partition, in generation order there: the order is the same for any partition count.
struct WeightSlot {
  NeuronIndex target;
  NeuronIndex source;
  std::uint16_t delay;
  std::uint32_t partition;
  std::uint64_t index;
};

std::vector<WeightSlot> canonical_weight_order(const PlasticPart& part) {
  std::vector<WeightSlot> slots;
  for (std::size_t p = 0; p < part.rows.size(); ++p) {
    std::uint64_t index = 0;
    part.rows[p].for_each_synapse([&](NeuronIndex s, NeuronIndex t, double, std::uint16_t d) {
      slots.push_back({t, s, d, static_cast<std::uint32_t>(p), index++});
    });
  }
  std::stable_sort(slots.begin(), slots.end(), [](const WeightSlot& a, const WeightSlot& b) {
    if (a.target != b.target) return a.target < b.target;
    if (a.source != b.source) return a.source < b.source;
    return a.delay < b.delay;
  });
  return slots;
}

void save_plastic(const PlasticPart& part, const StateSection& out) {
  const std::vector<WeightSlot> slots = canonical_weight_order(part);
  std::vector<double> weights(slots.size());
  auto& rows = const_cast<PlasticPart&>(part).rows;  // weights() is not const; read only
  for (std::size_t i = 0; i < slots.size(); ++i)
    weights[i] = rows[slots[i].partition].weights()[slots[i].index];
  out.write("weights", weights);
  part.rule->save_state(out.section("rule"));
}

void load_plastic(PlasticPart& part, const StateSource& in, Communicator& comm) {
  const std::vector<WeightSlot> slots = canonical_weight_order(part);
  // The file holds the weights of every rank that saved them, in the canonical order, which
  // is by target and so rank by rank (each rank's targets follow the previous rank's): this
  // rank's are the slice after those of the ranks before it, whatever the rank count was.
  const std::vector<std::uint64_t> counts =
      allgather_value(comm, static_cast<std::uint64_t>(slots.size()));
  std::uint64_t offset = 0;
  std::uint64_t total = 0;
  for (int r = 0; r < comm.size(); ++r) {
    if (r < comm.rank()) offset += counts[static_cast<std::size_t>(r)];
    total += counts[static_cast<std::size_t>(r)];
  }
  std::vector<double> weights(total);
  in.read("weights", weights);
  for (std::size_t i = 0; i < slots.size(); ++i)
    part.rows[slots[i].partition].weights()[slots[i].index] = weights[offset + i];
  part.rule->load_state(in.section("rule"));
}

}  // namespace

void Population::save_state(const StateSection& out) const {
  // state() is not const (it hands out writable arrays); reading through it changes nothing.
  auto& self = const_cast<Population&>(*this);
  for (const std::string& name : state_names()) {
    const std::span<double> values = self.state(name);
    out.write(name, std::span<const double>(values.data(), values.size()));
  }
}

void Population::load_state(const StateSource& in) {
  for (const std::string& name : state_names()) in.read(name, state(name));
}

void Network::add_state_component(std::string name, StateComponent* component) {
  if (!component) throw ConfigError("add_state_component: null component");
  if (name.empty() || name.find('/') != std::string::npos)
    throw ConfigError(concat("state component '", name, "': a name must be non-empty, no '/'"));
  for (const auto& [n, c] : state_components_)
    if (n == name) throw ConfigError(concat("state component '", name, "' is added twice"));
  state_components_.emplace_back(std::move(name), component);
}

void Network::save_state(StateWriter& writer) const {
  if (!built_) throw ConfigError("save_state: the network is not built yet (call build() first)");
  if (comm_->size() == 1) return save_local_state(writer);
  MemoryState local;
  save_local_state(local);
  merge_rank_states(local, writer);
}

void Network::save_local_state(StateWriter& writer) const {
  const StateSection root(writer, "");
  const StateSection net = root.section("network");
  net.write_scalar<std::uint64_t>("format", kStateFormat);
  net.write_scalar<std::int64_t>("now", now_);
  net.write_scalar<std::uint64_t>("seed", options_.seed);
  net.write_scalar<double>("dt", grid_.dt());
  net.write_scalar<std::int64_t>("window", window_);
  net.write_scalar<std::int64_t>("ring_slots", ring_slots_);
  net.write_scalar<std::uint64_t>("synaptic_events", synaptic_events());
  net.write_scalar<std::uint64_t>("population_count", populations_.size());
  net.write_scalar<std::uint64_t>("projection_count", projections_.size());
  net.write_scalar<std::uint64_t>("input_count", inputs_.size());
  net.write_scalar<std::uint64_t>("trace_count", traces_.size());

  for (const PopulationEntry& e : populations_) {
    if (e.name.find('/') != std::string::npos)
      throw ConfigError(concat("save_state: population '", e.name, "': a '/' in the name"));
    const StateSection pop = root.section("populations").section(e.name);
    pop.write_scalar<std::uint64_t>("size", e.model->size());
    pop.write_scalar<std::uint64_t>("spike_count", e.spike_count);
    if (!e.ring_excitatory.empty()) {
      pop.write("ring_excitatory", e.ring_excitatory);
      pop.write("ring_inhibitory", e.ring_inhibitory);
    }
    if (!e.ring_current.empty()) pop.write("ring_current", e.ring_current);
    e.model->save_state(pop.section("model"));
    if (e.record_spikes && options_.keep_recordings_in_memory) {
      std::vector<std::int64_t> steps(e.recorded.size());
      std::vector<std::uint64_t> neurons(e.recorded.size());
      for (std::size_t i = 0; i < e.recorded.size(); ++i) {
        steps[i] = e.recorded[i].step;
        neurons[i] = e.recorded[i].neuron;
      }
      pop.write("recorded_step", steps);
      pop.write("recorded_neuron", neurons);
    }
  }
  for (std::size_t k = 0; k < projections_.size(); ++k) {
    const StateSection proj = root.section("projections").section(index_name(k));
    proj.write_scalar<std::uint64_t>("synapse_count",
                                     synapse_count({static_cast<std::uint32_t>(k)}));
    if (projections_[k].plastic) save_plastic(*projections_[k].plastic, proj.section("plastic"));
  }
  for (std::size_t k = 0; k < inputs_.size(); ++k)
    inputs_[k].input->save_state(root.section("inputs").section(index_name(k)));
  if (options_.keep_recordings_in_memory)
    for (std::size_t k = 0; k < traces_.size(); ++k) {
      const StateSection t = root.section("traces").section(index_name(k));
      t.write("frame_steps", traces_[k].memory.frame_steps);
      t.write("values", traces_[k].memory.values);
    }
  for (const auto& [name, component] : state_components_)
    component->save_state(root.section("components").section(name));
}

void Network::load_state(const StateReader& reader) {
  build();
  const StateSource root(reader, "");
  const StateSource net = root.section("network");
  check_equal("the state format", net.read_scalar<std::uint64_t>("format"), kStateFormat);
  check_equal("the seed", net.read_scalar<std::uint64_t>("seed"), options_.seed);
  const double dt = net.read_scalar<double>("dt");
  if (dt != grid_.dt())
    throw ConfigError(concat("checkpoint does not fit this network: dt is ", dt,
                             " ms in the checkpoint, ", grid_.dt(), " ms here"));
  check_equal("the population count", net.read_scalar<std::uint64_t>("population_count"),
              populations_.size());
  check_equal("the projection count", net.read_scalar<std::uint64_t>("projection_count"),
              projections_.size());
  check_equal("the input count", net.read_scalar<std::uint64_t>("input_count"), inputs_.size());
  check_equal("the trace count", net.read_scalar<std::uint64_t>("trace_count"), traces_.size());
  check_equal("the ring length (largest delay + 1, steps)",
              static_cast<std::uint64_t>(net.read_scalar<std::int64_t>("ring_slots")),
              static_cast<std::uint64_t>(ring_slots_));
  for (std::size_t k = 0; k < projections_.size(); ++k) {
    const std::uint64_t saved = root.section("projections")
                                    .section(index_name(k))
                                    .read_scalar<std::uint64_t>("synapse_count");
    const std::string what = concat("the synapse count of projection '", projections_[k].name, "'");
    check_equal(what.c_str(), saved, synapse_count({static_cast<std::uint32_t>(k)}));
  }
  const Step now = net.read_scalar<std::int64_t>("now");
  if (now < 0) throw ConfigError(concat("checkpoint: the clock is negative (step ", now, ")"));

  for (PopulationEntry& e : populations_) {
    const StateSource pop = root.section("populations").section(e.name);
    const std::string what = concat("the size of population '", e.name, "'");
    check_equal(what.c_str(), pop.read_scalar<std::uint64_t>("size"), e.model->size());
    e.spike_count = pop.read_scalar<std::uint64_t>("spike_count");
    if (!e.ring_excitatory.empty()) {
      pop.read("ring_excitatory", e.ring_excitatory);
      pop.read("ring_inhibitory", e.ring_inhibitory);
    }
    if (!e.ring_current.empty()) pop.read("ring_current", e.ring_current);
    // The loaded slots may hold input anywhere: each is read whole once.
    for (ArrivalList& list : e.arrivals) {
      list.clear();
      list.overflowed = true;
    }
    e.model->load_state(pop.section("model"));
    e.recorded.clear();
    if (e.record_spikes && options_.keep_recordings_in_memory && pop.contains("recorded_step")) {
      std::vector<std::int64_t> steps(pop.size("recorded_step"));
      std::vector<std::uint64_t> neurons(steps.size());
      pop.read("recorded_step", steps);
      pop.read("recorded_neuron", neurons);
      e.recorded.resize(steps.size());
      for (std::size_t i = 0; i < steps.size(); ++i)
        e.recorded[i] = {steps[i], static_cast<NeuronIndex>(neurons[i])};
    }
  }
  for (std::size_t k = 0; k < projections_.size(); ++k)
    if (projections_[k].plastic)
      load_plastic(*projections_[k].plastic,
                   root.section("projections").section(index_name(k)).section("plastic"), *comm_);
  for (std::size_t k = 0; k < inputs_.size(); ++k)
    inputs_[k].input->load_state(root.section("inputs").section(index_name(k)));
  for (std::size_t k = 0; k < traces_.size(); ++k) {
    Trace& memory = traces_[k].memory;
    memory = {};
    const StateSource t = root.section("traces").section(index_name(k));
    if (!options_.keep_recordings_in_memory || !t.contains("frame_steps")) continue;
    memory.frame_steps.resize(t.size("frame_steps"));
    memory.values.resize(t.size("values"));
    t.read("frame_steps", memory.frame_steps);
    t.read("values", memory.values);
  }
  for (const auto& [name, component] : state_components_)
    component->load_state(root.section("components").section(name));

  now_ = now;
  // Every rank holds the whole state; the event count is the sum over ranks, kept on rank 0.
  const std::uint64_t events = net.read_scalar<std::uint64_t>("synaptic_events");
  synaptic_events_ = comm_->rank() == 0 ? events : 0;
  synaptic_events_elsewhere_ = comm_->rank() == 0 ? 0 : events;
  // Every rank checks the whole state it loaded, so all ranks refuse a bad checkpoint alike.
  check_loaded_state();
}

}  // namespace spikeflow
