#include "io/model_file.hpp"

#include <toml.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "io/model_file_detail.hpp"
#include "io/model_file_learning.hpp"
#include "io/model_file_weights.hpp"
#include "io/module_loader.hpp"
#include "io/toml_key_scan.hpp"
#include "io/units.hpp"
#include "models/converters.hpp"
#include "models/if_subtract.hpp"
#include "models/inputs.hpp"
#include "models/lif_alpha.hpp"
#include "models/lif_cond_exp.hpp"
#include "models/lif_delta.hpp"
#include "models/lif_exp.hpp"
#include "models/module_adapter.hpp"
#include "models/rate.hpp"
#include "models/spike_source_array.hpp"
#include "models/stdp.hpp"

namespace spikeflow::io {

namespace detail {

// ---------------------------------------------------------------------------------------
// Locations, errors, suggestions

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// " (did you mean 'tau_m'?)" for a near miss, otherwise " (known: a, b, c)".
std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& k : known) {
    const std::size_t d = edit_distance(word, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  // A near miss is a few edits away (fewer than the word has letters) or a prefix either way.
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  const bool near = best_distance <= limit && best_distance < word.size();
  const bool prefix =
      !best.empty() && !word.empty() && (best.rfind(word, 0) == 0 || word.rfind(best, 0) == 0);
  if (!best.empty() && (near || prefix)) return concat(" (did you mean '", best, "'?)");
  return concat(" (known: ", join(known), ")");
}

std::string type_name(const Value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return "a boolean";
    case toml::value_t::integer:
      return "an integer";
    case toml::value_t::floating:
      return "a number";
    case toml::value_t::string:
      return "a string";
    case toml::value_t::array:
      return "an array";
    case toml::value_t::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// The value as a user wrote it, for messages.
std::string show(const Value& v) {
  switch (v.type()) {
    case toml::value_t::boolean:
      return v.as_boolean() ? "true" : "false";
    case toml::value_t::integer:
      return concat(v.as_integer());
    case toml::value_t::floating:
      return concat(v.as_floating());
    case toml::value_t::string:
      return concat("\"", v.as_string().str, "\"");
    default:
      return type_name(v);
  }
}

[[noreturn]] void rethrow_at_param(const Context& ctx, const ConfigError& e, const Value* table,
                                   const std::string& key, const Value& fallback,
                                   const std::string& fallback_key) {
  std::string message = e.what();
  const std::size_t colon = message.find(": ");
  if (colon != std::string::npos && message.find(' ') > colon) message = message.substr(colon + 2);
  const std::size_t space = message.find(' ');
  if (table && table->is_table() && space != std::string::npos) {
    const std::string param = message.substr(0, space);
    const auto& t = table->as_table();
    const auto it = t.find(param);
    if (it != t.end()) ctx.fail(it->second, concat(key, ".", param), message.substr(space + 1));
  }
  ctx.fail(fallback, fallback_key, message);
}

// ---------------------------------------------------------------------------------------
// Typed access

namespace {

std::string expected_quantity(Dimension d) {
  if (d == Dimension::dimensionless) return "a number";
  return concat(dimension_name(d), " in ", base_unit(d), " (a number or a string such as \"1 ",
                base_unit(d), "\")");
}

}  // namespace

double quantity(const Context& ctx, const Value& v, const std::string& key, Dimension d) {
  if (v.is_integer()) return static_cast<double>(v.as_integer());
  if (v.is_floating()) {
    const double x = v.as_floating();
    if (!std::isfinite(x)) ctx.fail(v, key, concat("must be finite, got ", x));
    return x;
  }
  if (v.is_string()) {
    try {
      return parse_quantity(v.as_string().str, d);
    } catch (const UnitError& e) {
      ctx.fail(v, key, e.what());
    }
  }
  ctx.fail(v, key, concat("expected ", expected_quantity(d), ", got ", show(v)));
}

// "-5 ms" for messages: a converted value with its unit.
std::string with_unit(double x, Dimension d) {
  return d == Dimension::dimensionless ? concat(x) : concat(x, " ", base_unit(d));
}

double positive(const Context& ctx, const Value& v, const std::string& key, Dimension d) {
  const double x = quantity(ctx, v, key, d);
  if (!(x > 0.0))
    ctx.fail(v, key, concat("must be > ", with_unit(0, d), ", got ", with_unit(x, d)));
  return x;
}

double non_negative(const Context& ctx, const Value& v, const std::string& key, Dimension d) {
  const double x = quantity(ctx, v, key, d);
  if (!(x >= 0.0))
    ctx.fail(v, key, concat("must be >= ", with_unit(0, d), ", got ", with_unit(x, d)));
  return x;
}

std::int64_t integer(const Context& ctx, const Value& v, const std::string& key) {
  if (!v.is_integer()) ctx.fail(v, key, concat("expected an integer, got ", show(v)));
  // TOML integers are 64-bit; toml11 saturates larger literals at the limits instead of
  // failing, so the limits themselves are taken as out of range.
  const std::int64_t n = v.as_integer();
  if (n == std::numeric_limits<std::int64_t>::max() ||
      n == std::numeric_limits<std::int64_t>::min())
    ctx.fail(v, key, "integer out of range: must lie strictly within +-(2^63 - 1)");
  return n;
}

// Names of populations and projections become HDF5 group names in the recording file.
void require_group_name(const Context& ctx, const Value& v, const std::string& key,
                        const std::string& name) {
  if (name.empty()) ctx.fail(v, key, "must not be empty");
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    ctx.fail(v, key,
             concat("must not contain '/' or be '.' or '..' (it names a group in the "
                    "recording file), got '",
                    name, "'"));
}

std::string string(const Context& ctx, const Value& v, const std::string& key) {
  if (!v.is_string()) ctx.fail(v, key, concat("expected a string, got ", show(v)));
  return v.as_string().str;
}

bool boolean(const Context& ctx, const Value& v, const std::string& key) {
  if (!v.is_boolean()) ctx.fail(v, key, concat("expected true or false, got ", show(v)));
  return v.as_boolean();
}

const toml::array& array(const Context& ctx, const Value& v, const std::string& key) {
  if (!v.is_array()) ctx.fail(v, key, concat("expected an array, got ", show(v)));
  return v.as_array();
}

std::vector<double> quantity_list(const Context& ctx, const Value& v, const std::string& key,
                                  Dimension d) {
  std::vector<double> out;
  const auto& a = array(ctx, v, key);
  for (std::size_t i = 0; i < a.size(); ++i)
    out.push_back(quantity(ctx, a[i], concat(key, "[", i, "]"), d));
  return out;
}

// A time that must be a whole number of steps of `grid`.
Step on_grid(const Context& ctx, const Value& v, const std::string& key, double ms,
             const TimeGrid& grid) {
  const double exact = ms / grid.dt();
  if (std::abs(exact) > TimeGrid::kMaxSteps)
    ctx.fail(v, key,
             concat("must be at most 2^53 steps (", TimeGrid::kMaxSteps * grid.dt(),
                    " ms at dt = ", grid.dt(), " ms), got ", ms, " ms"));
  const double rounded = std::nearbyint(exact);
  if (std::abs(exact - rounded) > TimeGrid::kGridTolerance)
    ctx.fail(v, key,
             concat("must be a multiple of dt = ", grid.dt(), " ms, got ", ms, " ms (", exact,
                    " steps)"));
  return static_cast<Step>(rounded);
}

// The one name among `names` that the user typed, with a suggestion if it is none of them.
std::string choice(const Context& ctx, const Value& v, const std::string& key,
                   const std::string& what, const std::vector<std::string>& names) {
  const std::string s = string(ctx, v, key);
  if (std::find(names.begin(), names.end(), s) == names.end())
    ctx.fail(v, key, concat("unknown ", what, " '", s, "'", suggestion(s, names)));
  return s;
}

// ---------------------------------------------------------------------------------------
// Distributions

const std::vector<std::string> kDistributionKinds = {"normal", "uniform", "lognormal"};

Distribution distribution(const Context& ctx, const Value& v, const std::string& key, Dimension d) {
  if (!v.is_table()) return Distribution::constant(quantity(ctx, v, key, d));

  const Table t(ctx, v, key, {"normal", "uniform", "lognormal", "min", "max", "clip"});
  std::vector<std::string> kinds;
  for (const auto& k : kDistributionKinds)
    if (t.has(k)) kinds.push_back(k);
  if (kinds.size() != 1)
    ctx.fail(v, key,
             concat("a distribution needs exactly one of normal, uniform, lognormal, got ",
                    kinds.empty() ? std::string("none") : join(kinds)));
  const std::string kind = kinds.front();
  const std::string kind_key = t.child_key(kind);
  const Value& body = t.get(kind);

  Distribution result = Distribution::constant(0.0);
  try {
    if (kind == "normal") {
      const Table p(ctx, body, kind_key, {"mean", "sd"});
      const double mean = quantity(ctx, p.get("mean"), p.child_key("mean"), d);
      const double sd = quantity(ctx, p.get("sd"), p.child_key("sd"), d);
      if (!(sd >= 0.0))
        ctx.fail(p.get("sd"), p.child_key("sd"), concat("must be >= 0, got ", with_unit(sd, d)));
      result = Distribution::normal(mean, sd);
    } else if (kind == "uniform") {
      const Table p(ctx, body, kind_key, {"low", "high"});
      const double low = quantity(ctx, p.get("low"), p.child_key("low"), d);
      const double high = quantity(ctx, p.get("high"), p.child_key("high"), d);
      if (!(low <= high))
        ctx.fail(p.get("high"), p.child_key("high"),
                 concat("must be >= low = ", with_unit(low, d), ", got ", with_unit(high, d)));
      result = Distribution::uniform(low, high);
    } else {
      const Table p(ctx, body, kind_key, {"mu", "sigma"});
      const double mu = quantity(ctx, p.get("mu"), p.child_key("mu"), Dimension::dimensionless);
      const double sigma =
          quantity(ctx, p.get("sigma"), p.child_key("sigma"), Dimension::dimensionless);
      if (!(sigma >= 0.0))
        ctx.fail(p.get("sigma"), p.child_key("sigma"), concat("must be >= 0, got ", sigma));
      result = Distribution::lognormal(mu, sigma);
    }

    const Value* min = t.find("min");
    const Value* max = t.find("max");
    if (min || max) {
      const double low = min ? quantity(ctx, *min, t.child_key("min"), d) : -kInf;
      const double high = max ? quantity(ctx, *max, t.child_key("max"), d) : kInf;
      if (!(low <= high))
        ctx.fail(*max, t.child_key("max"),
                 concat("must be >= min = ", with_unit(low, d), ", got ", with_unit(high, d)));
      result = result.bounded(low, high);
    }
    if (const Value* clip = t.find("clip")) {
      choice(ctx, *clip, t.child_key("clip"), "clip mode", {"sign"});
      result = result.clipped_to_sign();
    }
  } catch (const ModelFileError&) {
    throw;
  } catch (const ConfigError& e) {
    ctx.fail(v, key, e.what());
  }
  return result;
}

}  // namespace detail

namespace {

using namespace detail;
namespace fs = std::filesystem;

// Assumed mean rate for the spike-recording part of the memory estimate.
constexpr double kEstimateRateHz = 10.0;

// ---------------------------------------------------------------------------------------
// Files, includes, merging, overrides

// Arrays of tables whose elements are matched by name when files are merged.
bool is_table_array(const Value& v) {
  if (!v.is_array() || v.as_array().empty()) return false;
  for (const auto& e : v.as_array())
    if (!e.is_table()) return false;
  return true;
}

// The name an element of [[populations]], [[projections]], [[inputs]] ... is known by:
// its `name`, or for projections "source->target".
std::string element_name(const Value& e) {
  if (!e.is_table()) return {};
  const auto& t = e.as_table();
  const auto name = t.find("name");
  if (name != t.end() && name->second.is_string()) return name->second.as_string().str;
  const auto source = t.find("source");
  const auto target = t.find("target");
  if (source != t.end() && target != t.end() && source->second.is_string() &&
      target->second.is_string())
    return concat(source->second.as_string().str, "->", target->second.as_string().str);
  return {};
}

// Values that replace as a whole, even when both sides are tables.
bool replaced_whole(const std::string& key, bool inside_initial) {
  return inside_initial || key == "weight" || key == "delay";
}

// Merges `src` into `dst`: tables key by key, named elements of arrays of tables by name
// (unnamed ones are appended), everything else replaced by the later value.
void merge(Value& dst, const Value& src, bool inside_initial = false) {
  auto& table = dst.as_table();
  for (const auto& [key, value] : src.as_table()) {
    const auto it = table.find(key);
    if (it == table.end()) {
      table.emplace(key, value);
      continue;
    }
    Value& old = it->second;
    if (old.is_table() && value.is_table() && !replaced_whole(key, inside_initial)) {
      merge(old, value, key == "initial");
    } else if (is_table_array(old) && is_table_array(value)) {
      for (const auto& element : value.as_array()) {
        const std::string name = element_name(element);
        auto& elements = old.as_array();
        auto match = std::find_if(elements.begin(), elements.end(), [&](const Value& e) {
          return !name.empty() && element_name(e) == name;
        });
        if (match != elements.end())
          merge(*match, element);
        else
          elements.push_back(element);
      }
    } else {
      old = value;
    }
  }
}

// The first line of a toml11 syntax error and the hint under its caret, as one line.
std::string syntax_message(const std::string& what) {
  std::istringstream in(what);
  std::string line;
  std::getline(in, line);
  if (line.rfind("[error] ", 0) == 0) line = line.substr(8);
  if (line.rfind("toml::", 0) == 0) {
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) line = line.substr(colon + 2);
  }
  std::string hint;
  std::string rest;
  while (std::getline(in, rest)) {
    for (const std::string marker : {"^--- ", "~~~ "}) {
      const std::size_t at = rest.find(marker);
      if (at != std::string::npos) hint = rest.substr(at + marker.size());
    }
  }
  return hint.empty() ? line : concat(line, " (", hint, ")");
}

// "a key of more than 1024 characters ('aaaaaaaaaaaaaaaaaaaaaaaa...'); ...", for a key of
// `text` found by find_long_key (refused before toml11, which is slow on such keys).
std::string long_key_message(std::string_view text, std::size_t start) {
  return concat("a key of more than ", kMaxKeyLength, " characters ('", text.substr(start, 24),
                "...'); keys of a model file are at most ", kMaxKeyLength, " characters");
}

class FileLoader {
 public:
  explicit FileLoader(const Context& ctx) : ctx_(ctx) {}

  // The merged tree of `path` and everything it includes. `site` is the include entry that
  // named the file (null for the top file).
  // `content`, if given, is the top file's text (load_model_text); nothing is read for it.
  Value load(const fs::path& path, const std::string& display, const Value* site,
             const std::string* content_in_memory = nullptr) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = fs::absolute(path);
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].first != canonical) continue;
      std::vector<std::string> chain;
      for (std::size_t j = i; j < stack_.size(); ++j) chain.push_back(stack_[j].second);
      chain.push_back(display);
      std::string text;
      for (const auto& c : chain) text += (text.empty() ? "" : " -> ") + c;
      ctx_.fail(*site, "include", concat("include cycle: ", text));
    }

    const std::string content =
        content_in_memory ? *content_in_memory : read_model_file(path, display, site);
    if (site)
      text_ += concat("\n# ---- included file: ", display, " ----\n", content);
    else
      text_ += content;

    if (const auto key = find_long_key(content))
      throw ModelFileError(concat(display, ":", key->line, ":", key->column, ": ",
                                  long_key_message(content, key->offset)));
    Value tree;
    try {
      std::istringstream in(content);
      tree = toml::parse(in, display);
    } catch (const toml::syntax_error& e) {
      const auto loc = e.location();
      throw ModelFileError(concat(loc.file_name(), ":", loc.line(), ":", loc.column(),
                                  ": syntax error: ", syntax_message(e.what())));
    }
    if (!root_) root_ = std::make_unique<Value>(tree);

    std::vector<Value> parts;
    if (const auto it = tree.as_table().find("include"); it != tree.as_table().end()) {
      const Value include = it->second;
      tree.as_table().erase("include");
      std::vector<const Value*> entries;
      if (include.is_string()) {
        entries.push_back(&include);
      } else if (include.is_array()) {
        for (const auto& e : include.as_array()) entries.push_back(&e);
      } else {
        ctx_.fail(include, "include",
                  concat("expected a file name or an array of file names, got ", show(include)));
      }
      stack_.emplace_back(canonical, display);
      for (const Value* e : entries) {
        const std::string name = string(ctx_, *e, "include");
        const fs::path resolved = path.parent_path() / name;
        const std::string shown =
            (fs::path(display).parent_path() / name).lexically_normal().string();
        parts.push_back(load(resolved, shown, e));
      }
      stack_.pop_back();
    }
    if (parts.empty()) return tree;
    Value merged = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) merge(merged, parts[i]);
    merge(merged, tree);
    return merged;
  }

  const std::string& text() const { return text_; }
  // The top file's own tree, for errors about the file as a whole.
  const Value& root() const { return *root_; }

 private:
  // A model file's text. Read with a size cap: an include of /dev/zero or of a huge file by
  // mistake must fail, not fill the memory; pipes (spikeflow run <(...)) still work.
  std::string read_model_file(const fs::path& path, const std::string& display,
                              const Value* site) const {
    constexpr std::size_t kMaxBytes = 64 << 20;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      if (site) ctx_.fail(*site, "include", concat("included file '", display, "' is a directory"));
      throw ModelFileError(concat(display, ": is a directory, not a model file"));
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      if (site) ctx_.fail(*site, "include", concat("cannot open included file '", display, "'"));
      throw ModelFileError(concat(display, ": cannot open the model file"));
    }
    std::string content;
    char chunk[65536];
    while (file.read(chunk, sizeof chunk) || file.gcount() > 0) {
      content.append(chunk, static_cast<std::size_t>(file.gcount()));
      if (content.size() > kMaxBytes) {
        const std::string what = concat("is larger than ", kMaxBytes >> 20,
                                        " MiB; a model file is text of a few kilobytes");
        if (site) ctx_.fail(*site, "include", concat("included file '", display, "' ", what));
        throw ModelFileError(concat(display, ": ", what));
      }
    }
    return content;
  }

  const Context& ctx_;
  std::vector<std::pair<fs::path, std::string>> stack_;
  std::string text_;
  std::unique_ptr<Value> root_;
};

