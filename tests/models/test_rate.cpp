// Tests of models/rate.hpp: the exact relaxation towards phi(I + b) against the closed form
// of tau dr/dt = -r + phi, each transfer function against its formula, the update interval
// and the averaging of graded input over it, the documented defaults and the errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/network.hpp"
#include "models/inputs.hpp"
#include "models/rate.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

TEST_CASE("rate: documented defaults", "[unit][model]") {
  const models::RateParams p;
  CHECK(p.tau == 10.0);
  CHECK(p.b == 0.0);
  CHECK(p.phi == models::TransferFunction::relu);
  CHECK(p.gain == 1.0);
  CHECK(p.theta == 0.0);
  CHECK(p.r_max == 100.0);
  CHECK(p.update_interval == 0.0);
}

TEST_CASE("rate: relaxation under a step of input follows the closed form exactly",
          "[unit][model]") {
  // DC input 30 during [0, 20) ms, bias 2: r = 32 (1 - e^{-t/tau}) up to 20 ms, then
  // r = 2 + (r(20) - 2) e^{-(t - 20)/tau}.
  models::RateParams p;
  p.tau = 7.0;
  p.b = 2.0;
  p.update_interval = 0.5;
  Network net(test::serial());
  auto r = net.add_population("r", models::make_rate(1, p));
  net.add_input(r, models::make_dc_input({.amplitude = 30.0, .start = 0.0, .stop = 20.0}));
  const auto trace = net.record_state(r, "r", {}, 0.5);
  net.run(50.0);

  const auto closed = [&](long double t) {
    const long double on = 32.0L * (1.0L - std::exp(-std::min(t, 20.0L) / 7.0L));
    if (t <= 20.0L) return on;
    return 2.0L + (on - 2.0L) * std::exp(-(t - 20.0L) / 7.0L);
  };
  const Trace& tr = net.trace(trace);
  REQUIRE(tr.values.size() == 100);
  for (std::size_t f = 0; f < tr.values.size(); ++f) {
    const long double t = 0.5L * static_cast<long double>(f + 1);
    INFO("t = " << static_cast<double>(t) << " ms");
    CHECK(tr.values[f] == Approx(static_cast<double>(closed(t))).epsilon(1e-12));
  }
}

TEST_CASE("rate: each transfer function against its formula", "[unit][model]") {
  struct Case {
    models::TransferFunction phi;
    double x;  // I + b
    double expected;
  };
  // gain 0.5, theta 10, r_max 50
  const Case cases[] = {
      {models::TransferFunction::relu, -3.0, 0.0},
      {models::TransferFunction::relu, 12.0, 12.0},
      {models::TransferFunction::threshold_linear, 8.0, 0.0},
      {models::TransferFunction::threshold_linear, 30.0, 10.0},
      {models::TransferFunction::threshold_linear, 500.0, 50.0},
      {models::TransferFunction::sigmoid, 12.0, 50.0 / (1.0 + std::exp(-1.0))},
      {models::TransferFunction::sigmoid, 10.0, 25.0},
      {models::TransferFunction::tanh, 14.0, 50.0 * std::tanh(2.0)},
      {models::TransferFunction::tanh, 6.0, -50.0 * std::tanh(2.0)},
  };
  for (const Case& c : cases) {
    models::RateParams p;
    p.tau = 0.0;  // r = phi at every update
    p.phi = c.phi;
    p.gain = 0.5;
    p.theta = 10.0;
    p.r_max = 50.0;
    p.b = 1.0;
    Network net(test::serial());
    auto r = net.add_population("r", models::make_rate(1, p));
    net.add_input(r, models::make_dc_input({.amplitude = c.x - 1.0}));
    net.run(1.0);
    INFO(models::transfer_function_name(c.phi) << "(" << c.x << ")");
    CHECK(net.population(r).state("r")[0] == Approx(c.expected).epsilon(1e-14));
    CHECK(models::transfer(p, c.x) == Approx(c.expected).epsilon(1e-14));
  }
}

