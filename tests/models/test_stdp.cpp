// Tests of models/stdp.hpp through the engine (engine/plasticity.hpp): the STDP window
// against its exponentials, the pairing schemes against hand calculations, the bounds, the
// triplet rule's frequency dependence against an independent event-by-event implementation,
// and thread/partition invariance of a plastic network.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "engine/network.hpp"
#include "engine/plasticity.hpp"
#include "model_test_support.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

using namespace spikeflow;
using models::PairingScheme;
using models::WeightDependence;

namespace {

// A population whose neurons spike at given steps whatever their input, and which records
// the excitatory input each neuron receives in each step (the weights transmitted to it).
class ScriptedNeurons final : public Population {
 public:
  explicit ScriptedNeurons(std::vector<std::vector<Step>> steps) : steps_(std::move(steps)) {}
  std::string_view model() const override { return "scripted"; }
  NeuronIndex size() const override { return static_cast<NeuronIndex>(steps_.size()); }
  void prepare(const TimeGrid&) override { received.assign(steps_.size(), {}); }
  void update(NeuronRange r, Step step, const StepInput& in, SpikeSink& out) override {
    for (NeuronIndex i = r.begin; i < r.end; ++i) {
      if (in.excitatory[i] != 0.0) received[i].push_back(in.excitatory[i]);
      for (const Step s : steps_[i])
        if (s == step) out.emit(i);
    }
  }
  std::vector<std::string> state_names() const override { return {}; }
  std::span<double> state(std::string_view) override { return {}; }
  std::string_view state_unit(std::string_view) const override { return ""; }
  std::vector<std::vector<double>> received;

 private:
  std::vector<std::vector<Step>> steps_;
};

constexpr double kDt = 0.1;
constexpr double kDelay = 1.0;  // ms, dendritic

// One pre neuron i -> post neuron i per entry: pre spikes at `pre[i]` (ms, times at the
// synapse) and post spikes that reach the synapse at `post[i]` (ms; emitted kDelay earlier).
struct PairNet {
  std::unique_ptr<Network> net;
  ProjectionHandle proj;
  ScriptedNeurons* post = nullptr;
};

PairNet pair_net(const std::vector<std::vector<double>>& pre,
                 const std::vector<std::vector<double>>& post, double w0,
                 std::unique_ptr<Plasticity> rule, double dt = kDt, int threads = 1,
                 int partitions = 1) {
  PairNet p;
  p.net = std::make_unique<Network>(
      NetworkOptions{.dt = dt, .seed = 1, .threads = threads, .partitions = partitions});
  TimeGrid grid(dt);
  std::vector<std::vector<Step>> post_steps(post.size());
  for (std::size_t i = 0; i < post.size(); ++i)
    for (const double t : post[i]) post_steps[i].push_back(grid.steps(t - kDelay, "post") - 1);
  auto pre_pop = p.net->add_population("pre", models::make_spike_source_array(pre));
  auto scripted = std::make_unique<ScriptedNeurons>(post_steps);
  p.post = scripted.get();
  auto post_pop = p.net->add_population("post", std::move(scripted));
  p.proj = p.net->connect(
      pre_pop, post_pop, ConnectionRule::one_to_one(),
      {.weight = Distribution::constant(w0), .delay = Distribution::constant(kDelay)});
  p.net->set_plasticity(p.proj, std::move(rule));
  return p;
}

std::vector<double> weights_of(const Network& net, ProjectionHandle proj) {
  std::vector<double> w;
  net.for_each_weight(proj, [&](NeuronIndex, NeuronIndex, double x, Step) { w.push_back(x); });
  return w;
}

// The weights ordered by (source, target, delay, weight): the storage order depends on
// the partitioning, the set of synapses does not.
std::vector<double> sorted_weights(const Network& net, ProjectionHandle proj) {
  std::vector<std::tuple<NeuronIndex, NeuronIndex, Step, double>> all;
  net.for_each_weight(
      proj, [&](NeuronIndex s, NeuronIndex t, double w, Step d) { all.emplace_back(s, t, d, w); });
  std::sort(all.begin(), all.end());
  std::vector<double> w;
  for (const auto& x : all) w.push_back(std::get<3>(x));
  return w;
}

models::StdpParams params_for(WeightDependence d) {
  models::StdpParams p;
  p.weight_dependence = d;
  p.tau_plus = 16.8;
  p.tau_minus = 33.7;
  p.A_plus = 0.01;
  p.A_minus = 0.012;
  p.mu_plus = 0.4;
  p.mu_minus = 0.7;
  if (d == WeightDependence::morrison2007) p.w_max = std::numeric_limits<double>::infinity();
  return p;
}

// F+(w) and F-(w) of the header, written out for the test.
double f_plus(const models::StdpParams& p, double w) {
  const double s = p.w_max - p.w_min;
  switch (p.weight_dependence) {
    case WeightDependence::additive:
      return s * p.A_plus;
    case WeightDependence::multiplicative:
      return p.A_plus * (p.w_max - w);
    case WeightDependence::gutig:
      return s * p.A_plus * std::pow((p.w_max - w) / s, p.mu_plus);
    case WeightDependence::morrison2007:
      return p.lambda * std::pow(w, p.mu);
  }
  return 0;
}
double f_minus(const models::StdpParams& p, double w) {
  const double s = p.w_max - p.w_min;
  switch (p.weight_dependence) {
    case WeightDependence::additive:
      return s * p.A_minus;
    case WeightDependence::multiplicative:
      return p.A_minus * (w - p.w_min);
    case WeightDependence::gutig:
      return s * p.A_minus * std::pow((w - p.w_min) / s, p.mu_minus);
    case WeightDependence::morrison2007:
      return p.lambda * p.alpha * w;
  }
  return 0;
}

}  // namespace