void apply_override(Value& root, const Override& o, std::size_t n) {
  if (o.key.size() > kMaxKeyLength)
    throw ModelFileError(concat("--set:", n, ":1: ", long_key_message(o.key, 0)));
  const std::string text = "_ = " + o.value;
  if (const auto key = find_long_key(text))  // in an inline table of the value
    throw ModelFileError(concat("--set:", n, ":", key->column + o.key.size() - 3, ": ", o.key, ": ",
                                long_key_message(text, key->offset)));
  const std::string here = concat("--set:", n, ":1: ", o.key, ": ");
  Value parsed;
  try {
    std::istringstream in(text);
    parsed = toml::parse(in, concat(kOverrideFile, n));
  } catch (const toml::syntax_error& e) {
    throw ModelFileError(concat("--set:", n, ":", o.key.size() + 2, ": ", o.key,
                                ": value is not TOML: ", syntax_message(e.what()),
                                "; write strings in quotes, e.g. --set ", o.key, "='\"", o.value,
                                "\"'"));
  }
  const Value value = parsed.at("_");

  std::vector<std::string> parts;
  std::stringstream key(o.key);
  for (std::string part; std::getline(key, part, '.');) parts.push_back(part);
  if (parts.empty() || std::find(parts.begin(), parts.end(), "") != parts.end())
    throw ModelFileError(here + "a key is names joined by dots, e.g. simulation.duration");

  Value* at = &root;
  std::string path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (at->is_table()) {
      auto& table = at->as_table();
      if (last) {
        table[part] = value;
        return;
      }
      auto it = table.find(part);
      if (it == table.end()) it = table.emplace(part, toml::table{}).first;
      at = &it->second;
    } else if (at->is_array()) {
      auto& elements = at->as_array();
      Value* found = nullptr;
      std::vector<std::string> names;
      for (std::size_t k = 0; k < elements.size(); ++k) {
        const std::string name = element_name(elements[k]);
        names.push_back(name.empty() ? concat(k) : name);
        if (name == part || concat(k) == part) found = &elements[k];
      }
      if (!found)
        throw ModelFileError(
            concat(here, path, " has no element '", part, "'", suggestion(part, names)));
      if (last)
        throw ModelFileError(
            concat(here, "cannot replace a whole element of ", path, "; set one of its keys"));
      at = found;
    } else {
      throw ModelFileError(concat(here, path, " is ", type_name(*at), ", not a table"));
    }
    path += (path.empty() ? "" : ".") + part;
  }
}

