// Micro-benchmarks of the hot paths, one figure each (see bench/README.md for the cost model):
//   neuron update      ns per neuron-step, per model, no input (every model reads a current
//                      array and a ring slot of zeros; lif_exp_no_input as N1: neither)
//   Poisson input      ns per neuron-step (one count drawn per neuron and step)
//   spike delivery     ns per synaptic event, whole window loop of a network whose sources
//                      fire on a schedule (so no neuron dynamics are measured)
//   static vs plastic  ns per synaptic event of the same network with firing targets,
//                      static synapses against all-to-all STDP (additive; N3's power law)
//   connection build   ns per synapse, generation plus packing into rows
//   HDF5 spike writing spikes per second (wall) through io::RecordingFile, with and without
//                      flushes
//
//   ./build/bench/spikeflow_kernels --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "engine/connectivity.hpp"
#include "engine/network.hpp"
#include "io/hdf5_writer.hpp"
#include "models/inputs.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

using namespace spikeflow;

namespace {

constexpr NeuronIndex kNeurons = 10000;

// Runs a model's update over kNeurons for one step per iteration, inputs all zero, and
// the clearing of the step's ring slot the engine does for a model that leaves it to the
// engine (Population::clears_spike_input), so that every model pays the same work.
void run_update(benchmark::State& state, std::unique_ptr<Population> model) {
  const TimeGrid grid(0.1);
  model->prepare(grid);
  std::vector<double> ex(kNeurons, 0.0), inh(kNeurons, 0.0), current(kNeurons, 0.0);
  std::vector<NeuronIndex> spikes;
  SpikeSink sink(spikes);
  const StepInput in{ex.data(), inh.data(), current.data()};
  const bool engine_clears = !model->clears_spike_input();
  Step step = 0;
  for (auto _ : state) {
    spikes.clear();
    model->update({0, kNeurons}, step++, in, sink);
    if (engine_clears) {
      std::fill(ex.begin(), ex.end(), 0.0);
      std::fill(inh.begin(), inh.end(), 0.0);
    }
    benchmark::DoNotOptimize(spikes.data());
    benchmark::DoNotOptimize(ex.data());
  }
  state.counters["ns_per_neuron_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kNeurons,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// lif_exp as N1 runs it: no current input (StepInput::has_current false) and an empty
// arrival list, so the kernel reads neither the current array nor the ring slot.
void BM_update_lif_exp_no_input(benchmark::State& state) {
  auto model = models::make_lif_exp(kNeurons);
  model->prepare(TimeGrid(0.1));
  std::vector<double> ex(kNeurons, 0.0), inh(kNeurons, 0.0), current(kNeurons, 0.0);
  const NeuronIndex no_arrivals[1] = {0};
  std::vector<NeuronIndex> spikes;
  SpikeSink sink(spikes);
  const StepInput in{ex.data(), inh.data(), current.data(), false, no_arrivals, 0};
  Step step = 0;
  for (auto _ : state) {
    spikes.clear();
    model->update({0, kNeurons}, step++, in, sink);
    benchmark::DoNotOptimize(spikes.data());
  }
  state.counters["ns_per_neuron_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kNeurons,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_update_lif_exp_no_input);

void BM_update_lif_delta(benchmark::State& s) {
  run_update(s, models::make_lif_delta(kNeurons));
}
void BM_update_lif_exp(benchmark::State& s) {
  run_update(s, models::make_lif_exp(kNeurons));
}
void BM_update_lif_alpha(benchmark::State& s) {
  run_update(s, models::make_lif_alpha(kNeurons));
}
void BM_update_lif_cond_exp(benchmark::State& s) {
  run_update(s, models::make_lif_cond_exp(kNeurons));
}
BENCHMARK(BM_update_lif_delta);
BENCHMARK(BM_update_lif_exp);
BENCHMARK(BM_update_lif_alpha);
BENCHMARK(BM_update_lif_cond_exp);

// Poisson drive at the rate of the Brunel network (about 20 kHz per neuron, 2 per step).
void BM_poisson_input(benchmark::State& state) {
  const TimeGrid grid(0.1);
  auto input =
      models::make_poisson_input({.rate = static_cast<double>(state.range(0)), .weight = 0.1});
  input->prepare(grid);
  std::vector<double> ex(kNeurons, 0.0), in(kNeurons, 0.0), current(kNeurons, 0.0);
  StepInputBuffers buffers{ex.data(), in.data(), current.data()};
  const InputContext context{1, 0, 0};
  Step step = 0;
  for (auto _ : state) {
    input->apply({0, kNeurons}, step++, context, buffers);
    benchmark::DoNotOptimize(ex.data());
  }
  state.counters["ns_per_neuron_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kNeurons,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_poisson_input)->Arg(20000)->Arg(200000);

// Sources fire every `period` steps (staggered), each with out-degree 1000 onto lif_delta
// targets that never reach threshold: the run time is delivery plus a small update cost.
void BM_spike_delivery(benchmark::State& state) {
  const NeuronIndex sources = 2000;
  const NeuronIndex targets = 10000;
  const int period = 50;  // steps: 200 Hz per source at dt = 0.1 ms
  std::vector<std::vector<double>> times(sources);
  for (NeuronIndex i = 0; i < sources; ++i)
    for (int s = 1 + static_cast<int>(i % period); s < 20000; s += period)
      times[i].push_back(s * 0.1);
  Network net({.dt = 0.1, .seed = 1, .threads = static_cast<int>(state.range(0))});
  const auto src = net.add_population("src", models::make_spike_source_array(times));
  models::LifDelta::Params p;
  p.V_th = 1e9;
  const auto tgt = net.add_population("tgt", models::make_lif_delta(targets, p));
  net.connect(src, tgt, ConnectionRule::fixed_outdegree(1000),
              {Distribution::constant(0.01), Distribution::uniform(1.0, 2.0)});
  net.build();
  std::uint64_t events = 0;
  for (auto _ : state) {
    net.run(100.0);  // 1000 steps, 20 spikes per source
    events += 20ull * sources * 1000;
  }
  state.counters["ns_per_event"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_spike_delivery)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// As BM_spike_delivery, but the targets fire (a constant current drives them at about
// 29 Hz, desynchronised by their initial V_m), so a plastic synapse finds post spikes in its
// target's history. Arg 0: static synapses; 1: stdp (all_to_all, additive); 2: stdp with
// N3's power-law weight dependence (morrison2007, one std::pow per potentiation), its
// lambda and alpha chosen so that a pairing changes a weight of 0.01 by the same fraction
// as N3's changes its 45.6 pA (+1% x, -0.5% y). One thread.
void BM_delivery_static_vs_plastic(benchmark::State& state) {
  const NeuronIndex sources = 2000;
  const NeuronIndex targets = 10000;
  const int period = 500;  // steps: 20 Hz per source at dt = 0.1 ms
  std::vector<std::vector<double>> times(sources);
  for (NeuronIndex i = 0; i < sources; ++i)
    for (int s = 1 + static_cast<int>((i * 7) % period); s < 200000; s += period)
      times[i].push_back(s * 0.1);
  Network net({.dt = 0.1, .seed = 1, .threads = 1, .partitions = 1});
  const auto src = net.add_population("src", models::make_spike_source_array(times));
  models::LifDelta::Params p;
  p.I_e = 390.0;  // R I = 15.6 mV above E_L, threshold 15 mV above: regular firing
  const auto tgt = net.add_population("tgt", models::make_lif_delta(targets, p));
  net.set_initial_state(tgt, "V_m", Distribution::uniform(-70.0, -55.0));
  const auto proj = net.connect(src, tgt, ConnectionRule::fixed_outdegree(1000),
                                {Distribution::constant(0.01), Distribution::uniform(1.0, 2.0)});
  if (state.range(0) >= 1) {
    models::StdpParams stdp;
    stdp.w_max = 0.02;
    if (state.range(0) == 2) {
      stdp.weight_dependence = models::WeightDependence::morrison2007;
      stdp.w_max = std::numeric_limits<double>::infinity();
      stdp.lambda = 0.01 * std::pow(0.01, 1.0 - stdp.mu);  // lambda w^mu = 1% of w at 0.01
      stdp.alpha = 0.005 / stdp.lambda;                    // lambda alpha w = 0.5% of w
    }
    net.set_plasticity(proj, models::make_stdp(stdp));
  }
  net.build();
  net.run(500.0);  // fill the post histories
  const std::uint64_t events_before = net.synaptic_events();
  for (auto _ : state) net.run(100.0);
  state.counters["ns_per_event"] =
      benchmark::Counter(static_cast<double>(net.synaptic_events() - events_before),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_synapse"] =
      static_cast<double>(net.connectivity_bytes()) / static_cast<double>(net.synapse_count());
}
// One thread: the counters are per CPU second, which stays meaningful on a shared machine.
BENCHMARK(BM_delivery_static_vs_plastic)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_connection_build(benchmark::State& state) {
  const TimeGrid grid(0.1);
  const ProjectionGeometry geometry{1, 0, 10000, 2000, false};
  const SynapseSpec spec{Distribution::normal(0.1, 0.01), Distribution::constant(1.5)};
  const auto rule = state.range(0) == 0 ? ConnectionRule::fixed_indegree(1000)
                                        : ConnectionRule::pairwise_bernoulli(0.1);
  std::uint64_t synapses = 0;
  for (auto _ : state) {
    std::vector<GeneratedSynapse> generated;
    generate_synapses(rule, spec, geometry, {0, 2000}, grid, generated);
    synapses += generated.size();
    SynapseRows rows;
    rows.build(generated, geometry.source_size);
    benchmark::DoNotOptimize(rows.synapse_count());
  }
  state.counters["ns_per_synapse"] = benchmark::Counter(
      static_cast<double>(synapses), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_connection_build)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// HDF5 spike writing through the public interface of io::RecordingFile, as a run uses it:
// on_start, then windows of 1 ms (10 steps) of spikes of a recorded population of 10,000
// neurons firing at 10 Hz (100 spikes per window, steps and neurons spread evenly), then
// finish(). One iteration writes 10 s of model time (10^6 spikes) to a new file in the
// temporary folder. The HDF5 work happens on the file's writer thread, so the figure is
// spikes per second of wall time. Arg 0: no flush before finish() (FlushPolicy far away);
// 1: a flush every 100 ms of model time, the default policy of `spikeflow run`.
void BM_hdf5_spike_writing(benchmark::State& state) {
  constexpr NeuronIndex neurons = 10000;
  constexpr Step window = 10;
  constexpr int windows = 10000;
  constexpr int spikes_per_window = 100;
  Network net({.dt = 0.1, .seed = 1, .threads = 1, .keep_recordings_in_memory = false});
  const auto pop = net.add_population("exc", models::make_lif_delta(neurons));
  net.record_spikes(pop);
  net.build();

  const bool flushes = state.range(0) == 1;
  const io::FlushPolicy policy = flushes
                                     ? io::FlushPolicy{.model_interval = 100.0, .wall_seconds = 1e9}
                                     : io::FlushPolicy{.model_interval = 1e12, .wall_seconds = 1e9};
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "spikeflow_bench_spikes.h5";
  io::Provenance provenance;
  provenance.model_text = "# spikeflow_kernels BM_hdf5_spike_writing";
  std::vector<SpikeRecord> spikes(spikes_per_window);
  std::uint64_t written = 0;
  for (auto _ : state) {
    io::RecordingFile file(path, provenance, policy);
    file.on_start(net);
    for (int w = 0; w < windows; ++w) {
      const Step begin = static_cast<Step>(w) * window;
      for (int k = 0; k < spikes_per_window; ++k)  // sorted by step, then neuron
        spikes[static_cast<std::size_t>(k)] = {
            begin + k * window / spikes_per_window, 0,
            static_cast<NeuronIndex>((k * 9973 + w * 101) % neurons)};
      std::sort(spikes.begin(), spikes.end());
      file.on_window(net, begin, begin + window, spikes, {});
    }
    file.finish(0.0);
    written += static_cast<std::uint64_t>(windows) * spikes_per_window;
  }
  std::filesystem::remove(path);
  state.counters["spikes_per_s"] =
      benchmark::Counter(static_cast<double>(written), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_hdf5_spike_writing)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
