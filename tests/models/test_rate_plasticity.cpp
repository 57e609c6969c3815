// Tests of models/rate_plasticity.hpp and engine/graded_plasticity.cpp: hebb and oja on
// projections between rate populations against an independent replay of the documented
// convention (which x meets which y, which weight a value carries) for several delays and
// update intervals; weights that do not depend on the thread or partition count; a
// checkpoint in the middle; the errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>
#include <vector>

#include "engine/network.hpp"
#include "engine/state_io.hpp"
#include "models/lif_delta.hpp"
#include "models/rate.hpp"
#include "models/rate_plasticity.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::config_error;

namespace {

// Positive source values, different in every update and unit.
double source_value(std::int64_t update, NeuronIndex i) {
  return 0.6 + 0.4 * std::sin(1.3 * static_cast<double>(update) + 2.1 * i) + 0.05 * i;
}

struct Setup {
  dnn::RateRule rule;
  Step delay;  // steps
  Step k_source, k_target;
  double eta;
};

constexpr NeuronIndex kSources = 3, kTargets = 2;
constexpr double kBias = 0.05;

std::vector<double> initial_weights() {  // [target][source]
  return {0.30, 0.10, 0.25, 0.05, 0.40, 0.20};
}

// The network: a value source -> a rate population (tau 0, relu, bias b) through one
// all_to_all projection of the given initial weights and delay, learning by `rule`.
ProjectionHandle build(Network& net, const Setup& s, PopulationHandle* target = nullptr) {
  const double dt = net.grid().dt();
  const auto x = net.add_population(
      "x", std::make_unique<test::ValueSource>(kSources, s.k_source, source_value));
  models::RateParams rp;
  rp.tau = 0.0;
  rp.b = kBias;
  rp.update_interval = static_cast<double>(s.k_target) * dt;
  const auto y = net.add_population("y", models::make_rate(kTargets, rp));
  SynapseSpec spec{.delay = Distribution::constant(static_cast<double>(s.delay) * dt)};
  spec.weight_matrix = std::make_shared<const std::vector<double>>(initial_weights());
  const auto proj = net.connect(x, y, ConnectionRule::all_to_all(), spec);
  net.set_plasticity(proj, models::make_rate_plasticity({.rule = s.rule, .eta = s.eta}));
  if (target) *target = y;
  return proj;
}

std::vector<double> weights_of(const Network& net, ProjectionHandle proj) {
  std::vector<double> w(kSources * kTargets, NAN);
  net.for_each_weight(
      proj, [&](NeuronIndex src, NeuronIndex tgt, double v, Step) { w[tgt * kSources + src] = v; });
  return w;
}

// The documented convention, written out step by step (models/rate_plasticity.hpp, the
// graded delivery of engine/adapter.hpp and the rate unit of models/rate.hpp):
// - initial weights are the given ones rounded to float;
// - the source's update m happens at the end of step m k_s + k_s - 1 with value x(m);
// - a synapse of delay d holds in step t the value of update m(t) = floor((t - d) / k_s) - 1
//   (none before update 0), multiplied by the weight the synapse had when that update was
//   sent: the weight after every target update at steps <= m k_s + k_s - 1;
// - the target's input in step t is the sum over sources in index order; at its update u
//   (steps with (u + 1) % k_t == 0) it averages the inputs of its k_t steps, y = relu(I + b);
// - then each weight changes by the rule with y and x = the mean of the held values.
std::vector<double> replay(const Setup& s, Step steps) {
  // Initial weights are generated as floats, as every synapse's (engine/connectivity.hpp),
  // and learn in double from there.
  std::vector<double> w;
  for (const double v : initial_weights()) w.push_back(static_cast<float>(v));
  std::vector<std::vector<double>> sent;  // weights as sent with update m
  const auto m_of = [&](Step t) {
    const Step a = t - s.delay;
    return (a >= 0 ? a / s.k_source : -1) - 1;
  };
  std::vector<double> input_sum(kTargets, 0.0);
  for (Step t = 0; t < steps; ++t) {
    const Step m = m_of(t);
    for (NeuronIndex i = 0; i < kTargets; ++i) {
      double in = 0.0;
      if (m >= 0)
        for (NeuronIndex j = 0; j < kSources; ++j)
          in += sent[static_cast<std::size_t>(m)][i * kSources + j] * source_value(m, j);
      input_sum[i] += in;
    }
    if ((t + 1) % s.k_target == 0) {
      for (NeuronIndex i = 0; i < kTargets; ++i) {
        const double I = input_sum[i] * (1.0 / static_cast<double>(s.k_target));
        input_sum[i] = 0.0;
        const double y = std::max(0.0, I + kBias);
        for (NeuronIndex j = 0; j < kSources; ++j) {
          double x = 0.0;
          for (Step h = t - s.k_target + 1; h <= t; ++h)
            x += m_of(h) >= 0 ? source_value(m_of(h), j) : 0.0;
          x /= static_cast<double>(s.k_target);
          double& wij = w[i * kSources + j];
          wij += s.rule == dnn::RateRule::oja ? s.eta * (y * x - y * y * wij) : s.eta * y * x;
        }
      }
    }
    if ((t + 1) % s.k_source == 0) sent.push_back(w);  // update m = (t + 1) / k_s - 1
  }
  return w;
}

}  // namespace