// ---------------------------------------------------------------------------------------
// The network

const std::vector<std::string> kModels = {
    "lif_delta", "lif_exp", "lif_alpha", "lif_cond_exp", "if_subtract", "spike_source_array",
    "rate", "spikes_to_rates", "rates_to_spikes",
    // DNN modules (io/module_loader.hpp), wrapped by the module adapter
    "dense", "conv2d", "divisive_normalization", "batch_normalization", "rnn", "lstm", "gru"};
// Adapters (engine/adapter.hpp): rate populations and converters.
const std::vector<std::string> kAdapterModels = {"rate", "spikes_to_rates", "rates_to_spikes"};
const std::vector<std::string> kTransferFunctions = {"relu", "threshold_linear", "sigmoid", "tanh",
                                                     "lif",  "siegert"};
const std::vector<std::string> kFilters = {"exponential", "box"};
const std::vector<std::string> kRules = {"all_to_all",     "one_to_one",      "pairwise_bernoulli",
                                         "fixed_indegree", "fixed_outdegree", "fixed_total_number"};
const std::vector<std::string> kSynapseModels = {"static", "current"};
const std::vector<std::string> kInputTypes = {"poisson", "dc", "step_current"};

struct ParamSpec {
  std::string name;
  Dimension dimension;
};

std::vector<ParamSpec> membrane_specs() {
  return {{"E_L", Dimension::voltage},  {"C_m", Dimension::capacitance},
          {"tau_m", Dimension::time},   {"t_ref", Dimension::time},
          {"V_th", Dimension::voltage}, {"V_reset", Dimension::voltage},
          {"I_e", Dimension::current}};
}

std::map<std::string, double*> bind_membrane(models::MembraneParams& p) {
  return {{"E_L", &p.E_L},   {"C_m", &p.C_m},         {"tau_m", &p.tau_m}, {"t_ref", &p.t_ref},
          {"V_th", &p.V_th}, {"V_reset", &p.V_reset}, {"I_e", &p.I_e}};
}

struct PopulationFacts {
  std::string name;
  std::string model;
  std::uint64_t size = 0;
  PopulationHandle handle{};
  Dimension weight = Dimension::dimensionless;
  std::vector<std::string> state;
  bool accepts_input = true;
  const Value* table = nullptr;
  // Adapters: the update interval (ms) and where it was written (null: the default, 0).
  double update_interval = -1.0;  // < 0: not an adapter with an interval
  const Value* update_interval_value = nullptr;
  double extra_bytes = 0.0;      // buffers beyond state and rings (filter histories)
  std::uint64_t input_size = 0;  // DNN modules: the input width; 0: equal to size
};

struct ProjectionFacts {
  std::string name;
  std::uint64_t sources = 0;
  std::uint64_t targets = 0;
  double expected_synapses = 0;
  double max_delay_ms = 0;
  double min_delay_ms = 0;
  bool constant_delay = true;
  bool plastic = false;
};

class Builder {
 public:
  Builder(const Context& ctx, const Value& root, const Value& file_root, LoadedModel& out)
      : ctx_(ctx), root_(root), file_root_(file_root), out_(out) {}

  void build() {
    const Table top(ctx_, root_, "",
                    {"simulation", "populations", "inputs", "projections", "recordings"});
    simulation(top.find("simulation"));
    grid_ = std::make_unique<TimeGrid>(out_.settings.dt);
    out_.network = std::make_unique<Network>(
        NetworkOptions{.dt = out_.settings.dt,
                       .seed = out_.settings.seed,
                       .threads = out_.settings.threads,
                       .partitions = ctx_.options.partitions,
                       .keep_recordings_in_memory = ctx_.options.keep_recordings_in_memory,
                       .comm = ctx_.options.comm});

    const Value* pops = top.find("populations");
    if (!pops)
      ctx_.fail(file_root_, "populations",
                "no populations: a model needs at least one [[populations]] table");
    const auto& list = array(ctx_, *pops, "populations");
    if (list.empty()) ctx_.fail(*pops, "populations", "needs at least one population");
    for (std::size_t i = 0; i < list.size(); ++i) population(list[i], i);

    if (const Value* inputs = top.find("inputs")) {
      const auto& a = array(ctx_, *inputs, "inputs");
      for (std::size_t i = 0; i < a.size(); ++i) input(a[i], i);
    }
    if (const Value* projections = top.find("projections")) {
      const auto& a = array(ctx_, *projections, "projections");
      for (std::size_t i = 0; i < a.size(); ++i) projection(a[i], i);
    }
    if (const Value* rec = top.find("recordings")) recordings(*rec);
    check_update_intervals();
    estimate();
  }

 private:
  // --- [simulation] ---
  void simulation(const Value* v) {
    RunSettings& s = out_.settings;
    if (!v) return;
    const Table t(ctx_, *v, "simulation",
                  {"dt", "duration", "seed", "threads", "output", "flush_interval",
                   "flush_wall_seconds", "checkpoint_every"});
    if (const Value* x = t.find("dt"))
      s.dt = positive(ctx_, *x, t.child_key("dt"), Dimension::time);
    const TimeGrid grid(s.dt);
    if (const Value* x = t.find("duration")) {
      s.duration = non_negative(ctx_, *x, t.child_key("duration"), Dimension::time);
      on_grid(ctx_, *x, t.child_key("duration"), s.duration, grid);
    }
    if (const Value* x = t.find("seed")) {
      const std::int64_t seed = integer(ctx_, *x, t.child_key("seed"));
      if (seed < 0) ctx_.fail(*x, t.child_key("seed"), concat("must be >= 0, got ", seed));
      s.seed = static_cast<std::uint64_t>(seed);
    }
    if (const Value* x = t.find("threads")) {
      const std::int64_t n = integer(ctx_, *x, t.child_key("threads"));
      if (n < 0 || n > 4096)
        ctx_.fail(*x, t.child_key("threads"),
                  concat("must be in [0, 4096] (0: all cores), got ", n));
      s.threads = static_cast<int>(n);
    }
    if (const Value* x = t.find("output")) s.output = string(ctx_, *x, t.child_key("output"));
    if (const Value* x = t.find("flush_interval"))
      s.flush_interval = positive(ctx_, *x, t.child_key("flush_interval"), Dimension::time);
    if (const Value* x = t.find("flush_wall_seconds")) {
      const std::string key = t.child_key("flush_wall_seconds");
      // A plain number is seconds; a string carries its own time unit.
      const double seconds = x->is_string() ? quantity(ctx_, *x, key, Dimension::time) * 1e-3
                                            : quantity(ctx_, *x, key, Dimension::dimensionless);
      if (!(seconds > 0.0)) ctx_.fail(*x, key, concat("must be > 0 s, got ", seconds, " s"));
      s.flush_wall_seconds = seconds;
    }
    if (const Value* x = t.find("checkpoint_every")) {
      s.checkpoint_every = non_negative(ctx_, *x, t.child_key("checkpoint_every"), Dimension::time);
      on_grid(ctx_, *x, t.child_key("checkpoint_every"), s.checkpoint_every, grid);
    }
  }

  // --- [[populations]] ---
  const PopulationFacts& find_population(const Value& v, const std::string& key) const {
    const std::string name = string(ctx_, v, key);
    std::vector<std::string> names;
    for (const auto& p : populations_) {
      if (p.name == name) return p;
      names.push_back(p.name);
    }
    ctx_.fail(v, key, concat("unknown population '", name, "'", suggestion(name, names)));
  }