TEST_CASE("stdp window of single pairs equals the exponentials for every weight dependence",
          "[model][stdp]") {
  // Requirement: one pre and one post spike at dt = t_post + d - t_pre from -100 to +100 ms
  // change the weight by F+(w0) exp(-dt/tau_plus) (dt > 0), -F-(w0) exp(dt/tau_minus)
  // (dt < 0) and not at all at dt = 0, to 1e-9 relative.
  const double t_pre = 200.0;
  const double w0 = 0.5;
  std::vector<std::vector<double>> pre, post;
  std::vector<double> lags;
  for (int k = -100; k <= 100; ++k) {
    lags.push_back(k);
    pre.push_back({t_pre});
    post.push_back({t_pre + k});
  }
  for (const auto dep : {WeightDependence::additive, WeightDependence::multiplicative,
                         WeightDependence::gutig, WeightDependence::morrison2007}) {
    INFO("weight dependence " << models::name_of(dep));
    const models::StdpParams p = params_for(dep);
    PairNet net = pair_net(pre, post, w0, models::make_stdp(p));
    net.net->run(400.0);
    const std::vector<double> w = weights_of(*net.net, net.proj);
    REQUIRE(w.size() == lags.size());
    for (std::size_t i = 0; i < lags.size(); ++i) {
      const double lag = lags[i];
      const double expected = lag > 0   ? f_plus(p, w0) * std::exp(-lag / p.tau_plus)
                              : lag < 0 ? -f_minus(p, w0) * std::exp(lag / p.tau_minus)
                                        : 0.0;
      INFO("dt = " << lag << " ms: dw " << w[i] - w0 << ", expected " << expected);
      if (expected == 0.0)
        CHECK(w[i] == w0);
      else
        CHECK(std::abs((w[i] - w0) - expected) <= 1e-9 * std::abs(expected));
      if (dep == WeightDependence::additive && std::abs(std::fmod(lag, 20.0)) == 0.0)
        std::printf("stdp window additive: dt %+6.1f ms  dw %+.12e  analytic %+.12e\n", lag,
                    w[i] - w0, expected);
    }
  }
}

