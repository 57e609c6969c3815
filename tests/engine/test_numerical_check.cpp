// Tests of the numerical-fault check (engine/numerical_check.hpp): the scan finds exactly
// the first NaN or infinity (against std::isfinite), and a run whose state becomes
// non-finite stops with an error naming population, neuron, variable and time, after the
// sinks received the faulty window, the same fault for any partition and thread count.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/network.hpp"
#include "engine/numerical_check.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A population whose state turns bad on purpose: at step `poison_step`, variable b of
// neuron `nan_neuron` becomes NaN and variable a of `inf_neuron` becomes -inf. Neuron 0
// spikes every step, so the sinks have something to record up to the fault.
class Poisoned final : public Population {
 public:
  Poisoned(NeuronIndex size, Step poison_step, NeuronIndex nan_neuron, NeuronIndex inf_neuron)
      : a_(size, 1.0), b_(size, 2.0), poison_(poison_step), nan_(nan_neuron), inf_(inf_neuron) {}
  std::string_view model() const override { return "poisoned"; }
  NeuronIndex size() const override { return static_cast<NeuronIndex>(a_.size()); }
  void prepare(const TimeGrid&) override {}
  void update(NeuronRange r, Step step, const StepInput&, SpikeSink& out) override {
    if (r.begin == 0) out.emit(0);
    if (step != poison_) return;
    if (nan_ >= r.begin && nan_ < r.end) b_[nan_] = kNaN;
    if (inf_ >= r.begin && inf_ < r.end) a_[inf_] = -kInf;
  }
  std::vector<std::string> state_names() const override { return {"a", "b"}; }
  std::span<double> state(std::string_view name) override {
    if (name == "a") return a_;
    if (name == "b") return b_;
    return {};
  }
  std::string_view state_unit(std::string_view) const override { return ""; }

 private:
  std::vector<double> a_, b_;
  Step poison_;
  NeuronIndex nan_, inf_;
};

class CountingSink final : public RecordingSink {
 public:
  void on_window(const Network&, Step, Step end, std::span<const SpikeRecord> spikes,
                 std::span<const TraceFrames>) override {
    last_end = end;
    count += spikes.size();
  }
  Step last_end = 0;
  std::size_t count = 0;
};

}  // namespace

TEST_CASE("first_non_finite finds the first NaN or infinity exactly as std::isfinite does",
          "[unit]") {
  // Requirement: for arrays of many lengths (block edges included) with bad values at chosen
  // places, the index returned is the first i in [begin, end) with !std::isfinite(x[i]).
  const double bads[] = {kNaN, kInf, -kInf, -kNaN};
  const double goods[] = {0.0, -0.0, 1e308, -1e308, 4.9e-324, std::numeric_limits<double>::max()};
  for (const std::size_t n : {0u, 1u, 7u, 1023u, 1024u, 1025u, 3000u}) {
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = goods[i % 6];
    const auto reference = [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        if (!std::isfinite(x[i])) return i;
      return e;
    };
    CHECK(first_non_finite(x.data(), 0, n) == n);
    for (std::size_t pos : {std::size_t{0}, n / 2, n - 1, std::size_t{1024}}) {
      if (pos >= n) continue;
      for (const double bad : bads) {
        std::vector<double> saved = x;
        x[pos] = bad;
        if (pos + 5 < n) x[pos + 5] = kNaN;  // a later one does not matter
        CHECK(first_non_finite(x.data(), 0, n) == reference(0, n));
        CHECK(first_non_finite(x.data(), 0, n) == pos);
        // A range that starts after the bad value does not see it.
        CHECK(first_non_finite(x.data(), pos + 1, n) == reference(pos + 1, n));
        x = saved;
      }
    }
  }
}

