#include "models/ann_to_snn.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>

#include "engine/error.hpp"
#include "engine/parallel.hpp"
#include "models/if_subtract.hpp"
#include "models/rate.hpp"

namespace spikeflow::models {

namespace {

void check_options(const ConversionOptions& o) {
  if (!(o.percentile > 0.0 && o.percentile <= 100.0))
    throw ConfigError(concat("ann_to_snn: percentile must be in (0, 100], got ", o.percentile));
  if (!(o.dt > 0.0) || !std::isfinite(o.dt))
    throw ConfigError(concat("ann_to_snn: dt must be > 0 ms, got ", o.dt));
  if (!(o.V_th > 0.0) || !std::isfinite(o.V_th))
    throw ConfigError(concat("ann_to_snn: V_th must be > 0 mV, got ", o.V_th));
  if (!(o.C_m > 0.0) || !std::isfinite(o.C_m))
    throw ConfigError(concat("ann_to_snn: C_m must be > 0 pF, got ", o.C_m));
  if (!(o.initial_V >= 0.0 && o.initial_V < 1.0))
    throw ConfigError(
        concat("ann_to_snn: initial_V must be in [0, 1) (units of V_th), got ", o.initial_V));
}

void check_layers(const std::vector<dnn::Dense>& layers) {
  if (layers.empty()) throw ConfigError("ann_to_snn: no layers given");
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const dnn::Activation phi = layers[l].activation();
    const bool last = l + 1 == layers.size();
    if (phi != dnn::Activation::relu && !(last && phi == dnn::Activation::identity))
      throw ConfigError(concat("ann_to_snn: layer ", l + 1, " has activation ",
                               dnn::activation_name(phi),
                               "; hidden layers must be relu, the output layer relu or identity"));
    if (l > 0 && layers[l].input_size() != layers[l - 1].output_size())
      throw ConfigError(concat("ann_to_snn: layer ", l + 1, " has ", layers[l].input_size(),
                               " inputs, layer ", l, " has ", layers[l - 1].output_size(),
                               " outputs"));
  }
}

// A NaN or infinite input would make every V_m of the spiking network NaN (and the
// percentiles meaningless): refused with its place.
void require_finite_inputs(const char* what, std::span<const double> values, std::size_t row) {
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]))
      throw ConfigError(concat("ann_to_snn: the ", what, " has ", values[k], " at row ", k / row,
                               ", column ", k % row, "; inputs must be finite"));
}

// Every layer's activations for every calibration row: result[l] holds rows x out_l values.
std::vector<std::vector<double>> activations(std::vector<dnn::Dense>& layers,
                                             std::span<const double> rows) {
  const std::size_t in = layers.front().input_size();
  const std::size_t n = rows.size() / in;
  std::vector<std::vector<double>> out(layers.size());
  std::vector<double> x, y;
  for (std::size_t r = 0; r < n; ++r) {
    x.assign(rows.begin() + static_cast<std::ptrdiff_t>(r * in),
             rows.begin() + static_cast<std::ptrdiff_t>((r + 1) * in));
    for (std::size_t l = 0; l < layers.size(); ++l) {
      y.assign(layers[l].output_size(), 0.0);
      layers[l].forward(x, y);
      out[l].insert(out[l].end(), y.begin(), y.end());
      x.swap(y);
    }
  }
  return out;
}

}  // namespace

std::size_t argmax(std::span<const double> values) {
  return static_cast<std::size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

std::size_t spiking_decision(std::span<const std::uint64_t> counts, std::span<const double> V_m) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < counts.size(); ++i)
    if (counts[i] > counts[best] || (counts[i] == counts[best] && V_m[i] > V_m[best])) best = i;
  return best;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) throw ConfigError("percentile of no values");
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * p / 100.0;
  const auto below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (h - static_cast<double>(below)) * (values[above] - values[below]);
}

ConvertedNetwork::ConvertedNetwork(std::vector<dnn::Dense> layers,
                                   std::span<const double> calibration,
                                   const ConversionOptions& options)
    : layers_(std::move(layers)), options_(options) {
  check_options(options_);
  check_layers(layers_);
  const std::size_t in = layers_.front().input_size();
  if (calibration.empty() || calibration.size() % in != 0)
    throw ConfigError(concat("ann_to_snn: the calibration data has ", calibration.size(),
                             " values; it needs whole rows of ", in, " inputs, at least one"));
  require_finite_inputs("calibration data", calibration, in);

  const auto acts = activations(layers_, calibration);
  double previous = 1.0;  // lambda_0: the input enters as it is
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    std::vector<double> positive;
    for (const double a : acts[l])
      if (a > 0.0) positive.push_back(a);
    const double scale =
        positive.empty() ? 1.0 : percentile(std::move(positive), options_.percentile);

    ConvertedLayer c;
    c.in = layers_[l].input_size();
    c.out = layers_[l].output_size();
    c.scale = scale;
    for (const double w : layers_[l].weights()) c.weight.push_back(w * previous / scale);
    for (const double b : layers_[l].bias()) c.bias.push_back(b / scale);
    converted_.push_back(std::move(c));
    previous = scale;
  }
}

std::vector<double> ConvertedNetwork::rate_outputs(std::span<const double> x) const {
  if (x.size() != input_size())
    throw ConfigError(
        concat("ann_to_snn: input has ", x.size(), " values, expected ", input_size()));
  std::vector<double> a(x.begin(), x.end()), y;
  for (dnn::Dense& layer : layers_) {
    y.assign(layer.output_size(), 0.0);
    layer.forward(a, y);
    a.swap(y);
  }
  return a;
}

