// Arrival lists (engine/network_detail.hpp, ArrivalList): a population whose inputs are all
// static spike synapses gets, per step, the list of neurons its ring slot holds input for,
// and its model reads the slot only there. The results must be those of reading the whole
// slot, bit for bit, for any thread and partition count, with slots that overflow their list
// and across a checkpoint.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "engine/network.hpp"
#include "engine/state_io.hpp"
#include "models/inputs.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

using namespace spikeflow;

namespace {

// lif_exp, counting the steps in which the engine passed an arrival list and those in which
// it passed none (the whole slot is read).
class Observed final : public Population {
 public:
  Observed(NeuronIndex size, const models::LifExp::Params& p) : inner_(size, p) {}
  std::string_view model() const override { return inner_.model(); }
  NeuronIndex size() const override { return inner_.size(); }
  void prepare(const TimeGrid& grid) override { inner_.prepare(grid); }
  void update(NeuronRange range, Step step, const StepInput& in, SpikeSink& out) override {
    (in.arrivals ? listed : whole) += 1;  // one partition at a time in these tests (1 thread)
    inner_.update(range, step, in, out);
  }
  bool clears_spike_input() const override { return inner_.clears_spike_input(); }
  bool reads_arrival_lists() const override { return inner_.reads_arrival_lists(); }
  std::vector<std::string> state_names() const override { return inner_.state_names(); }
  std::span<double> state(std::string_view name) override { return inner_.state(name); }
  std::string_view state_unit(std::string_view name) const override {
    return inner_.state_unit(name);
  }
  void save_state(const StateSection& out) const override { inner_.save_state(out); }
  void load_state(const StateSource& in) override { inner_.load_state(in); }

  std::uint64_t listed = 0, whole = 0;

