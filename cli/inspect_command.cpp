// `spikeflow inspect OUT.h5`: what a recording file holds, on one screen: the spike
// populations with counts and mean rates, the state traces with their shapes, the weight
// snapshots, and the provenance (seed, version, commit, threads, dt, wall time, completed).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/h5_reader.hpp"
#include "cli/progress.hpp"
#include "io/model_file.hpp"

namespace spikeflow::cli {

namespace {

const std::vector<OptionSpec> kInspectOptions = {
    {"help", 'h', "", "this text"},
};

constexpr const char* kInspectUsage =
    "usage: spikeflow inspect FILE.h5\n"
    "\n"
    "Prints the populations of a recording with their spike counts and mean rates, the\n"
    "recorded state variables with their shapes, the weight snapshots and the provenance of\n"
    "the run (seed, version, commit, threads, dt, wall time, completed). A file that is\n"
    "still being written (or whose writer was killed) is read as a SWMR reader.\n"
    "\n"
    "options:\n";

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

// The first attribute of `object` among `names` that is a number.
std::optional<double> number_attr(const H5File& f, const std::string& object,
                                  std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto a = f.attribute(object, n); a && a->number) return a->number;
  return std::nullopt;
}

bool is_long_text(const std::string& s) {
  return s.size() > 400 || s.find('\n') != std::string::npos;
}

// Attributes of `object`: those named in `first` in that order, then the rest by name.
void print_attributes(const H5File& f, const std::string& object, const std::string& indent,
                      const std::vector<std::string>& skip,
                      const std::vector<std::string>& first = {}) {
  std::vector<std::string> names;
  const auto present = f.attribute_names(object);
  for (const auto& n : first)
    if (std::find(present.begin(), present.end(), n) != present.end()) names.push_back(n);
  for (const auto& n : present)
    if (std::find(first.begin(), first.end(), n) == first.end()) names.push_back(n);
  std::size_t width = 0;
  for (const auto& n : names) width = std::max(width, n.size());
  for (const auto& n : names) {
    if (std::find(skip.begin(), skip.end(), n) != skip.end()) continue;
    const auto value = f.attribute(object, n);
    if (!value) continue;
    std::string text = value->text;
    if (is_long_text(text)) {
      const auto lines = std::count(text.begin(), text.end(), '\n') + 1;
      char summary[96];
      std::snprintf(summary, sizeof summary, "<%s lines, %s characters>",
                    format_count(static_cast<std::uint64_t>(lines)).c_str(),
                    format_count(text.size()).c_str());
      text = summary;
    }
    if (object == "/" && (n == "dt")) text += " ms";
    if (object == "/" && (n == "wall_time")) text += " s";
    std::printf("%s%-*s  %s\n", indent.c_str(), static_cast<int>(width), n.c_str(), text.c_str());
  }
}

// Every dataset below `group`, with its shape and element type, depth first.
void print_datasets(const H5File& f, const std::string& group, const std::string& indent) {
  for (const auto& child : f.children(group)) {
    const std::string path = (group == "/" ? "" : group) + "/" + child;
    if (f.is_group(path)) {
      print_datasets(f, path, indent);
    } else if (auto shape = f.shape(path)) {
      std::string line = path + "  " + f.type_name(path) + " " + shape_text(*shape);
      if (auto units = f.attribute(path, "units")) line += "  " + units->text;
      std::printf("%s%s\n", indent.c_str(), line.c_str());
    }
  }
}

// Population sizes as the model text stored in the file describes them, for files whose
// spike groups carry no size attribute. Empty if the text cannot be loaded on its own
// (it refers to included files, say). Loading builds nothing, so this is cheap.
std::map<std::string, double> sizes_from_model_text(const H5File& f) {
  std::map<std::string, double> sizes;
  const auto text = f.attribute("/", "model_text");
  if (!text || text->text.empty()) return sizes;
  char name[] = "/tmp/spikeflow-inspect-XXXXXX";
  const int fd = mkstemp(name);
  if (fd < 0) return sizes;
  close(fd);
  try {
    std::ofstream(name) << text->text;
    const io::LoadedModel model =
        io::load_model_file(name, {}, {.memory_budget_bytes = available_memory_bytes()});
    for (std::uint32_t p = 0; p < model.network->population_count(); ++p) {
      const PopulationInfo info = model.network->population_info(p);
      sizes[info.name] = info.size;
    }
  } catch (const std::exception&) {
    sizes.clear();
  }
  unlink(name);
  return sizes;
}

void print_spikes(const H5File& f, double duration_ms) {
  const auto populations = f.children("/spikes");
  if (populations.empty()) {
    std::printf("\nspikes: none recorded\n");
    return;
  }
  std::size_t width = std::string("population").size();
  for (const auto& p : populations) width = std::max(width, p.size());
  const int w = static_cast<int>(width);
  std::map<std::string, double> model_sizes;
  bool model_sizes_loaded = false;
  std::printf("\nspikes (SONATA spike report, /spikes/<population>)\n");
  std::printf("  %-*s %10s %14s %10s  %-8s %s\n", w, "population", "neurons", "spikes", "rate (Hz)",
              "sorting", "first .. last spike (ms)");
  for (const auto& p : populations) {
    const std::string group = "/spikes/" + p;
    const auto ts = f.shape(group + "/timestamps");
    const auto ids = f.shape(group + "/node_ids");
    const std::uint64_t count = ts && !ts->empty() ? ts->front() : 0;
    const std::uint64_t id_count = ids && !ids->empty() ? ids->front() : 0;
    auto neurons = number_attr(f, group, {"size", "n_nodes", "neurons"});
    if (!neurons) {
      if (!model_sizes_loaded) model_sizes = sizes_from_model_text(f);
      model_sizes_loaded = true;
      if (auto it = model_sizes.find(p); it != model_sizes.end()) neurons = it->second;
    }
    std::string rate = "-";
    if (neurons && *neurons > 0 && duration_ms > 0) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.2f",
                    static_cast<double>(count) / (*neurons * duration_ms * 1e-3));
      rate = buffer;
    }
    const auto sorting = f.attribute(group, "sorting");
    std::string range = "-";
    if (count > 0) {
      const double first = f.read_doubles(group + "/timestamps", 0, 1).front();
      const double last = f.read_doubles(group + "/timestamps", count - 1, 1).front();
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.1f .. %.1f", first, last);
      range = buffer;
    }
    std::printf("  %-*s %10s %14s %10s  %-8s %s\n", w, p.c_str(),
                neurons ? format_count(static_cast<std::uint64_t>(*neurons)).c_str() : "?",
                format_count(count).c_str(), rate.c_str(), sorting ? sorting->text.c_str() : "?",
                range.c_str());
    if (id_count != count)
      std::printf(
          "  %-*s   warning: node_ids has %s entries, timestamps %s (run 'spikeflow "
          "recover' on a killed run's file)\n",
          w, "", format_count(id_count).c_str(), format_count(count).c_str());
  }
}

