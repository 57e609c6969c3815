// `spikeflow convert ANN.h5`: converts a dense ReLU network into a spiking network of
// if_subtract neurons (models/ann_to_snn.hpp), measures how often the spiking network takes
// the rate network's class after each simulation time, and writes the spiking network as a
// model file for one input (docs/ann_to_snn.md).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/h5_reader.hpp"
#include "cli/output_check.hpp"
#include "engine/error.hpp"
#include "io/tensor_file.hpp"
#include "models/ann_to_snn.hpp"

namespace spikeflow::cli {

namespace {

namespace fs = std::filesystem;

const std::vector<OptionSpec> kConvertOptions = {
    {"layers", 0, "G1,G2,...", "groups of the dense layers in order (default fc1, fc2, ...)"},
    {"output-activation", 0, "NAME", "identity (default) or relu: the last layer's activation"},
    {"calibration", 0, "DATASET", "inputs the activation scales are measured on [rows, in]"},
    {"percentile", 0, "P", "percentile of the positive activations per layer (default 99.9)"},
    {"dt", 0, "MS", "time step of the spiking network (default 1)"},
    {"initial-v", 0, "X", "V_m at the start of an input, in units of V_th (default 0.5)"},
    {"evaluate", 0, "DATASET", "inputs to classify [rows, in]"},
    {"labels", 0, "DATASET", "true classes of the evaluated rows, for the accuracy"},
    {"time", 0, "S1,S2,...",
     "steps per input after which the output is read "
     "(default 25,50,100,200,400; at most 10^7)"},
    {"threads", 't', "N", "threads for the evaluation (0 = all cores, default)"},
    {"json", 0, "FILE", "also write the figures as JSON ('-': stdout)"},
    {"output", 'o', "FILE.toml",
     "write the spiking network for one input as a model file, its "
     "weights in FILE_weights.h5 beside it"},
    {"input", 0, "ROW",
     "the row of --evaluate (else --calibration) the model file presents "
     "(default 0)"},
    {"help", 'h', "", "this text"},
};

constexpr const char* kConvertUsage =
    "usage: spikeflow convert ANN.h5 --calibration DATASET [--evaluate DATASET] [options]\n"
    "\n"
    "Converts a dense ReLU network, its layers stored as PyTorch's state_dict names them\n"
    "(fc1/weight [out, in], fc1/bias [out], ...), into a spiking network of if_subtract\n"
    "neurons (reset by subtraction): the weights of each layer are normalised by the\n"
    "percentile of its positive activations on the calibration inputs (Rueckauer et al.\n"
    "2017), the input enters layer 1 as a constant current. With --evaluate, every row is\n"
    "simulated from rest and the table gives, per simulation time, how often the spiking\n"
    "network's class (most output spikes) equals the rate network's, and the accuracy\n"
    "against --labels. With -o, the spiking network for one input is written as a model\n"
    "file that `spikeflow run` simulates. DATASET is a dataset of ANN.h5 or FILE.h5:DATASET.\n"
    "Exit code 1 when the network or a dataset is missing or unusable (the message names\n"
    "the file and the dataset), 2 for a malformed option. See docs/ann_to_snn.md.\n"
    "\n"
    "options:\n";

// The comma-separated parts of an option's value, each of them non-empty: "fc1,,fc3", "fc1,"
// and "" are refused (a stray comma is a slip, not an empty entry to skip).
std::vector<std::string> list_of(const char* option, const std::string& text,
                                 const char* expected) {
  std::vector<std::string> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t comma = text.find(',', begin);
    parts.push_back(text.substr(begin, comma == std::string::npos ? comma : comma - begin));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  for (std::size_t k = 0; k < parts.size(); ++k)
    if (parts[k].empty())
      throw UsageError(concat("option --", option, ": entry ", k + 1, " of '", text,
                              "' is empty; expected ", expected));
  return parts;
}

// The file a DATASET option names: the ANN file, or FILE of "FILE.h5:DATASET".
fs::path file_of(const fs::path& ann, const std::string& spec) {
  const auto colon = spec.rfind(':');
  return colon == std::string::npos ? ann : fs::path(spec.substr(0, colon));
}

// "DATASET" of the ANN file, or "FILE.h5:DATASET". Every value must be finite (the message
// names the file, the dataset and the element).
io::Tensor read_dataset(const fs::path& ann, const std::string& spec, const char* option) {
  const auto colon = spec.rfind(':');
  const std::string name = colon == std::string::npos ? spec : spec.substr(colon + 1);
  if (name.empty()) throw UsageError(concat("option --", option, ": no dataset in '", spec, "'"));
  const io::TensorFile f(file_of(ann, spec));
  return f.read(name);
}

// A [rows, in] matrix of inputs.
io::Tensor read_inputs(const fs::path& ann, const std::string& spec, const char* option,
                       std::size_t in) {
  io::Tensor t = read_dataset(ann, spec, option);
  if (t.shape.size() != 2 || t.shape[1] != in || t.shape[0] == 0)
    throw ConfigError(concat("option --", option, ": dataset '", spec, "' must be [rows, ", in,
                             "] (the network has ", in, " inputs), got ", t.shape.size(),
                             "-dimensional with ", t.values.size(), " values"));
  return t;
}

// k for a group named "fc<k>" (k >= 1, digits only), else 0.
long fc_number(const std::string& group) {
  if (group.size() < 3 || group.compare(0, 2, "fc") != 0 || group.size() > 12) return 0;
  long k = 0;
  for (std::size_t i = 2; i < group.size(); ++i) {
    if (group[i] < '0' || group[i] > '9') return 0;
    k = 10 * k + (group[i] - '0');
  }
  return k;
}

// fc1, fc2, ... up to the first number without a fc<k>/weight. A layer after a gap (fc1, fc2,
// fc4) is refused: taking the network up to the gap would silently cut it short.
std::vector<std::string> default_layers(const io::TensorFile& file) {
  std::vector<std::string> groups;
  for (int k = 1; file.has(concat("fc", k, "/weight")); ++k) groups.push_back(concat("fc", k));
  if (groups.empty())
    throw ConfigError(concat("tensor file '", file.path().string(),
                             "' has no fc1/weight; name the layers with --layers"));
  const long missing = static_cast<long>(groups.size()) + 1;
  for (const std::string& g : file.children("/"))
    if (fc_number(g) > missing && file.has(g + "/weight"))
      throw ConfigError(concat("tensor file '", file.path().string(), "': the layers fc1 .. fc",
                               missing - 1, " are followed by ", g, " after a gap (no fc", missing,
                               "/weight); name the layers with --layers"));
  return groups;
}

std::vector<std::string> layer_groups(const io::TensorFile& file, const ParsedArgs& args) {
  if (const auto given = args.last("layers"))
    return list_of("layers", *given, "G1,G2,...: the groups of the layers, in order");
  return default_layers(file);
}

std::vector<dnn::Dense> load_layers(const io::TensorFile& file,
                                    const std::vector<std::string>& groups,
                                    const ParsedArgs& args) {
  const std::string last = args.last("output-activation").value_or("identity");
  if (last != "identity" && last != "relu")
    throw UsageError("option --output-activation: expected identity or relu, got '" + last + "'");
  std::vector<dnn::Dense> layers;
  for (std::size_t l = 0; l < groups.size(); ++l) {
    const bool output = l + 1 == groups.size();
    const dnn::Activation phi =
        !output || last == "relu" ? dnn::Activation::relu : dnn::Activation::identity;
    layers.push_back(*io::load_dense(file, groups[l], phi));
  }
  return layers;
}

// Steps per input at most: 10^7 steps take about 10 s per input for the example network.
constexpr std::int64_t kMaxSteps = 10'000'000;

std::vector<Step> steps_of(const ParsedArgs& args) {
  std::vector<Step> at;
  for (const std::string& s : list_of("time", args.last("time").value_or("25,50,100,200,400"),
                                      "S1,S2,...: increasing step counts")) {
    const Step k = parse_integer("time", s, 1, kMaxSteps);
    if (!at.empty() && k <= at.back())
      throw UsageError("option --time: steps must increase, got " + s + " after " +
                       std::to_string(at.back()));
    at.push_back(k);
  }
  return at;
}

// The classes of the evaluated rows: integers in [0, classes), one per row.
std::vector<double> read_labels(const fs::path& ann, const std::string& spec, std::size_t rows,
                                std::size_t classes) {
  std::vector<double> labels = read_dataset(ann, spec, "labels").values;
  if (labels.size() != rows)
    throw ConfigError(concat("option --labels: dataset '", spec, "' has ", labels.size(),
                             " values for ", rows, " inputs"));
  for (std::size_t k = 0; k < rows; ++k)
    if (labels[k] != std::floor(labels[k]) || labels[k] < 0.0 ||
        labels[k] >= static_cast<double>(classes))
      throw ConfigError(concat("option --labels: dataset '", spec, "' has ", labels[k], " at row ",
                               k, "; a label must be an integer in [0, ", classes,
                               ") (the network has ", classes, " outputs)"));
  return labels;
}

// The engine keeps weights (and the currents of `current` projections) as floats: a
// normalised value beyond float range is refused here, naming the file, dataset and entry it
// comes from, instead of an internal projection at build time.
constexpr double kFloatMax = std::numeric_limits<float>::max();

void check_float_range(const models::ConvertedNetwork& snn, const io::TensorFile& file,
                       const std::vector<std::string>& groups) {
  const auto refuse = [&](std::size_t l, const char* tensor, std::string index, double value,
                          const char* unit) {
    throw ConfigError(concat("tensor file '", file.path().string(), "': dataset '",
                             io::TensorFile::join(groups[l], tensor), "' entry ", index,
                             " becomes ", value, " ", unit, " after normalisation (scale ",
                             snn.layers()[l].scale,
                             "), beyond the float range (3.4e38) of the "
                             "engine's weights"));
  };
  for (std::size_t l = 1; l < snn.layers().size(); ++l) {
    const std::size_t in = snn.layers()[l].in;
    const std::vector<double> w = snn.synaptic_weights(l);
    for (std::size_t k = 0; k < w.size(); ++k)
      if (!(std::fabs(w[k]) <= kFloatMax))
        refuse(l, "weight", concat("[", k / in, ", ", k % in, "]"), w[k], "mV");
    const std::vector<double> b = snn.bias_current(l);
    for (std::size_t i = 0; i < b.size(); ++i)
      if (!(std::fabs(b[i]) <= kFloatMax)) refuse(l, "bias", concat("[", i, "]"), b[i], "pA");
  }
}

// Layer 1's input current for every row within float range. A bound from the largest input
// settles the common case without computing every row.
void check_input_currents(const models::ConvertedNetwork& snn, const io::Tensor& rows,
                          const std::string& spec, const char* option) {
  const models::ConvertedLayer& first = snn.layers().front();
  double largest_input = 0.0;
  for (const double x : rows.values) largest_input = std::max(largest_input, std::fabs(x));
  const double pA = snn.options().V_th * snn.options().C_m / snn.options().dt;
  double bound = 0.0;
  for (std::size_t i = 0; i < first.out; ++i) {
    double b = std::fabs(first.bias[i]);
    for (std::size_t j = 0; j < first.in; ++j)
      b += std::fabs(first.weight[i * first.in + j]) * largest_input;
    bound = std::max(bound, b * pA);
  }
  if (bound <= kFloatMax) return;
  const std::size_t in = first.in;
  for (std::size_t r = 0; r < rows.shape[0]; ++r) {
    const std::vector<double> current =
        snn.input_current(std::span(rows.values).subspan(r * in, in));
    for (std::size_t i = 0; i < current.size(); ++i)
      if (!(std::fabs(current[i]) <= kFloatMax))
        throw ConfigError(concat("option --", option, ": row ", r, " of '", spec, "' gives neuron ",
                                 i, " of layer 1 an input current of ", current[i],
                                 " pA, beyond the float range (3.4e38) of the "
                                 "engine's weights"));
  }
}

// What -o writes: FILE.toml and its weights in FILE_weights.h5 beside it (not FILE.h5: that
// is the name `spikeflow run FILE.toml` gives its recording).
struct ModelOutput {
  fs::path toml, weights;
};

ModelOutput model_output_of(const fs::path& toml) {
  return {toml, toml.parent_path() / (toml.stem().string() + "_weights.h5")};
}

constexpr const char* kTomlHeader = "# The spiking network of a converted ANN for one input (";
constexpr const char* kTomlSignature = "# written by spikeflow convert;";
constexpr const char* kWriterAttribute = "writer";
constexpr const char* kWriter = "spikeflow convert";

bool is_convert_toml(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  return first.rfind(kTomlHeader, 0) == 0 && second.rfind(kTomlSignature, 0) == 0;
}

// The weights file of an earlier run of convert: its `writer` attribute, or (files written
// before that attribute existed) the `source` attribute with `scales` and `L1/input_current`.
bool is_convert_weights(const fs::path& path) {
  if (!has_hdf5_signature(path)) return false;
  try {
    const H5File f = H5File::open(path.string());
    if (const auto writer = f.attribute("/", kWriterAttribute)) return writer->text == kWriter;
    return f.attribute("/", "source") && f.exists("/scales") && f.exists("/L1/input_current");
  } catch (const std::exception&) {
    return false;
  }
}

// Before anything is computed or written: both files can be written, neither is an input of
// this command, and an existing one is overwritten only if an earlier convert wrote it.
void check_model_output(const ModelOutput& out, const std::vector<fs::path>& inputs) {
  refuse_input_as_output(out.toml, inputs, "-o");
  refuse_input_as_output(out.weights, inputs, "the weights file of -o");
  check_output_writable(out.toml);
  check_output_writable(out.weights);
  std::error_code ec;
  const auto refuse = [](const fs::path& path, const char* what) {
    throw IoFailure(concat("cannot write '", path.string(), "' (", what,
                           "): the file exists and was not written by spikeflow convert; "
                           "remove it or choose another name"));
  };
  if (fs::exists(out.toml, ec) && !is_convert_toml(out.toml)) refuse(out.toml, "-o");
  if (fs::exists(out.weights, ec) && !is_convert_weights(out.weights))
    refuse(out.weights, "the weights file of -o");
}

struct TimePoint {
  Step steps = 0;
  double agreement = 0.0, accuracy = -1.0, spikes_per_input = 0.0;
};

struct Evaluation {
  std::size_t rows = 0;
  double rate_accuracy = -1.0;
  std::vector<TimePoint> points;
};

Evaluation evaluate(const models::ConvertedNetwork& snn, const io::Tensor& inputs,
                    const std::vector<double>* labels, const std::vector<Step>& at, int threads) {
  Evaluation e;
  e.rows = inputs.shape[0];
  const std::size_t in = snn.input_size();
  std::vector<std::size_t> rate(e.rows);
  for (std::size_t k = 0; k < e.rows; ++k)
    rate[k] = models::argmax(snn.rate_outputs(std::span(inputs.values).subspan(k * in, in)));
  const auto readouts = snn.run_all(inputs.values, at, threads);
  const auto share = [&](auto same) {
    std::size_t n = 0;
    for (std::size_t k = 0; k < e.rows; ++k) n += same(k);
    return static_cast<double>(n) / static_cast<double>(e.rows);
  };
  if (labels) e.rate_accuracy = share([&](std::size_t k) { return rate[k] == (*labels)[k]; });
  for (std::size_t t = 0; t < at.size(); ++t) {
    TimePoint p;
    p.steps = at[t];
    p.agreement = share([&](std::size_t k) { return readouts[t][k].decision == rate[k]; });
    if (labels)
      p.accuracy = share([&](std::size_t k) {
        return static_cast<double>(readouts[t][k].decision) == (*labels)[k];
      });
    for (std::size_t k = 0; k < e.rows; ++k)
      p.spikes_per_input +=
          static_cast<double>(readouts[t][k].spikes) / static_cast<double>(e.rows);
    e.points.push_back(p);
  }
  return e;
}

std::string number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  return buffer;
}

// The spiking network for input x as a model file and its weights file beside it.
void write_model(const models::ConvertedNetwork& snn, std::span<const double> x,
                 const ModelOutput& output, const std::string& source, Step steps) {
  const fs::path& toml = output.toml;
  const fs::path& weights = output.weights;
  const models::ConversionOptions& o = snn.options();
  std::vector<std::pair<std::string, io::Tensor>> tensors;
  const auto add = [&](const std::string& name, std::vector<double> values,
                       std::vector<std::size_t> shape) {
    tensors.emplace_back(name, io::Tensor{std::move(shape), std::move(values)});
  };
  const auto& layers = snn.layers();
  add("L1/input_current", snn.input_current(x), {layers[0].out});
  for (std::size_t l = 1; l < layers.size(); ++l) {
    add(concat("L", l + 1, "/weight"), snn.synaptic_weights(l), {layers[l].out, layers[l].in});
    add(concat("L", l + 1, "/bias_current"), snn.bias_current(l), {layers[l].out});
  }
  std::vector<double> scales;
  for (const auto& c : layers) scales.push_back(c.scale);
  add("scales", scales, {scales.size()});
  io::write_tensor_file(weights, tensors, {{"source", source}, {kWriterAttribute, kWriter}});

  std::ofstream out(toml);
  const std::string file = weights.filename().string();
  out << kTomlHeader << source << "),\n"
      << kTomlSignature << " see docs/ann_to_snn.md. Weights and currents are in\n"
      << "# " << file << ": L1/input_current (pA), Lk/weight (mV), Lk/bias_current (pA).\n\n"
      << "[simulation]\ndt = \"" << number(o.dt) << " ms\"\nduration = \""
      << number(static_cast<double>(steps) * o.dt) << " ms\"\nseed = 1\n\n"
      << "# A rate unit with the constant output 1: the source of the constant currents.\n"
      << "[[populations]]\nname = \"bias\"\nmodel = \"rate\"\nsize = 1\n"
      << "params = { tau = \"0 ms\", b = 1.0 }\n";
  for (std::size_t l = 0; l < layers.size(); ++l)
    out << "\n[[populations]]\nname = \"L" << l + 1
        << "\"\nmodel = \"if_subtract\"\nsize = " << layers[l].out << "\nparams = { V_th = \""
        << number(o.V_th) << " mV\", C_m = \"" << number(o.C_m) << " pF\" }\ninitial = { V_m = \""
        << number(o.initial_V * o.V_th) << " mV\" }\n";
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string name = concat("L", l + 1);
    out << "\n[[projections]]\nsource = \"bias\"\ntarget = \"" << name
        << "\"\nrule = \"all_to_all\"\nsynapse = \"current\"\nweight = { file = \"" << file
        << "\", dataset = \"" << name << (l == 0 ? "/input_current" : "/bias_current")
        << "\" }\ndelay = \"" << number(o.dt) << " ms\"\n";
    if (l > 0)
      out << "\n[[projections]]\nsource = \"L" << l << "\"\ntarget = \"" << name
          << "\"\nrule = \"all_to_all\"\nweight = { file = \"" << file << "\", dataset = \"" << name
          << "/weight\" }\ndelay = \"" << number(o.dt) << " ms\"\n";
  }
  out << "\n[recordings]\nspikes = \"all\"\n";
  if (!out) throw IoFailure("cannot write '" + toml.string() + "'");
}

