// Tests of models/inputs.hpp: a dc input acts exactly during [start, stop), a step current
// switches its amplitude in the right steps (both checked through the exact charging of a
// lif_delta membrane), and their parameters are checked.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// V_m - E_L of a lif_delta at rest at t = 0 driven by the piecewise constant current
// amplitude(t) (changes only at the grid times in `changes`): on each piece
// u(t) = R I + (u(t0) - R I) e^{-(t - t0)/tau_m}, R = tau_m / C_m. Evaluated at time t.
long double charging(const std::vector<std::pair<double, double>>& changes, long double t,
                     const models::LifDelta::Params& p) {
  const long double R = static_cast<long double>(p.tau_m) / p.C_m;
  long double u = 0.0L, t0 = 0.0L, current = 0.0L;
  for (const auto& [time, amplitude] : changes) {
    if (time >= t) break;
    u = R * current + (u - R * current) * std::exp(-(time - t0) / p.tau_m);
    t0 = time;
    current = amplitude;
  }
  return R * current + (u - R * current) * std::exp(-(t - t0) / p.tau_m);
}

double max_trace_error(const Trace& trace, const std::vector<std::pair<double, double>>& changes,
                       const models::LifDelta::Params& p) {
  double worst = 0.0;
  for (std::size_t k = 0; k < trace.values.size(); ++k) {
    const long double t = (k + 1) * 0.1L;  // frame k: end of step k
    const long double u = charging(changes, t, p);
    worst = std::max(worst, static_cast<double>(std::fabs(trace.values[k] - p.E_L - u)));
  }
  return worst;
}

}  // namespace

TEST_CASE("dc input: the current flows exactly from start up to but not including stop",
          "[model][unit]") {
  // Requirement: dc adds `amplitude` in steps start/dt .. stop/dt - 1; V_m stays at rest
  // before, charges exactly from start and relaxes exactly from stop.
  Network net(test::serial());
  const models::LifDelta::Params p;
  const auto pop = net.add_population("pop", models::make_lif_delta(1, p));
  net.add_input(pop, models::make_dc_input({.amplitude = 200.0, .start = 2.0, .stop = 7.5}));
  const auto trace = net.record_state(pop, "V_m", {}, 0.1);
  net.run(30.0);

  const Trace& tr = net.trace(trace);
  for (std::size_t k = 0; k < 20; ++k) REQUIRE(tr.values[k] == p.E_L);  // steps 0 .. 19
  CHECK(tr.values[20] > p.E_L);                                         // step 20 = 2.0 ms
  // From step 75 (7.5 ms) on V_m only decays.
  for (std::size_t k = 75; k < tr.values.size(); ++k) REQUIRE(tr.values[k] < tr.values[k - 1]);
  CHECK(tr.values[74] > tr.values[73]);
  CHECK(max_trace_error(tr, {{2.0, 200.0}, {7.5, 0.0}}, p) < 1e-12);
}

TEST_CASE("dc input: two inputs add, and a dc stop of infinity keeps it on", "[model][unit]") {
  // Requirement: inputs to one population sum; the default stop is for ever.
  Network net(test::serial());
  const models::LifDelta::Params p;
  const auto pop = net.add_population("pop", models::make_lif_delta(1, p));
  net.add_input(pop, models::make_dc_input({.amplitude = 150.0}));
  net.add_input(pop, models::make_dc_input({.amplitude = -50.0, .start = 5.0, .stop = 9.0}));
  const auto trace = net.record_state(pop, "V_m", {}, 0.1);
  net.run(40.0);
  CHECK(max_trace_error(net.trace(trace), {{0.0, 150.0}, {5.0, 100.0}, {9.0, 150.0}}, p) < 1e-12);
}

TEST_CASE("step_current: amplitudes switch in the steps of their times", "[model][unit]") {
  // Requirement: amplitudes[k] from times[k] until times[k + 1], the last for ever, 0 before
  // times[0].
  Network net(test::serial());
  const models::LifDelta::Params p;
  const auto pop = net.add_population("pop", models::make_lif_delta(1, p));
  net.add_input(pop, models::make_step_current_input(
                         {.times = {1.0, 2.5, 4.0, 12.3}, .amplitudes = {100, -50, 250, 0}}));
  const auto trace = net.record_state(pop, "V_m", {}, 0.1);
  net.run(25.0);

  const Trace& tr = net.trace(trace);
  for (std::size_t k = 0; k < 10; ++k) REQUIRE(tr.values[k] == p.E_L);
  // The direction of change flips exactly at the switching steps.
  CHECK(tr.values[10] > p.E_L);
  CHECK(tr.values[24] > tr.values[23]);
  CHECK(tr.values[25] < tr.values[24]);
  CHECK(tr.values[39] < tr.values[38]);
  CHECK(tr.values[40] > tr.values[39]);
  CHECK(tr.values[122] > tr.values[121]);
  CHECK(tr.values[123] < tr.values[122]);
  CHECK(max_trace_error(tr, {{1.0, 100}, {2.5, -50}, {4.0, 250}, {12.3, 0}}, p) < 1e-12);
}

TEST_CASE("inputs: invalid parameters are refused with the value in the message", "[model][unit]") {
  // Requirement: off-grid or negative times, stop < start, non-increasing or mismatched
  // step_current times are ConfigErrors naming the input and the value.
  auto build_with = [](std::unique_ptr<Input> input) {
    Network net(test::serial());
    const auto pop = net.add_population("pop", models::make_lif_delta(1, {}));
    net.add_input(pop, std::move(input));
    net.build();
  };
  using test::config_error;
  CHECK_THAT(config_error([&] { build_with(models::make_dc_input({.start = 0.15})); }),
             Contains("dc") && Contains("start") && Contains("0.15"));
  CHECK_THAT(config_error([&] { build_with(models::make_dc_input({.start = 1, .stop = 2.25})); }),
             Contains("dc") && Contains("stop") && Contains("2.25"));
  CHECK_THAT(config_error([&] { build_with(models::make_dc_input({.start = 3, .stop = 2})); }),
             Contains("dc") && Contains("stop") && Contains("2"));
  CHECK_THAT(config_error([&] { build_with(models::make_dc_input({.start = -1})); }),
             Contains("dc") && Contains("start") && Contains("-1"));
  CHECK_THAT(config_error([&] {
               build_with(models::make_step_current_input({.times = {1, 2}, .amplitudes = {1}}));
             }),
             Contains("step_current") && Contains("same length"));
  CHECK_THAT(config_error([&] {
               build_with(models::make_step_current_input({.times = {2, 1}, .amplitudes = {1, 2}}));
             }),
             Contains("step_current") && Contains("increase"));
  CHECK_THAT(config_error([&] {
               build_with(models::make_step_current_input({.times = {1.05}, .amplitudes = {1}}));
             }),
             Contains("step_current") && Contains("1.05"));
  CHECK_THAT(config_error([&] {
               build_with(models::make_step_current_input({.times = {-1}, .amplitudes = {1}}));
             }),
             Contains("step_current") && Contains("-1"));
}
