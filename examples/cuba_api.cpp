// N1 of shared/reference/networks.md (CUBA, Vogels & Abbott 2005; Brette et al. 2007,
// benchmark 2) built and run through the C++ API, no model file involved.
//
//   ./build/examples/cuba_api [duration_ms=1000] [threads=0 (all cores)] [seed=1]
//
// Prints the synapse count, the spikes and mean rate per population and the wall times.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "engine/network.hpp"
#include "models/lif_exp.hpp"

using namespace spikeflow;

int main(int argc, char** argv) {
  const double duration = argc > 1 ? std::atof(argv[1]) : 1000.0;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;

  Network net({.dt = 0.1, .seed = seed, .threads = threads});

  // tau_m dV/dt = -(V - E_L) + g_e + g_i with g_e, g_i decaying at 5 and 10 ms and weights
  // given as jumps of g in mV: lif_exp with weights_in_mV.
  models::LifExp::Params p;
  p.tau_m = 20.0;
  p.E_L = -49.0;
  p.V_th = -50.0;
  p.V_reset = -60.0;
  p.t_ref = 5.0;
  p.tau_syn_ex = 5.0;
  p.tau_syn_in = 10.0;
  p.weights_in_mV = true;

  const auto exc = net.add_population("E", models::make_lif_exp(3200, p));
  const auto inh = net.add_population("I", models::make_lif_exp(800, p));
  for (const auto pop : {exc, inh}) {
    net.set_initial_state(pop, "V_m", Distribution::uniform(p.V_reset, p.V_th));
    net.record_spikes(pop);
  }
  const auto rule = ConnectionRule::pairwise_bernoulli(0.02);
  const auto delay = Distribution::constant(0.1);
  for (const auto target : {exc, inh}) {
    net.connect(exc, target, rule, {Distribution::constant(1.62), delay});
    net.connect(inh, target, rule, {Distribution::constant(-9.0), delay});
  }

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  net.build();
  const auto t1 = Clock::now();
  net.run(duration);
  const auto t2 = Clock::now();

  const double build_s = std::chrono::duration<double>(t1 - t0).count();
  const double sim_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("CUBA (N1): %llu neurons, %llu synapses, %d threads, %.0f ms simulated\n",
              static_cast<unsigned long long>(net.neuron_count()),
              static_cast<unsigned long long>(net.synapse_count()), net.threads(), duration);
  for (const auto pop : {exc, inh}) {
    const auto info = net.population_info(pop.index);
    const auto spikes = net.spikes(pop).size();
    std::printf("  %-2s %6zu spikes  %6.2f Hz\n", info.name.c_str(), spikes,
                1000.0 * static_cast<double>(spikes) / (info.size * duration));
  }
  std::printf("  build %.3f s, simulation %.3f s (real-time factor %.3f)\n", build_s, sim_s,
              sim_s / (duration * 1e-3));
  return 0;
}