  void population(const Value& v, std::size_t index) {
    const std::string given = element_name(v);
    const std::string key =
        given.empty() ? concat("populations.", index) : concat("populations.", given);
    if (!v.is_table()) ctx_.fail(v, key, concat("expected a table, got ", show(v)));
    const Table t(ctx_, v, key, {"name", "model", "size", "params", "initial"});
    PopulationFacts facts;
    facts.name = string(ctx_, t.get("name"), t.child_key("name"));
    require_group_name(ctx_, t.get("name"), t.child_key("name"), facts.name);
    for (const auto& p : populations_)
      if (p.name == facts.name)
        ctx_.fail(t.get("name"), t.child_key("name"),
                  concat("population '", facts.name, "' is defined twice"));
    facts.model = choice(ctx_, t.get("model"), concat(key, ".model"), "model", kModels);
    facts.table = &v;

    const std::string params_key = concat(key, ".params");
    const Value* params = t.find("params");
    const Value empty_params = toml::table{};
    std::unique_ptr<Population> model;
    std::uint64_t size = 0;
    if (facts.model == "spike_source_array") {
      const Table p(ctx_, params ? *params : empty_params, params_key, {"times"});
      std::vector<std::vector<double>> times;
      const Value& list = params ? p.get("times") : t.get("params");
      const auto& rows = array(ctx_, list, concat(params_key, ".times"));
      for (std::size_t i = 0; i < rows.size(); ++i)
        times.push_back(
            quantity_list(ctx_, rows[i], concat(params_key, ".times[", i, "]"), Dimension::time));
      size = times.size();
      if (const Value* s = t.find("size")) {
        const std::int64_t n = integer(ctx_, *s, concat(key, ".size"));
        if (n < 0 || static_cast<std::uint64_t>(n) != size)
          ctx_.fail(*s, concat(key, ".size"),
                    concat("must equal the number of spike-time lists (", size, "), got ", n));
      }
      model = models::make_spike_source_array(std::move(times));
      facts.accepts_input = false;
    } else if (const auto& kinds = io::module_kinds();
               std::find(kinds.begin(), kinds.end(), facts.model) != kinds.end()) {
      model = make_module(facts, params, params_key, t);
      size = facts.size;
    } else if (std::find(kAdapterModels.begin(), kAdapterModels.end(), facts.model) !=
               kAdapterModels.end()) {
      size = population_size(t.get("size"), concat(key, ".size"));
      model = make_adapter_model(facts, size, params, params_key, v, key);
    } else {
      size = population_size(t.get("size"), concat(key, ".size"));
      check_state_budget(t.get("size"), concat(key, ".size"), facts.model, size);
      model = make_neuron_model(facts, size, params, params_key, v, key);
    }
    try {
      model->prepare(*grid_);
    } catch (const ConfigError& e) {
      rethrow_at_param(ctx_, e, params, params_key, params ? *params : v,
                       params ? params_key : key);
    }
    facts.size = size;
    facts.state = model->state_names();

    // Initial values are checked against the model before the network sees them.
    std::vector<std::pair<std::string, Distribution>> initial;
    if (const Value* init = t.find("initial")) {
      const std::string init_key = concat(key, ".initial");
      const Table it(ctx_, *init, init_key, facts.state);
      for (const auto& [variable, value] : init->as_table())
        initial.emplace_back(variable, distribution(ctx_, value, it.child_key(variable),
                                                    state_dimension(facts, variable)));
    }

    facts.handle = out_.network->add_population(facts.name, std::move(model));
    for (const auto& [variable, value] : initial)
      out_.network->set_initial_state(facts.handle, variable, value);
    out_.population_names.push_back(facts.name);
    populations_.push_back(std::move(facts));
  }

  // Refuses, before allocating, a population whose state arrays (one double per variable
  // and a refractory step per neuron) would take the state so far past the budget.
  void check_state_budget(const Value& at, const std::string& key, const std::string& model,
                          std::uint64_t size) {
    const double variables = model == "lif_delta" || model == "if_subtract" ? 1
                             : model == "lif_alpha"                         ? 5
                                                                            : 3;
    const double bytes = static_cast<double>(size) * 8.0 * (variables + 1.0);
    state_bytes_ += bytes;
    const double budget = ctx_.options.memory_budget_bytes;
    if (budget <= 0.0 || state_bytes_ <= budget) return;
    const auto gib = [](double b) { return concat(std::round(b / (1 << 30) * 10) / 10, " GiB"); };
    throw MemoryBudgetError(concat(ctx_.where(at), ": ", key, ": ", size, " neurons of ", model,
                                   " need ", gib(bytes), " of state (", gib(state_bytes_),
                                   " with the populations before), more than the ", gib(budget),
                                   " of memory available; reduce the size"));
  }

  std::uint64_t population_size(const Value& v, const std::string& key) const {
    const std::int64_t n = integer(ctx_, v, key);
    if (n < 1 || n > std::numeric_limits<NeuronIndex>::max())
      ctx_.fail(v, key,
                concat("must be an integer in [1, ", std::numeric_limits<NeuronIndex>::max(),
                       "], got ", n));
    return static_cast<std::uint64_t>(n);
  }

  static Dimension state_dimension(const PopulationFacts& p, const std::string& variable) {
    if (variable == "V_m") return Dimension::voltage;
    if (variable.rfind("g_", 0) == 0) return Dimension::conductance;
    if (variable.rfind("I_syn", 0) == 0) return p.weight;
    return Dimension::dimensionless;  // dI_syn_*: pA/ms
  }

  // Reads `params` for one of the LIF models, constructs it and maps its ConfigErrors back
  // to the keys they concern.
  std::unique_ptr<Population> make_neuron_model(PopulationFacts& facts, std::uint64_t size,
                                                const Value* params, const std::string& params_key,
                                                const Value& pop, const std::string& pop_key) {
    const NeuronIndex n = static_cast<NeuronIndex>(size);
    std::vector<ParamSpec> specs;
    std::map<std::string, double*> fields;
    bool* weights_in_mV = nullptr;
    models::LifDelta::Params delta;
    models::LifExp::Params exp;
    models::LifAlpha::Params alpha;
    models::LifCondExp::Params cond;
    models::IfSubtract::Params subtract;
    const std::vector<ParamSpec> synaptic = {{"tau_syn_ex", Dimension::time},
                                             {"tau_syn_in", Dimension::time}};
    if (facts.model == "lif_delta") {
      specs = membrane_specs();
      fields = bind_membrane(delta);
      facts.weight = Dimension::voltage;
    } else if (facts.model == "lif_exp") {
      specs = membrane_specs();
      specs.insert(specs.end(), synaptic.begin(), synaptic.end());
      fields = bind_membrane(exp);
      fields["tau_syn_ex"] = &exp.tau_syn_ex;
      fields["tau_syn_in"] = &exp.tau_syn_in;
      weights_in_mV = &exp.weights_in_mV;
      facts.weight = Dimension::current;
    } else if (facts.model == "if_subtract") {
      specs = {{"V_th", Dimension::voltage},
               {"C_m", Dimension::capacitance},
               {"I_e", Dimension::current},
               {"V_min", Dimension::voltage}};
      fields = {{"V_th", &subtract.V_th},
                {"C_m", &subtract.C_m},
                {"I_e", &subtract.I_e},
                {"V_min", &subtract.V_min}};
      facts.weight = Dimension::voltage;
    } else if (facts.model == "lif_alpha") {
      specs = membrane_specs();
      specs.insert(specs.end(), synaptic.begin(), synaptic.end());
      fields = bind_membrane(alpha);
      fields["tau_syn_ex"] = &alpha.tau_syn_ex;
      fields["tau_syn_in"] = &alpha.tau_syn_in;
      facts.weight = Dimension::current;
    } else {
      specs = {{"E_L", Dimension::voltage},     {"C_m", Dimension::capacitance},
               {"t_ref", Dimension::time},      {"V_th", Dimension::voltage},
               {"V_reset", Dimension::voltage}, {"I_e", Dimension::current},
               {"g_L", Dimension::conductance}, {"E_ex", Dimension::voltage},
               {"E_in", Dimension::voltage},    {"tau_syn_ex", Dimension::time},
               {"tau_syn_in", Dimension::time}};
      fields = {{"E_L", &cond.E_L},
                {"C_m", &cond.C_m},
                {"t_ref", &cond.t_ref},
                {"V_th", &cond.V_th},
                {"V_reset", &cond.V_reset},
                {"I_e", &cond.I_e},
                {"g_L", &cond.g_L},
                {"E_ex", &cond.E_ex},
                {"E_in", &cond.E_in},
                {"tau_syn_ex", &cond.tau_syn_ex},
                {"tau_syn_in", &cond.tau_syn_in}};
      facts.weight = Dimension::conductance;
    }

    if (params) {
      std::vector<std::string> known;
      for (const auto& s : specs) known.push_back(s.name);
      if (weights_in_mV) known.push_back("weights_in_mV");
      const Table t(ctx_, *params, params_key, known);
      for (const auto& s : specs)
        if (const Value* x = t.find(s.name))
          *fields.at(s.name) = quantity(ctx_, *x, t.child_key(s.name), s.dimension);
      if (weights_in_mV)
        if (const Value* x = t.find("weights_in_mV")) {
          *weights_in_mV = boolean(ctx_, *x, t.child_key("weights_in_mV"));
          if (*weights_in_mV) facts.weight = Dimension::voltage;
        }
    }

    try {
      if (facts.model == "lif_delta") return models::make_lif_delta(n, delta);
      if (facts.model == "lif_exp") return models::make_lif_exp(n, exp);
      if (facts.model == "lif_alpha") return models::make_lif_alpha(n, alpha);
      if (facts.model == "if_subtract") return models::make_if_subtract(n, subtract);
      return models::make_lif_cond_exp(n, cond);
    } catch (const ConfigError& e) {
      rethrow_at_param(ctx_, e, params, params_key, params ? *params : pop,
                       params ? params_key : pop_key);
    }
  }