TEST_CASE("stdp pairing schemes give the hand-calculated weight change", "[model][stdp]") {
  // Requirement: each scheme pairs exactly the spikes its definition names (Morrison et al.
  // 2008, Fig. 7). Additive rule, S = 1, so dw = A+ sum exp(-lag/tau+) - A- sum exp(-lag/tau-)
  // over the scheme's pairs; lags are in ms at the synapse.
  const double tp = 16.8, tm = 33.7, ap = 0.01, am = 0.012;
  const auto P = [&](double lag) { return ap * std::exp(-lag / tp); };
  const auto D = [&](double lag) { return am * std::exp(-lag / tm); };
  struct Case {
    const char* what;
    std::vector<double> pre, post;
    std::map<PairingScheme, double> dw;
  };
  const double o = 100.0;  // offset of every time, ms
  const std::vector<Case> cases = {
      // A: pre 10, pre 16, post 20, post 27.
      //   all_to_all: (p1,q1) 10, (p1,q2) 17, (p2,q1) 4, (p2,q2) 11, no depression.
      //   symmetric: each post with the nearest earlier pre, p2: lags 4 and 11.
      //   presynaptic-centred: each pre with its next post, q1: lags 10 and 4.
      //   restricted: only the neighbours p2, q1: lag 4.
      {"pre pre post post",
       {o + 10, o + 16},
       {o + 20, o + 27},
       {{PairingScheme::all_to_all, P(10) + P(17) + P(4) + P(11)},
        {PairingScheme::nearest_symmetric, P(4) + P(11)},
        {PairingScheme::nearest_presynaptic_centred, P(10) + P(4)},
        {PairingScheme::nearest_restricted_symmetric, P(4)}}},
      // B: post 10, pre 15, pre 21, post 30.
      //   all_to_all: depression (q1,p1) 5, (q1,p2) 11; potentiation (p1,q2) 15, (p2,q2) 9.
      //   symmetric: p1 and p2 each with q1 (5, 11); q2 with p2 (9).
      //   presynaptic-centred: p1: q1 before (5), q2 after (15); p2: q1 (11), q2 (9).
      //   restricted: neighbours (q1,p1) 5 and (p2,q2) 9.
      {"post pre pre post",
       {o + 15, o + 21},
       {o + 10, o + 30},
       {{PairingScheme::all_to_all, -D(5) - D(11) + P(15) + P(9)},
        {PairingScheme::nearest_symmetric, -D(5) - D(11) + P(9)},
        {PairingScheme::nearest_presynaptic_centred, -D(5) - D(11) + P(15) + P(9)},
        {PairingScheme::nearest_restricted_symmetric, -D(5) + P(9)}}},
      // C: pre 10, post 14, pre 20, pre 24, post 30.
      //   all_to_all: potentiation 4, 20, 10, 6; depression (q1,p2) 6, (q1,p3) 10.
      //   symmetric: q1 with p1 (4), q2 with p3 (6); p2, p3 with q1 (6, 10).
      //   presynaptic-centred: p1 -> q1 (4), p2 -> q2 (10), p3 -> q2 (6); p2, p3 with q1
      //   (6, 10).
      //   restricted: (p1,q1) 4, (q1,p2) 6, (p3,q2) 6.
      {"pre post pre pre post",
       {o + 10, o + 20, o + 24},
       {o + 14, o + 30},
       {{PairingScheme::all_to_all, P(4) + P(20) + P(10) + P(6) - D(6) - D(10)},
        {PairingScheme::nearest_symmetric, P(4) + P(6) - D(6) - D(10)},
        {PairingScheme::nearest_presynaptic_centred, P(4) + P(10) + P(6) - D(6) - D(10)},
        {PairingScheme::nearest_restricted_symmetric, P(4) - D(6) + P(6)}}},
      // D: coincident pre and post (lag 0) between others: pre 10, post 20, pre 20, post 25.
      //   The lag-0 pair (post 20, pre 20) changes nothing and separates nothing.
      //   all_to_all: (p1,q1) 10, (p1,q2) 15, (p2,q2) 5.
      //   symmetric: q1 with p1 (10), q2 with p2 (5); p2's nearest earlier post: none.
      //   presynaptic-centred: p1 -> q1 (10), p2 -> q2 (5).
      //   restricted: (p1,q1) 10, (p2,q2) 5.
      {"pre post+pre post",
       {o + 10, o + 20},
       {o + 20, o + 25},
       {{PairingScheme::all_to_all, P(10) + P(15) + P(5)},
        {PairingScheme::nearest_symmetric, P(10) + P(5)},
        {PairingScheme::nearest_presynaptic_centred, P(10) + P(5)},
        {PairingScheme::nearest_restricted_symmetric, P(10) + P(5)}}},
  };
  const double w0 = 0.5;
  for (const Case& c : cases) {
    for (const auto& [scheme, expected] : c.dw) {
      INFO(c.what << ", scheme " << models::name_of(scheme));
      models::StdpParams p;
      p.scheme = scheme;
      p.tau_plus = tp;
      p.tau_minus = tm;
      p.A_plus = ap;
      p.A_minus = am;
      PairNet net = pair_net({c.pre}, {c.post}, w0, models::make_stdp(p));
      net.net->run(300.0);
      const double dw = weights_of(*net.net, net.proj).at(0) - w0;
      CHECK(std::abs(dw - expected) <= 1e-9 * std::abs(expected));
      // A spike transmits the weight after its own update: in case B the first pre spike
      // is depressed by the post spike 5 ms before it, in every scheme, before it is sent.
      if (std::string(c.what) == "post pre pre post") {
        REQUIRE(net.post->received[0].size() == 2);
        CHECK(std::abs(net.post->received[0][0] - (w0 - D(5))) <= 1e-15);
      }
    }
  }
}

