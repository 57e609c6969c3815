// Tests of the parameters of the LIF models (models/lif_common.hpp and each model header):
// the defaults are the documented ones (NEST's iaf_psc_delta/exp/alpha and iaf_cond_exp),
// the initial state is the documented one, and invalid parameters are refused with a
// message naming the model, the parameter and the value.
#include <catch2/catch.hpp>

#include <functional>
#include <sstream>

#include "engine/network.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// The defaults stated in lif_delta.hpp, lif_exp.hpp and lif_alpha.hpp (NEST iaf_psc_*).
void check_membrane_defaults(const models::MembraneParams& p) {
  CHECK(p.E_L == -70.0);
  CHECK(p.C_m == 250.0);
  CHECK(p.tau_m == 10.0);
  CHECK(p.t_ref == 2.0);
  CHECK(p.V_th == -55.0);
  CHECK(p.V_reset == -70.0);
  CHECK(p.I_e == 0.0);
}

// The value of every state variable of neuron 0..size-1 after construction.
void check_initial_state(Population& pop, const std::string& name, double value) {
  INFO(pop.model() << "." << name);
  const std::span<double> s = pop.state(name);
  REQUIRE(s.size() == pop.size());
  for (const double v : s) CHECK(v == value);
}

}  // namespace

TEST_CASE("parameters: defaults and initial state are those the model headers document",
          "[model][unit]") {
  // Requirement: STYLE.md "a test checks the documented defaults".
  SECTION("lif_delta (iaf_psc_delta)") {
    check_membrane_defaults(models::LifDelta::Params{});
    auto pop = models::make_lif_delta(3);
    CHECK(pop->model() == "lif_delta");
    CHECK(pop->state_names() == std::vector<std::string>{"V_m"});
    check_initial_state(*pop, "V_m", -70.0);
  }
  SECTION("lif_exp (iaf_psc_exp)") {
    const models::LifExp::Params p;
    check_membrane_defaults(p);
    CHECK(p.tau_syn_ex == 2.0);
    CHECK(p.tau_syn_in == 2.0);
    CHECK(p.weights_in_mV == false);
    auto pop = models::make_lif_exp(3);
    CHECK(pop->model() == "lif_exp");
    CHECK(pop->state_names() == std::vector<std::string>{"V_m", "I_syn_ex", "I_syn_in"});
    check_initial_state(*pop, "V_m", -70.0);
    check_initial_state(*pop, "I_syn_ex", 0.0);
    check_initial_state(*pop, "I_syn_in", 0.0);
  }
  SECTION("lif_alpha (iaf_psc_alpha)") {
    const models::LifAlpha::Params p;
    check_membrane_defaults(p);
    CHECK(p.tau_syn_ex == 2.0);
    CHECK(p.tau_syn_in == 2.0);
    auto pop = models::make_lif_alpha(3);
    CHECK(pop->model() == "lif_alpha");
    for (const char* name : {"I_syn_ex", "I_syn_in", "dI_syn_ex", "dI_syn_in"})
      check_initial_state(*pop, name, 0.0);
    check_initial_state(*pop, "V_m", -70.0);
  }
  SECTION("lif_cond_exp (iaf_cond_exp)") {
    const models::LifCondExp::Params p;
    CHECK(p.E_L == -70.0);
    CHECK(p.C_m == 250.0);
    CHECK(p.t_ref == 2.0);
    CHECK(p.V_th == -55.0);
    CHECK(p.V_reset == -60.0);
    CHECK(p.I_e == 0.0);
    CHECK(p.g_L == 16.6667);
    CHECK(p.E_ex == 0.0);
    CHECK(p.E_in == -85.0);
    CHECK(p.tau_syn_ex == 0.2);
    CHECK(p.tau_syn_in == 2.0);
    auto pop = models::make_lif_cond_exp(3);
    CHECK(pop->model() == "lif_cond_exp");
    check_initial_state(*pop, "V_m", -70.0);
    check_initial_state(*pop, "g_ex", 0.0);
    check_initial_state(*pop, "g_in", 0.0);
  }
  SECTION("an unknown state name gives an empty span") {
    CHECK(models::make_lif_exp(2)->state("V").empty());
  }
}

namespace {

// One invalid parameter: the model, what is changed, and what the message must contain.
struct Invalid {
  std::string model;
  std::string parameter;
  std::string value;  // as printed
  std::function<void()> construct;
};

template <typename Params, typename Make>
Invalid invalid(const std::string& model, const std::string& parameter, double value,
                double Params::*field, Make make) {
  Params p;
  p.*field = value;
  std::ostringstream printed;
  printed << value;
  return {model, parameter, printed.str(), [p, make] { make(p); }};
}

}  // namespace