std::vector<double> ConvertedNetwork::input_current(std::span<const double> x) const {
  if (x.size() != input_size())
    throw ConfigError(
        concat("ann_to_snn: input has ", x.size(), " values, expected ", input_size()));
  require_finite_inputs("input", x, x.size());
  const ConvertedLayer& first = converted_.front();
  const double pA = options_.V_th * options_.C_m / options_.dt;
  std::vector<double> current(first.out);
  for (std::size_t i = 0; i < first.out; ++i) {
    double drive = first.bias[i];
    for (std::size_t j = 0; j < first.in; ++j) drive += first.weight[i * first.in + j] * x[j];
    current[i] = drive * pA;
  }
  return current;
}

std::vector<double> ConvertedNetwork::synaptic_weights(std::size_t layer) const {
  std::vector<double> w = converted_.at(layer).weight;
  for (double& v : w) v *= options_.V_th;
  return w;
}

std::vector<double> ConvertedNetwork::bias_current(std::size_t layer) const {
  std::vector<double> b = converted_.at(layer).bias;
  for (double& v : b) v *= options_.V_th * options_.C_m / options_.dt;
  return b;
}

std::vector<PopulationHandle> ConvertedNetwork::build(Network& net,
                                                      std::span<const double> x) const {
  const double dt = options_.dt;
  RateParams unit;  // output 1 from its first update on
  unit.tau = 0.0;
  unit.b = 1.0;
  const PopulationHandle bias = net.add_population("bias", make_rate(1, unit));

  IfSubtract::Params neuron;
  neuron.V_th = options_.V_th;
  neuron.C_m = options_.C_m;
  const Distribution one_step = Distribution::constant(dt);
  const auto column = [](std::vector<double> values) {
    return std::make_shared<const std::vector<double>>(std::move(values));
  };
  std::vector<PopulationHandle> handles;
  for (std::size_t l = 0; l < converted_.size(); ++l) {
    const ConvertedLayer& c = converted_[l];
    const PopulationHandle layer = net.add_population(
        concat("L", l + 1), make_if_subtract(static_cast<NeuronIndex>(c.out), neuron));
    net.set_initial_state(layer, "V_m", Distribution::constant(options_.initial_V * options_.V_th));
    SynapseSpec current{.delay = one_step, .kind = SynapseSpec::Kind::current};
    current.weight_matrix = column(l == 0 ? input_current(x) : bias_current(l));
    net.connect(bias, layer, ConnectionRule::all_to_all(), current);
    if (l > 0) {
      SynapseSpec spikes{.delay = one_step};
      spikes.weight_matrix = column(synaptic_weights(l));
      net.connect(handles.back(), layer, ConnectionRule::all_to_all(), spikes);
    }
    handles.push_back(layer);
  }
  net.record_spikes(handles.back());
  return handles;
}

std::vector<OutputReadout> ConvertedNetwork::run(std::span<const double> x,
                                                 std::span<const Step> at) const {
  Network net({.dt = options_.dt, .seed = 1, .threads = 1, .partitions = 1});
  const std::vector<PopulationHandle> layers = build(net, x);
  const PopulationHandle out = layers.back();
  std::vector<OutputReadout> readouts;
  Step done = 0;
  for (const Step steps : at) {
    if (steps < 1 || steps < done)
      throw ConfigError(
          concat("ann_to_snn: steps must increase and be >= 1, got ", steps, " after ", done));
    net.run(static_cast<double>(steps - done) * options_.dt);
    done = steps;
    OutputReadout r;
    r.steps = steps;
    r.counts.assign(output_size(), 0);
    for (const SpikeEvent& s : net.spikes(out)) ++r.counts[s.neuron];
    const std::span<const double> V = net.population(out).state("V_m");
    r.V_m.assign(V.begin(), V.end());
    r.decision = spiking_decision(r.counts, r.V_m);
    for (const PopulationHandle layer : layers) r.spikes += net.spike_count(layer.index);
    readouts.push_back(std::move(r));
  }
  return readouts;
}

std::vector<std::vector<OutputReadout>> ConvertedNetwork::run_all(std::span<const double> inputs,
                                                                  std::span<const Step> at,
                                                                  int threads) const {
  const std::size_t in = input_size();
  if (inputs.size() % in != 0)
    throw ConfigError(
        concat("ann_to_snn: the inputs have ", inputs.size(), " values, not whole rows of ", in));
  // Checked whole first, so that a bad value is reported with its own row.
  require_finite_inputs("input data", inputs, in);
  const std::size_t samples = inputs.size() / in;
  std::vector<std::vector<OutputReadout>> out(at.size(), std::vector<OutputReadout>(samples));
  // One task per row (a block of rows only beyond INT_MAX rows, the pool's index range).
  const std::size_t block = samples / INT_MAX + 1;
  const auto rows = [&](int b) {
    const std::size_t first = static_cast<std::size_t>(b) * block;
    for (std::size_t k = first; k < std::min(samples, first + block); ++k) {
      std::vector<OutputReadout> readouts = run(inputs.subspan(k * in, in), at);
      for (std::size_t t = 0; t < at.size(); ++t) out[t][k] = std::move(readouts[t]);
    }
  };
  // The engine's pool: it raises oneTBB's thread limit for more threads than cores.
  PartitionPool pool(threads > 0 ? threads : hardware_threads());
  pool.for_each(0, static_cast<int>((samples + block - 1) / block), rows);
  return out;
}

std::vector<std::vector<std::size_t>> ConvertedNetwork::classify(std::span<const double> inputs,
                                                                 std::span<const Step> at,
                                                                 int threads) const {
  const auto readouts = run_all(inputs, at, threads);
  std::vector<std::vector<std::size_t>> decisions(readouts.size());
  for (std::size_t t = 0; t < readouts.size(); ++t)
    for (const OutputReadout& r : readouts[t]) decisions[t].push_back(r.decision);
  return decisions;
}

}  // namespace spikeflow::models