TEST_CASE("rate plasticity: hebb and oja on a projection equal a replay of the convention",
          "[model][unit][plasticity]") {
  // Requirement: the weights after 600 steps equal, to 1e-12 relative, an independent step by
  // step replay of the documented timing (x of the target's interval, weights as sent), for
  // delays of 1-5 steps and source and target intervals of 1-2 steps.
  const Setup s = GENERATE(
      Setup{dnn::RateRule::oja, 1, 1, 1, 0.05}, Setup{dnn::RateRule::oja, 3, 1, 1, 0.05},
      Setup{dnn::RateRule::hebb, 2, 1, 1, 0.002}, Setup{dnn::RateRule::oja, 4, 2, 2, 0.05},
      Setup{dnn::RateRule::oja, 2, 1, 2, 0.05}, Setup{dnn::RateRule::hebb, 5, 1, 1, 0.002});
  INFO("rule " << dnn::rate_rule_name(s.rule) << ", delay " << s.delay << ", k_source "
               << s.k_source << ", k_target " << s.k_target);
  const Step steps = 600;
  Network net(test::serial(1.0));
  const ProjectionHandle proj = build(net, s);
  net.run(static_cast<double>(steps));
  const std::vector<double> got = weights_of(net, proj);
  const std::vector<double> want = replay(s, steps);
  const std::vector<double> start = initial_weights();
  double moved = 0.0;
  for (std::size_t k = 0; k < want.size(); ++k) {
    CHECK(got[k] == Approx(want[k]).epsilon(1e-12));
    moved = std::max(moved, std::fabs(want[k] - start[k]));
  }
  CHECK(moved > 0.05);  // the rule did change the weights
}

TEST_CASE("rate plasticity: weights do not depend on the thread or partition count",
          "[model][determinism][plasticity]") {
  // Requirement: the determinism invariant with plastic graded projections, random delays of
  // 1-3 steps and sparse connectivity between populations split over partitions.
  const auto run = [](int threads, int partitions) {
    Network net({.dt = 1.0, .seed = 5, .threads = threads, .partitions = partitions});
    const auto x = net.add_population(
        "x", std::make_unique<test::ValueSource>(40, 1, [](std::int64_t u, NeuronIndex i) {
          return 0.5 + 0.5 * std::sin(0.7 * static_cast<double>(u) + 0.37 * i);
        }));
    models::RateParams rp;
    rp.tau = 5.0;
    const auto y = net.add_population("y", models::make_rate(30, rp));
    const auto proj = net.connect(
        x, y, ConnectionRule::pairwise_bernoulli(0.3),
        {.weight = Distribution::uniform(0.0, 0.2), .delay = Distribution::uniform(1.0, 3.0)});
    net.set_plasticity(proj, models::make_rate_plasticity({.eta = 0.01}));
    net.run(300.0);
    std::vector<std::tuple<NeuronIndex, NeuronIndex, Step, double>> w;
    net.for_each_weight(
        proj, [&](NeuronIndex s, NeuronIndex t, double v, Step d) { w.emplace_back(t, s, d, v); });
    std::sort(w.begin(), w.end());
    return std::make_pair(w, std::vector<double>(net.population(y).state("r").begin(),
                                                 net.population(y).state("r").end()));
  };
  const auto reference = run(1, 1);
  REQUIRE(reference.first.size() > 200);
  CHECK(run(2, 3) == reference);
  CHECK(run(2, 7) == reference);
}