TEST_CASE("rate: outputs change only at the end of each update interval", "[unit][model]") {
  models::RateParams p;
  p.tau = 3.0;
  p.update_interval = 0.5;  // 5 steps (dividing the 10-step window)
  Network net(test::serial());
  auto r = net.add_population("r", models::make_rate(1, p));
  net.add_input(r, models::make_dc_input({.amplitude = 10.0}));
  const auto trace = net.record_state(r, "r");
  net.run(10.0);
  const Trace& tr = net.trace(trace);
  for (std::size_t f = 1; f < tr.values.size(); ++f) {
    INFO("step " << tr.frame_steps[f]);
    if ((tr.frame_steps[f] + 1) % 5 == 0)
      CHECK(tr.values[f] > tr.values[f - 1]);
    else
      CHECK(tr.values[f] == tr.values[f - 1]);
  }
  CHECK(net.population(r).state("r")[0] ==
        Approx(10.0 * (1.0 - std::exp(-10.0 / 3.0))).epsilon(1e-12));
}

TEST_CASE("rate: graded input is averaged over the update interval", "[unit][model]") {
  // Source every 5 steps alternating 1, 3 through weight 2 and delay 1 ms; a rate unit
  // updating every 10 steps sees two source values per interval: I = 2 (1 + 3) / 2 = 4.
  // One updating every 5 steps sees each value alone: I = 2 or 6.
  const auto alternating = [](std::int64_t u, NeuronIndex) { return u % 2 == 0 ? 1.0 : 3.0; };
  for (const double interval : {0.5, 1.0}) {
    models::RateParams p;
    p.tau = 0.0;
    p.update_interval = interval;
    Network net(test::serial());
    auto src = net.add_population("src", std::make_unique<test::ValueSource>(1, 5, alternating));
    auto r = net.add_population("r", models::make_rate(1, p));
    net.connect(src, r, ConnectionRule::one_to_one(),
                {.weight = Distribution::constant(2.0), .delay = Distribution::constant(1.0)});
    const auto trace = net.record_state(r, "I", {}, interval);
    net.run(10.0);
    const Trace& tr = net.trace(trace);
    // Source update u is held in steps 5u + 15 ... 5u + 19.
    for (std::size_t f = 0; f < tr.values.size(); ++f) {
      const Step end = tr.frame_steps[f];  // last step of the interval
      INFO("interval " << interval << " ms, update ending in step " << end);
      if (interval == 1.0)
        CHECK(tr.values[f] == (end < 19 ? 0.0 : end == 19 ? 1.0 : 4.0));
      else
        CHECK(tr.values[f] == (end < 19 ? 0.0 : 2.0 * alternating((end - 19) / 5, 0)));
    }
  }
}

TEST_CASE("rate: invalid parameters and phi = lif are refused with the value", "[unit][model]") {
  models::RateParams p;
  p.tau = -1.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: tau must be >= 0 ms, got -1"));
  p = {};
  p.gain = 0.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("rate: gain must be > 0"));
  p = {};
  p.r_max = -5.0;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }),
             Contains("r_max must be > 0 Hz, got -5"));
  p = {};
  p.phi = models::TransferFunction::lif;
  CHECK_THAT(test::config_error([&] { models::make_rate(1, p); }), Contains("not yet"));
  CHECK_THAT(test::config_error([&] { models::transfer_function("softplus"); }),
             Contains("phi must be one of relu, threshold_linear, sigmoid, tanh, lif, got "
                      "'softplus'"));
  p = {};
  p.update_interval = 0.25;
  Network net(test::serial());
  net.add_population("r", models::make_rate(1, p));
  CHECK_THAT(test::config_error([&] { net.build(); }),
             Contains("rate: update_interval must be a multiple of dt = 0.1 ms, got 0.25 ms"));
}