TEST_CASE("stdp weights read mid-run equal the weights of one longer run", "[model][stdp]") {
  // Requirement: reading weights applies pending pairings without changing the run, and a
  // source silent for longer than the horizon is flushed exactly (pairings at 1.2 s gaps).
  std::vector<std::vector<double>> pre(3), post(3);
  for (int k = 0; k < 8; ++k) {
    pre[0].push_back(100.0 + 1200.0 * k);
    post[0].push_back(105.0 + 1200.0 * k);
    pre[1].push_back(100.0 + 1200.0 * k);
    post[1].push_back(93.0 + 1200.0 * k);
    pre[2].push_back(50.0 + 30.0 * k);
    post[2].push_back(60.0 + 30.0 * k);
  }
  for (const auto scheme : {PairingScheme::all_to_all, PairingScheme::nearest_presynaptic_centred,
                            PairingScheme::nearest_restricted_symmetric}) {
    INFO("scheme " << models::name_of(scheme));
    models::StdpParams p;
    p.scheme = scheme;
    PairNet one = pair_net(pre, post, 0.5, models::make_stdp(p));
    one.net->run(10000.0);
    PairNet pieces = pair_net(pre, post, 0.5, models::make_stdp(p));
    for (int k = 0; k < 10; ++k) {
      pieces.net->run(1000.0);
      (void)weights_of(*pieces.net, pieces.proj);
    }
    CHECK(weights_of(*one.net, one.proj) == weights_of(*pieces.net, pieces.proj));
    // The closed form for neuron 0 (all_to_all, additive): 8 pairings at +5 ms, and before
    // each later pre spike a depression by the post spike 1195 ms earlier.
    if (scheme == PairingScheme::all_to_all) {
      double w = 0.5;
      double y = 0.0;
      for (int k = 0; k < 8; ++k) {
        if (k > 0) w -= 0.0105 * y * std::exp(-1195.0 / 20.0);
        w += 0.01 * std::exp(-5.0 / 20.0);
        y = y * std::exp(-1200.0 / 20.0) + 1.0;
      }
      CHECK(std::abs(weights_of(*one.net, one.proj)[0] - w) <= 1e-12);
    }
  }
}

