// `spikeflow compare SPIKING.h5 RATE.h5`: the rates of a spiking run against the outputs of
// a rate model (an adapter's recorded rate trace, Hz), per population and per neuron.
//
// Time is cut into bins (b0, b1] of --window ms from --from ms up to the end both files
// cover (the spiking run's simulated_until_ms, the rate trace's last frame). In a bin, a
// spiking neuron's rate is its spikes (stamped (s + 1) dt) in the bin / window; a rate unit's
// value is the mean of its trace frames in the bin (frame f holds the state at start + f dt).
// Neuron j of the spiking population is compared with rate unit j, for the units the rate
// trace recorded that the spiking population has (units beyond its size are left out, with a
// note). Per population:
//   time series   S_b, R_b: the means over the neurons of each bin;
//                 correlation (Pearson) and RMSE of S against R across bins;
//   per neuron    s_j, r_j: each neuron's mean over the bins; correlation and RMSE across
//                 neurons;
//   relative error |mean S - mean R| / |mean R| (undefined for mean R = 0), and the bias
//                 mean S - mean R;
//   spread        sd(t) of S_b and of R_b across bins, sd(n) of s_j and of r_j across
//                 neurons (population standard deviations).
// A correlation is undefined (NaN, null in JSON) when either side is constant: its standard
// deviation at most 1e-4 of its mean's magnitude (kConstantRelative). The common case is a rate
// model that is stationary (its mean is the same in every bin: a mean-field or rate twin at its
// fixed point) or homogeneous (all its units equal); then the output says so and names what
// compares instead: the time-averaged rate (rel err, bias), and the spiking run's own
// fluctuation sd(t) (RMSE(t)^2 = bias^2 + sd(t)^2 exactly when R is constant) and spread
// across neurons sd(n), which such a twin does not have.
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/h5_reader.hpp"
#include "cli/output_check.hpp"
#include "engine/error.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kCompareOptions = {
    {"window", 0, "MS", "bin width in ms (default 50)"},
    {"from", 0, "MS", "start of the compared span in ms (default 0: skip nothing)"},
    {"map", 0, "SPIKING=RATE",
     "compare spiking population SPIKING with rate population RATE; "
     "repeatable (default: populations of the same name)"},
    {"json", 0, "FILE",
     "also write the figures, series and per-neuron rates as JSON ('-': "
     "stdout)"},
    {"help", 'h', "", "this text"},
};

constexpr const char* kCompareUsage =
    "usage: spikeflow compare SPIKING.h5 RATE.h5 [--window MS] [--from MS] [--map A=B]...\n"
    "                         [--json FILE]\n"
    "\n"
    "Compares the binned spike rates of the populations of a spiking run with the recorded\n"
    "rate trace (Hz: rate 'r', spikes_to_rates 'rate', module 'y') of the rate model's\n"
    "populations: correlation and RMSE of the population-mean time series and of the\n"
    "per-neuron mean rates, and the relative error of the mean rate. Neuron j is compared\n"
    "with rate unit j. examples/plot_compare.py plots the JSON.\n"
    "\n"
    "options:\n";

// The variables a rate population's report may hold, in order of preference.
const std::vector<std::string> kRateVariables = {"r", "rate", "y"};

struct RateTrace {
  std::string variable;
  std::vector<std::uint64_t> neurons;
  std::vector<double> data;  // frames x neurons
  std::size_t frames = 0;
  double start = 0.0, dt = 0.0;  // ms: frame f at start + f dt
};

