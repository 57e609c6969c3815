// `spikeflow validate MODEL.toml`: loads and checks a model file and prints what `run`
// would build, without generating a synapse or touching a file.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "engine/error.hpp"
#include "engine/plasticity.hpp"
#include "io/model_file.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kValidateOptions = {
    {"set", 0, "KEY=VALUE", "override one model-file value, TOML syntax; repeatable"},
    {"help", 'h', "", "this text"},
};

constexpr const char* kValidateUsage =
    "usage: spikeflow validate MODEL.toml [--set KEY=VALUE]...\n"
    "\n"
    "Reads and checks the model file and prints what 'spikeflow run' would build:\n"
    "populations, projections, inputs, recordings and the memory estimate against the\n"
    "memory available here. Builds nothing, writes nothing. Exit code 0 when the model is\n"
    "valid and fits, 1 when it is invalid, 4 when it is valid but 'spikeflow run' would\n"
    "refuse it here for memory (the estimate exceeds the available memory; run --force\n"
    "builds anyway), or when the populations' state alone would exceed it (checked while\n"
    "loading, before it is allocated: validation stops there).\n"
    "\n"
    "options:\n";

std::string rule_text(const ConnectionRule& rule) {
  std::string text = rule.name();
  char buffer[64];
  switch (rule.kind) {
    case ConnectionRule::Kind::pairwise_bernoulli:
      std::snprintf(buffer, sizeof buffer, "(p = %g)", rule.p);
      text += buffer;
      break;
    case ConnectionRule::Kind::fixed_indegree:
    case ConnectionRule::Kind::fixed_outdegree:
    case ConnectionRule::Kind::fixed_total_number:
      text += "(n = " + format_count(rule.n) + ")";
      break;
    default:
      break;
  }
  return text;
}

}  // namespace