void print_reports(const H5File& f) {
  const auto populations = f.children("/report");
  if (populations.empty()) return;
  std::printf("\nrecorded variables (SONATA frame reports, /report/...)\n");
  // A report is any group below /report holding `data` and `mapping`.
  std::function<void(const std::string&)> visit = [&](const std::string& group) {
    if (auto shape = f.shape(group + "/data")) {
      std::string line = group;
      for (const char* key : {"variable_name", "variable"})
        if (auto v = f.attribute(group + "/data", key)) {
          line += "  " + v->text;
          break;
        }
      if (auto units = f.attribute(group + "/data", "units")) line += " (" + units->text + ")";
      line += "  " + f.type_name(group + "/data") + " " + shape_text(*shape) + " frames x neurons";
      const std::string time = group + "/mapping/time";
      if (auto t = f.shape(time); t && !t->empty() && t->front() >= 3) {
        const auto v = f.read_doubles(time, 0, 3);
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, "  t = %g .. %g ms every %g ms", v[0], v[1], v[2]);
        line += buffer;
      }
      std::printf("  %s\n", line.c_str());
      return;
    }
    for (const auto& child : f.children(group)) {
      const std::string path = group + "/" + child;
      if (f.is_group(path)) visit(path);
    }
  };
  visit("/report");
}