void print(const fs::path& ann, const models::ConvertedNetwork& snn, const Evaluation* e) {
  std::string sizes = concat(snn.input_size());
  std::string scales;
  for (const auto& c : snn.layers()) {
    sizes += concat("-", c.out);
    scales += concat(scales.empty() ? "" : " ", number(c.scale));
  }
  std::printf("spikeflow convert %s: %zu layers %s, scales (%gth percentile) %s\n",
              ann.string().c_str(), snn.layers().size(), sizes.c_str(), snn.options().percentile,
              scales.c_str());
  if (!e) return;
  std::printf("%zu inputs, dt %g ms", e->rows, snn.options().dt);
  if (e->rate_accuracy >= 0) std::printf(", rate network accuracy %.4f", e->rate_accuracy);
  std::printf("\n%8s %10s %12s %10s %16s\n", "steps", "ms", "agreement", "accuracy",
              "spikes/input");
  for (const TimePoint& p : e->points) {
    std::printf("%8lld %10g %12.4f ", static_cast<long long>(p.steps),
                static_cast<double>(p.steps) * snn.options().dt, p.agreement);
    if (p.accuracy >= 0)
      std::printf("%10.4f", p.accuracy);
    else
      std::printf("%10s", "-");
    std::printf(" %16.1f\n", p.spikes_per_input);
  }
}

