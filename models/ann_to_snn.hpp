// ANN-to-SNN conversion: a dense ReLU network (the rate model) turned into a spiking network
// of if_subtract neurons (models/if_subtract.hpp) whose spike rates approximate the ReLU
// activations (Diehl et al. 2015; Rueckauer et al. 2017, data-based normalisation).
//
// The rate model: layers l = 1..K, a_l = phi_l(W_l a_{l-1} + b_l), a_0 = x, phi = ReLU for
// the hidden layers and identity or ReLU for the output layer; its class is argmax a_K.
//
// Normalisation (weight normalisation, data-based): lambda_l is the `percentile`-th
// percentile of the positive activations of layer l (all its neurons, all calibration
// inputs; numpy's linear interpolation between order statistics; lambda_l = 1 if the layer
// has none), lambda_0 = 1, and
//   W~_l = W_l lambda_{l-1} / lambda_l,     b~_l = b_l / lambda_l,
// so a~_l = a_l / lambda_l is at most 1 for all but (100 - percentile)% of the activations.
// Rueckauer et al. use the 99.9th percentile: the maximum (Diehl et al.) makes one outlier
// set the scale of the whole layer and the other neurons fire slowly.
//
// The spiking network (time step dt, every layer if_subtract with V_th, C_m):
// - Input as a constant current (not spikes): layer 1 receives in every step
//     I_1 = (W~_1 x + b~_1) V_th C_m / dt  pA,
//   so its V_m grows by (W~_1 x + b~_1) V_th per step.
// - Layer l >= 2 receives layer l-1's spikes through weights W~_l V_th (mV, one step of
//   delay) and its bias as the constant current b~_l V_th C_m / dt pA.
// - Neuron i of layer l then fires at a~_{l,i} spikes per step on average (clipped to 1 per
//   step; negative drive never fires, which is the ReLU): rate a~ / dt.
// - The currents come from a rate unit "bias" with constant output 1 through `current`
//   projections, which reach layer 1 from step 2 on (one step for the unit's first update,
//   one of delay); each layer adds one step of latency.
// - V_m starts at initial_V V_th: 0.5 makes a neuron's count round n a~ instead of
//   truncating it.
// Decision: the output neuron with the most spikes; a tie (including no spike at all) goes to
// the higher V_m, then to the lower index.
//
// Example:
//   std::vector<dnn::Dense> layers = ...;          // io::load_dense(file, "fc1", relu), ...
//   models::ConvertedNetwork snn(std::move(layers), calibration_rows, {.percentile = 99.9});
//   auto readouts = snn.run(x, std::vector<Step>{100, 200});   // output after 100, 200 steps
//   std::size_t c = readouts[1].decision;
// Errors are ConfigErrors: "ann_to_snn: layer 2 (fc2) has 16 inputs, layer 1 has 32 outputs".
//
// References: Diehl P U et al. (2015), IJCNN; Rueckauer B et al. (2017) Front. Neurosci.
// 11:682 (their reset by subtraction, data-based normalisation and analog input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/network.hpp"
#include "models/dnn/dense.hpp"

namespace spikeflow::models {

struct ConversionOptions {
  double percentile = 99.9;  // of the positive activations per layer, in (0, 100]
  double dt = 1.0;           // ms, the spiking network's step
  double V_th = 1.0;         // mV, threshold of every neuron
  double C_m = 1.0;          // pF
  double initial_V = 0.5;    // V_m at the start of an input, in units of V_th, in [0, 1)
};

struct ConvertedLayer {
  std::size_t in = 0, out = 0;
  std::vector<double> weight;  // W~ [out, in], row-major: in units of V_th per input spike
  std::vector<double> bias;    // b~ [out]: in units of V_th per step
  double scale = 1.0;          // lambda_l
};

// The output layer after a number of steps.
struct OutputReadout {
  Step steps = 0;
  std::vector<std::uint64_t> counts;  // spikes per output neuron
  std::vector<double> V_m;            // mV
  std::size_t decision = 0;           // see spiking_decision
  std::uint64_t spikes = 0;           // spikes of all layers so far
};

// Most spikes; ties to the higher V_m, then to the lower index.
std::size_t spiking_decision(std::span<const std::uint64_t> counts, std::span<const double> V_m);
// Index of the largest value (the first of equal ones).
std::size_t argmax(std::span<const double> values);
// numpy's percentile (linear interpolation) of `values` (sorted here), p in [0, 100].
double percentile(std::vector<double> values, double p);

class ConvertedNetwork {
 public:
  // `calibration`: rows of input_size values (the data the scales are measured on).
  ConvertedNetwork(std::vector<dnn::Dense> layers, std::span<const double> calibration,
                   const ConversionOptions& options = {});

  const std::vector<ConvertedLayer>& layers() const { return converted_; }
  const ConversionOptions& options() const { return options_; }
  std::size_t input_size() const { return converted_.front().in; }
  std::size_t output_size() const { return converted_.back().out; }

  // The rate model: the original network's outputs a_K for input x.
  std::vector<double> rate_outputs(std::span<const double> x) const;

  // What the spiking network is made of (see the header comment).
  std::vector<double> input_current(std::span<const double> x) const;  // pA into layer 1
  std::vector<double> synaptic_weights(std::size_t layer) const;       // mV, layer >= 1 (0-based)
  std::vector<double> bias_current(std::size_t layer) const;           // pA, layer >= 1

  // Adds the spiking network for input x to `net` (populations "bias", "L1" .. "LK"); returns
  // the handles of L1 .. LK. Spikes of the output layer are recorded.
  std::vector<PopulationHandle> build(Network& net, std::span<const double> x) const;

  // Simulates input x from rest for max(at) steps (a network of its own, one thread) and
  // reads the output layer after each number of steps in `at` (increasing, >= 1).
  std::vector<OutputReadout> run(std::span<const double> x, std::span<const Step> at) const;

  // run() for every row of `inputs`: result[t][sample]. Samples run in parallel on `threads`
  // threads (0: all cores); each runs alone in its own network, so the result does not
  // depend on `threads`.
  std::vector<std::vector<OutputReadout>> run_all(std::span<const double> inputs,
                                                  std::span<const Step> at, int threads = 0) const;
  // The decisions of run_all: result[t][sample].
  std::vector<std::vector<std::size_t>> classify(std::span<const double> inputs,
                                                 std::span<const Step> at, int threads = 0) const;

 private:
  // The rate model. forward() changes nothing but its output, so const members may call it
  // (also from several threads at once).
  mutable std::vector<dnn::Dense> layers_;
  std::vector<ConvertedLayer> converted_;
  ConversionOptions options_;
};

}  // namespace spikeflow::models
