// Tests of the Poisson input generator (models::make_poisson_input, models/inputs.hpp) as
// the engine runs it: rate, Fano factor, independence across neurons and inputs, rate 0,
// start and stop.
//
// How input spikes are counted: the input drives lif_delta "counter" neurons with E_L = 0,
// V_reset = 0, V_th = 1e15 (never reached) and tau_m = 1e300 ms, so that the propagator
// e^{-dt/tau_m} is exactly 1.0 and V_m is the exact running sum of the arriving weights
// (all sums here are integers far below 2^53). With weight 1, V_m at the end of step s is
// the number of input spikes in steps 0..s, and a state trace with interval T gives the
// counts per bin of T as differences of successive frames. A second input of weight 1e6
// on the same neurons is read from the same V_m as the multiple of 1e6 (the first input's
// counts per bin stay far below 1e6).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "engine/network.hpp"
#include "engine/random.hpp"
#include "engine_test_support.hpp"
#include "models/inputs.hpp"
#include "models/lif_delta.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;
using test::kSigmas;

namespace {

models::LifDelta::Params counter_params() {
  models::LifDelta::Params p;
  p.E_L = 0.0;
  p.V_reset = 0.0;
  p.V_th = 1e15;
  p.tau_m = 1e300;
  p.t_ref = 0.1;
  return p;
}

// Counts per (bin, neuron) from a trace of V_m: differences of successive frames.
std::vector<std::vector<double>> bin_counts(const Trace& trace, std::size_t neurons) {
  const std::size_t frames = trace.frame_steps.size();
  std::vector<std::vector<double>> counts(neurons, std::vector<double>(frames));
  for (std::size_t f = 0; f < frames; ++f)
    for (std::size_t i = 0; i < neurons; ++i) {
      const double now = trace.values[f * neurons + i];
      const double before = f == 0 ? 0.0 : trace.values[(f - 1) * neurons + i];
      counts[i][f] = now - before;
    }
  return counts;
}

double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const auto sx = test::summarize(x), sy = test::summarize(y);
  double c = 0;
  for (std::size_t k = 0; k < x.size(); ++k) c += (x[k] - sx.mean) * (y[k] - sy.mean);
  return c / (static_cast<double>(x.size() - 1) * std::sqrt(sx.variance * sy.variance));
}

// Checks pairwise correlations of independent series of length n: their mean is within 4
// sigma of 0 (sd 1 / sqrt(n * pairs)), and n r^2 averages 1 within 4 sigma (sd
// sqrt(2 / pairs)), which would fail if some pairs were correlated.
void check_uncorrelated(const std::vector<double>& r, std::size_t n, const std::string& what) {
  const double pairs = static_cast<double>(r.size());
  double sum = 0, sum_sq = 0;
  for (const double x : r) {
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / pairs;
  const double scaled_sq = static_cast<double>(n) * sum_sq / pairs;
  INFO(what << ": " << r.size() << " pairs, mean correlation " << mean << ", n <r^2> "
            << scaled_sq);
  CHECK(std::abs(mean) <= kSigmas / std::sqrt(static_cast<double>(n) * pairs));
  CHECK(std::abs(scaled_sq - 1.0) <= kSigmas * std::sqrt(2.0 / pairs));
}

}  // namespace

