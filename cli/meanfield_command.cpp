// `spikeflow meanfield MODEL.toml`: the self-consistent stationary rates of a network of LIF
// populations (models/meanfield.hpp), from the model file alone: nothing is built or run.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "io/model_file.hpp"
#include "models/meanfield.hpp"
#include "models/meanfield_network.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kMeanfieldOptions = {
    {"set", 0, "KEY=VALUE", "override one model-file value, TOML syntax; repeatable"},
    {"initial", 0, "HZ", "rate every population starts from (default 10)"},
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
    "Exit code 4 when the iteration does not converge (try another --initial).\n"
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

double non_negative_option(const ParsedArgs& args, const std::string& name, double fallback) {
  const auto text = args.last(name);
  if (!text) return fallback;
  if (*text == "0") return 0.0;
  return parse_positive_double(name, *text);
}

// The sigma^2-weighted synaptic time constant the correction used, for the table.
double effective_tau_syn(const models::MeanFieldPopulation& pop, const std::vector<double>& rates) {
  double weighted = 0.0, total = 0.0;
  for (const models::MeanFieldAfferent& in : pop.afferents) {
    const double share = in.indegree * in.weight_sq * (in.source < 0 ? in.rate : rates[in.source]);
    weighted += share * in.tau_syn;
    total += share;
  }
  return total > 0.0 ? weighted / total : 0.0;
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

  io::LoadedModel model = io::load_model_file(args.positionals.front(), overrides_of(args),
                                              {.keep_recordings_in_memory = false});
  const Network& net = *model.network;
  const std::vector<models::MeanFieldPopulation> pops = models::mean_field_of(net);

  models::MeanFieldOptions options;
  options.synaptic_filtering = !args.has("no-filtering");
  // A tolerance must be > 0 (one too small to reach ends as "did not converge", exit 4), and
  // a start a rate a neuron can have.
  if (auto t = args.last("tolerance")) options.tolerance = parse_positive_double("--tolerance", *t);
  const double initial = non_negative_option(args, "initial", 10.0);
  if (initial > 1e4)
    throw UsageError("option --initial: must be in [0, 10000] Hz, got " + *args.last("initial"));
  options.initial_rates.assign(pops.size(), initial);
  const models::MeanFieldResult result = models::solve_mean_field(pops, options);

  std::printf("spikeflow meanfield %s: %s after %d iterations, residual %.3g Hz\n",
              model.path.string().c_str(), result.converged ? "converged" : "NOT CONVERGED",
              result.iterations, result.residual);
  std::printf(
      "  synaptic filtering correction %s\n\n",
      options.synaptic_filtering ? "on (Fourcaud & Brunel 2002, where tau_syn > 0)" : "off");
  std::printf("  %-12s %-10s %12s %12s %12s %14s\n", "population", "model", "rate (Hz)", "mu (mV)",
              "sigma (mV)", "tau_syn (ms)");
  for (std::size_t a = 0; a < pops.size(); ++a) {
    const std::string model_name(
        net.population(PopulationHandle{static_cast<std::uint32_t>(a)}).model());
    std::printf("  %-12s %-10s %12.4f %12.4f %12.4f %14.4g\n", pops[a].name.c_str(),
                model_name.c_str(), result.rates[a], result.mu[a], result.sigma[a],
                effective_tau_syn(pops[a], result.rates));
  }
  if (!result.converged) {
    std::fflush(stdout);
    std::fprintf(stderr,
                 "spikeflow: error: meanfield: the iteration did not converge (residual %.3g Hz "
                 "> tolerance %.3g Hz after %d iterations); the rates above are the last "
                 "iterate, not a solution; try another --initial\n",
                 result.residual, options.tolerance, result.iterations);
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace spikeflow::cli