std::string json(const models::ConvertedNetwork& snn, const Evaluation* e,
                 const std::vector<models::OutputReadout>& exported) {
  std::ostringstream o;
  o << "{\"percentile\": " << number(snn.options().percentile)
    << ", \"dt_ms\": " << number(snn.options().dt) << ", \"layers\": [";
  for (std::size_t l = 0; l < snn.layers().size(); ++l)
    o << (l ? ", " : "") << "{\"in\": " << snn.layers()[l].in
      << ", \"out\": " << snn.layers()[l].out << ", \"scale\": " << number(snn.layers()[l].scale)
      << "}";
  o << "]";
  if (e) {
    o << ", \"rows\": " << e->rows
      << ", \"rate_accuracy\": " << (e->rate_accuracy >= 0 ? number(e->rate_accuracy) : "null")
      << ", \"times\": [";
    for (std::size_t t = 0; t < e->points.size(); ++t) {
      const TimePoint& p = e->points[t];
      o << (t ? ", " : "") << "{\"steps\": " << p.steps
        << ", \"agreement\": " << number(p.agreement)
        << ", \"accuracy\": " << (p.accuracy >= 0 ? number(p.accuracy) : "null")
        << ", \"spikes_per_input\": " << number(p.spikes_per_input) << "}";
    }
    o << "]";
  }
  if (!exported.empty()) {
    o << ", \"exported\": [";
    for (std::size_t t = 0; t < exported.size(); ++t) {
      o << (t ? ", " : "") << "{\"steps\": " << exported[t].steps << ", \"counts\": [";
      for (std::size_t i = 0; i < exported[t].counts.size(); ++i)
        o << (i ? ", " : "") << exported[t].counts[i];
      o << "], \"decision\": " << exported[t].decision << "}";
    }
    o << "]";
  }
  o << "}\n";
  return o.str();
}

