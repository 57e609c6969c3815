// What the leaky integrate-and-fire models share: the membrane parameters, their checks,
// and the refractory rule.
//
// Spike rule (all LIF models): a neuron spikes in step s when V_m >= V_th at the end of the
// step; V_m is set to V_reset and the spike is stamped (s + 1) dt. With R = round(t_ref/dt)
// the neuron is then held at V_reset, not integrating, for the R - 1 following steps and
// integrates again from step s + R. So a neuron driven as hard as possible fires every R
// steps: its shortest inter-spike interval is exactly t_ref (as in Brian2; NEST's iaf
// models give t_ref + dt). t_ref = 0 and t_ref = dt behave alike (no step is skipped).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"
#include "engine/kernel_clones.hpp"
#include "engine/population.hpp"

namespace spikeflow::models {

// Membrane parameters (NEST names and defaults of iaf_psc_*).
struct MembraneParams {
  double E_L = -70.0;      // resting potential, mV
  double C_m = 250.0;      // membrane capacitance, pF
  double tau_m = 10.0;     // membrane time constant, ms
  double t_ref = 2.0;      // refractory period, ms
  double V_th = -55.0;     // spike threshold, mV
  double V_reset = -70.0;  // reset potential, mV
  double I_e = 0.0;        // constant external current, pA
};

// Throws ConfigError naming the model and the parameter:
//   lif_exp: tau_m must be > 0 ms, got -5
inline void require_positive(std::string_view model, const char* name, double value,
                             const char* unit) {
  if (!(value > 0.0) || !std::isfinite(value))
    throw ConfigError(concat(model, ": ", name, " must be > 0 ", unit, ", got ", value));
}

inline void require_finite(std::string_view model, const char* name, double value,
                           const char* unit) {
  if (!std::isfinite(value))
    throw ConfigError(
        concat(model, ": ", name, " must be a finite number of ", unit, ", got ", value));
}

inline void validate_membrane(std::string_view model, const MembraneParams& p) {
  require_finite(model, "E_L", p.E_L, "mV");
  require_positive(model, "C_m", p.C_m, "pF");
  require_positive(model, "tau_m", p.tau_m, "ms");
  if (!(p.t_ref >= 0.0) || !std::isfinite(p.t_ref))
    throw ConfigError(concat(model, ": t_ref must be >= 0 ms, got ", p.t_ref));
  require_finite(model, "V_th", p.V_th, "mV");
  require_finite(model, "V_reset", p.V_reset, "mV");
  require_finite(model, "I_e", p.I_e, "pA");
  if (!(p.V_reset < p.V_th))
    throw ConfigError(
        concat(model, ": V_reset must be < V_th = ", p.V_th, " mV, got ", p.V_reset, " mV"));
}

// Steps a neuron is held after the step it spiked in.
inline Step hold_steps(std::string_view model, double t_ref, const TimeGrid& grid) {
  const Step r = grid.steps(t_ref, concat(model, ": t_ref"));
  return r > 0 ? r - 1 : 0;
}

// The threshold pass that follows a model's (branch-free) integration pass: a neuron with
// V_m >= V_th spikes, is reset and held until step + 1 + hold. A held neuron sits at V_reset
// < V_th, so it cannot spike here.
inline void emit_spikes(NeuronRange range, Step step, double V_th, double V_reset, Step hold,
                        double* V_m, Step* free_from, SpikeSink& out) {
  // Spikes are rare (a few per thousand neurons and step): a vectorised test per block of
  // 64 neurons finds the blocks that hold one, and only those are walked one by one.
  constexpr NeuronIndex kBlock = 64;
  for (NeuronIndex begin = range.begin; begin < range.end; begin += kBlock) {
    const NeuronIndex end = std::min<NeuronIndex>(range.end - begin, kBlock) + begin;
    int above = 0;
    for (NeuronIndex i = begin; i < end; ++i) above |= V_m[i] >= V_th;
    if (!above) continue;
    for (NeuronIndex i = begin; i < end; ++i) {
      if (V_m[i] >= V_th) {
        V_m[i] = V_reset;
        free_from[i] = step + 1 + hold;
        out.emit(i);
      }
    }
  }
}

// The threshold test of a fused kernel, as a 64-bit lane mask: OR-ed over a block it tells
// whether any neuron crossed. A mask as wide as the doubles keeps the OR in the same vector
// lanes (an int flag made GCC repack every compare with a shuffle).
inline std::uint64_t crossed(double v, double V_th) {
  return v >= V_th ? ~std::uint64_t{0} : 0;
}

// The external drive (I_e + I_ext) P20 of a LIF kernel. A population without current input
// has I_ext = +0.0 for every neuron (StepInput::has_current is false), so its kernel computes
// the term once, (I_e + 0.0) P20 - the same operations, hence the same bits - instead of
// reading a current array of zeros every step.
struct ExternalDrive {
  double I_e, P20;
  double constant() const { return (I_e + 0.0) * P20; }
};

// The spike rule's constants, for kernels that fuse the threshold pass into integration.
struct FireRule {
  double V_th, V_reset;
  Step hold;
};

// Neurons per block of a fused kernel: the block is integrated (vectorised) while the
// kernel ORs the threshold tests, and only a block holding a spike is walked again.
inline constexpr NeuronIndex kFireBlock = 64;

// Neurons integrated before any block of them is walked. The walk is a call, and after a
// call the integration loop must load and broadcast its constants again (no vector register
// survives a call); integrating a chunk of 32 blocks first keeps them in registers.
inline constexpr NeuronIndex kFireChunk = 32 * kFireBlock;

// The walk over one integrated block [begin, end) that some neuron of it crossed: the
// same rule, in the same order, as emit_spikes.
inline void fire_block(NeuronIndex begin, NeuronIndex end, Step step, const FireRule& rule,
                       double* V_m, Step* free_from, SpikeSink& out) {
  for (NeuronIndex i = begin; i < end; ++i) {
    if (V_m[i] >= rule.V_th) {
      V_m[i] = rule.V_reset;
      free_from[i] = step + 1 + rule.hold;
      out.emit(i);
    }
  }
}

// The loop of a fused kernel over neurons [begin, end), block by block:
// integrate_block(b, n) advances neurons [b, b + n) and returns the OR of their threshold
// masks (crossed()); the blocks that crossed are walked (fire_block) after each chunk. A
// full block is integrated with n = kFireBlock, a constant once everything is inlined: with
// the count known GCC keeps the kernel's constants in registers from block to block, where
// a loop of unknown count broadcast them all again (lif_exp's kernel: ~13 % faster).
// Forced inline, so that the block function is compiled within the calling kernel's clone.
// (The block function is a lambda around a function with restrict parameters: a lambda that
// used the captured arrays itself lost restrict, and GCC did not vectorise it.)
template <typename IntegrateBlock>
[[gnu::always_inline]] inline void integrate_and_fire(NeuronIndex begin, NeuronIndex end, Step step,
                                                      const FireRule& rule, double* V_m,
                                                      Step* free_from, SpikeSink& out,
                                                      IntegrateBlock integrate_block) {
  for (NeuronIndex chunk = begin; chunk < end; chunk += kFireChunk) {
    const NeuronIndex chunk_end = std::min<NeuronIndex>(end - chunk, kFireChunk) + chunk;
    std::uint64_t crossed_in[kFireChunk / kFireBlock];
    for (NeuronIndex b = chunk; b < chunk_end; b += kFireBlock) {
      const NeuronIndex n = std::min<NeuronIndex>(chunk_end - b, kFireBlock);
      crossed_in[(b - chunk) / kFireBlock] =
          n == kFireBlock ? integrate_block(b, kFireBlock) : integrate_block(b, n);
    }
    for (NeuronIndex b = chunk, k = 0; b < chunk_end; b += kFireBlock, ++k)
      if (crossed_in[k])
        fire_block(b, std::min<NeuronIndex>(chunk_end - b, kFireBlock) + b, step, rule, V_m,
                   free_from, out);
  }
}

// Finds a named state array among (name, array) pairs; empty span if none matches.
inline std::span<double> find_state(
    std::string_view name,
    std::initializer_list<std::pair<std::string_view, std::vector<double>*>> arrays) {
  for (const auto& [n, array] : arrays)
    if (n == name) return {array->data(), array->size()};
  return {};
}

}  // namespace spikeflow::models