struct Figures {
  std::string spiking, rate, variable;
  std::uint64_t spiking_size = 0;      // 0: the file does not say
  std::size_t units_left_out = 0;      // rate units beyond the spiking population's size
  std::vector<double> bin_end, S, R;   // per bin
  std::vector<std::uint64_t> neurons;  // compared ids
  std::vector<double> s, r;            // per neuron
  double corr_time = NAN, rmse_time = NAN, corr_neurons = NAN, rmse_neurons = NAN;
  double mean_spiking = NAN, mean_rate = NAN, relative_error = NAN, bias = NAN;
  double sd_time_spiking = NAN, sd_time_rate = NAN, sd_neurons_spiking = NAN, sd_neurons_rate = NAN;
  // Which sides are constant (what makes a correlation undefined).
  bool spiking_constant_in_time = false, rate_constant_in_time = false;
  bool spiking_constant_across_neurons = false, rate_constant_across_neurons = false;
};

std::vector<double> read_all(const H5File& f, const std::string& dataset) {
  const auto shape = f.shape(dataset);
  if (!shape) throw IoFailure("'" + f.path() + "': no dataset '" + dataset + "'");
  std::size_t n = 1;
  for (const auto d : *shape) n *= d;
  std::vector<double> out(n);
  if (n == 0) return out;
  Hid d(H5Dopen2(f.id(), dataset.c_str(), H5P_DEFAULT));
  if (!d.valid() ||
      H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    throw IoFailure("'" + f.path() + "': cannot read dataset '" + dataset + "'");
  return out;
}

// The group of the rate report of `pop`: /report/pop, or /report/pop/<variable>.
std::string report_group(const H5File& f, const std::string& pop, std::string& variable) {
  const std::string base = "/report/" + pop;
  if (f.exists(base + "/data")) {
    const auto name = f.attribute(base + "/data", "variable_name");
    if (!name)
      throw IoFailure("'" + f.path() + "': " + base +
                      "/data has no variable_name attribute, so it is not known to be a rate "
                      "(r, rate or y)");
    variable = name->text;
    // Only a rate is compared with spike rates: a membrane potential in mV is not one.
    if (std::find(kRateVariables.begin(), kRateVariables.end(), variable) != kRateVariables.end())
      return base;
    throw IoFailure("'" + f.path() + "': population '" + pop + "' records '" + variable +
                    "', not a rate (r, rate or y)");
  }
  for (const std::string& v : kRateVariables)
    if (f.exists(base + "/" + v + "/data")) {
      variable = v;
      return base + "/" + v;
    }
  throw IoFailure("'" + f.path() + "': population '" + pop + "' has no recorded rate trace (" +
                  base + "/data or " + base + "/{r,rate,y}/data)");
}

bool has_rate_trace(const H5File& f, const std::string& pop) {
  try {
    std::string variable;
    report_group(f, pop, variable);
    return true;
  } catch (const IoFailure&) {
    return false;
  }
}

RateTrace read_rate(const H5File& f, const std::string& pop) {
  RateTrace t;
  const std::string g = report_group(f, pop, t.variable);
  const auto shape = f.shape(g + "/data");
  if (!shape || shape->size() != 2)
    throw IoFailure("'" + f.path() + "': " + g + "/data is not a (frames, neurons) dataset");
  t.frames = (*shape)[0];
  t.data = read_all(f, g + "/data");
  for (const double id : read_all(f, g + "/mapping/node_ids"))
    t.neurons.push_back(static_cast<std::uint64_t>(id));
  if (t.neurons.size() != (*shape)[1])
    throw IoFailure("'" + f.path() + "': " + g + "/mapping/node_ids does not match data");
  const std::vector<double> time = read_all(f, g + "/mapping/time");
  if (time.size() != 3 || !(time[2] > 0.0))
    throw IoFailure("'" + f.path() + "': " + g + "/mapping/time is not [start, stop, dt]");
  t.start = time[0];
  t.dt = time[2];
  return t;
}

// A series whose standard deviation is at most this share of |mean| counts as constant: the
// units of a stationary twin that differ only by rounding or an unfinished convergence (1e-4
// Hz at 50 Hz is 2e-6), far below what binned spike counts resolve (a 1e-4 relative
// difference needs some 10^8 spikes per bin to show). A correlation with such a series
// measures the noise, not the model: it is reported as undefined.
constexpr double kConstantRelative = 1e-4;

// Constant to kConstantRelative (sd <= 1e-4 |mean|); one value is constant too.
bool is_constant(const std::vector<double>& a) {
  if (a.size() < 2) return true;
  double m = 0.0;
  for (const double x : a) m += x;
  m /= static_cast<double>(a.size());
  double spread = 0.0;
  for (const double x : a) spread += (x - m) * (x - m);
  return std::sqrt(spread / static_cast<double>(a.size())) <= kConstantRelative * std::fabs(m);
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  if (is_constant(a) || is_constant(b)) return NAN;
  const double n = static_cast<double>(a.size());
  double ma = 0.0, mb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// Population standard deviation (divided by n).
double sd(const std::vector<double>& a) {
  if (a.empty()) return NAN;
  double m = 0.0;
  for (const double x : a) m += x;
  m /= static_cast<double>(a.size());
  double sum = 0.0;
  for (const double x : a) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(a.size()));
}

double rmse(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return a.empty() ? NAN : std::sqrt(sum / static_cast<double>(a.size()));
}

double mean(const std::vector<double>& a) {
  double sum = 0.0;
  for (const double x : a) sum += x;
  return a.empty() ? NAN : sum / static_cast<double>(a.size());
}

// "0.5 ms", not std::to_string's "0.500000 ms".
std::string ms(double value) {
  return concat(value, " ms");
}

// A population whose outputs are graded values (a rate population or a module) has no
// spikes to compare: refused, not reported as silent. Files from before the `graded`
// attribute: no spike at all and a rate trace of its own mark such a population.
void refuse_graded_as_spiking(const H5File& f, const std::string& pop) {
  const std::string g = "/spikes/" + pop;
  const auto graded = f.attribute(g, "graded");
  const auto count = f.shape(g + "/timestamps");
  const bool silent = !count || count->empty() || (*count)[0] == 0;
  const bool looks_graded = !graded && silent && has_rate_trace(f, pop);
  if ((graded && graded->number && *graded->number != 0.0) || looks_graded) {
    const auto model = f.attribute(g, "model");
    throw UsageError("'" + f.path() + "': population '" + pop + "'" +
                     (model ? " (" + model->text + ")" : std::string()) +
                     " has graded outputs and no spikes: it cannot be the spiking side; give a "
                     "spiking population first (--map SPIKING=RATE)");
  }
}

double simulated_until(const H5File& f) {
  const auto v = f.value("/provenance/simulated_until_ms");
  return v && v->number ? *v->number : INFINITY;
}

Figures compare(const H5File& spiking, const H5File& rates, const std::string& spk_pop,
                const std::string& rate_pop, double window, double from) {
  Figures out;
  out.spiking = spk_pop;
  out.rate = rate_pop;
  const RateTrace t = read_rate(rates, rate_pop);
  out.variable = t.variable;
  if (window < t.dt * (1.0 - 1e-9))
    throw UsageError("option --window: " + ms(window) +
                     " is shorter than the rate trace's interval of " + ms(t.dt) + " in '" +
                     rates.path() + "'");
  const double last_frame = t.start + static_cast<double>(t.frames) * t.dt - t.dt;
  const double end = std::min(simulated_until(spiking), last_frame);
  const std::size_t bins =
      end > from ? static_cast<std::size_t>(std::floor((end - from) / window + 1e-9)) : 0;
  if (bins == 0)
    throw UsageError("no whole window of " + ms(window) + " between --from " + ms(from) +
                     " and the end of the data (" + ms(end) + ")");

  const std::string sg = "/spikes/" + spk_pop;
  if (!spiking.is_group(sg))
    throw IoFailure("'" + spiking.path() + "': no spikes of population '" + spk_pop + "'");
  refuse_graded_as_spiking(spiking, spk_pop);
  const std::vector<double> times = read_all(spiking, sg + "/timestamps");
  const std::vector<double> ids = read_all(spiking, sg + "/node_ids");

  // The rate units the spiking population has a neuron for (all, if its size is unknown).
  if (const auto size = spiking.attribute(sg, "size"); size && size->number)
    out.spiking_size = static_cast<std::uint64_t>(*size->number);
  std::vector<std::size_t> kept;  // columns of the trace
  for (std::size_t j = 0; j < t.neurons.size(); ++j)
    if (out.spiking_size == 0 || t.neurons[j] < out.spiking_size) kept.push_back(j);
  out.units_left_out = t.neurons.size() - kept.size();
  if (kept.empty())
    throw UsageError(concat("'", rates.path(), "': the rate units of '", rate_pop, "' (ids from ",
                            t.neurons.front(), ") are all beyond the ", out.spiking_size,
                            " neurons of '", spk_pop, "' in '", spiking.path(),
                            "': nothing to compare"));
  const std::size_t n = kept.size();
  const std::size_t recorded = t.neurons.size();
  std::map<std::uint64_t, std::size_t> column;
  for (std::size_t j = 0; j < n; ++j) column[t.neurons[kept[j]]] = j;

  // Bin b is (from + b window, from + (b + 1) window]; a small tolerance keeps values
  // stamped exactly on a bin edge in the bin they end.
  const auto bin_of = [&](double time) -> long {
    const double x = (time - from) / window;
    const double b = std::ceil(x - 1e-9) - 1.0;
    return b < 0.0 || b >= static_cast<double>(bins) ? -1 : static_cast<long>(b);
  };
  std::vector<double> counts(bins * n, 0.0);
  for (std::size_t k = 0; k < times.size(); ++k) {
    const auto it = column.find(static_cast<std::uint64_t>(ids[k]));
    const long b = bin_of(times[k]);
    if (it != column.end() && b >= 0) counts[static_cast<std::size_t>(b) * n + it->second] += 1.0;
  }
  std::vector<double> sums(bins * n, 0.0), frames(bins, 0.0);
  for (std::size_t f = 0; f < t.frames; ++f) {
    const long b = bin_of(t.start + static_cast<double>(f) * t.dt);
    if (b < 0) continue;
    frames[b] += 1.0;
    for (std::size_t j = 0; j < n; ++j) sums[b * n + j] += t.data[f * recorded + kept[j]];
  }

  for (const std::size_t j : kept) out.neurons.push_back(t.neurons[j]);
  out.s.assign(n, 0.0);
  out.r.assign(n, 0.0);
  for (std::size_t b = 0; b < bins; ++b) {
    out.bin_end.push_back(from + static_cast<double>(b + 1) * window);
    double S = 0.0, R = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      const double s = counts[b * n + j] * 1000.0 / window;
      const double r = sums[b * n + j] / frames[b];
      S += s, R += r;
      out.s[j] += s / static_cast<double>(bins);
      out.r[j] += r / static_cast<double>(bins);
    }
    out.S.push_back(S / static_cast<double>(n));
    out.R.push_back(R / static_cast<double>(n));
  }
  out.corr_time = pearson(out.S, out.R);
  out.rmse_time = rmse(out.S, out.R);
  out.corr_neurons = pearson(out.s, out.r);
  out.rmse_neurons = rmse(out.s, out.r);
  out.mean_spiking = mean(out.S);
  out.mean_rate = mean(out.R);
  // Undefined (NaN) for a silent rate model; |mean R| for models with negative outputs.
  out.relative_error = out.mean_rate == 0.0
                           ? NAN
                           : std::fabs(out.mean_spiking - out.mean_rate) / std::fabs(out.mean_rate);
  out.bias = out.mean_spiking - out.mean_rate;
  out.sd_time_spiking = sd(out.S);
  out.sd_time_rate = sd(out.R);
  out.sd_neurons_spiking = sd(out.s);
  out.sd_neurons_rate = sd(out.r);
  out.spiking_constant_in_time = is_constant(out.S);
  out.rate_constant_in_time = is_constant(out.R);
  out.spiking_constant_across_neurons = is_constant(out.s);
  out.rate_constant_across_neurons = is_constant(out.r);
  return out;
}