TEST_CASE("stdp hard bounds stop exactly at w_max and w_min, soft bounds are approached",
          "[model][stdp]") {
  // Requirement: repeated potentiating pairings (pre, post 5 ms later, every 500 ms) end at
  // exactly w_max with additive bounds; repeated depressing ones (post 5 ms before pre) at
  // exactly w_min. The multiplicative rule approaches the bound but never reaches it. No
  // transmitted weight is ever outside [w_min, w_max].
  std::vector<double> pre_times, potentiate_post, depress_post;
  for (int k = 0; k < 200; ++k) {
    const double t = 100.0 + 500.0 * k;
    pre_times.push_back(t);
    potentiate_post.push_back(t + 5.0);
    depress_post.push_back(t - 5.0);
  }
  const double w_min = 0.2, w_max = 0.8;
  for (const auto dep : {WeightDependence::additive, WeightDependence::multiplicative}) {
    INFO("weight dependence " << models::name_of(dep));
    models::StdpParams p;
    p.weight_dependence = dep;
    p.A_plus = 0.05;
    p.A_minus = 0.05;
    p.w_min = w_min;
    p.w_max = w_max;
    PairNet net = pair_net({pre_times, pre_times}, {potentiate_post, depress_post}, 0.5,
                           models::make_stdp(p), 1.0);
    net.net->run(100200.0);
    const std::vector<double> w = weights_of(*net.net, net.proj);
    const auto& up = net.post->received[0];
    const auto& down = net.post->received[1];
    REQUIRE(up.size() == 200);
    REQUIRE(down.size() == 200);
    for (std::size_t k = 0; k < up.size(); ++k) {
      CHECK(up[k] >= w_min);
      CHECK(up[k] <= w_max);
      CHECK(down[k] >= w_min);
      CHECK(down[k] <= w_max);
    }
    if (dep == WeightDependence::additive) {
      CHECK(w[0] == w_max);
      CHECK(w[1] == w_min);
      CHECK(down.back() == static_cast<double>(w_min));
    } else {
      // Each pairing multiplies the distance to the bound by 1 - 0.05 exp(-5/20) = 0.961
      // (the opposite pairing, 495 ms away, changes it by 1e-12 at most): after 200
      // pairings it is 0.961^200 = 3.5e-4 of what it was, never zero.
      CHECK(w[0] < w_max);
      CHECK(w[0] > w_max - 0.01 * (w_max - w_min));
      CHECK(w[1] > w_min);
      CHECK(w[1] < w_min + 0.01 * (w_max - w_min));
      for (std::size_t k = 1; k < up.size(); ++k) {
        CHECK(up[k] > up[k - 1]);
        CHECK(down[k] < down[k - 1]);
      }
    }
  }
}

namespace {

// Triplet rule written independently from Pfister & Gerstner's eqs. (3)-(4): events in
// time order at the synapse, traces decayed between events.
double triplet_reference(const models::TripletParams& p, std::vector<double> pre,
                         std::vector<double> post, double w) {
  struct Event {
    double t;
    bool is_pre;
  };
  std::vector<Event> events;
  for (double t : pre) events.push_back({t, true});
  for (double t : post) events.push_back({t, false});
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
  double r1 = 0, r2 = 0, o1 = 0, o2 = 0, t_last = 0;
  for (const Event& e : events) {
    const double gap = e.t - t_last;
    r1 *= std::exp(-gap / p.tau_plus);
    r2 *= std::exp(-gap / p.tau_x);
    o1 *= std::exp(-gap / p.tau_minus);
    o2 *= std::exp(-gap / p.tau_y);
    t_last = e.t;
    const double s = p.w_max - p.w_min;
    if (e.is_pre) {
      w -= s * o1 * (p.A2_minus + p.A3_minus * r2);
      r1 = p.nearest ? 1 : r1 + 1;
      r2 = p.nearest ? 1 : r2 + 1;
    } else {
      w += s * r1 * (p.A2_plus + p.A3_plus * o2);
      o1 = p.nearest ? 1 : o1 + 1;
      o2 = p.nearest ? 1 : o2 + 1;
    }
  }
  return w;
}

}  // namespace