// Weight snapshots: /weights/<projection>/{source,target,weight,delay} hold the snapshots
// one after another; times[k] is the time of snapshot k, offsets[k]..offsets[k+1] its rows.
void print_weights(const H5File& f) {
  const auto projections = f.children("/weights");
  if (projections.empty()) return;
  std::printf("\nweight snapshots (/weights/<projection>)\n");
  for (const auto& p : projections) {
    const std::string group = "/weights/" + p;
    const auto times_shape = f.shape(group + "/times");
    const std::uint64_t n = times_shape && !times_shape->empty() ? times_shape->front() : 0;
    std::string line = "  " + p + ": " + std::to_string(n) + " snapshot" + (n == 1 ? "" : "s");
    if (n > 0) {
      const auto times = f.read_doubles(group + "/times", 0, n);
      line += " at t =";
      for (std::size_t k = 0; k < times.size() && k < 8; ++k) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%s%g", k ? ", " : " ", times[k]);
        line += buffer;
      }
      line += times.size() > 8 ? ", ... ms" : " ms";
    }
    const auto offsets_shape = f.shape(group + "/offsets");
    if (n > 0 && offsets_shape && !offsets_shape->empty() && offsets_shape->front() >= 2) {
      const auto offsets = f.read_doubles(group + "/offsets", 0, 2);
      line += ", " + format_count(static_cast<std::uint64_t>(offsets[1] - offsets[0])) +
              " synapses each";
    }
    std::printf("%s\n", line.c_str());
    std::printf("    datasets: source, target, weight, delay %s (all snapshots, in order)\n",
                f.shape(group + "/weight") ? shape_text(*f.shape(group + "/weight")).c_str() : "?");
  }
}

}  // namespace

int inspect_command(const std::vector<std::string>& words) {
  const ParsedArgs args = parse_args(words, kInspectOptions, "inspect");
  if (args.has("help")) {
    std::printf("%s%s", kInspectUsage, format_options(kInspectOptions).c_str());
    return kExitOk;
  }
  if (args.positionals.size() != 1)
    throw UsageError(args.positionals.empty()
                         ? "inspect: missing the file (usage: spikeflow inspect FILE.h5)"
                         : "inspect: expected one file, got " +
                               std::to_string(args.positionals.size()) + " arguments");

  const H5File f = H5File::open(args.positionals.front());
  std::printf("%s\n", f.path().c_str());
  if (f.opened_swmr())
    std::printf(
        "  note: opened as a SWMR reader: the file is being written, or its writer "
        "was killed\n  (then 'spikeflow recover %s' makes it open normally)\n",
        f.path().c_str());
  const auto magic = f.attribute("/", "magic");
  const auto version = f.attribute("/", "version");
  if (magic && magic->number) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "0x%04llX",
                  static_cast<unsigned long long>(*magic->number));
    std::printf("  format   SONATA, magic %s%s, version %s\n", buffer,
                *magic->number == 0x0A7A ? "" : " (expected 0x0A7A)",
                version ? version->text.c_str() : "?");
  } else {
    std::printf("  format   no SONATA magic attribute: not a spikeflow/SONATA recording?\n");
  }

  // The simulated time the file covers: the writer's progress counter (valid up to the
  // last flush, which for a closed file is the end of the run).
  std::optional<double> duration;
  if (auto v = f.value("/provenance/simulated_until_ms"); v && v->number) duration = v->number;
  print_spikes(f, duration.value_or(0.0));
  print_reports(f);
  print_weights(f);

  // Everything else the file holds (weight snapshots and any further groups).
  for (const auto& top : f.children("/")) {
    if (top == "spikes" || top == "report" || top == "provenance" || top == "weights") continue;
    const std::string path = "/" + top;
    std::printf("\n%s\n", path.c_str());
    print_attributes(f, path, "  ", {});
    print_datasets(f, path, "  ");
  }

  std::printf("\nprovenance\n");
  print_attributes(
      f, "/", "  ", {"magic", "version"},
      {"simulator", "engine_version", "git_commit", "seed", "threads", "ranks", "dt", "start_time",
       "wall_time", "completed", "model_path", "command_line", "model_text"});
  // The values the writer keeps current during the run (small datasets in /provenance).
  for (const auto& name : f.children("/provenance")) {
    const std::string path = "/provenance/" + name;
    if (f.attribute("/", name)) continue;  // the closing attribute says the same
    const auto v = f.value(path);
    if (!v || v->elements == 0) continue;
    std::string line = v->text;
    if (auto units = f.attribute(path, "units")) line += " " + units->text;
    if (auto pops = f.attribute(path, "populations")) line += "  " + pops->text;
    if (auto projections = f.attribute(path, "projections")) line += "  " + projections->text;
    std::printf("  provenance/%s  %s\n", name.c_str(), line.c_str());
  }
  if (!f.attribute("/", "completed"))
    std::printf(
        "  note: no 'completed' attribute: the run that wrote this file has not "
        "finished or was killed\n");
  return kExitOk;
}

}  // namespace spikeflow::cli