TEST_CASE("rate plasticity: a run saved and resumed equals the uninterrupted run",
          "[model][unit][plasticity]") {
  // Requirement: the source history the rule keeps is part of the checkpoint.
  const Setup s{dnn::RateRule::oja, 3, 1, 1, 0.05};
  Network whole(test::serial(1.0));
  const ProjectionHandle p = build(whole, s);
  whole.run(400.0);

  MemoryState saved;
  {
    Network first(test::serial(1.0));
    build(first, s);
    first.run(173.0);
    first.save_state(saved);
  }
  Network second({.dt = 1.0, .seed = 1, .threads = 2, .partitions = 2});
  const ProjectionHandle q = build(second, s);
  second.load_state(saved);
  second.run(400.0 - 173.0);
  CHECK(weights_of(second, q) == weights_of(whole, p));
}

TEST_CASE("rate plasticity: documented defaults", "[model][unit][plasticity]") {
  const models::RatePlasticityParams p;
  CHECK(p.rule == dnn::RateRule::oja);
  CHECK(p.eta == 1e-3);
  CHECK(p.w_min == -INFINITY);
  CHECK(p.w_max == INFINITY);
  CHECK(models::RatePlasticity(p).describe() == "oja, eta 0.001");
}

TEST_CASE("rate plasticity: misuse is refused with the reason", "[model][unit][plasticity]") {
  CHECK(config_error([] { models::RatePlasticity({.rule = dnn::RateRule::bcm}); }) ==
        "rate plasticity: rule must be hebb or oja on a projection, got 'bcm' (bcm is available "
        "on learning_dense modules)");
  CHECK(config_error([] { models::RatePlasticity({.eta = 0.0}); }) ==
        "oja: eta must be > 0, got 0");
  CHECK(config_error([] { models::RatePlasticity({.w_min = 1.0, .w_max = 1.0}); }) ==
        "oja: w_max must be > w_min = 1, got 1");

  Network net(test::serial(1.0));
  const auto x = net.add_population("x", std::make_unique<test::ValueSource>(
                                             2, 1, [](std::int64_t, NeuronIndex) { return 1.0; }));
  const auto r = net.add_population("r", models::make_rate(2));
  const auto lif = net.add_population("lif", models::make_lif_delta(2));
  const SynapseSpec one{.weight = Distribution::constant(0.5)};
  const auto to_lif = net.connect(x, lif, ConnectionRule::one_to_one(), one);
  CHECK(config_error([&] { net.set_plasticity(to_lif, models::make_rate_plasticity({})); }) ==
        "projection 'x->lif': oja learns from rates: the target 'lif' (lif_delta) must be a rate "
        "population");
  const auto from_lif = net.connect(lif, r, ConnectionRule::one_to_one(), one);
  CHECK(config_error([&] { net.set_plasticity(from_lif, models::make_rate_plasticity({})); }) ==
        "projection 'lif->r': oja learns from rates: the source 'lif' (lif_delta) must be an "
        "adapter with graded outputs (rate, spikes_to_rates, a module)");
  const auto bounded = net.connect(x, r, ConnectionRule::one_to_one(), one);
  CHECK(config_error(
            [&] { net.set_plasticity(bounded, models::make_rate_plasticity({.w_max = 0.25})); }) ==
        "projection 'x->r': weight 0.5 must lie within the oja bounds [w_min, w_max] = "
        "[-inf, 0.25]; bound the distribution with min and max");
}