int validate_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kValidateOptions, "validate");
  if (args.has("help")) {
    std::printf("%s%s", kValidateUsage, format_options(kValidateOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "validate: missing the model file (usage: spikeflow validate "
                           "MODEL.toml)"
                         : "validate: expected one model file, got " +
                               std::to_string(args.positionals.size()) + " arguments");
  std::vector<io::Override> overrides;
  for (const std::string& kv : args.all("set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("option --set: expected KEY=VALUE, got '" + kv + "'");
    overrides.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
  }

  // The same options as `run`, so the estimate is the one `run` works with.
  const double available = available_memory_bytes();
  io::LoadedModel model =
      io::load_model_file(args.positionals.front(), overrides,
                          {.keep_recordings_in_memory = false, .memory_budget_bytes = available});
  Network& net = *model.network;
  const io::RunSettings& s = model.settings;

  std::printf("%s: valid\n", model.path.string().c_str());
  std::printf("  simulation   %g ms, dt %g ms, seed %llu, threads %s\n", s.duration, s.dt,
              static_cast<unsigned long long>(s.seed),
              s.threads == 0 ? "all cores" : std::to_string(s.threads).c_str());

  std::printf("\n  populations\n");
  for (std::uint32_t p = 0; p < net.population_count(); ++p) {
    const PopulationInfo info = net.population_info(p);
    const std::string model_name(net.population(PopulationHandle{p}).model());
    std::printf("    %-16s %-14s %12s neurons%s\n", info.name.c_str(), model_name.c_str(),
                format_count(info.size).c_str(),
                net.is_recording_spikes(p) ? "   spikes recorded" : "");
  }

  if (net.projection_count() > 0) {
    std::printf("\n    %-28s %-32s %16s  %s\n", "projections", "rule", "synapses",
                "weight / delay (ms)");
    for (std::uint32_t j = 0; j < net.projection_count(); ++j) {
      const ProjectionInfo pr = net.projection_info(j);
      const PopulationInfo src = net.population_info(pr.source);
      const PopulationInfo dst = net.population_info(pr.target);
      const double expected = expected_synapse_count(
          pr.rule, {model.settings.seed, j, src.size, dst.size, pr.source == pr.target});
      const bool exact = pr.rule.kind != ConnectionRule::Kind::pairwise_bernoulli;
      std::string name = pr.name.empty() ? src.name + "->" + dst.name : pr.name;
      if (!pr.name.empty() && pr.name != src.name + "->" + dst.name)
        name += " (" + src.name + "->" + dst.name + ")";
      std::string weight = pr.synapse.weight.describe();
      if (const auto& m = pr.synapse.weight_matrix; m && !m->empty()) {
        const auto [lo, hi] = std::minmax_element(m->begin(), m->end());
        char range[64];
        std::snprintf(range, sizeof range, "[%.4g, %.4g]", *lo, *hi);
        weight = concat("matrix [", dst.size, " x ", src.size, "] in ", range);
      }
      if (pr.synapse.kind == SynapseSpec::Kind::current)  // rates to currents
        weight += concat(" pA x output + ", pr.synapse.offset, " pA (current)");
      std::printf("    %-28s %-32s %s%15s  %s / %s\n", name.c_str(), rule_text(pr.rule).c_str(),
                  exact ? " " : "~",
                  format_count(static_cast<std::uint64_t>(expected + 0.5)).c_str(), weight.c_str(),
                  pr.synapse.delay.describe().c_str());
      if (const Plasticity* rule = net.plasticity(ProjectionHandle{j}))
        std::printf("    %-28s plastic: %s\n", "", rule->describe().c_str());
    }
  }

  if (net.input_count() > 0) {
    std::printf("\n  inputs\n");
    for (std::uint32_t i = 0; i < net.input_count(); ++i) {
      const InputInfo in = net.input_info(i);
      const PopulationInfo target = net.population_info(in.target);
      std::printf("    %-16s -> %s (%s neurons)\n", in.kind.c_str(), target.name.c_str(),
                  format_count(target.size).c_str());
    }
  }

  if (net.trace_count() > 0) {
    std::printf("\n  state recordings\n");
    for (std::size_t t = 0; t < net.trace_count(); ++t) {
      const TraceSpec& spec = net.trace_spec(TraceHandle{static_cast<std::uint32_t>(t)});
      const std::string neurons = spec.neurons.empty() ? "all" : format_count(spec.neurons.size());
      std::printf("    %-16s %-8s %s neurons every %g ms\n",
                  net.population_info(spec.population).name.c_str(), spec.variable.c_str(),
                  neurons.c_str(), static_cast<double>(spec.interval) * s.dt);
    }
  }

  if (!s.weight_snapshots.empty()) {
    std::printf("\n  weight snapshots\n");
    for (const auto& w : s.weight_snapshots) {
      const auto subset = [](const char* side, const std::vector<NeuronIndex>& v) {
        return v.empty() ? std::string() : concat(", ", v.size(), " ", side, " neurons");
      };
      std::printf("    %-16s %zu times%s%s\n", w.projection.c_str(), w.times.size(),
                  subset("source", w.sources).c_str(), subset("target", w.targets).c_str());
    }
  }

  std::printf("\n  total        %s neurons, about %s synapses\n",
              format_count(model.estimate.neurons).c_str(),
              format_count(static_cast<std::uint64_t>(model.estimate.synapses + 0.5)).c_str());
  std::printf("  memory       about %s (neurons, synapses, ring buffers, recordings), %s\n",
              format_bytes(model.estimate.memory_bytes).c_str(),
              available > 0.0 ? (format_bytes(available) + " available here").c_str()
                              : "available memory unknown");
  std::printf("  output       %s\n",
              s.output.empty() ? (model.path.stem().string() + ".h5").c_str() : s.output.c_str());
  // What `run` would refuse (cli/run_command.cpp, refuse_if_too_large), with the same exit
  // code, after the description: the model itself is valid.
  if (available > 0.0 && model.estimate.memory_bytes > available)
    throw RuntimeError("the network needs about " + format_bytes(model.estimate.memory_bytes) +
                       " of memory but only " + format_bytes(available) +
                       " is available here: 'spikeflow run' would refuse it (--force builds "
                       "anyway); the model itself is valid");
  return kExitOk;
}

}  // namespace spikeflow::cli