// Pairs (spiking, rate) from --map, or every rate report with a spiking namesake.
std::vector<std::pair<std::string, std::string>> pairs_of(const ParsedArgs& args,
                                                          const H5File& spiking,
                                                          const H5File& rates) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& m : args.all("map")) {
    const auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      throw UsageError("option --map: expected SPIKING=RATE, got '" + m + "'");
    pairs.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  if (!pairs.empty()) return pairs;
  // Matched by name: populations with a rate trace in RATE.h5 and spikes in SPIKING.h5
  // (an adapter's empty spike group, or a neuron's V_m trace, makes no pair).
  for (const std::string& pop : rates.children("/report")) {
    if (!spiking.is_group("/spikes/" + pop) || !has_rate_trace(rates, pop)) continue;
    const auto n = spiking.shape("/spikes/" + pop + "/timestamps");
    if (n && !n->empty() && (*n)[0] > 0) pairs.emplace_back(pop, pop);
  }
  if (pairs.empty())
    throw UsageError("no population of '" + rates.path() + "' has spikes of the same name in '" +
                     spiking.path() + "'; name the pairs with --map SPIKING=RATE");
  return pairs;
}

// "rel err 0.0644 (spiking - rate = +3.596 Hz)", or why the relative error is undefined.
std::string mean_comparison(const Figures& f) {
  char text[160];
  if (std::isnan(f.relative_error))
    std::snprintf(text, sizeof text,
                  "rel err undefined (the rate model's mean is 0 Hz), spiking - rate = %+.4g Hz",
                  f.bias);
  else
    std::snprintf(text, sizeof text, "rel err %.4g (spiking - rate = %+.4g Hz)", f.relative_error,
                  f.bias);
  return text;
}