TEST_CASE("triplet rule: frequency dependence of pairings at +-10 ms changes sign",
          "[model][stdp]") {
  // Requirement (Pfister & Gerstner 2006, Fig. 3; Sjostrom et al. 2001): 15 pairings with
  // post 10 ms after pre potentiate at every frequency; with post 10 ms before pre they
  // depress at 0.1 Hz and potentiate at 50 Hz. Every value equals an independent
  // event-by-event implementation of the rule to 1e-9 relative.
  const std::vector<double> rates = {0.1, 10, 20, 40, 50};
  const int pairings = 15;
  for (const std::string preset : {"visual_cortex_all_to_all", "visual_cortex_nearest"}) {
    const models::TripletParams p = models::triplet_preset(preset);
    std::vector<std::vector<double>> pre, post;
    for (const double lag : {10.0, -10.0})
      for (const double rate : rates) {
        std::vector<double> a, b;
        for (int k = 0; k < pairings; ++k) {
          const double t = 100.0 + 1000.0 * k / rate;
          a.push_back(t);
          b.push_back(t + lag);
        }
        pre.push_back(a);
        post.push_back(b);
      }
    const double w0 = 0.5;
    PairNet net = pair_net(pre, post, w0, models::make_triplet(p), 1.0);
    net.net->run(100.0 + 1000.0 * pairings / 0.1 + 100.0);
    const std::vector<double> w = weights_of(*net.net, net.proj);
    REQUIRE(w.size() == 2 * rates.size());
    std::map<std::pair<double, double>, double> dw;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double lag = i < rates.size() ? 10.0 : -10.0;
      const double rate = rates[i % rates.size()];
      const double expected = triplet_reference(p, pre[i], post[i], w0) - w0;
      INFO(preset << ": lag " << lag << " ms, " << rate << " Hz: dw " << w[i] - w0 << ", reference "
                  << expected);
      CHECK(std::abs(w[i] - w0) < w0);  // never clamped, so the reference applies
      // 1e-9 relative, plus the rounding of 2 x 15 updates of a weight near 0.5 (a change
      // of 1e-9 is read off a double of 0.5, whose resolution is 1.1e-16).
      CHECK(std::abs((w[i] - w0) - expected) <= 1e-9 * std::abs(expected) + 30 * 1.2e-16);
      dw[{lag, rate}] = w[i] - w0;
      std::printf("triplet %s: lag %+5.1f ms  %5.1f Hz  dw %+.6e\n", preset.c_str(), lag, rate,
                  w[i] - w0);
    }
    for (const double rate : rates) CHECK(dw[{10.0, rate}] > 0.0);
    CHECK(dw[{-10.0, 0.1}] < 0.0);
    CHECK(dw[{-10.0, 50.0}] > 0.0);
  }
}

TEST_CASE("plastic network: weights and spikes identical for any thread and partition count",
          "[model][stdp][determinism]") {
  // Requirement: a recurrent network with plastic E->E (stdp, all_to_all, additive), E->I
  // (stdp, presynaptic-centred, gutig) and I->... static, plus a triplet projection, gives
  // bit-identical spikes and weights after 10 s for 1-3 threads and 1, 3, 7 partitions.
  struct Result {
    std::vector<SpikeEvent> spikes;
    std::vector<std::vector<double>> weights, initial;
  };
  const auto run = [](int threads, int partitions) {
    Network net({.dt = 0.1, .seed = 3, .threads = threads, .partitions = partitions});
    models::LifDelta::Params lp;
    lp.E_L = 0, lp.V_th = 20, lp.V_reset = 10, lp.tau_m = 20, lp.t_ref = 2;
    auto e = net.add_population("E", models::make_lif_delta(80, lp));
    auto i = net.add_population("I", models::make_lif_delta(20, lp));
    net.set_initial_state(e, "V_m", Distribution::uniform(0, 20));
    net.set_initial_state(i, "V_m", Distribution::uniform(0, 20));
    const SynapseSpec exc{.weight = Distribution::uniform(0.2, 0.6),
                          .delay = Distribution::uniform(1.0, 3.0)};
    models::StdpParams a;
    a.w_max = 1.0;
    auto ee = net.connect(e, e, ConnectionRule::fixed_indegree(20).autapses(false), exc);
    net.set_plasticity(ee, models::make_stdp(a));
    models::StdpParams b;
    b.scheme = PairingScheme::nearest_presynaptic_centred;
    b.weight_dependence = WeightDependence::gutig;
    b.mu_plus = 0.5, b.mu_minus = 0.5;
    b.A_plus = 0.05, b.A_minus = 0.05;
    auto ei = net.connect(e, i, ConnectionRule::pairwise_bernoulli(0.25), exc);
    net.set_plasticity(ei, models::make_stdp(b));
    auto ie =
        net.connect(i, e, ConnectionRule::fixed_indegree(5),
                    {.weight = Distribution::constant(-1.0), .delay = Distribution::constant(1.5)});
    auto ii = net.connect(i, i, ConnectionRule::all_to_all().autapses(false), exc);
    net.set_plasticity(ii, models::make_triplet(models::triplet_preset("hippocampal_nearest")));
    (void)ie;
    net.add_input(e, models::make_poisson_input({.rate = 12000, .weight = 0.1}));
    net.add_input(i, models::make_poisson_input({.rate = 12000, .weight = 0.1}));
    net.record_spikes(e);
    net.record_spikes(i);
    net.build();
    Result r;
    for (const auto proj : {ee, ei, ii}) r.initial.push_back(sorted_weights(net, proj));
    net.run(5000.0);
    net.run(5000.0);
    r.spikes = net.spikes(e);
    const auto& si = net.spikes(i);
    r.spikes.insert(r.spikes.end(), si.begin(), si.end());
    for (const auto proj : {ee, ei, ii}) r.weights.push_back(sorted_weights(net, proj));
    return r;
  };
  const Result reference = run(1, 1);
  REQUIRE(reference.spikes.size() > 5000);  // busy enough: above 5 Hz on average
  // The weights have moved: learning happened on every plastic projection.
  for (std::size_t k = 0; k < reference.weights.size(); ++k) {
    double moved = 0;
    for (std::size_t j = 0; j < reference.weights[k].size(); ++j)
      moved = std::max(moved, std::abs(reference.weights[k][j] - reference.initial[k][j]));
    INFO("projection " << k << ": largest weight change " << moved);
    CHECK(moved > 0.01);
  }
  for (const auto& [threads, partitions] :
       std::vector<std::pair<int, int>>{{2, 3}, {3, 7}, {2, 1}}) {
    INFO("threads " << threads << ", partitions " << partitions);
    const Result r = run(threads, partitions);
    CHECK(r.spikes == reference.spikes);
    CHECK(r.weights == reference.weights);
  }
}