TEST_CASE("parameters: invalid values are refused naming model, parameter and value",
          "[model][unit]") {
  // Requirement (STYLE.md 6): tau_m, C_m, tau_syn <= 0, V_reset >= V_th and t_ref < 0 are
  // ConfigErrors like "lif_exp: tau_m must be > 0 ms, got -5".
  using models::LifAlpha;
  using models::LifCondExp;
  using models::LifDelta;
  using models::LifExp;
  using models::MembraneParams;
  auto delta = [](const LifDelta::Params& p) { models::make_lif_delta(1, p); };
  auto exp = [](const LifExp::Params& p) { models::make_lif_exp(1, p); };
  auto alpha = [](const LifAlpha::Params& p) { models::make_lif_alpha(1, p); };
  auto cond = [](const LifCondExp::Params& p) { models::make_lif_cond_exp(1, p); };

  std::vector<Invalid> cases;
  for (const double bad : {-5.0, 0.0}) {
    cases.push_back(
        invalid<LifDelta::Params>("lif_delta", "tau_m", bad, &MembraneParams::tau_m, delta));
    cases.push_back(
        invalid<LifDelta::Params>("lif_delta", "C_m", bad, &MembraneParams::C_m, delta));
    cases.push_back(invalid<LifExp::Params>("lif_exp", "tau_m", bad, &LifExp::Params::tau_m, exp));
    cases.push_back(invalid<LifExp::Params>("lif_exp", "C_m", bad, &LifExp::Params::C_m, exp));
    cases.push_back(
        invalid<LifExp::Params>("lif_exp", "tau_syn_ex", bad, &LifExp::Params::tau_syn_ex, exp));
    cases.push_back(
        invalid<LifExp::Params>("lif_exp", "tau_syn_in", bad, &LifExp::Params::tau_syn_in, exp));
    cases.push_back(
        invalid<LifAlpha::Params>("lif_alpha", "tau_m", bad, &LifAlpha::Params::tau_m, alpha));
    cases.push_back(
        invalid<LifAlpha::Params>("lif_alpha", "C_m", bad, &LifAlpha::Params::C_m, alpha));
    cases.push_back(invalid<LifAlpha::Params>("lif_alpha", "tau_syn_ex", bad,
                                              &LifAlpha::Params::tau_syn_ex, alpha));
    cases.push_back(invalid<LifAlpha::Params>("lif_alpha", "tau_syn_in", bad,
                                              &LifAlpha::Params::tau_syn_in, alpha));
    cases.push_back(
        invalid<LifCondExp::Params>("lif_cond_exp", "C_m", bad, &LifCondExp::Params::C_m, cond));
    cases.push_back(
        invalid<LifCondExp::Params>("lif_cond_exp", "g_L", bad, &LifCondExp::Params::g_L, cond));
    cases.push_back(invalid<LifCondExp::Params>("lif_cond_exp", "tau_syn_ex", bad,
                                                &LifCondExp::Params::tau_syn_ex, cond));
    cases.push_back(invalid<LifCondExp::Params>("lif_cond_exp", "tau_syn_in", bad,
                                                &LifCondExp::Params::tau_syn_in, cond));
  }
  // V_reset >= V_th (-55 mV by default), and a negative t_ref.
  for (const double bad : {-55.0, -50.0}) {
    cases.push_back(
        invalid<LifDelta::Params>("lif_delta", "V_reset", bad, &MembraneParams::V_reset, delta));
    cases.push_back(
        invalid<LifExp::Params>("lif_exp", "V_reset", bad, &LifExp::Params::V_reset, exp));
    cases.push_back(
        invalid<LifAlpha::Params>("lif_alpha", "V_reset", bad, &LifAlpha::Params::V_reset, alpha));
    cases.push_back(invalid<LifCondExp::Params>("lif_cond_exp", "V_reset", bad,
                                                &LifCondExp::Params::V_reset, cond));
  }
  cases.push_back(
      invalid<LifDelta::Params>("lif_delta", "t_ref", -1.0, &MembraneParams::t_ref, delta));
  cases.push_back(invalid<LifExp::Params>("lif_exp", "t_ref", -0.1, &LifExp::Params::t_ref, exp));
  cases.push_back(
      invalid<LifAlpha::Params>("lif_alpha", "t_ref", -2.0, &LifAlpha::Params::t_ref, alpha));
  cases.push_back(
      invalid<LifCondExp::Params>("lif_cond_exp", "t_ref", -0.5, &LifCondExp::Params::t_ref, cond));
  // Not finite.
  cases.push_back(invalid<LifDelta::Params>("lif_delta", "E_L", NAN, &MembraneParams::E_L, delta));
  cases.push_back(invalid<LifExp::Params>("lif_exp", "I_e", INFINITY, &LifExp::Params::I_e, exp));

  for (const Invalid& c : cases) {
    INFO(c.model << ": " << c.parameter << " = " << c.value);
    const std::string message = test::config_error(c.construct);
    CHECK_THAT(message, Contains(c.model + ": " + c.parameter) && Contains("got " + c.value));
  }
}

TEST_CASE("parameters: V_reset just below V_th and t_ref = 0 are accepted", "[model][unit]") {
  // Requirement: the checks are the stated ones, not stricter.
  models::LifDelta::Params p;
  p.V_reset = -55.000001;
  p.t_ref = 0.0;
  CHECK_NOTHROW(models::make_lif_delta(1, p));
  models::LifCondExp::Params c;
  c.V_reset = -55.5;
  c.t_ref = 0.0;
  CHECK_NOTHROW(models::make_lif_cond_exp(1, c));
}