  // A DNN module (io/module_loader.hpp) whose tensors come from the HDF5 file `weights`
  // (relative to the model file that names it) in `group`, wrapped by the module adapter.
  // Its size is the module's output size; `size`, if given, must equal it.
  std::unique_ptr<Population> make_module(PopulationFacts& facts, const Value* params,
                                          const std::string& params_key, const Table& pop) {
    if (!params) ctx_.fail(*facts.table, params_key, "missing: a module needs params.weights");
    const Table t(ctx_, *params, params_key,
                  {"weights", "group", "activation", "height", "width", "stride_h", "stride_w",
                   "pad_h", "pad_w", "features", "eps", "n", "sigma", "update_interval"});
    io::ModuleSpec spec;
    spec.kind = facts.model;
    const Value& weights = t.get("weights");
    spec.weights = relative_to_file(weights, string(ctx_, weights, t.child_key("weights")));
    if (const Value* g = t.find("group")) spec.group = string(ctx_, *g, t.child_key("group"));
    if (const Value* a = t.find("activation"))
      spec.activation = choice(ctx_, *a, t.child_key("activation"), "activation",
                               {"identity", "relu", "sigmoid", "tanh"});
    const auto count = [&](const char* name, std::size_t& field, std::int64_t least) {
      const Value* v = t.find(name);
      if (!v) return;
      const std::int64_t x = integer(ctx_, *v, t.child_key(name));
      if (x < least || x > (std::int64_t{1} << 31))
        ctx_.fail(*v, t.child_key(name),
                  concat("must be an integer in [", least, ", 2^31], got ", x));
      field = static_cast<std::size_t>(x);
    };
    if (facts.model == "conv2d") {
      count("height", spec.height, 1);
      count("width", spec.width, 1);
      if (!t.find("height") || !t.find("width"))
        ctx_.fail(*params, params_key, "conv2d needs the input's height and width");
    }
    count("stride_h", spec.stride_h, 1);
    count("stride_w", spec.stride_w, 1);
    count("pad_h", spec.pad_h, 0);
    count("pad_w", spec.pad_w, 0);
    count("features", spec.features, 1);
    if (const Value* v = t.find("eps"))
      spec.eps = positive(ctx_, *v, t.child_key("eps"), Dimension::dimensionless);
    if (const Value* v = t.find("n"))
      spec.n = positive(ctx_, *v, t.child_key("n"), Dimension::dimensionless);
    if (const Value* v = t.find("sigma"))
      spec.sigma = non_negative(ctx_, *v, t.child_key("sigma"), Dimension::dimensionless);
    double interval = 0.0;
    if (const Value* v = t.find("update_interval"))
      interval = non_negative(ctx_, *v, t.child_key("update_interval"), Dimension::time);
    facts.update_interval = interval;
    facts.update_interval_value = t.find("update_interval");
    facts.weight = Dimension::dimensionless;

    std::unique_ptr<dnn::Module> module;
    try {
      module = io::load_module(spec);
    } catch (const ConfigError& e) {
      ctx_.fail(weights, t.child_key("weights"), e.what());
    }
    facts.size = module->output_size();
    facts.input_size = module->input_size();
    if (const Value* s = pop.find("size")) {
      const std::int64_t n = integer(ctx_, *s, pop.child_key("size"));
      if (n < 0 || static_cast<std::uint64_t>(n) != facts.size)
        ctx_.fail(*s, pop.child_key("size"),
                  concat("must equal the output size of the ", facts.model, " module (", facts.size,
                         ", from its tensors), got ", n));
    }
    try {
      return models::make_module_adapter(std::move(module), interval);
    } catch (const ConfigError& e) {
      ctx_.fail(weights, t.child_key("weights"), e.what());
    }
  }

  // A file name written in a model file, relative to the directory of that file.
  fs::path relative_to_file(const Value& v, const std::string& name) const {
    const fs::path given(name);
    if (given.is_absolute()) return given;
    const std::string file = v.location().file_name();
    const fs::path base = file.rfind(kOverrideFile, 0) == 0 ? out_.path : fs::path(file);
    return base.parent_path() / given;
  }

  // Reads `params` for a rate population or a converter (models/rate.hpp,
  // models/converters.hpp) and constructs it; their inputs and outputs are plain numbers.
  std::unique_ptr<Population> make_adapter_model(PopulationFacts& facts, std::uint64_t size,
                                                 const Value* params, const std::string& params_key,
                                                 const Value& pop, const std::string& pop_key) {
    const NeuronIndex n = static_cast<NeuronIndex>(size);
    facts.weight = Dimension::dimensionless;
    const Value empty = toml::table{};
    const Value& given = params ? *params : empty;
    const auto read = [&](const Table& t, const char* name, Dimension d, double& field) {
      if (const Value* x = t.find(name)) field = quantity(ctx_, *x, t.child_key(name), d);
    };
    const auto interval = [&](const Table& t, double& field) {
      read(t, "update_interval", Dimension::time, field);
      facts.update_interval = field;
      facts.update_interval_value = t.find("update_interval");
    };
    try {
      if (facts.model == "rate") {
        const Table t(ctx_, given, params_key,
                      {"tau", "b", "phi", "gain", "theta", "r_max", "update_interval", "E_L", "C_m",
                       "tau_m", "t_ref", "V_th", "V_reset", "sigma", "J_exc", "J_inh", "tau_syn"});
        models::RateParams p;
        // The LIF neuron of phi = lif / siegert (models/rate.hpp).
        read(t, "E_L", Dimension::voltage, p.neuron.E_L);
        read(t, "C_m", Dimension::capacitance, p.neuron.C_m);
        read(t, "tau_m", Dimension::time, p.neuron.tau_m);
        read(t, "t_ref", Dimension::time, p.neuron.t_ref);
        read(t, "V_th", Dimension::voltage, p.neuron.V_th);
        read(t, "V_reset", Dimension::voltage, p.neuron.V_reset);
        read(t, "J_exc", Dimension::voltage, p.J_exc);
        read(t, "J_inh", Dimension::voltage, p.J_inh);
        read(t, "tau_syn", Dimension::time, p.tau_syn);
        if (t.find("sigma")) {
          p.sigma = 0.0;
          read(t, "sigma", Dimension::voltage, *p.sigma);
        }
        read(t, "tau", Dimension::time, p.tau);
        read(t, "b", Dimension::dimensionless, p.b);
        read(t, "gain", Dimension::dimensionless, p.gain);
        read(t, "theta", Dimension::dimensionless, p.theta);
        read(t, "r_max", Dimension::rate, p.r_max);
        interval(t, p.update_interval);
        if (const Value* x = t.find("phi"))
          p.phi = models::transfer_function(
              choice(ctx_, *x, t.child_key("phi"), "transfer function", kTransferFunctions));
        refuse_other_phi_params(t, p);
        return models::make_rate(n, p);
      }
      if (facts.model == "spikes_to_rates") {
        const Table t(ctx_, given, params_key, {"filter", "tau", "window", "update_interval"});
        models::SpikesToRatesParams p;
        if (const Value* x = t.find("filter"))
          p.filter = choice(ctx_, *x, t.child_key("filter"), "filter", kFilters) == "box"
                         ? models::SpikesToRatesParams::Filter::box
                         : models::SpikesToRatesParams::Filter::exponential;
        read(t, "tau", Dimension::time, p.tau);
        read(t, "window", Dimension::time, p.window);
        interval(t, p.update_interval);
        if (p.filter == models::SpikesToRatesParams::Filter::box)
          facts.extra_bytes = 8.0 * static_cast<double>(n) * std::ceil(p.window / grid_->dt());
        return models::make_spikes_to_rates(n, p);
      }
      const Table t(ctx_, given, params_key, {});
      facts.update_interval = 0.0;
      return models::make_rates_to_spikes(n);
    } catch (const ModelFileError&) {
      throw;
    } catch (const ConfigError& e) {
      rethrow_at_param(ctx_, e, params, params_key, params ? *params : pop,
                       params ? params_key : pop_key);
    }
  }

  // A rate parameter that the population's phi does not read is refused, not ignored: it
  // is a typo or a phi the user meant to set.
  //   populations.R.params.sigma: key 'sigma' applies to phi = "siegert" only; this
  //   population has phi = "relu"
  void refuse_other_phi_params(const Table& t, const models::RateParams& p) const {
    using models::TransferFunction;
    const std::vector<TransferFunction> shaped = {
        TransferFunction::threshold_linear, TransferFunction::sigmoid, TransferFunction::tanh};
    const std::vector<TransferFunction> neuron = {TransferFunction::lif, TransferFunction::siegert};
    const std::vector<TransferFunction> siegert = {TransferFunction::siegert};
    const std::vector<std::pair<const char*, const std::vector<TransferFunction>*>> users = {
        {"gain", &shaped},    {"theta", &shaped},  {"r_max", &shaped},    {"E_L", &neuron},
        {"C_m", &neuron},     {"tau_m", &neuron},  {"t_ref", &neuron},    {"V_th", &neuron},
        {"V_reset", &neuron}, {"sigma", &siegert}, {"tau_syn", &siegert}, {"J_exc", &siegert},
        {"J_inh", &siegert}};
    const std::string phi = concat("phi = \"", models::transfer_function_name(p.phi), "\"",
                                   t.has("phi") ? "" : " (the default)");
    for (const auto& [name, phis] : users) {
      const Value* x = t.find(name);
      if (!x || std::find(phis->begin(), phis->end(), p.phi) != phis->end()) continue;
      std::string names;
      for (const TransferFunction f : *phis)
        names += concat(names.empty() ? "" : ", ", "\"", models::transfer_function_name(f), "\"");
      ctx_.fail(*x, t.child_key(name),
                concat("key '", name, "' applies to phi = ", names,
                       phis->size() == 1 ? " only" : "", "; this population has ", phi));
    }
    for (const char* name : {"J_exc", "J_inh"})
      if (const Value* x = t.find(name); x && p.sigma)
        ctx_.fail(*x, t.child_key(name),
                  concat("key '", name, "' sets the jumps from which siegert derives sigma; ",
                         "sigma is given here, so it would be ignored (remove one of the two)"));
  }

  // Network::build() refuses an adapter whose update interval does not divide the window
  // (the smallest delay); when every delay is a constant the window is known here, and the
  // error can point at the interval in the file.
  void check_update_intervals() const {
    double min_delay = std::numeric_limits<double>::infinity();
    for (const auto& p : projections_) {
      if (!p.constant_delay) return;
      if (p.expected_synapses > 0) min_delay = std::min(min_delay, p.min_delay_ms);
    }
    constexpr Step kMaxWindowSteps = 1000;  // as in Network::build_connections
    const Step window = std::isfinite(min_delay)
                            ? std::min(grid_->nearest_steps(min_delay), kMaxWindowSteps)
                            : std::clamp<Step>(grid_->nearest_steps(1.0), 1, kMaxWindowSteps);
    for (const auto& p : populations_) {
      if (p.update_interval < 0) continue;
      const Step k = std::max<Step>(1, grid_->nearest_steps(p.update_interval));
      if (window % k == 0) continue;
      const std::string message = concat(
          grid_->time_of(k), " ms (", k, " steps) must divide the window of ", window, " steps (",
          grid_->time_of(window), " ms: the smallest delay, at most 1000 steps)");
      const std::string where = concat("populations.", p.name);
      if (p.update_interval_value)
        ctx_.fail(*p.update_interval_value, concat(where, ".params.update_interval"), message);
      ctx_.fail(*p.table, where, concat("update_interval of ", message));
    }
  }