// The options that set how the network is converted; malformed values are usage errors.
models::ConversionOptions conversion_options(const ParsedArgs& args) {
  models::ConversionOptions options;
  if (const auto p = args.last("percentile"))
    options.percentile = parse_number_in("--percentile", *p, {0.0, 100.0, false, true});
  if (const auto dt = args.last("dt")) options.dt = parse_positive_double("--dt", *dt);
  if (const auto v = args.last("initial-v"))
    options.initial_V = parse_number_in("--initial-v", *v, {0.0, 1.0, true, false});
  return options;
}

void write_json(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::ofstream file(path);
  file << text;
  if (!file) throw IoFailure("cannot write '" + path + "'");
}

}  // namespace

int convert_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kConvertOptions, "convert");
  if (args.has("help")) {
    std::printf("%s%s", kConvertUsage, format_options(kConvertOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError("convert needs one ANN.h5 (see 'spikeflow convert --help')");
  if (!args.last("calibration"))
    throw UsageError("convert needs --calibration DATASET (the inputs the scales come from)");
  if (args.has("labels") && !args.has("evaluate"))
    throw UsageError("option --labels needs --evaluate");
  if (args.has("input") && !args.has("output"))
    throw UsageError("option --input needs -o FILE.toml");
  const fs::path ann = args.positionals[0];
  const models::ConversionOptions options = conversion_options(args);
  const std::vector<Step> at = steps_of(args);
  const int threads = static_cast<int>(
      args.last("threads") ? parse_integer("--threads", *args.last("threads"), 0, 4096) : 0);
  const std::uint64_t row = args.last("input") ? parse_unsigned("--input", *args.last("input")) : 0;

  // Read and check every input.
  const io::TensorFile ann_file(ann);
  const std::vector<std::string> groups = layer_groups(ann_file, args);
  std::vector<dnn::Dense> layers = load_layers(ann_file, groups, args);
  const std::size_t in = layers.front().input_size();
  const std::string calibration_spec = *args.last("calibration");
  const io::Tensor calibration = read_inputs(ann, calibration_spec, "calibration", in);
  const models::ConvertedNetwork snn(std::move(layers), calibration.values, options);
  check_float_range(snn, ann_file, groups);
  std::unique_ptr<io::Tensor> evaluated;
  std::vector<double> labels;
  if (const auto spec = args.last("evaluate")) {
    evaluated = std::make_unique<io::Tensor>(read_inputs(ann, *spec, "evaluate", in));
    check_input_currents(snn, *evaluated, *spec, "evaluate");
    if (const auto l = args.last("labels"))
      labels = read_labels(ann, *l, evaluated->shape[0], snn.output_size());
  }
  const io::Tensor& presented = evaluated ? *evaluated : calibration;
  const std::string presented_spec = evaluated ? *args.last("evaluate") : calibration_spec;
  if (args.has("output") && row >= presented.shape[0])
    throw UsageError(concat("option --input: row ", row, " is beyond the ", presented.shape[0],
                            " rows of '", presented_spec, "'"));
  if (args.has("output") && !evaluated)
    check_input_currents(snn, calibration, calibration_spec, "calibration");

  // Check every output before the evaluation and before anything is written.
  std::vector<fs::path> inputs = {ann, file_of(ann, calibration_spec)};
  for (const char* option : {"evaluate", "labels"})
    if (const auto spec = args.last(option)) inputs.push_back(file_of(ann, *spec));
  std::optional<ModelOutput> model_output;
  if (const auto toml = args.last("output")) {
    model_output = model_output_of(*toml);
    check_model_output(*model_output, inputs);
  }
  const auto json_path = args.last("json");
  if (json_path && *json_path != "-") {
    refuse_input_as_output(*json_path, inputs, "--json");
    check_output_writable(*json_path);
  }

  std::unique_ptr<Evaluation> evaluation;
  if (evaluated)
    evaluation = std::make_unique<Evaluation>(
        evaluate(snn, *evaluated, labels.empty() ? nullptr : &labels, at, threads));
  std::vector<models::OutputReadout> exported;
  if (model_output) {
    const auto x = std::span(presented.values).subspan(row * in, in);
    write_model(snn, x, *model_output, concat(ann.string(), ": ", presented_spec, " row ", row),
                at.back());
    exported = snn.run(x, at);
  }

  if (!json_path || *json_path != "-") print(ann, snn, evaluation.get());
  if (json_path) write_json(*json_path, json(snn, evaluation.get(), exported));
  return kExitOk;
}

}  // namespace spikeflow::cli