// Why a correlation or the relative error is undefined and what compares instead, and which
// units were left out; empty if nothing needs saying.
std::vector<std::string> notes(const Figures& f) {
  std::vector<std::string> out;
  const std::string name = f.spiking == f.rate ? f.spiking : f.spiking + " -> " + f.rate;
  const std::string means = mean_comparison(f);
  char text[720];
  if (f.units_left_out > 0) {
    std::snprintf(text, sizeof text,
                  "%s: the rate model records %zu units with ids beyond the %llu neurons of the "
                  "spiking population; they are left out (neuron j is compared with unit j).",
                  name.c_str(), f.units_left_out + f.neurons.size(),
                  static_cast<unsigned long long>(f.spiking_size));
    out.push_back(text);
  }
  if (f.rate_constant_in_time && f.spiking_constant_in_time) {
    std::snprintf(text, sizeof text,
                  "%s: corr(t) is undefined: both the spiking run and the rate model have the "
                  "same mean rate in every bin. Compare the time-averaged rates: %s.",
                  name.c_str(), means.c_str());
    out.push_back(text);
  } else if (f.rate_constant_in_time) {
    std::snprintf(text, sizeof text,
                  "%s: corr(t) is undefined: the rate model is stationary (its mean rate is the "
                  "same in every bin). Compare the time-averaged rates instead: %s. The spiking "
                  "run fluctuates about its mean by sd(t) = %.4g Hz, which a stationary model "
                  "does not have: RMSE(t)^2 = bias^2 + sd(t)^2.",
                  name.c_str(), means.c_str(), f.sd_time_spiking);
    out.push_back(text);
  } else if (f.spiking_constant_in_time) {
    std::snprintf(text, sizeof text,
                  "%s: corr(t) is undefined: the spiking run's mean rate is the same in every "
                  "bin, the rate model's varies by sd(t) = %.4g Hz. Compare the time-averaged "
                  "rates: %s.",
                  name.c_str(), f.sd_time_rate, means.c_str());
    out.push_back(text);
  }
  if (f.rate_constant_across_neurons && f.spiking_constant_across_neurons) {
    std::snprintf(text, sizeof text,
                  "%s: corr(n) is undefined: every spiking neuron and every rate unit has the "
                  "same mean rate (%.4g and %.4g Hz).",
                  name.c_str(), f.mean_spiking, f.mean_rate);
    out.push_back(text);
  } else if (f.rate_constant_across_neurons) {
    std::snprintf(text, sizeof text,
                  "%s: corr(n) is undefined: every rate unit has the same mean rate (a "
                  "homogeneous model). The spiking neurons' mean rates spread by sd(n) = %.4g Hz "
                  "around %.4g Hz, a spread the model does not have; RMSE(n) = %.4g Hz includes "
                  "it.",
                  name.c_str(), f.sd_neurons_spiking, f.mean_spiking, f.rmse_neurons);
    out.push_back(text);
  } else if (f.spiking_constant_across_neurons) {
    std::snprintf(text, sizeof text,
                  "%s: corr(n) is undefined: every spiking neuron has the same mean rate, the "
                  "rate units' spread by sd(n) = %.4g Hz.",
                  name.c_str(), f.sd_neurons_rate);
    out.push_back(text);
  }
  if (std::isnan(f.relative_error) && !f.rate_constant_in_time && !f.spiking_constant_in_time) {
    std::snprintf(text, sizeof text, "%s: %s.", name.c_str(), means.c_str());
    out.push_back(text);
  }
  return out;
}

