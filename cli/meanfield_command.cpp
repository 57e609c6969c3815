// `spikeflow meanfield MODEL.toml`: the self-consistent stationary rates of a network of LIF
// populations (models/meanfield.hpp), from the model file alone: nothing is built or run.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "engine/error.hpp"
#include "engine/plasticity.hpp"
#include "io/model_file.hpp"
#include "models/meanfield.hpp"
#include "models/meanfield_network.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kMeanfieldOptions = {
    {"set", 0, "KEY=VALUE", "override one model-file value, TOML syntax; repeatable"},
    {"initial", 0, "HZ",
     "rate every population starts from (default: 10, then 30, 3, 100, 1, 300, 1000, 0 until "
     "one converges)"},
    {"tolerance", 0, "HZ", "converged when max |phi(nu) - nu| <= HZ (default 1e-8)"},
    {"no-filtering", 0, "", "no Fourcaud-Brunel correction for exponential synapses"},
    {"help", 'h', "", "this text"},
};

constexpr const char* kMeanfieldUsage =
    "usage: spikeflow meanfield MODEL.toml [--set KEY=VALUE]... [--initial HZ]\n"
    "\n"
    "Predicts the stationary rate of every population of a network of LIF neurons with\n"
    "Poisson-like input (Brunel 2000): mu and sigma of each population's input from the\n"
    "in-degrees of the connection rules, the weights and the rates, the rate from the\n"
    "Siegert formula, solved self-consistently. Delays do not enter. Handles lif_delta and\n"
    "lif_exp populations (with the Fourcaud-Brunel correction for exponential synapses),\n"
    "poisson and dc inputs that stay on; refuses other models and inputs (exit code 1).\n"
    "Plastic projections enter with their initial weights (a note says so).\n"
    "Exit code 4 when no start converges (try another --initial) or when no stationary\n"
    "state exists (an input that overflows).\n"
    "See docs/meanfield.md.\n"
    "\n"
    "options:\n";

std::vector<io::Override> overrides_of(const ParsedArgs& args) {
  std::vector<io::Override> overrides;
  for (const std::string& kv : args.all("set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("option --set: expected KEY=VALUE, got '" + kv + "'");
    overrides.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }
  return overrides;
}

// Plastic projections enter with their initial weights: the stationary state of a learning
// network is not what the mean field computes.
void note_plastic_projections(const io::LoadedModel& model) {
  const Network& net = *model.network;
  for (std::uint32_t j = 0; j < net.projection_count(); ++j) {
    if (!net.is_plastic(ProjectionHandle{j})) continue;
    const ProjectionInfo pr = net.projection_info(j);
    const std::string name = pr.name.empty() ? net.population_info(pr.source).name + "->" +
                                                   net.population_info(pr.target).name
                                             : pr.name;
    std::fprintf(stderr,
                 "spikeflow: note: projection '%s' is plastic (%s); the mean field takes its "
                 "initial weights, not the weights learning leads to\n",
                 name.c_str(), std::string(net.plasticity(ProjectionHandle{j})->rule()).c_str());
  }
}

// The afferent of `pop` with the largest K |J|, as "population 'E' (K = 1000 inputs of J =
// 0.1 mV)", for a message about an input that overflows.
std::string largest_afferent(const std::vector<models::MeanFieldPopulation>& pops,
                             const models::MeanFieldPopulation& pop) {
  const models::MeanFieldAfferent* largest = nullptr;
  for (const models::MeanFieldAfferent& in : pop.afferents)
    if (!largest ||
        in.indegree * std::fabs(in.weight) > largest->indegree * std::fabs(largest->weight))
      largest = &in;
  if (!largest) return "no afferent";
  const std::string source =
      largest->source < 0
          ? concat("an external input of ", largest->rate, " Hz")
          : concat("population '", pops[static_cast<std::size_t>(largest->source)].name, "'");
  return concat(source, " (K = ", largest->indegree, " inputs of J = ", largest->weight, " mV)");
}

// The population whose input (mu or sigma) is not finite at the result's rates, or -1.
int overflowing_population(const models::MeanFieldResult& result) {
  for (std::size_t a = 0; a < result.mu.size(); ++a)
    if (!std::isfinite(result.mu[a]) || !std::isfinite(result.sigma[a])) return static_cast<int>(a);
  return -1;
}

// The message of a solver that did not converge from `starts`. Where even the last iterate's
// input overflows (weights so large that mu or sigma are not finite at any rate the solver
// reached), there is no stationary state to find, and the message names the afferent.
std::string non_convergence_message(const std::vector<models::MeanFieldPopulation>& pops,
                                    const models::MeanFieldResult& result,
                                    const std::string& starts, double tolerance, double initial) {
  const int a = overflowing_population(result);
  if (a >= 0) {
    const models::MeanFieldPopulation& pop = pops[static_cast<std::size_t>(a)];
    return concat("no stationary state found from ", starts, ": the input of population '",
                  pop.name, "' is not finite (mu = ", result.mu[a],
                  " mV, sigma = ", result.sigma[a],
                  " mV at the rates above); its largest afferent is ", largest_afferent(pops, pop),
                  ": weights or in-degrees too large for the diffusion approximation");
  }
  return concat("the iteration did not converge from ", starts, " (residual ", result.residual,
                " Hz > tolerance ", tolerance, " Hz after ", result.iterations,
                " iterations); the rates above are the last iterate from ", initial,
                " Hz, not a solution; try another --initial");
}

// A number of the table: 4 decimals, or 6 significant digits beyond 1e7 (an iterate that
// ran away), "-" where it is not finite.
std::string cell(double x) {
  char text[32];
  if (!std::isfinite(x)) return std::isnan(x) ? "-" : (x > 0 ? "inf" : "-inf");
  std::snprintf(text, sizeof text, std::fabs(x) < 1e7 ? "%.4f" : "%.6g", x);
  return text;
}

// The sigma^2-weighted synaptic time constant the correction used, for the table.
double effective_tau_syn(const models::MeanFieldPopulation& pop, const std::vector<double>& rates) {
  double weighted = 0.0, total = 0.0;
  for (const models::MeanFieldAfferent& in : pop.afferents) {
    const double share = in.indegree * in.weight_sq * (in.source < 0 ? in.rate : rates[in.source]);
    weighted += share * in.tau_syn;
    total += share;
  }
  return total > 0.0 && std::isfinite(total) ? weighted / total : 0.0;
}

// "10 Hz, 30 Hz or 3 Hz": the starts the solver tried.
std::string starts_tried(const models::MeanFieldOptions& options,
                         const models::MeanFieldResult& result, double initial) {
  std::string starts = concat(initial, " Hz");
  for (int k = 2; k <= result.starts; ++k)
    starts += concat(k == result.starts ? " or " : ", ",
                     options.restart_rates[static_cast<std::size_t>(k) - 2], " Hz");
  return starts;
}

// The header line, the start that converged if not the first, and the table of rates.
void print_result(const io::LoadedModel& model,
                  const std::vector<models::MeanFieldPopulation>& pops,
                  const models::MeanFieldOptions& options, const models::MeanFieldResult& result,
                  double initial) {
  const Network& net = *model.network;
  std::printf("spikeflow meanfield %s: %s after %d iterations, residual %.3g Hz\n",
              model.path.string().c_str(), result.converged ? "converged" : "NOT CONVERGED",
              result.iterations, result.residual);
  if (result.converged && result.starts > 1)
    std::printf(
        "  from %g Hz in every population (the start %g Hz did not converge; another "
        "start may find another fixed point)\n",
        options.restart_rates[static_cast<std::size_t>(result.starts) - 2], initial);
  std::printf(
      "  synaptic filtering correction %s\n\n",
      options.synaptic_filtering ? "on (Fourcaud & Brunel 2002, where tau_syn > 0)" : "off");
  std::printf("  %-12s %-10s %12s %12s %12s %14s\n", "population", "model", "rate (Hz)", "mu (mV)",
              "sigma (mV)", "tau_syn (ms)");
  for (std::size_t a = 0; a < pops.size(); ++a) {
    const std::string model_name(
        net.population(PopulationHandle{static_cast<std::uint32_t>(a)}).model());
    std::printf("  %-12s %-10s %12s %12s %12s %14.4g\n", pops[a].name.c_str(), model_name.c_str(),
                cell(result.rates[a]).c_str(), cell(result.mu[a]).c_str(),
                cell(result.sigma[a]).c_str(), effective_tau_syn(pops[a], result.rates));
  }
}

}  // namespace

