// Tests of the refractory rule of models/lif_common.hpp: a neuron driven as hard as
// possible fires every round(t_ref/dt) steps (t_ref = 0 and dt alike), over 10^6 steps and
// beyond, in every LIF model; a t_ref off the grid is refused at build time.
#include <catch2/catch.hpp>

#include <functional>

#include "engine/network.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// A current that takes V_m from V_reset past V_th within one step (several hundred mV).
constexpr double kHugeCurrent = 1e7;  // pA

// Every interval equals `steps` and the first spike is in step 0.
void check_lattice(const std::vector<SpikeEvent>& spikes, Step steps, Step run_steps) {
  REQUIRE(!spikes.empty());
  CHECK(spikes.front().step == 0);
  CHECK(static_cast<Step>(spikes.size()) == (run_steps - 1) / steps + 1);
  for (std::size_t i = 1; i < spikes.size(); ++i)
    if (spikes[i].step - spikes[i - 1].step != steps) {
      FAIL_CHECK("interval " << i << " (step " << spikes[i].step << ") is "
                             << spikes[i].step - spikes[i - 1].step << " steps, not " << steps);
      return;
    }
}

}  // namespace

TEST_CASE("refractoriness: maximal drive fires every round(t_ref/dt) steps over 10^6 steps",
          "[model][unit]") {
  // Requirement (lif_common.hpp): shortest inter-spike interval exactly R = round(t_ref/dt)
  // steps (1 for t_ref = 0), with no drift from the clock after 10^6 steps (100 s).
  Network net(test::serial());
  const std::vector<double> t_refs = {0.0, 0.1, 0.5, 2.0};
  std::vector<PopulationHandle> pops;
  for (const double t_ref : t_refs) {
    models::LifDelta::Params p;
    p.t_ref = t_ref;
    p.I_e = kHugeCurrent;
    pops.push_back(
        net.add_population("t_ref=" + std::to_string(t_ref), models::make_lif_delta(1, p)));
    net.record_spikes(pops.back());
  }
  net.run(100000.0);
  REQUIRE(net.now() == 1000000);
  net.run(3.7);  // and on past the 10^6th step, in a second run
  REQUIRE(net.now() == 1000037);

  for (std::size_t k = 0; k < t_refs.size(); ++k) {
    const Step r = std::max<Step>(1, std::llround(t_refs[k] / 0.1));
    INFO("t_ref = " << t_refs[k] << " ms, R = " << r);
    check_lattice(net.spikes(pops[k]), r, net.now());
    CHECK(net.spikes(pops[k]).back().step == (net.now() - 1) / r * r);
  }
}

TEST_CASE("refractoriness: every LIF model holds for R - 1 steps and fires every R steps",
          "[model][unit]") {
  // Requirement: the same spike rule in lif_delta, lif_exp, lif_alpha and lif_cond_exp;
  // V_m sits at V_reset for the R - 1 held steps.
  Network net(test::serial());
  const double t_ref = GENERATE(0.1, 0.5, 2.0, 3.7);
  INFO("t_ref = " << t_ref);
  models::LifDelta::Params pd;
  models::LifExp::Params pe;
  models::LifAlpha::Params pa;
  models::LifCondExp::Params pc;
  pd.t_ref = pe.t_ref = pa.t_ref = pc.t_ref = t_ref;
  pd.I_e = pe.I_e = pa.I_e = pc.I_e = kHugeCurrent;
  std::vector<PopulationHandle> pops = {
      net.add_population("delta", models::make_lif_delta(1, pd)),
      net.add_population("exp", models::make_lif_exp(1, pe)),
      net.add_population("alpha", models::make_lif_alpha(1, pa)),
      net.add_population("cond_exp", models::make_lif_cond_exp(1, pc))};
  std::vector<TraceHandle> traces;
  for (const auto pop : pops) {
    net.record_spikes(pop);
    traces.push_back(net.record_state(pop, "V_m", {}, 0.1));
  }
  net.run(200.0);

  const Step r = std::llround(t_ref / 0.1);
  for (std::size_t k = 0; k < pops.size(); ++k) {
    INFO(net.population_info(pops[k].index).name);
    check_lattice(net.spikes(pops[k]), r, net.now());
    // Every step is a spike step (V_m reset) or a held step (V_m at V_reset).
    const double v_reset = k == 3 ? pc.V_reset : pd.V_reset;
    for (const double v : net.trace(traces[k]).values) REQUIRE(v == v_reset);
  }
}

TEST_CASE("refractoriness: synaptic currents keep evolving while V_m is held", "[model][unit]") {
  // Requirement (lif_exp.hpp, lif_alpha.hpp, lif_cond_exp.hpp): input arriving during the
  // hold is not lost for the current- and conductance-based models, only V_m is held.
  Network net(test::serial());
  // Kick (spike in step 10), then a spike arriving in step 15, inside the hold (t_ref 2 ms).
  const auto kick = net.add_population("kick", models::make_spike_source_array({{1.0}}));
  const auto late = net.add_population("late", models::make_spike_source_array({{1.5}}));
  models::LifExp::Params pe;
  const auto exp = net.add_population("exp", models::make_lif_exp(1, pe));
  net.connect(kick, exp, ConnectionRule::all_to_all(),
              {Distribution::constant(1e6), Distribution::constant(0.1)});
  net.connect(late, exp, ConnectionRule::all_to_all(),
              {Distribution::constant(100.0), Distribution::constant(0.1)});
  net.record_spikes(exp);
  const auto current = net.record_state(exp, "I_syn_ex", {}, 0.1);
  net.run(3.0);

  // The kick raises I_syn_ex at the end of step 10; V_m crosses in step 11 and is held
  // for steps 12 .. 30 (the run ends in step 29). The late input still lands: I_syn jumps
  // by 100 pA in step 15.
  REQUIRE(net.spikes(exp) == std::vector<SpikeEvent>{{11, 0}});
  const std::vector<double>& i = net.trace(current).values;
  const double p11 = std::exp(-0.1 / pe.tau_syn_ex);
  CHECK(i[15] - i[14] * p11 == Approx(100.0).epsilon(1e-9));
}

TEST_CASE("refractoriness: t_ref off the grid is refused at build, naming t_ref", "[model][unit]") {
  // Requirement: t_ref must be a whole number of steps; the error names model and value.
  models::LifDelta::Params pd;
  models::LifExp::Params pe;
  models::LifAlpha::Params pa;
  models::LifCondExp::Params pc;
  pd.t_ref = pe.t_ref = pa.t_ref = pc.t_ref = 2.05;
  struct Case {
    const char* model;
    std::function<std::unique_ptr<Population>()> make;
  };
  const std::vector<Case> cases = {
      {"lif_delta", [&] { return models::make_lif_delta(1, pd); }},
      {"lif_exp", [&] { return models::make_lif_exp(1, pe); }},
      {"lif_alpha", [&] { return models::make_lif_alpha(1, pa); }},
      {"lif_cond_exp", [&] { return models::make_lif_cond_exp(1, pc); }}};
  for (const Case& c : cases) {
    INFO(c.model);
    Network net(test::serial());
    net.add_population("pop", c.make());
    const std::string message = test::config_error([&] { net.build(); });
    CHECK_THAT(message, Contains(c.model) && Contains("t_ref") && Contains("2.05") &&
                            Contains("multiple of dt"));
  }
}