TEST_CASE("a NaN or infinite state stops the run naming population, neuron, variable and time",
          "[unit]") {
  // Requirement: b of neuron 40 becomes NaN and a of neuron 70 becomes -inf in step 23; with
  // no projections the window is 1 ms = 10 steps, and the state is checked at window ends
  // at least kNumericalCheckSteps = 20 steps apart: at steps 20 and 40. So the check at step
  // 40 reports t = 4 ms, neuron 40 (the smaller index) and variable b, finite at t = 2 ms;
  // the sinks got every window up to step 40 (40 spikes of neuron 0), and the clock stands at
  // step 40. The same for 1 to 64 partitions and 1 to 3 threads. With the NaN at neuron 70
  // too, a (the first variable) is named. A run ending at step 25 is checked at its end.
  for (const int partitions : {1, 3, 7, 64})
    for (const int threads : {1, 3}) {
      Network net({.dt = 0.1, .seed = 1, .threads = threads, .partitions = partitions});
      net.add_population("healthy", std::make_unique<Poisoned>(10, -1, 0, 0));
      const auto bad = net.add_population("bad", std::make_unique<Poisoned>(100, 23, 40, 70));
      net.record_spikes(bad);
      CountingSink sink;
      net.add_sink(&sink);
      std::string message;
      try {
        net.run(10.0);
      } catch (const NumericalFaultError& e) {
        message = e.what();
      }
      CHECK_THAT(message, Contains("numerical fault at t = 4 ms: population 'bad' (poisoned), "
                                   "neuron 40, variable b = nan"));
      CHECK_THAT(message, Contains("it was finite at t = 2 ms, the last check"));
      CHECK(sink.last_end == 40);
      CHECK(sink.count == 40);
      CHECK(net.now() == 40);
    }
  Network net({.dt = 0.1, .partitions = 5});
  net.add_population("p", std::make_unique<Poisoned>(100, 23, 70, 70));
  REQUIRE_THROWS_WITH(net.run(10.0), Contains("neuron 70, variable a = -inf"));
  Network short_run({.dt = 0.1, .partitions = 2});
  short_run.add_population("p", std::make_unique<Poisoned>(100, 23, 70, 70));
  REQUIRE_THROWS_WITH(short_run.run(2.5), Contains("numerical fault at t = 2.5 ms"));
}

TEST_CASE("after load_state the fault message names the resume point as the last check", "[unit]") {
  // Requirement (found by a breaker): a run continued from a checkpoint at step 300 whose
  // state turns NaN in step 305 reports the fault at the first check after the resume, at
  // least kNumericalCheckSteps = 20 steps on: t = 32 ms, finite at t = 30 ms (the loaded
  // state is checked when it is loaded), not "finite at t = 0 ms".
  const auto make = [](int threads) {
    auto net =
        std::make_unique<Network>(NetworkOptions{.dt = 0.1, .threads = threads, .partitions = 3});
    net->add_population("bad", std::make_unique<Poisoned>(100, 305, 40, 70));
    return net;
  };
  MemoryState saved;
  auto first = make(1);
  first->run(30.0);
  first->save_state(saved);
  for (const int threads : {1, 3}) {
    auto resumed = make(threads);
    resumed->load_state(saved);
    std::string message;
    try {
      resumed->run(20.0);
    } catch (const NumericalFaultError& e) {
      message = e.what();
    }
    CHECK_THAT(message, Contains("numerical fault at t = 32 ms: population 'bad' (poisoned), "
                                 "neuron 40, variable b = nan"));
    CHECK_THAT(message, Contains("it was finite at t = 30 ms, the last check"));
  }
}

TEST_CASE("a checkpoint whose state is not finite is refused when loaded, naming the value",
          "[unit]") {
  // Requirement: a state saved after it turned NaN (step 5, saved at step 10 after the
  // fault was reported) cannot be continued; load_state says so at once, with the
  // population, neuron, variable and time, instead of a run failing a window later.
  Network first({.dt = 0.1, .partitions = 2});
  first.add_population("bad", std::make_unique<Poisoned>(100, 5, 40, 70));
  REQUIRE_THROWS_AS(first.run(1.0), NumericalFaultError);
  MemoryState saved;
  first.save_state(saved);
  Network second({.dt = 0.1, .partitions = 2});
  second.add_population("bad", std::make_unique<Poisoned>(100, 5, 40, 70));
  REQUIRE_THROWS_MATCHES(
      second.load_state(saved), NumericalFaultError,
      Catch::Matchers::Message("checkpoint: the state at t = 1 ms is not finite: population 'bad' "
                               "(poisoned), neuron 40, variable b = nan; a run continued from it "
                               "cannot recover"));
}