  // --- [[inputs]] ---
  void input(const Value& v, std::size_t index) {
    std::string key = concat("inputs.", index);
    if (v.is_table() && v.as_table().count("name") && v.at("name").is_string())
      key = concat("inputs.", v.at("name").as_string().str);
    const Table t(ctx_, v, key,
                  {"name", "type", "target", "rate", "weight", "start", "stop", "amplitude",
                   "times", "amplitudes"});
    const std::string type =
        choice(ctx_, t.get("type"), t.child_key("type"), "input type", kInputTypes);
    const PopulationFacts& target = find_population(t.get("target"), t.child_key("target"));
    if (!target.accepts_input)
      ctx_.fail(
          t.get("target"), t.child_key("target"),
          concat("population '", target.name, "' (", target.model, ") does not accept input"));

    const std::map<std::string, std::vector<std::string>> keys_of = {
        {"poisson", {"rate", "weight", "start", "stop"}},
        {"dc", {"amplitude", "start", "stop"}},
        {"step_current", {"times", "amplitudes"}}};
    const auto& allowed = keys_of.at(type);
    for (const auto& k : {"rate", "weight", "start", "stop", "amplitude", "times", "amplitudes"})
      if (t.has(k) && std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        ctx_.fail(*t.find(k), t.child_key(k),
                  concat("key '", k, "' does not apply to a ", type, " input (it takes ",
                         join(allowed), ")"));

    auto time_or = [&](const char* name, double fallback) {
      const Value* x = t.find(name);
      return x ? quantity(ctx_, *x, t.child_key(name), Dimension::time) : fallback;
    };
    std::unique_ptr<Input> made;
    try {
      if (type == "poisson") {
        models::PoissonParams p;
        p.rate = non_negative(ctx_, t.get("rate"), t.child_key("rate"), Dimension::rate);
        p.weight = quantity(ctx_, t.get("weight"), t.child_key("weight"), target.weight);
        p.start = time_or("start", 0.0);
        p.stop = time_or("stop", models::kForever);
        made = models::make_poisson_input(p);
      } else if (type == "dc") {
        models::DcParams p;
        p.amplitude =
            quantity(ctx_, t.get("amplitude"), t.child_key("amplitude"), Dimension::current);
        p.start = time_or("start", 0.0);
        p.stop = time_or("stop", models::kForever);
        made = models::make_dc_input(p);
      } else {
        models::StepCurrentParams p;
        p.times = quantity_list(ctx_, t.get("times"), t.child_key("times"), Dimension::time);
        p.amplitudes =
            quantity_list(ctx_, t.get("amplitudes"), t.child_key("amplitudes"), Dimension::current);
        made = models::make_step_current_input(p);
      }
      made->prepare(*grid_);
    } catch (const ModelFileError&) {
      throw;
    } catch (const ConfigError& e) {
      rethrow_at_param(ctx_, e, &v, key, v, key);
    }
    out_.network->add_input(target.handle, std::move(made));
  }

  // --- [[projections]] ---
  void projection(const Value& v, std::size_t index) {
    const std::string anonymous = concat("projections.", index);
    const std::vector<std::string> known = {
        "name",           "source",          "target",  "rule",   "p",     "k",      "n",
        "allow_autapses", "allow_multapses", "synapse", "weight", "delay", "offset", "plasticity"};
    const std::string given = element_name(v);
    const std::string key = given.empty() ? anonymous : concat("projections.", given);
    const Table t(ctx_, v, key, known);
    const PopulationFacts& source = find_population(t.get("source"), t.child_key("source"));
    const PopulationFacts& target = find_population(t.get("target"), t.child_key("target"));
    std::string name = concat(source.name, "->", target.name);
    if (const Value* n = t.find("name")) {
      name = string(ctx_, *n, t.child_key("name"));
      require_group_name(ctx_, *n, t.child_key("name"), name);
    }
    for (const auto& p : projections_)
      if (p.name == name)
        ctx_.fail(v, key,
                  concat("a projection named '", name,
                         "' already exists; give this one a "
                         "different name = \"...\""));
    if (!target.accepts_input)
      ctx_.fail(
          t.get("target"), t.child_key("target"),
          concat("population '", target.name, "' (", target.model, ") does not accept input"));

    // Rule and its one parameter.
    const std::string rule_name = choice(ctx_, t.get("rule"), t.child_key("rule"), "rule", kRules);
    const std::map<std::string, std::string> parameter_of = {{"pairwise_bernoulli", "p"},
                                                             {"fixed_indegree", "k"},
                                                             {"fixed_outdegree", "k"},
                                                             {"fixed_total_number", "n"}};
    const auto own = parameter_of.find(rule_name);
    for (const std::string k : {"p", "k", "n"})
      if (t.has(k) && (own == parameter_of.end() || own->second != k))
        ctx_.fail(*t.find(k), t.child_key(k),
                  concat("key '", k, "' does not apply to rule ", rule_name,
                         own == parameter_of.end() ? std::string(" (it takes no parameter)")
                                                   : concat(" (it takes ", own->second, ")")));
    ConnectionRule rule;
    const Value* param = own == parameter_of.end() ? nullptr : &t.get(own->second);
    const std::string param_key = own == parameter_of.end() ? "" : t.child_key(own->second);
    if (rule_name == "all_to_all") rule = ConnectionRule::all_to_all();
    if (rule_name == "one_to_one") rule = ConnectionRule::one_to_one();
    if (rule_name == "pairwise_bernoulli")
      rule = ConnectionRule::pairwise_bernoulli(
          quantity(ctx_, *param, param_key, Dimension::dimensionless));
    if (param && rule_name != "pairwise_bernoulli") {
      const std::int64_t count = integer(ctx_, *param, param_key);
      if (count < 0) ctx_.fail(*param, param_key, concat("must be >= 0, got ", count));
      const auto c = static_cast<std::uint64_t>(count);
      rule = rule_name == "fixed_indegree"    ? ConnectionRule::fixed_indegree(c)
             : rule_name == "fixed_outdegree" ? ConnectionRule::fixed_outdegree(c)
                                              : ConnectionRule::fixed_total_number(c);
    }
    if (const Value* x = t.find("allow_autapses"))
      rule.allow_autapses = boolean(ctx_, *x, t.child_key("allow_autapses"));
    if (const Value* x = t.find("allow_multapses"))
      rule.allow_multapses = boolean(ctx_, *x, t.child_key("allow_multapses"));

    const ProjectionGeometry geometry{
        out_.settings.seed, projections_.size(), static_cast<NeuronIndex>(source.size),
        static_cast<NeuronIndex>(target.input_size ? target.input_size : target.size),
        source.handle.index == target.handle.index};
    try {
      validate_rule(rule, geometry, name);
    } catch (const ConfigError& e) {
      std::string message = e.what();
      const std::size_t cut = message.find("): ");
      if (cut != std::string::npos) message = message.substr(cut + 3);
      const std::string word = own == parameter_of.end() ? "" : own->second + " ";
      if (!word.empty() && message.rfind(word, 0) == 0) message = message.substr(word.size());
      if (param) ctx_.fail(*param, param_key, message);
      ctx_.fail(t.get("rule"), t.child_key("rule"), message);
    }

    std::string synapse = "static";
    if (const Value* s = t.find("synapse"))
      synapse = choice(ctx_, *s, t.child_key("synapse"), "synapse model", kSynapseModels);

    SynapseSpec spec;
    // A current synapse (rates to currents): weight = gain, pA per unit of the source's
    // output, and an offset in pA.
    const bool current = synapse == "current";
    const Dimension weight_unit = current ? Dimension::current : target.weight;
    if (is_weight_matrix(t.get("weight"))) {
      if (rule_name != "all_to_all")
        ctx_.fail(t.get("rule"), t.child_key("rule"),
                  concat("weights from a file (weight = { file = ... }) need rule = ",
                         "\"all_to_all\", got \"", rule_name, "\""));
      const Value& file = t.get("weight").as_table().at("file");
      const std::string file_key = concat(t.child_key("weight"), ".file");
      const MatrixShape shape{target.input_size ? target.input_size : target.size, source.size,
                              concat(source.name, " -> ", target.name)};
      spec.weight_matrix =
          weight_matrix(ctx_, t.get("weight"), t.child_key("weight"), weight_unit,
                        relative_to_file(file, string(ctx_, file, file_key)), shape);
    } else {
      spec.weight = distribution(ctx_, t.get("weight"), t.child_key("weight"), weight_unit);
    }
    if (current) {
      spec.kind = SynapseSpec::Kind::current;
      if (const Value* x = t.find("offset"))
        spec.offset = quantity(ctx_, *x, t.child_key("offset"), Dimension::current);
    } else if (const Value* x = t.find("offset")) {
      ctx_.fail(*x, t.child_key("offset"),
                "key 'offset' applies only to synapse = \"current\" (rates to currents)");
    }
    const Value& delay_value = t.get("delay");
    const std::string delay_key = t.child_key("delay");
    spec.delay = distribution(ctx_, delay_value, delay_key, Dimension::time);
    const double dt = grid_->dt();
    if (spec.delay.is_constant()) {
      const double d = spec.delay.a();
      if (!(d >= dt * (1.0 - 1e-9)))
        ctx_.fail(delay_value, delay_key, concat("must be >= dt = ", dt, " ms, got ", d, " ms"));
      on_grid(ctx_, delay_value, delay_key, d, *grid_);
    } else if (spec.delay.min_value() < dt * (1.0 - 1e-9)) {
      ctx_.fail(delay_value, delay_key,
                concat(spec.delay.describe(), " can draw delays below dt = ", dt,
                       " ms; bound it with min = ", dt, " (or more)"));
    }

    try {
      out_.network->connect(source.handle, target.handle, rule, spec, name);
    } catch (const ConfigError& e) {
      std::string message = e.what();
      const std::string prefix = concat("projection '", name, "': ");
      if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
      if (message.rfind("delay ", 0) == 0) ctx_.fail(delay_value, delay_key, message.substr(6));
      if (message.rfind("synapse 'current'", 0) == 0 && t.find("synapse"))
        ctx_.fail(*t.find("synapse"), t.child_key("synapse"), message);
      if (message.rfind("offset ", 0) == 0 && t.find("offset"))
        ctx_.fail(*t.find("offset"), t.child_key("offset"), message.substr(7));
      ctx_.fail(v, key, message);
    }
    const ProjectionHandle handle{static_cast<std::uint32_t>(projections_.size())};
    if (const Value* pl = t.find("plasticity"))
      plasticity(*pl, t.child_key("plasticity"), handle, source, target, t.get("weight"),
                 t.child_key("weight"));

    ProjectionFacts facts;
    facts.name = name;
    facts.sources = source.size;
    facts.targets = target.input_size ? target.input_size : target.size;
    facts.expected_synapses = expected_synapse_count(rule, geometry);
    facts.max_delay_ms = estimated_max(spec.delay);
    facts.min_delay_ms = spec.delay.min_value();
    facts.constant_delay = spec.delay.is_constant();
    facts.plastic = t.has("plasticity");
    projections_.push_back(facts);
    out_.projection_names.push_back(name);
  }

  // plasticity = { rule = "stdp", scheme = ..., ... } or { rule = "triplet", preset = ... }
  // on a projection (models/stdp.hpp has every parameter).
  void plasticity(const Value& v, const std::string& key, ProjectionHandle handle,
                  const PopulationFacts& source, const PopulationFacts& target, const Value& weight,
                  const std::string& weight_key) {
    if (!v.is_table()) ctx_.fail(v, key, concat("expected a table, got ", show(v)));
    const Value* rule_value = v.as_table().count("rule") ? &v.as_table().at("rule") : nullptr;
    if (!rule_value)
      ctx_.fail(v, key,
                "missing required key 'rule' (\"stdp\" or \"triplet\"; \"hebb\" or \"oja\" "
                "between rate populations)");
    const std::string rule = choice(ctx_, *rule_value, key + ".rule", "plasticity rule",
                                    {"stdp", "triplet", "hebb", "oja"});
    const Dimension w = target.weight;
    std::unique_ptr<Plasticity> made;
    try {
      if (rule == "hebb" || rule == "oja") {
        made = rate_learning_rule(
            ctx_, v, key,
            {rule, source.model, target.model, source.name, target.name, graded_source(source)});
      } else if (source.update_interval >= 0 || target.update_interval >= 0) {
        ctx_.fail(*rule_value, key + ".rule",
                  concat("rule '", rule, "' pairs spikes of spiking populations; '", source.name,
                         "' -> '", target.name,
                         "' involves an adapter (between rate populations: hebb or oja)"));
      } else if (rule == "stdp") {
        const Table t(
            ctx_, v, key,
            {"rule", "scheme", "weight_dependence", "tau_plus", "tau_minus", "A_plus", "A_minus",
             "mu_plus", "mu_minus", "lambda", "alpha", "mu", "w_min", "w_max"});
        models::StdpParams p;
        if (const Value* x = t.find("scheme"))
          p.scheme = models::pairing_scheme_from(choice(
              ctx_, *x, t.child_key("scheme"), "pairing scheme", models::pairing_scheme_names()));
        if (const Value* x = t.find("weight_dependence"))
          p.weight_dependence = models::weight_dependence_from(
              choice(ctx_, *x, t.child_key("weight_dependence"), "weight dependence",
                     models::weight_dependence_names()));
        if (p.weight_dependence == models::WeightDependence::morrison2007) p.w_max = kInf;
        const std::vector<std::pair<const char*, double*>> times = {{"tau_plus", &p.tau_plus},
                                                                    {"tau_minus", &p.tau_minus}};
        const std::vector<std::pair<const char*, double*>> numbers = {{"A_plus", &p.A_plus},
                                                                      {"A_minus", &p.A_minus},
                                                                      {"mu_plus", &p.mu_plus},
                                                                      {"mu_minus", &p.mu_minus},
                                                                      {"lambda", &p.lambda},
                                                                      {"alpha", &p.alpha},
                                                                      {"mu", &p.mu}};
        read_params(t, times, Dimension::time);
        read_params(t, numbers, Dimension::dimensionless);
        read_params(t, {{"w_min", &p.w_min}, {"w_max", &p.w_max}}, w);
        made = models::make_stdp(p);
      } else {
        const Table t(ctx_, v, key,
                      {"rule", "preset", "variant", "tau_plus", "tau_minus", "tau_x", "tau_y",
                       "A2_plus", "A3_plus", "A2_minus", "A3_minus", "w_min", "w_max"});
        models::TripletParams p;
        if (const Value* x = t.find("preset"))
          p = models::triplet_preset(choice(ctx_, *x, t.child_key("preset"), "triplet preset",
                                            models::triplet_preset_names()));
        if (const Value* x = t.find("variant"))
          p.nearest = choice(ctx_, *x, t.child_key("variant"), "triplet variant",
                             {"all_to_all", "nearest"}) == "nearest";
        read_params(t,
                    {{"tau_plus", &p.tau_plus},
                     {"tau_minus", &p.tau_minus},
                     {"tau_x", &p.tau_x},
                     {"tau_y", &p.tau_y}},
                    Dimension::time);
        read_params(t,
                    {{"A2_plus", &p.A2_plus},
                     {"A3_plus", &p.A3_plus},
                     {"A2_minus", &p.A2_minus},
                     {"A3_minus", &p.A3_minus}},
                    Dimension::dimensionless);
        read_params(t, {{"w_min", &p.w_min}, {"w_max", &p.w_max}}, w);
        made = models::make_triplet(p);
      }
    } catch (const ModelFileError&) {
      throw;
    } catch (const ConfigError& e) {
      rethrow_at_param(ctx_, e, &v, key, v, key);
    }
    try {
      out_.network->set_plasticity(handle, std::move(made));
    } catch (const ConfigError& e) {
      std::string message = e.what();
      const std::size_t cut = message.find("weight ");
      ctx_.fail(weight, weight_key, cut == std::string::npos ? message : message.substr(cut + 7));
    }
  }

  // Whether a population's outputs are graded values (rates): rate, spikes_to_rates and the
  // modules; not spiking neurons nor rates_to_spikes.
  static bool graded_source(const PopulationFacts& p) {
    return p.update_interval >= 0 && p.model != "rates_to_spikes";
  }

  void read_params(const Table& t, const std::vector<std::pair<const char*, double*>>& params,
                   Dimension d) {
    for (const auto& [name, target] : params)
      if (const Value* x = t.find(name)) *target = quantity(ctx_, *x, t.child_key(name), d);
  }

  // The largest delay the estimate plans a ring buffer for: the bound if there is one,
  // else five standard deviations above the mean.
  static double estimated_max(const Distribution& d) {
    double m = d.max_value();
    if (std::isfinite(m)) return m;
    switch (d.kind()) {
      case Distribution::Kind::normal:
        m = d.a() + 5.0 * d.b();
        break;
      case Distribution::Kind::lognormal:
        m = std::exp(d.a() + 5.0 * d.b());
        break;
      default:
        m = d.mean_hint();
        break;
    }
    return m;
  }

  // --- [recordings] ---
  void recordings(const Value& v) {
    const Table t(ctx_, v, "recordings", {"spikes", "state", "weights"});
    if (const Value* spikes = t.find("spikes")) {
      const std::string key = t.child_key("spikes");
      if (spikes->is_string()) {
        if (spikes->as_string().str != "all")
          ctx_.fail(
              *spikes, key,
              concat("expected \"all\" or an array of population names, got ", show(*spikes)));
        for (const auto& p : populations_) record_spikes(p);
      } else {
        const auto& a = array(ctx_, *spikes, key);
        for (std::size_t i = 0; i < a.size(); ++i)
          record_spikes(find_population(a[i], concat(key, "[", i, "]")));
      }
    }
    if (const Value* state = t.find("state")) {
      const auto& a = array(ctx_, *state, t.child_key("state"));
      for (std::size_t i = 0; i < a.size(); ++i)
        state_recording(a[i], concat("recordings.state.", i));
    }
    if (const Value* weights = t.find("weights")) {
      const auto& a = array(ctx_, *weights, t.child_key("weights"));
      for (std::size_t i = 0; i < a.size(); ++i)
        weight_snapshot(a[i], concat("recordings.weights.", i));
    }
  }

  void record_spikes(const PopulationFacts& p) {
    out_.network->record_spikes(p.handle);
    spike_recorded_neurons_ += static_cast<double>(p.size);
  }

  void state_recording(const Value& v, const std::string& key) {
    const Table t(ctx_, v, key, {"population", "variable", "neurons", "interval"});
    const PopulationFacts& p = find_population(t.get("population"), t.child_key("population"));
    const Value& var = t.get("variable");
    const std::string variable = string(ctx_, var, t.child_key("variable"));
    if (std::find(p.state.begin(), p.state.end(), variable) == p.state.end())
      ctx_.fail(
          var, t.child_key("variable"),
          concat("population '", p.name, "' (", p.model, ") has no state variable '", variable, "'",
                 p.state.empty() ? std::string(" (it has none)") : suggestion(variable, p.state)));

    std::vector<NeuronIndex> neurons;
    if (const Value* n = t.find("neurons")) {
      const std::string nkey = t.child_key("neurons");
      if (n->is_string()) {
        if (n->as_string().str != "all")
          ctx_.fail(*n, nkey,
                    concat("expected \"all\" or an array of neuron indices, got ", show(*n)));
      } else {
        const auto& a = array(ctx_, *n, nkey);
        for (std::size_t i = 0; i < a.size(); ++i) {
          const std::string ikey = concat(nkey, "[", i, "]");
          const std::int64_t k = integer(ctx_, a[i], ikey);
          if (k < 0 || static_cast<std::uint64_t>(k) >= p.size)
            ctx_.fail(a[i], ikey,
                      concat("neuron index must be in [0, ", p.size - 1, "] (population '", p.name,
                             "' has ", p.size, " neurons), got ", k));
          neurons.push_back(static_cast<NeuronIndex>(k));
        }
        if (neurons.empty()) ctx_.fail(*n, nkey, "needs at least one neuron index, or \"all\"");
      }
    }
    double interval = grid_->dt();
    if (const Value* x = t.find("interval")) {
      interval = positive(ctx_, *x, t.child_key("interval"), Dimension::time);
      if (on_grid(ctx_, *x, t.child_key("interval"), interval, *grid_) < 1)
        ctx_.fail(*x, t.child_key("interval"),
                  concat("must be >= dt = ", grid_->dt(), " ms, got ", interval, " ms"));
    }
    const double count =
        neurons.empty() ? static_cast<double>(p.size) : static_cast<double>(neurons.size());
    try {
      out_.network->record_state(p.handle, variable, std::move(neurons), interval);
    } catch (const ConfigError& e) {
      ctx_.fail(v, key, e.what());
    }
    trace_values_ += count * std::floor(out_.settings.duration / interval + 1e-9);
  }

  // `sources` or `targets` of a weight recording: indices in [0, size); absent: all.
  std::vector<NeuronIndex> neuron_subset(const Table& t, const char* name, std::uint64_t size,
                                         const char* side, const std::string& projection) {
    std::vector<NeuronIndex> out;
    const Value* v = t.find(name);
    if (!v) return out;
    const std::string key = t.child_key(name);
    const auto& a = array(ctx_, *v, key);
    if (a.empty()) ctx_.fail(*v, key, "needs at least one neuron index (omit it for all)");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string ikey = concat(key, "[", i, "]");
      const std::int64_t k = integer(ctx_, a[i], ikey);
      if (k < 0 || static_cast<std::uint64_t>(k) >= size)
        ctx_.fail(a[i], ikey,
                  concat(side, " neuron index must be in [0, ", size - 1, "] (projection '",
                         projection, "' has ", size, " ", side, " neurons), got ", k));
      out.push_back(static_cast<NeuronIndex>(k));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void weight_snapshot(const Value& v, const std::string& key) {
    const Table t(ctx_, v, key, {"projection", "times", "interval", "sources", "targets"});
    const Value& pv = t.get("projection");
    const std::string name = string(ctx_, pv, t.child_key("projection"));
    const auto it = std::find(out_.projection_names.begin(), out_.projection_names.end(), name);
    if (it == out_.projection_names.end())
      ctx_.fail(pv, t.child_key("projection"),
                concat("unknown projection '", name, "'",
                       out_.projection_names.empty() ? std::string(" (there are none)")
                                                     : suggestion(name, out_.projection_names)));
    WeightSnapshotSpec spec;
    spec.projection = name;
    spec.handle = {static_cast<std::uint32_t>(it - out_.projection_names.begin())};
    const ProjectionFacts& proj = projections_[spec.handle.index];
    spec.sources = neuron_subset(t, "sources", proj.sources, "source", proj.name);
    spec.targets = neuron_subset(t, "targets", proj.targets, "target", proj.name);
    if (t.has("times") == t.has("interval"))
      ctx_.fail(v, key, "needs exactly one of 'times' (an array of ms) and 'interval' (ms)");
    if (const Value* x = t.find("interval")) {
      // Every `interval` ms from 0 to the end of the run.
      const std::string ikey = t.child_key("interval");
      const double ms = positive(ctx_, *x, ikey, Dimension::time);
      const Step k = on_grid(ctx_, *x, ikey, ms, *grid_);
      const Step total = grid_->nearest_steps(out_.settings.duration);
      if (k < 1)
        ctx_.fail(*x, ikey, concat("must be >= dt = ", grid_->dt(), " ms, got ", ms, " ms"));
      if (total / k > 100000)
        ctx_.fail(*x, ikey,
                  concat("gives ", total / k + 1, " snapshots; at most 100001 are allowed (make ",
                         "the interval >= ", grid_->time_of((total + 99999) / 100000), " ms)"));
      for (Step s = 0; s <= total; s += k) spec.times.push_back(grid_->time_of(s));
      out_.settings.weight_snapshots.push_back(std::move(spec));
      return;
    }
    const Value& times = t.get("times");
    const auto& a = array(ctx_, times, t.child_key("times"));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string tkey = concat(t.child_key("times"), "[", i, "]");
      const double ms = non_negative(ctx_, a[i], tkey, Dimension::time);
      on_grid(ctx_, a[i], tkey, ms, *grid_);
      if (!spec.times.empty() && !(ms > spec.times.back()))
        ctx_.fail(a[i], tkey,
                  concat("times must increase, got ", ms, " ms after ", spec.times.back(), " ms"));
      if (ms > out_.settings.duration)
        ctx_.fail(a[i], tkey,
                  concat("must be <= simulation.duration = ", out_.settings.duration,
                         " ms (a snapshot after the end would never be taken), got ", ms, " ms"));
      spec.times.push_back(ms);
    }
    out_.settings.weight_snapshots.push_back(std::move(spec));
  }

  // --- the estimate ---
  void estimate() {
    BuildEstimate& e = out_.estimate;
    const double partitions = out_.network->options().partitions;
    double bytes = 0.0;
    double max_delay_ms = 0.0;
    for (const auto& p : projections_) {
      e.synapses += p.expected_synapses;
      bytes += (p.plastic ? 10.0 : 8.0) * p.expected_synapses;
      // Plastic: 32 B of traces per source; per target a history of the post spikes of
      // about the last second (24 B each, at the assumed rate), its vector and the 32 B
      // summary of its last three.
      if (p.plastic)
        bytes += 32.0 * static_cast<double>(p.sources) +
                 static_cast<double>(p.targets) * (24.0 + 32.0 + 24.0 * kEstimateRateHz * 1.0);
      // In every partition that holds targets of the projection: static rows, an 8-byte
      // row offset per source; plastic rows, a 16-byte row header per source and at least
      // one 8-byte delay group per non-empty row.
      const double holding = std::min<double>(partitions, static_cast<double>(p.targets));
      if (p.expected_synapses > 0 && !p.plastic) {
        bytes += 8.0 * (static_cast<double>(p.sources) + 1.0) * holding;
      } else if (p.expected_synapses > 0) {
        bytes += 16.0 * static_cast<double>(p.sources) * holding;
        bytes += 8.0 * std::min(p.expected_synapses, static_cast<double>(p.sources) * holding);
      }
      max_delay_ms = std::max(max_delay_ms, p.max_delay_ms);
    }
    // Graded outputs are held for their adapter's interval beyond the largest delay.
    double longest_hold = 1.0;
    for (const auto& p : populations_)
      if (p.update_interval > 0)
        longest_hold = std::max(longest_hold, std::nearbyint(p.update_interval / grid_->dt()));
    const double slots =
        projections_.empty()
            ? 1.0
            : std::min(65535.0, std::nearbyint(max_delay_ms / grid_->dt())) + longest_hold;
    for (const auto& p : populations_) {
      e.neurons += p.size;
      const double n = static_cast<double>(p.size);
      bytes += p.extra_bytes;
      // State arrays (double each), the refractory step and the step's current.
      bytes += n * (8.0 * static_cast<double>(p.state.size()) + 8.0 + 8.0);
      if (p.accepts_input) bytes += 16.0 * n * slots;  // excitatory and inhibitory rings
    }
    // Recorded spikes (16 bytes each) at an assumed mean rate, and trace values.
    if (ctx_.options.keep_recordings_in_memory) {
      bytes += 16.0 * spike_recorded_neurons_ * kEstimateRateHz * out_.settings.duration * 1e-3;
      bytes += 8.0 * trace_values_;
    }
    // A partition builds one projection at a time, whose synapses then also exist unpacked
    // (16 bytes each, generated, and again sorted); as many partitions are built at once as
    // there are threads.
    double largest = 0.0;
    for (const auto& p : projections_) largest = std::max(largest, p.expected_synapses);
    const double threads = out_.network->threads();
    bytes += 32.0 * largest * std::min(threads, partitions) / partitions;
    e.memory_bytes = bytes;
  }

  const Context& ctx_;
  const Value& root_;
  const Value& file_root_;
  LoadedModel& out_;
  std::unique_ptr<TimeGrid> grid_;
  std::vector<PopulationFacts> populations_;
  std::vector<ProjectionFacts> projections_;
  double spike_recorded_neurons_ = 0.0;
  double trace_values_ = 0.0;
  double state_bytes_ = 0.0;  // state arrays of the populations loaded so far
};

LoadedModel load(const std::filesystem::path& path, const std::string* text,
                 const std::vector<Override>& overrides, const LoadOptions& options) {
  Context ctx;
  ctx.options = options;
  for (const auto& o : overrides) ctx.override_keys.push_back(o.key);

  FileLoader files(ctx);
  Value root = files.load(path, path.string(), nullptr, text);
  for (std::size_t i = 0; i < overrides.size(); ++i) apply_override(root, overrides[i], i + 1);

  LoadedModel model;
  model.path = path;
  model.model_text = files.text();
  model.resolved_text = toml::format(root);
  Builder(ctx, root, files.root(), model).build();
  return model;
}

}  // namespace

LoadedModel load_model_file(const std::filesystem::path& path,
                            const std::vector<Override>& overrides, const LoadOptions& options) {
  return load(path, nullptr, overrides, options);
}

LoadedModel load_model_text(const std::string& text, const std::filesystem::path& name,
                            const std::vector<Override>& overrides, const LoadOptions& options) {
  return load(name, &text, overrides, options);
}

}  // namespace spikeflow::io