 private:
  models::LifExp inner_;
};

// The CUBA network of Brette et al. (2007) at 500 neurons (p = 0.1), as examples/cuba.toml
// but with two kinds of delay: E projections of one step (every slot is read the step after
// it is filled) and I projections drawn from 0.1-2 ms (slots filled up to 20 steps ahead).
// "hub": 16 neurons with 150 E and 10 I inputs each, so its slots often receive more targets
// than the list of a partition holds (2 = 16 / 8) and are read whole.
struct Cuba {
  std::vector<PopulationHandle> populations;  // E, I, hub
  std::vector<ProjectionHandle> projections;
};

Cuba build_cuba(Network& net, bool zero_dc_input) {
  models::LifExp::Params p;
  p.tau_m = 20.0;
  p.E_L = -49.0;
  p.V_th = -50.0;
  p.V_reset = -60.0;
  p.t_ref = 5.0;
  p.tau_syn_ex = 5.0;
  p.tau_syn_in = 10.0;
  p.weights_in_mV = true;
  Cuba c;
  c.populations = {net.add_population("E", std::make_unique<Observed>(400, p)),
                   net.add_population("I", std::make_unique<Observed>(100, p)),
                   net.add_population("hub", std::make_unique<Observed>(16, p))};
  const auto [E, I, hub] = std::tuple{c.populations[0], c.populations[1], c.populations[2]};
  for (const auto pop : c.populations) {
    net.set_initial_state(pop, "V_m", Distribution::uniform(-60.0, -50.0));
    net.record_spikes(pop);
    // 0 pA changes nothing but makes the population take input the lists do not carry.
    if (zero_dc_input) net.add_input(pop, models::make_dc_input({.amplitude = 0.0}));
  }
  const SynapseSpec excitatory{Distribution::constant(1.62), Distribution::constant(0.1)};
  const SynapseSpec inhibitory{Distribution::constant(-9.0), Distribution::uniform(0.1, 2.0)};
  const auto bernoulli = ConnectionRule::pairwise_bernoulli(0.1);
  for (const auto target : {E, I}) {
    c.projections.push_back(net.connect(E, target, bernoulli, excitatory));
    c.projections.push_back(net.connect(I, target, bernoulli, inhibitory));
  }
  c.projections.push_back(net.connect(E, hub, ConnectionRule::fixed_indegree(150), excitatory));
  c.projections.push_back(net.connect(I, hub, ConnectionRule::fixed_indegree(10), inhibitory));
  return c;
}

struct Outcome {
  std::vector<std::vector<SpikeEvent>> spikes;
  std::vector<std::vector<double>> state;  // V_m, I_syn_ex, I_syn_in of E, I, hub
  std::vector<std::uint64_t> listed, whole;
};

Outcome outcome_of(Network& net, const Cuba& c) {
  Outcome o;
  for (const auto pop : c.populations) {
    o.spikes.push_back(net.spikes(pop));
    for (const auto& name : net.population(pop).state_names()) {
      const auto s = net.population(pop).state(name);
      o.state.emplace_back(s.begin(), s.end());
    }
    const auto& observed = dynamic_cast<const Observed&>(net.population(pop));
    o.listed.push_back(observed.listed);
    o.whole.push_back(observed.whole);
  }
  return o;
}

Outcome run_cuba(double duration, int partitions, bool zero_dc_input, std::uint64_t seed = 5) {
  Network net({.dt = 0.1, .seed = seed, .threads = 1, .partitions = partitions});
  const Cuba c = build_cuba(net, zero_dc_input);
  net.run(duration);
  return outcome_of(net, c);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

void require_identical(const Outcome& a, const Outcome& b) {
  REQUIRE(a.spikes.size() == b.spikes.size());
  for (std::size_t p = 0; p < a.spikes.size(); ++p) {
    INFO("population " << p);
    CHECK(a.spikes[p].size() == b.spikes[p].size());
    CHECK(a.spikes[p] == b.spikes[p]);
  }
  REQUIRE(a.state.size() == b.state.size());
  for (std::size_t k = 0; k < a.state.size(); ++k) {
    INFO("state array " << k);
    CHECK(same_bits(a.state[k], b.state[k]));
  }
}

}  // namespace

TEST_CASE("arrival lists give the bits of reading the whole ring slot", "[unit][determinism]") {
  // Requirement: a CUBA network whose populations get arrival lists has the same spikes and
  // final state bits as the same network made to read every slot whole (a 0 pA DC input
  // turns the lists off), for 1, 3 and 7 partitions. The lists are really used (with one
  // partition E gets one in more than 90 % of the steps) and the hub's slots overflow.
  const double duration = 300.0;
  const Outcome whole = run_cuba(duration, 1, true);
  REQUIRE(whole.spikes[0].size() > 500);  // E fires at more than 4 Hz: busy enough to mean
  REQUIRE(whole.spikes[2].size() > 50);   // something, the hub too
  for (std::size_t p = 0; p < 3; ++p) CHECK(whole.listed[p] == 0);

  for (const int partitions : {1, 3, 7}) {
    INFO("partitions " << partitions);
    const Outcome listed = run_cuba(duration, partitions, false);
    require_identical(listed, whole);
    for (std::size_t p = 0; p < 3; ++p) CHECK(listed.listed[p] > 0);
    CHECK(listed.whole[2] > 0);
    if (partitions == 1) CHECK(listed.listed[0] > 9 * listed.whole[0]);
  }

  // The comparison can fail: another seed gives other spikes.
  const Outcome other = run_cuba(duration, 1, false, 6);
  CHECK(other.spikes[0] != whole.spikes[0]);
}

TEST_CASE("arrival lists are kept only for populations fed by static spike synapses alone",
          "[unit]") {
  // Requirement: a population with a Poisson input, or targeted by a plastic projection,
  // reads its slots whole (those writers keep no lists); one fed by static synapses only
  // gets lists.
  models::LifExp::Params p;
  const auto build = [&](Network& net, bool plastic) {
    const auto src =
        net.add_population("src", models::make_spike_source_array({{1.0, 2.0, 3.0}, {1.5, 2.5}}));
    // 80 neurons, a list of 10 per slot: two spikes of 2 targets each never overflow it.
    const auto fed = net.add_population("fed", std::make_unique<Observed>(80, p));
    const auto poisson = net.add_population("poisson", std::make_unique<Observed>(80, p));
    const auto learner = net.add_population("learner", std::make_unique<Observed>(80, p));
    const SynapseSpec spec{Distribution::constant(50.0), Distribution::constant(0.5)};
    for (const auto target : {fed, poisson, learner})
      net.connect(src, target, ConnectionRule::fixed_outdegree(2), spec);
    const auto learning = net.connect(fed, learner, ConnectionRule::fixed_outdegree(1),
                                      {Distribution::constant(0.5), Distribution::constant(0.5)});
    if (plastic) net.set_plasticity(learning, models::make_stdp({}));
    net.add_input(poisson, models::make_poisson_input({.rate = 1000.0, .weight = 1.0}));
    return std::vector{fed, poisson, learner};
  };
  for (const bool plastic : {false, true}) {
    INFO("plastic " << plastic);
    Network net({.dt = 0.1, .threads = 1, .partitions = 1});
    const auto pops = build(net, plastic);
    net.run(10.0);
    const auto observed = [&](PopulationHandle h) -> const Observed& {
      return dynamic_cast<const Observed&>(net.population(h));
    };
    CHECK(observed(pops[0]).listed == 100);
    CHECK(observed(pops[1]).listed == 0);
    CHECK(observed(pops[2]).listed == (plastic ? 0 : 100));
  }
}

TEST_CASE("a checkpoint of a network fed through arrival lists resumes bit for bit", "[unit]") {
  // Requirement: saved at 123.4 ms, with inputs in flight in the ring up to 2 ms ahead,
  // loaded into a new network (other partition count) and run to 250 ms, the CUBA network
  // ends with the spikes and state bits of the uninterrupted run. The loaded slots hold
  // input at neurons no list names, so the engine must read each of them whole once.
  const Outcome uninterrupted = run_cuba(250.0, 2, false);
  MemoryState saved;
  {
    Network net({.dt = 0.1, .seed = 5, .threads = 1, .partitions = 2});
    build_cuba(net, false);
    net.run(123.4);
    net.save_state(saved);
  }
  Network net({.dt = 0.1, .seed = 5, .threads = 1, .partitions = 3});
  const Cuba c = build_cuba(net, false);
  net.load_state(saved);
  net.run(250.0 - 123.4);
  const Outcome resumed = outcome_of(net, c);
  // Spikes before the checkpoint are in the saved recordings; compare the whole lists.
  require_identical(resumed, uninterrupted);
}