TEST_CASE("Poisson input has its rate and a Fano factor of 1 over 100 s", "[unit]") {
  // Requirement: each neuron receives a Poisson train of the given rate: total counts,
  // counts per 100 ms bin (mean and variance, so Fano factor 1) within 4 sigma; trains of
  // different neurons and of different inputs are uncorrelated.
  Network net({.dt = 0.1, .seed = 21, .threads = 2, .partitions = 4});
  const NeuronIndex n_slow = 60, n_fast = 20;
  const auto slow = net.add_population("slow", models::make_lif_delta(n_slow, counter_params()));
  const auto fast = net.add_population("fast", models::make_lif_delta(n_fast, counter_params()));
  const double rate_slow = 25.0, rate_fast = 8000.0, rate_tag = 10.0, tag = 1e6;
  net.add_input(slow, models::make_poisson_input({.rate = rate_slow, .weight = 1.0}));
  net.add_input(fast, models::make_poisson_input({.rate = rate_fast, .weight = 1.0}));
  net.add_input(fast, models::make_poisson_input({.rate = rate_tag, .weight = tag}));
  const double bin = 100.0, duration = 100000.0;
  const auto trace_slow = net.record_state(slow, "V_m", {}, bin);
  const auto trace_fast = net.record_state(fast, "V_m", {}, bin);
  net.run(duration);

  const std::size_t bins = static_cast<std::size_t>(duration / bin);
  REQUIRE(net.trace(trace_slow).frame_steps.size() == bins);
  const auto slow_counts = bin_counts(net.trace(trace_slow), n_slow);
  const auto fast_raw = bin_counts(net.trace(trace_fast), n_fast);
  std::vector<std::vector<double>> fast_counts(n_fast), tag_counts(n_fast);
  for (std::size_t i = 0; i < n_fast; ++i)
    for (const double c : fast_raw[i]) {
      const double tags = std::floor(c / tag);
      tag_counts[i].push_back(tags);
      fast_counts[i].push_back(c - tags * tag);
    }

  struct Series {
    const char* name;
    const std::vector<std::vector<double>>& counts;
    double rate;
  };
  for (const Series s :
       {Series{"25 Hz", slow_counts, rate_slow}, Series{"8000 Hz", fast_counts, rate_fast},
        Series{"10 Hz (second input)", tag_counts, rate_tag}}) {
    const std::size_t neurons = s.counts.size();
    // Whole-run totals: Poisson(rate * 100 s) per neuron.
    std::vector<double> totals;
    std::vector<double> all_bins;
    for (const auto& c : s.counts) {
      double total = 0;
      for (const double x : c) total += x;
      totals.push_back(total);
      all_bins.insert(all_bins.end(), c.begin(), c.end());
    }
    const double per_run = s.rate * duration * 1e-3;
    test::check_moments(totals, test::poisson_moments(per_run), std::string(s.name) + " totals");
    double grand = 0;
    for (const double t : totals) grand += t;
    INFO(s.name << ": " << grand << " input spikes, expected " << per_run * neurons);
    CHECK(std::abs(grand - per_run * neurons) <= kSigmas * std::sqrt(per_run * neurons));

    // Counts per bin: mean rate * bin, variance the same (Fano factor 1).
    const double per_bin = s.rate * bin * 1e-3;
    test::check_moments(all_bins, test::poisson_moments(per_bin), std::string(s.name) + " bins");

    // Different neurons are uncorrelated.
    std::vector<double> r;
    for (std::size_t i = 0; i < neurons; ++i)
      for (std::size_t j = i + 1; j < neurons; ++j)
        r.push_back(correlation(s.counts[i], s.counts[j]));
    check_uncorrelated(r, bins, std::string(s.name) + " across neurons");
  }

  // Two inputs on the same neuron are uncorrelated, and a neuron's bins are not correlated
  // with the next bin (lag 1).
  std::vector<double> cross, lag;
  for (std::size_t i = 0; i < n_fast; ++i) {
    cross.push_back(correlation(fast_counts[i], tag_counts[i]));
    std::vector<double> a(fast_counts[i].begin(), fast_counts[i].end() - 1);
    std::vector<double> b(fast_counts[i].begin() + 1, fast_counts[i].end());
    lag.push_back(correlation(a, b));
  }
  check_uncorrelated(cross, bins, "two inputs on one neuron");
  check_uncorrelated(lag, bins - 1, "lag-1 bins");
}

TEST_CASE("Poisson input of rate 0 gives nothing, and start and stop are respected", "[unit]") {
  // Requirement: no input spike at rate 0; inputs act exactly during steps [start, stop).
  Network net({.dt = 0.1, .seed = 4, .threads = 2, .partitions = 3});
  const auto none = net.add_population("none", models::make_lif_delta(50, counter_params()));
  const auto window = net.add_population("window", models::make_lif_delta(40, counter_params()));
  net.add_input(none, models::make_poisson_input({.rate = 0.0, .weight = 1.0}));
  // 100 kHz: 10 spikes per step on average, so every active step has some (P(0) = 4.5e-5).
  const double rate = 100000.0;
  net.add_input(window, models::make_poisson_input(
                            {.rate = rate, .weight = 1.0, .start = 50.0, .stop = 150.3}));
  const auto tn = net.record_state(none, "V_m");
  const auto tw = net.record_state(window, "V_m");
  net.run(300.0);

  for (const double v : net.trace(tn).values) REQUIRE(v == 0.0);

  const Trace& t = net.trace(tw);
  REQUIRE(t.frame_steps.size() == 3000);
  const auto per_step = bin_counts(t, 40);
  std::size_t active_empty = 0;
  double total = 0;
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t s = 0; s < 3000; ++s) {
      const bool active = s >= 500 && s < 1503;
      if (!active) {
        INFO("neuron " << i << ", step " << s);
        REQUIRE(per_step[i][s] == 0.0);
      } else {
        active_empty += per_step[i][s] == 0.0;
        total += per_step[i][s];
      }
    }
  // Probability that any of the 40 x 1003 active steps is empty: 1.8; require few.
  CHECK(active_empty <= 10);
  const double expected = rate * 1e-4 * 1003 * 40;
  CHECK(std::abs(total - expected) <= kSigmas * std::sqrt(expected));
  // The first and last active steps carry input for (nearly) every neuron.
  std::size_t first = 0, last = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    first += per_step[i][500] > 0;
    last += per_step[i][1502] > 0;
  }
  CHECK(first >= 39);
  CHECK(last >= 39);
}