std::string number(double x) {
  if (!std::isfinite(x)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

template <typename T>
std::string list(const std::vector<T>& xs) {
  std::string out = "[";
  for (std::size_t i = 0; i < xs.size(); ++i)
    out += (i ? ", " : "") + number(static_cast<double>(xs[i]));
  return out + "]";
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string strings(const std::vector<std::string>& xs) {
  std::string out = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + quoted(xs[i]);
  return out + "]";
}

std::string json(const std::vector<Figures>& all, double window, double from) {
  std::ostringstream o;
  o << "{\"window_ms\": " << number(window) << ", \"from_ms\": " << number(from)
    << ", \"populations\": [";
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Figures& f = all[i];
    o << (i ? ", " : "") << "{\"spiking\": " << quoted(f.spiking)
      << ", \"rate\": " << quoted(f.rate) << ", \"variable\": " << quoted(f.variable)
      << ", \"neurons\": " << f.neurons.size() << ", \"rate_units_left_out\": " << f.units_left_out
      << ", \"bins\": " << f.bin_end.size() << ", \"mean_spiking_hz\": " << number(f.mean_spiking)
      << ", \"mean_rate_hz\": " << number(f.mean_rate)
      << ", \"correlation_time\": " << number(f.corr_time)
      << ", \"rmse_time_hz\": " << number(f.rmse_time)
      << ", \"correlation_neurons\": " << number(f.corr_neurons)
      << ", \"rmse_neurons_hz\": " << number(f.rmse_neurons)
      << ", \"relative_error\": " << number(f.relative_error) << ", \"bias_hz\": " << number(f.bias)
      << ", \"sd_time_spiking_hz\": " << number(f.sd_time_spiking)
      << ", \"sd_time_rate_hz\": " << number(f.sd_time_rate)
      << ", \"sd_neurons_spiking_hz\": " << number(f.sd_neurons_spiking)
      << ", \"sd_neurons_rate_hz\": " << number(f.sd_neurons_rate)
      << ", \"spiking_constant_in_time\": " << (f.spiking_constant_in_time ? "true" : "false")
      << ", \"rate_constant_in_time\": " << (f.rate_constant_in_time ? "true" : "false")
      << ", \"spiking_constant_across_neurons\": "
      << (f.spiking_constant_across_neurons ? "true" : "false")
      << ", \"rate_constant_across_neurons\": "
      << (f.rate_constant_across_neurons ? "true" : "false") << ", \"notes\": " << strings(notes(f))
      << ", \"bin_end_ms\": " << list(f.bin_end) << ", \"spiking_hz\": " << list(f.S)
      << ", \"rate_hz\": " << list(f.R) << ", \"neuron_ids\": " << list(f.neurons)
      << ", \"neuron_spiking_hz\": " << list(f.s) << ", \"neuron_rate_hz\": " << list(f.r) << "}";
  }
  o << "]}\n";
  return o.str();
}

void print_table(const std::vector<Figures>& all, double window, double from) {
  std::printf(
      "bins of %g ms from %g ms; time: population means per bin, neurons: each "
      "neuron's mean rate\n",
      window, from);
  std::printf("%-24s %7s %5s %10s %10s %8s %9s %10s %9s %9s %10s %9s\n", "spiking -> rate",
              "neurons", "bins", "spk Hz", "rate Hz", "rel err", "corr(t)", "RMSE(t)", "sd(t)",
              "corr(n)", "RMSE(n)", "sd(n)");
  // An undefined correlation is "-", with a note below the table saying why.
  const auto corr = [](double c) {
    char text[16];
    std::snprintf(text, sizeof text, "%.4f", c);
    return std::isfinite(c) ? std::string(text) : std::string("-");
  };
  std::vector<std::string> all_notes;
  for (const Figures& f : all) {
    const std::string name = f.spiking == f.rate ? f.spiking : f.spiking + " -> " + f.rate;
    char relative[16] = "-";
    if (!std::isnan(f.relative_error))
      std::snprintf(relative, sizeof relative, "%.4f", f.relative_error);
    std::printf("%-24s %7zu %5zu %10.4g %10.4g %8s %9s %10.4g %9.4g %9s %10.4g %9.4g\n",
                name.c_str(), f.neurons.size(), f.bin_end.size(), f.mean_spiking, f.mean_rate,
                relative, corr(f.corr_time).c_str(), f.rmse_time, f.sd_time_spiking,
                corr(f.corr_neurons).c_str(), f.rmse_neurons, f.sd_neurons_spiking);
    for (const std::string& n : notes(f)) all_notes.push_back(n);
  }
  if (!all_notes.empty()) std::printf("\n");
  for (const std::string& n : all_notes) std::printf("%s\n", n.c_str());
}

}  // namespace

int compare_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kCompareOptions, "compare");
  if (args.has("help")) {
    std::printf("%s%s", kCompareUsage, format_options(kCompareOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 2)
    throw UsageError("compare needs SPIKING.h5 and RATE.h5 (see 'spikeflow compare --help')");
  const double window =
      args.last("window") ? parse_positive_double("--window", *args.last("window")) : 50.0;
  const double from = args.last("from") ? parse_number_in("--from", *args.last("from"),
                                                          {0.0, INFINITY, true, false})
                                        : 0.0;
  const H5File spiking = H5File::open(args.positionals[0]);
  const H5File rates = H5File::open(args.positionals[1]);
  const auto path = args.last("json");
  if (path && *path != "-") {
    refuse_input_as_output(*path, {args.positionals[0], args.positionals[1]}, "--json");
    check_output_writable(*path);
  }

  std::vector<Figures> all;
  for (const auto& [spk, rate] : pairs_of(args, spiking, rates))
    all.push_back(compare(spiking, rates, spk, rate, window, from));
  if (!path || *path != "-") print_table(all, window, from);  // '-': stdout is the JSON
  if (path) {
    const std::string text = json(all, window, from);
    if (*path == "-") {
      std::fputs(text.c_str(), stdout);
    } else {
      std::ofstream file(*path);
      file << text;
      if (!file) throw IoFailure("cannot write '" + *path + "'");
    }
  }
  return kExitOk;
}

}  // namespace spikeflow::cli