TEST_CASE("stdp parameters out of range are errors naming the value", "[model][stdp]") {
  // Requirement: a bad parameter names itself, its value and the allowed range.
  models::StdpParams p;
  p.tau_plus = -5;
  CHECK(test::config_error([&] { models::make_stdp(p); }) ==
        "stdp: tau_plus must be a finite number > 0 ms, got -5");
  p = {};
  p.w_max = 0.0;
  CHECK(test::config_error([&] { models::make_stdp(p); }) ==
        "stdp: w_max must be finite and > w_min = 0, got 0");
  p = {};
  p.w_max = std::numeric_limits<double>::infinity();
  CHECK(test::config_error([&] { models::make_stdp(p); }) ==
        "stdp: w_max must be finite and > w_min = 0, got inf");
  p.weight_dependence = WeightDependence::morrison2007;  // the power law needs no upper bound
  CHECK_NOTHROW(models::make_stdp(p));
  CHECK(test::config_error([&] {
          models::triplet_preset("visual");
        }).find("triplet: preset must be one of visual_cortex_all_to_all") == 0);
  // Initial weights outside the bounds.
  Network net(test::serial());
  auto a = net.add_population("a", models::make_spike_source_array({{1.0}}));
  auto b = net.add_population("b", models::make_lif_delta(1, {}));
  auto proj =
      net.connect(a, b, ConnectionRule::all_to_all(), {.weight = Distribution::uniform(0.5, 1.5)});
  CHECK(test::config_error([&] {
          net.set_plasticity(proj, models::make_stdp({}));
        }).find("projection 'a->b': weight uniform") == 0);
}

TEST_CASE("plastic initial weights that round beyond a bound as floats are clamped to it",
          "[model][stdp]") {
  // Requirement: no weight is ever outside [w_min, w_max]. Weights are drawn as floats:
  // float(0.1) = 0.10000000149 > 0.1, and uniform(0.0999999, 0.1) rounds about 1 draw in 13
  // to it.
  Network net(test::serial());
  std::vector<std::vector<double>> times(1000, std::vector<double>{1.0});
  auto a = net.add_population("a", models::make_spike_source_array(times));
  auto b = net.add_population("b", models::make_lif_delta(1, {}));
  auto proj = net.connect(a, b, ConnectionRule::all_to_all(),
                          {.weight = Distribution::uniform(0.0999999, 0.1)});
  models::StdpParams p;
  p.w_max = 0.1;
  net.set_plasticity(proj, models::make_stdp(p));
  net.build();
  std::size_t at_bound = 0;
  net.for_each_weight(proj, [&](NeuronIndex, NeuronIndex, double w, Step) {
    CHECK(w <= 0.1);
    CHECK(w >= 0.0999999 - 1e-8);
    if (w == 0.1) ++at_bound;
  });
  CHECK(at_bound > 10);  // the clamp was needed: some draws did round above 0.1
}