int meanfield_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kMeanfieldOptions, "meanfield");
  if (args.has("help")) {
    std::printf("%s%s", kMeanfieldUsage, format_options(kMeanfieldOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "meanfield: missing the model file (usage: spikeflow meanfield "
                           "MODEL.toml)"
                         : "meanfield: expected one model file, got " +
                               std::to_string(args.positionals.size()) + " arguments");

  models::MeanFieldOptions options;
  options.synaptic_filtering = !args.has("no-filtering");
  // A tolerance must be > 0 (one too small to reach ends as "did not converge", exit 4), and
  // a start a rate a neuron can have.
  if (auto t = args.last("tolerance")) options.tolerance = parse_positive_double("--tolerance", *t);
  const double initial =
      args.last("initial") ? parse_number_in("--initial", *args.last("initial"), {0.0, 1e4}) : 10.0;

  // Limitation: the loader allocates every population's state (16 bytes per lif_delta
  // neuron), which the mean field does not need; the budget turns a population too large for
  // memory into a message with the figures instead of "out of memory".
  io::LoadedModel model = io::load_model_file(
      args.positionals.front(), overrides_of(args),
      {.keep_recordings_in_memory = false, .memory_budget_bytes = available_memory_bytes()});
  const std::vector<models::MeanFieldPopulation> pops = models::mean_field_of(*model.network);
  note_plastic_projections(model);
  options.initial_rates.assign(pops.size(), initial);
  // A start the user chose is the start: a network may have several fixed points.
  if (args.has("initial")) options.restart_rates.clear();
  const models::MeanFieldResult result = models::solve_mean_field(pops, options);

  print_result(model, pops, options, result, initial);
  if (!result.converged) {
    std::fflush(stdout);
    std::fprintf(stderr, "spikeflow: error: meanfield: %s\n",
                 non_convergence_message(pops, result, starts_tried(options, result, initial),
                                         options.tolerance, initial)
                     .c_str());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace spikeflow::cli