TEST_CASE("Poisson input parameters are checked", "[unit]") {
  // Requirement: invalid rates, weights and windows are refused with their values.
  using models::make_poisson_input;
  CHECK_THROWS_WITH(make_poisson_input({.rate = -1.0}), Contains("rate") && Contains("-1"));
  CHECK_THROWS_AS(make_poisson_input({.rate = std::nan("")}), ConfigError);
  CHECK_THROWS_AS(make_poisson_input({.rate = INFINITY}), ConfigError);
  CHECK_THROWS_AS(make_poisson_input({.rate = 10.0, .weight = NAN}), ConfigError);

  const auto build_with = [](models::PoissonParams p) {
    Network net({.dt = 0.1});
    const auto a = net.add_population("a", models::make_lif_delta(3));
    net.add_input(a, models::make_poisson_input(p));
    net.build();
  };
  CHECK_THROWS_WITH(build_with({.rate = 10.0, .start = -1.0}), Contains("start") && Contains("-1"));
  CHECK_THROWS_WITH(build_with({.rate = 10.0, .start = 5.0, .stop = 2.0}), Contains("stop"));
  CHECK_THROWS_WITH(build_with({.rate = 10.0, .start = 0.05}), Contains("0.05"));
  CHECK_THROWS_WITH(build_with({.rate = 10.0, .stop = 10.01}), Contains("10.01"));
  CHECK_NOTHROW(build_with({.rate = 10.0, .start = 5.0, .stop = 5.0}));
}

// The count per neuron and step is inversion of the uniform the documented stream gives
// (global ids 2m and 2m + 1 share Philox block m at (seed, poisson_input, input) and step
// position; words 0,1 and 2,3), by the sequential search of Knuth's Poisson inversion,
// written here on its own: the fast table walk of the input must agree draw for draw.
TEST_CASE("Poisson input counts equal sequential inversion of their uniforms at any mean",
          "[unit]") {
  const TimeGrid grid(0.1);
  const std::uint64_t seed = 17, input_index = 3;
  const NeuronId first_id = 1001;  // odd: a population's neuron 0 shares its block
  for (const double rate_hz : {10.0, 1300.0, 17000.0, 40000.0, 95000.0}) {
    const double mean = rate_hz * 0.1 * 1e-3;
    auto input = models::make_poisson_input({.rate = rate_hz, .weight = 1.0});
    input->prepare(grid);
    const NeuronIndex n = 4001;
    std::uint64_t mismatches = 0, draws = 0, total = 0;
    for (Step step = 0; step < 40; ++step) {
      std::vector<double> ex(n, 0.0), in(n, 0.0), current(n, 0.0);
      StepInputBuffers buffers{ex.data(), in.data(), current.data()};
      const InputContext context{seed, input_index, first_id};
      input->apply({1, n - 1}, step, context, buffers);  // a range that starts mid-block
      const StreamKey key(seed, Purpose::poisson_input, input_index);
      const auto position = static_cast<std::uint64_t>(step) << RandomStream::kStepShift;
      for (NeuronIndex i = 1; i < n - 1; ++i) {
        const NeuronId id = first_id + i;
        const auto words = RandomStream::block(key, id >> 1, position);
        const unsigned half = static_cast<unsigned>(id & 1) * 2;
        const double u = RandomStream::uniform_from(words[half], words[half + 1]);
        double p = std::exp(-mean), cumulative = p;
        std::uint64_t k = 0;
        while (u > cumulative && p > 0.0) {
          ++k;
          p *= mean / static_cast<double>(k);
          cumulative += p;
        }
        mismatches += ex[i] != static_cast<double>(k);
        total += k;
        ++draws;
      }
      CHECK(ex[0] == 0.0);
      CHECK(ex[n - 1] == 0.0);
    }
    INFO("rate " << rate_hz << " Hz: " << draws << " draws, " << total << " input spikes");
    CHECK(mismatches == 0);
    CHECK(total > 0);
  }
}
