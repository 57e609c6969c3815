#include "models/stdp.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>

#include "engine/error.hpp"

namespace spikeflow::models {

namespace {

constexpr Step kNever = std::numeric_limits<Step>::min() / 4;
constexpr double kInf = std::numeric_limits<double>::infinity();

const std::vector<std::string> kSchemeNames = {"all_to_all", "nearest_symmetric",
                                               "nearest_presynaptic_centred",
                                               "nearest_restricted_symmetric"};
const std::vector<std::string> kDependenceNames = {"additive", "multiplicative", "gutig",
                                                   "morrison2007"};
const std::vector<std::string> kPresetNames = {"visual_cortex_all_to_all", "visual_cortex_nearest",
                                               "hippocampal_all_to_all", "hippocampal_nearest"};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void require_positive(std::string_view rule, const char* name, double v, const char* unit) {
  if (!(v > 0.0) || !std::isfinite(v))
    throw ConfigError(concat(rule, ": ", name, " must be a finite number > 0", unit, ", got ", v));
}
// Trace time constants are bounded above: post-spike history is kept for 40 tau_plus (the
// pairing horizon), so a tau of hours would keep every post spike of the run in memory.
constexpr double kMaxTraceTauMs = 2000.0;
void require_time_constant(std::string_view rule, const char* name, double v) {
  require_positive(rule, name, v, " ms");
  if (v > kMaxTraceTauMs)
    throw ConfigError(concat(rule, ": ", name, " must be <= ", kMaxTraceTauMs,
                             " ms (history is kept for 40 tau_plus), got ", v, " ms"));
}
void require_non_negative(std::string_view rule, const char* name, double v) {
  if (!(v >= 0.0) || !std::isfinite(v))
    throw ConfigError(concat(rule, ": ", name, " must be a finite number >= 0, got ", v));
}
void require_bounds(std::string_view rule, double w_min, double w_max, bool infinite_max) {
  if (!(w_min >= 0.0) || !std::isfinite(w_min))
    throw ConfigError(concat(rule, ": w_min must be a finite number >= 0, got ", w_min));
  if (!(w_max > w_min) || (!infinite_max && !std::isfinite(w_max)))
    throw ConfigError(concat(rule, ": w_max must be ", infinite_max ? "" : "finite and ",
                             "> w_min = ", w_min, ", got ", w_max));
}

// One post spike of a target neuron: its step, the post trace y (o1) just after it, and
// for the triplet rule the slow post trace o2 just before it.
struct PostEntry {
  Step step;
  double y;
  double o2_before;
};

// The last three post spikes of a target neuron, mirroring the tail of its history: what
// delivery reads of a target in almost every case, in 32 bytes per target (two targets per
// cache line; N3's 9000 targets take 288 KB) instead of a vector header and a heap block
// (a dependent cache miss each). `newest` is the step of the newest entry, y_newest and
// y_previous the post traces just after it and after the entry before it; that entry and
// the one before it are gap_previous and gap_third steps older than the newest. A gap of 0
// marks an entry the history does not have (a neuron spikes at most once a step, so real
// gaps are >= 1); kFarGap an entry 2^32 - 1 or more steps older, for which the reader goes
// to the history itself. The triplet rule's o2 values are kept apart (TripletSummary).
struct alignas(32) PostSummary {
  Step newest = kNever;
  double y_newest = 0.0;
  double y_previous = 0.0;
  std::uint32_t gap_previous = 0;
  std::uint32_t gap_third = 0;
};
static_assert(sizeof(PostSummary) == 32);
constexpr std::uint32_t kFarGap = std::numeric_limits<std::uint32_t>::max();

// The triplet rule's slow post trace o2 just before the newest entry and the one before it.
struct TripletSummary {
  double o2_previous = 0.0;
  double o2_newest = 0.0;
};

// How the rule pairs spikes at delivery; all_to_all and nearest_symmetric differ only in
// their traces (begin_window), so they share the delivery code. The per-synapse code is
// compiled once per (Pairing, WeightDependence), without branches on either.
enum class Pairing { pair, restricted, pre_centred, triplet };

// Calls f.template operator()<P, D>() with P = `pairing` and D = `dependence` (the
// triplet rule is additive, with its own amounts).
template <Pairing P, typename F>
decltype(auto) with_dependence(WeightDependence dependence, F& f) {
  switch (dependence) {
    case WeightDependence::additive:
      return f.template operator()<P, WeightDependence::additive>();
    case WeightDependence::multiplicative:
      return f.template operator()<P, WeightDependence::multiplicative>();
    case WeightDependence::gutig:
      return f.template operator()<P, WeightDependence::gutig>();
    case WeightDependence::morrison2007:
      return f.template operator()<P, WeightDependence::morrison2007>();
  }
  __builtin_unreachable();
}

template <typename F>
decltype(auto) with_rule(Pairing pairing, WeightDependence dependence, F&& f) {
  switch (pairing) {
    case Pairing::pair:
      return with_dependence<Pairing::pair>(dependence, f);
    case Pairing::restricted:
      return with_dependence<Pairing::restricted>(dependence, f);
    case Pairing::pre_centred:
      return with_dependence<Pairing::pre_centred>(dependence, f);
    case Pairing::triplet:
      return f.template operator()<Pairing::triplet, WeightDependence::additive>();
  }
  __builtin_unreachable();
}

// One pre spike of a source neuron and the all-to-all pre trace just after it (kept only
// for nearest_presynaptic_centred).
struct PreEntry {
  Step step;
  double x;
};

// Per source neuron: the last spike and the pre traces just after it.
struct SourceState {
  Step last = kNever;
  double x = 0.0;   // r1
  double r2 = 0.0;  // triplet
  bool flushed = false;
};

// What on_pre needs of pre spike k of the window: its source's state before the spike.
struct PreSnapshot {
  Step step;
  Step prev;
  double x_prev;
  double r2_before;  // triplet: r2 just before this spike
  NeuronIndex source;
  bool flushed;
};

struct Flush {
  NeuronIndex source;
  Step prev;
  double x_prev;
};

// Drops the entries of `h` older than `cutoff` but the newest of them, which still answers
// "the last spike before t" for every t after the cutoff.
// Histories of all neurons as flat arrays: count (one per neuron), step, a, b.
template <typename Entry, typename Values>
void save_histories(const StateSection& out, const std::vector<std::vector<Entry>>& histories,
                    Values values) {
  std::vector<std::uint64_t> count;
  std::vector<std::int64_t> step;
  std::vector<double> a, b;
  for (const auto& h : histories) {
    count.push_back(h.size());
    for (const Entry& e : h) {
      const std::array<double, 2> v = values(e);
      step.push_back(e.step);
      a.push_back(v[0]);
      b.push_back(v[1]);
    }
  }
  out.write("count", count);
  out.write("step", step);
  out.write("a", a);
  out.write("b", b);
}

template <typename Entry, typename Make>
void load_histories(const StateSource& in, std::vector<std::vector<Entry>>& histories, Make make) {
  std::vector<std::uint64_t> count(histories.size());
  in.read("count", count);
  std::uint64_t total = 0;
  for (std::uint64_t c : count) total += c;
  std::vector<std::int64_t> step(total);
  std::vector<double> a(total), b(total);
  in.read("step", step);  // the reader checks each length against the counts' sum
  in.read("a", a);
  in.read("b", b);
  std::size_t k = 0;
  for (std::size_t n = 0; n < histories.size(); ++n) {
    histories[n].clear();
    for (std::uint64_t j = 0; j < count[n]; ++j, ++k)
      histories[n].push_back(make(step[k], a[k], b[k]));
  }
}

template <typename Entry>
void prune(std::vector<Entry>& h, Step cutoff) {
  const auto first_new = std::lower_bound(h.begin(), h.end(), cutoff,
                                          [](const Entry& e, Step s) { return e.step < s; });
  if (first_new - h.begin() > 1) h.erase(h.begin(), first_new - 1);
}

// The first entry of `h` with step > s. The entries wanted are the last few (spikes of the
// last inter-spike interval of a source), so the search walks back from the end: it reads
// one or two cache lines where a binary search would read several.
template <typename Entry>
typename std::vector<Entry>::const_iterator first_after(const std::vector<Entry>& h, Step s) {
  auto it = h.end();
  while (it != h.begin() && std::prev(it)->step > s) --it;
  return it;
}

// Pair-based and triplet STDP share the bookkeeping; `triplet_` selects the update.
class TraceStdp final : public Plasticity {
 public:
  explicit TraceStdp(const StdpParams& p) : pair_(p), triplet_(false) {
    const std::string_view r = "stdp";
    require_time_constant(r, "tau_plus", p.tau_plus);
    require_time_constant(r, "tau_minus", p.tau_minus);
    require_non_negative(r, "A_plus", p.A_plus);
    require_non_negative(r, "A_minus", p.A_minus);
    require_non_negative(r, "mu_plus", p.mu_plus);
    require_non_negative(r, "mu_minus", p.mu_minus);
    require_non_negative(r, "lambda", p.lambda);
    require_non_negative(r, "alpha", p.alpha);
    require_non_negative(r, "mu", p.mu);
    require_bounds(r, p.w_min, p.w_max, p.weight_dependence == WeightDependence::morrison2007);
    tau_plus_ = p.tau_plus;
    tau_minus_ = p.tau_minus;
    w_min_ = p.w_min;
    w_max_ = p.w_max;
    accumulate_pre_ = p.scheme == PairingScheme::all_to_all ||
                      p.scheme == PairingScheme::nearest_presynaptic_centred;
    accumulate_post_ = p.scheme == PairingScheme::all_to_all;
    pairing_ = p.scheme == PairingScheme::nearest_presynaptic_centred    ? Pairing::pre_centred
               : p.scheme == PairingScheme::nearest_restricted_symmetric ? Pairing::restricted
                                                                         : Pairing::pair;
  }

  explicit TraceStdp(const TripletParams& p) : triplet_(true), trip_(p) {
    const std::string_view r = "triplet";
    require_time_constant(r, "tau_plus", p.tau_plus);
    require_time_constant(r, "tau_minus", p.tau_minus);
    require_time_constant(r, "tau_x", p.tau_x);
    require_time_constant(r, "tau_y", p.tau_y);
    require_non_negative(r, "A2_plus", p.A2_plus);
    require_non_negative(r, "A3_plus", p.A3_plus);
    require_non_negative(r, "A2_minus", p.A2_minus);
    require_non_negative(r, "A3_minus", p.A3_minus);
    require_bounds(r, p.w_min, p.w_max, false);
    tau_plus_ = p.tau_plus;
    tau_minus_ = p.tau_minus;
    w_min_ = p.w_min;
    w_max_ = p.w_max;
    pair_.weight_dependence = WeightDependence::additive;
    pair_.A_plus = 1.0;  // the triplet amplitudes are in the amounts
    pair_.A_minus = 1.0;
    accumulate_pre_ = !p.nearest;
    accumulate_post_ = !p.nearest;
    pairing_ = Pairing::triplet;
  }

  std::string_view rule() const override { return triplet_ ? "triplet" : "stdp"; }
  // The rule, its scheme and weight dependence, and the parameters that enter the update.
  std::string describe() const override {
    const std::string bounds = concat(", w in [", w_min_, ", ", w_max_, "])");
    if (triplet_)
      return concat("triplet (", trip_.nearest ? "nearest" : "all_to_all", ", tau_plus ",
                    trip_.tau_plus, " ms, tau_minus ", trip_.tau_minus, " ms, tau_x ", trip_.tau_x,
                    " ms, tau_y ", trip_.tau_y, " ms, A2_plus ", trip_.A2_plus, ", A3_plus ",
                    trip_.A3_plus, ", A2_minus ", trip_.A2_minus, ", A3_minus ", trip_.A3_minus,
                    bounds);
    return concat("stdp (", name_of(pair_.scheme), ", ", name_of(pair_.weight_dependence),
                  ", tau_plus ", tau_plus_, " ms, tau_minus ", tau_minus_, " ms, ", amplitudes(),
                  bounds);
  }
  double w_min() const override { return w_min_; }
  double w_max() const override { return w_max_; }

  void prepare(const TimeGrid& grid, NeuronIndex sources, NeuronIndex targets, Step window,
               Step max_delay) override {
    grid_ = grid;
    horizon_ = static_cast<Step>(std::ceil(std::max(1000.0, 40.0 * tau_plus_) / grid.dt()));
    retention_ = horizon_ + 2 * window + max_delay + 2;
    pre_.assign(sources, {});
    post_.assign(targets, {});
    summary_.assign(targets, {});
    if (triplet_) triplet_summary_.assign(targets, {});
    if (pre_centred()) pre_history_.assign(sources, {});
    // exp(-k dt / tau) for k up to the horizon, computed once: the same values decay()
    // would compute, looked up instead of evaluated in the delivery loop.
    const auto table = [&](double tau) {
      std::vector<double> t(static_cast<std::size_t>(horizon_) + 1);
      for (Step k = 0; k <= horizon_; ++k) t[static_cast<std::size_t>(k)] = decay(k, tau);
      return t;
    };
    decay_plus_ = table(tau_plus_);
    decay_minus_ = table(tau_minus_);
  }

  void begin_window(Step begin, Step, std::span<const NeuronSpike> pre,
                    std::span<const NeuronSpike> post) override {
    for (const NeuronSpike& s : post) record_post(s);
    choose_flushes(begin);
    snapshots_.clear();
    for (const NeuronSpike& s : pre) record_pre(s);
  }

  std::size_t flush_count() const override { return flushes_.size(); }
  NeuronIndex flush_source(std::size_t f) const override { return flushes_[f].source; }

  void on_pre(std::size_t k, Step delay, GroupTargets targets, double* weights,
              std::uint32_t count) const override {
    with_rule(pairing_, pair_.weight_dependence, [&]<Pairing P, WeightDependence D>() {
      update_group<P, D>(snapshots_[k], delay, targets, weights, count);
    });
  }

  void on_flush(std::size_t f, Step delay, GroupTargets targets, double* weights,
                std::uint32_t count) const override {
    const Flush& fl = flushes_[f];
    with_rule(pairing_, pair_.weight_dependence, [&]<Pairing P, WeightDependence D>() {
      for (std::uint32_t j = 0; j < count; ++j)
        weights[j] = facilitate<P, D>(weights[j], fl.source, targets[j], delay, fl.prev, fl.x_prev,
                                      fl.prev + horizon_);
    });
  }

  double current_weight(NeuronIndex source, NeuronIndex target, Step delay, double stored,
                        Step now) const override {
    const SourceState& s = pre_[source];
    if (s.last == kNever || s.flushed) return stored;
    // A post spike of step p arrives at the end of step p + delay, i.e. by time `now` if
    // p + delay <= now - 1.
    const Step upper = std::min(now - 1, s.last + horizon_);
    return with_rule(pairing_, pair_.weight_dependence, [&]<Pairing P, WeightDependence D>() {
      return facilitate<P, D>(stored, source, target, delay, s.last, s.x, upper);
    });
  }

  // Per source: last spike, traces, flushed flag; per target the post-spike history (and
  // per source the pre history of nearest_presynaptic_centred), flattened with a count per
  // neuron; the time-ordered pre spikes from which flushes are chosen. snapshots_ and
  // flushes_ are rebuilt by every begin_window and are not saved.
  void save_state(const StateSection& out) const override {
    std::vector<std::int64_t> last(pre_.size());
    std::vector<double> x(pre_.size()), r2(pre_.size());
    std::vector<std::uint64_t> flushed(pre_.size());
    for (std::size_t i = 0; i < pre_.size(); ++i) {
      last[i] = pre_[i].last;
      x[i] = pre_[i].x;
      r2[i] = pre_[i].r2;
      flushed[i] = pre_[i].flushed ? 1 : 0;
    }
    out.write("pre_last", last);
    out.write("pre_x", x);
    out.write("pre_r2", r2);
    out.write("pre_flushed", flushed);
    save_histories(out.section("post"), post_, [](const PostEntry& e) {
      return std::array<double, 2>{e.y, e.o2_before};
    });
    if (pre_centred())
      save_histories(out.section("pre_history"), pre_history_, [](const PreEntry& e) {
        return std::array<double, 2>{e.x, 0.0};
      });
    std::vector<std::int64_t> fifo_step;
    std::vector<std::uint64_t> fifo_neuron;
    for (const NeuronSpike& f : fifo_) {
      fifo_step.push_back(f.step);
      fifo_neuron.push_back(f.neuron);
    }
    out.write("fifo_step", fifo_step);
    out.write("fifo_neuron", fifo_neuron);
  }

  void load_state(const StateSource& in) override {
    std::vector<std::int64_t> last(pre_.size());
    std::vector<double> x(pre_.size()), r2(pre_.size());
    std::vector<std::uint64_t> flushed(pre_.size());
    in.read("pre_last", last);
    in.read("pre_x", x);
    in.read("pre_r2", r2);
    in.read("pre_flushed", flushed);
    for (std::size_t i = 0; i < pre_.size(); ++i) pre_[i] = {last[i], x[i], r2[i], flushed[i] != 0};
    load_histories(in.section("post"), post_, [](Step step, double a, double b) {
      return PostEntry{step, a, b};
    });
    // The summaries are derived from the histories: rebuilt, not stored.
    for (NeuronIndex j = 0; j < post_.size(); ++j) summarise(j);
    if (pre_centred())
      load_histories(in.section("pre_history"), pre_history_, [](Step step, double a, double) {
        return PreEntry{step, a};
      });
    std::vector<std::int64_t> fifo_step(in.size("fifo_step"));
    std::vector<std::uint64_t> fifo_neuron(in.size("fifo_neuron"));
    in.read("fifo_step", fifo_step);
    in.read("fifo_neuron", fifo_neuron);
    if (fifo_step.size() != fifo_neuron.size())
      throw ConfigError("checkpoint: stdp fifo_step and fifo_neuron differ in length");
    fifo_.clear();
    for (std::size_t i = 0; i < fifo_step.size(); ++i) {
      if (fifo_neuron[i] >= pre_.size())
        throw ConfigError(concat("checkpoint: stdp fifo_neuron ", fifo_neuron[i],
                                 " is not a source (", pre_.size(), " sources)"));
      fifo_.push_back({fifo_step[i], static_cast<NeuronIndex>(fifo_neuron[i])});
    }
    snapshots_.clear();
    flushes_.clear();
  }

  std::uint64_t state_bytes() const override {
    std::uint64_t n = pre_.capacity() * sizeof(SourceState);
    for (const auto& h : post_) n += sizeof(h) + h.capacity() * sizeof(PostEntry);
    n += summary_.capacity() * sizeof(PostSummary);
    n += triplet_summary_.capacity() * sizeof(TripletSummary);
    for (const auto& h : pre_history_) n += sizeof(h) + h.capacity() * sizeof(PreEntry);
    n += fifo_.size() * sizeof(NeuronSpike);
    n += (decay_plus_.capacity() + decay_minus_.capacity()) * sizeof(double);
    return n;
  }

 private:
  std::string amplitudes() const {
    const StdpParams& p = pair_;
    switch (p.weight_dependence) {
      case WeightDependence::morrison2007:
        return concat("lambda ", p.lambda, ", alpha ", p.alpha, ", mu ", p.mu);
      case WeightDependence::gutig:
        return concat("A_plus ", p.A_plus, ", A_minus ", p.A_minus, ", mu_plus ", p.mu_plus,
                      ", mu_minus ", p.mu_minus);
      default:
        return concat("A_plus ", p.A_plus, ", A_minus ", p.A_minus);
    }
  }

  bool pre_centred() const { return pairing_ == Pairing::pre_centred; }

  // exp(-k dt / tau) for a whole number of steps k >= 0.
  double decay(Step k, double tau) const { return std::exp(-grid_.time_of(k) / tau); }
  double decay_plus(Step k) const {
    return k <= horizon_ ? decay_plus_[static_cast<std::size_t>(k)] : decay(k, tau_plus_);
  }
  double decay_minus(Step k) const {
    return k <= horizon_ ? decay_minus_[static_cast<std::size_t>(k)] : decay(k, tau_minus_);
  }

  void record_post(const NeuronSpike& s) {
    std::vector<PostEntry>& h = post_[s.neuron];
    PostEntry e{s.step, 1.0, 0.0};
    if (!h.empty()) {
      const PostEntry& last = h.back();
      const Step gap = s.step - last.step;
      if (accumulate_post_) e.y = last.y * decay(gap, tau_minus_) + 1.0;
      if (triplet_) {
        const double o2_after_last = trip_.nearest ? 1.0 : last.o2_before + 1.0;
        e.o2_before = o2_after_last * decay(gap, trip_.tau_y);
      }
    }
    h.push_back(e);
    prune(h, s.step - retention_);
    summarise(s.neuron);
  }

  // Mirrors the tail of a target's history into its summary (after every change of it).
  void summarise(NeuronIndex target) {
    const std::vector<PostEntry>& h = post_[target];
    const std::size_t n = h.size();
    const auto gap = [&](std::size_t back) -> std::uint32_t {
      if (n < back + 1) return 0;
      const Step g = h[n - 1].step - h[n - 1 - back].step;
      return g < static_cast<Step>(kFarGap) ? static_cast<std::uint32_t>(g) : kFarGap;
    };
    PostSummary& tail = summary_[target];
    tail.newest = n >= 1 ? h[n - 1].step : kNever;
    tail.y_newest = n >= 1 ? h[n - 1].y : 0.0;
    tail.y_previous = n >= 2 ? h[n - 2].y : 0.0;
    tail.gap_previous = gap(1);
    tail.gap_third = gap(2);
    if (triplet_)
      triplet_summary_[target] = {n >= 2 ? h[n - 2].o2_before : 0.0,
                                  n >= 1 ? h[n - 1].o2_before : 0.0};
  }

  // Sources silent for the horizon: their last pairings are applied in this window, after
  // which nothing of theirs needs history older than the horizon.
  void choose_flushes(Step begin) {
    flushes_.clear();
    while (!fifo_.empty() && fifo_.front().step + horizon_ < begin) {
      const NeuronSpike s = fifo_.front();
      fifo_.pop_front();
      SourceState& st = pre_[s.neuron];
      if (st.last != s.step || st.flushed) continue;
      flushes_.push_back({s.neuron, st.last, st.x});
      st.flushed = true;
    }
  }

  void record_pre(const NeuronSpike& s) {
    SourceState& st = pre_[s.neuron];
    PreSnapshot snap{s.step, st.last, st.x, 0.0, s.neuron, st.flushed};
    const bool has_prev = st.last != kNever;
    const Step gap = has_prev ? s.step - st.last : 0;
    if (triplet_) snap.r2_before = has_prev ? st.r2 * decay(gap, trip_.tau_x) : 0.0;
    st.x = accumulate_pre_ ? (has_prev ? st.x * decay(gap, tau_plus_) : 0.0) + 1.0 : 1.0;
    if (triplet_) st.r2 = trip_.nearest ? 1.0 : snap.r2_before + 1.0;
    st.last = s.step;
    st.flushed = false;
    fifo_.push_back(s);
    if (pre_centred()) {
      auto& h = pre_history_[s.neuron];
      h.push_back({s.step, st.x});
      prune(h, s.step - retention_);
    }
    snapshots_.push_back(snap);
  }

  // The updates of pre spike `s` on the synapses of one delay group: the potentiation owed
  // to the post spikes since the source's previous spike, then the depression of this one.
  template <Pairing P, WeightDependence D>
  void update_group(const PreSnapshot& s, Step delay, GroupTargets targets, double* weights,
                    std::uint32_t count) const {
    const bool pending = s.prev != kNever && !s.flushed;
    const Step upper = std::min(s.step, s.prev + horizon_);
    constexpr std::uint32_t kAhead = 8;  // summaries fetched this many synapses ahead
    for (std::uint32_t j = 0; j < count; ++j) {
      if constexpr (P != Pairing::pre_centred)
        if (j + kAhead < count) __builtin_prefetch(&summary_[targets[j + kAhead]]);
      const NeuronIndex target = targets[j];
      double w = weights[j];
      if constexpr (P == Pairing::pre_centred) {  // needs the whole history: no summary
        if (pending) w = facilitate<P, D>(w, s.source, target, delay, s.prev, s.x_prev, upper);
        weights[j] = depress<P, D>(w, target, delay, s.step, s.prev, s.r2_before);
      } else {
        const PostSummary& recent = summary_[target];
        if (pending) w = facilitate_recent<P, D>(w, recent, target, delay, s.prev, s.x_prev, upper);
        weights[j] = depress_recent<P, D>(w, recent, target, delay, s.step, s.prev, s.r2_before);
      }
    }
  }

  // Potentiation owed to the post spikes that reached the synapse in (prev, upper], paired
  // with the pre spikes up to prev (x_prev: the pre trace just after prev).
  template <Pairing P, WeightDependence D>
  double facilitate(double w, NeuronIndex source, NeuronIndex target, Step delay, Step prev,
                    double x_prev, Step upper) const {
    const std::vector<PostEntry>& h = post_[target];
    auto it = first_after(h, prev - delay);
    if constexpr (P == Pairing::pre_centred) {
      if (it == h.end() || it->step + delay > upper) return w;
      const double x = decay_plus(it->step + delay - prev);
      return potentiate<D>(w, x * unpaired_pre_trace(source, delay, prev, x_prev, h, it));
    } else {
      for (; it != h.end() && it->step + delay <= upper; ++it) {
        w = pair_one<P, D>(w, it->step, it->o2_before, delay, prev, x_prev);
        if constexpr (P == Pairing::restricted) break;  // only the first post after prev pairs
      }
      return w;
    }
  }

  // facilitate() for every scheme but nearest_presynaptic_centred, reading the target's
  // summary when the post spikes after prev are all in it: the same terms in the same order.
  template <Pairing P, WeightDependence D>
  double facilitate_recent(double w, const PostSummary& recent, NeuronIndex target, Step delay,
                           Step prev, double x_prev, Step upper) const {
    const Step after = prev - delay;       // the post spikes wanted have step > after
    if (recent.newest <= after) return w;  // none since prev: nothing to pair
    const auto older = [&](std::uint32_t gap) { return recent.newest - static_cast<Step>(gap); };
    const bool third_wanted =
        recent.gap_third != 0 && (recent.gap_third == kFarGap || older(recent.gap_third) > after);
    if (third_wanted || recent.gap_previous == kFarGap)
      return facilitate<P, D>(w, 0, target, delay, prev, x_prev, upper);

    const TripletSummary* o2 = P == Pairing::triplet ? &triplet_summary_[target] : nullptr;
    if (recent.gap_previous != 0 && older(recent.gap_previous) > after) {
      const Step previous = older(recent.gap_previous);
      if (previous + delay > upper) return w;
      w = pair_one<P, D>(w, previous, o2 ? o2->o2_previous : 0.0, delay, prev, x_prev);
      if constexpr (P == Pairing::restricted) return w;
    }
    if (recent.newest + delay > upper) return w;
    return pair_one<P, D>(w, recent.newest, o2 ? o2->o2_newest : 0.0, delay, prev, x_prev);
  }

  // The potentiation by one post spike of step `post` (o2_before: the triplet's o2 just
  // before it) that reached the synapse after prev.
  template <Pairing P, WeightDependence D>
  double pair_one(double w, Step post, double o2_before, Step delay, Step prev,
                  double x_prev) const {
    const double x = decay_plus(post + delay - prev);
    if constexpr (P == Pairing::triplet)
      return potentiate<D>(w, x_prev * x * (trip_.A2_plus + trip_.A3_plus * o2_before));
    else if constexpr (P == Pairing::restricted)
      return potentiate<D>(w, x);
    else
      return potentiate<D>(w, x_prev * x);  // all_to_all, nearest_symmetric
  }

  // nearest_presynaptic_centred: the pre spikes whose next post is `first` are those at or
  // after the previous post a0 of the target (arrival <= prev). Their trace just after prev
  // is the all-to-all trace x_prev less the part of the spikes before a0.
  double unpaired_pre_trace(NeuronIndex source, Step delay, Step prev, double x_prev,
                            const std::vector<PostEntry>& h,
                            std::vector<PostEntry>::const_iterator first) const {
    if (first == h.begin()) return x_prev;
    const Step a0 = std::prev(first)->step + delay;
    const std::vector<PreEntry>& ph = pre_history_[source];
    auto it = std::lower_bound(ph.begin(), ph.end(), a0,
                               [](const PreEntry& e, Step s) { return e.step < s; });
    if (it == ph.begin()) return x_prev;  // no pre spike before a0 (or beyond the history)
    --it;
    return x_prev - it->x * decay_plus(prev - it->step);
  }

  // Depression by the nearest post spike that reached the synapse before t (all_to_all:
  // its trace holds the earlier ones too).
  template <Pairing P, WeightDependence D>
  double depress(double w, NeuronIndex target, Step delay, Step t, Step prev,
                 double r2_before) const {
    const std::vector<PostEntry>& h = post_[target];
    auto it = first_after(h, t - delay - 1);
    if (it == h.begin()) return w;
    const PostEntry& e = *std::prev(it);
    return depress_with<P, D>(w, e.step, e.y, delay, t, prev, r2_before);
  }

  // depress() reading the target's summary when the post spike wanted is in it.
  template <Pairing P, WeightDependence D>
  double depress_recent(double w, const PostSummary& recent, NeuronIndex target, Step delay, Step t,
                        Step prev, double r2_before) const {
    const Step latest = t - delay - 1;      // the post spike wanted: the newest with step <= latest
    if (recent.newest == kNever) return w;  // no post spike yet
    if (recent.newest <= latest)
      return depress_with<P, D>(w, recent.newest, recent.y_newest, delay, t, prev, r2_before);
    if (recent.gap_previous == 0) return w;  // the history has no older entry
    const Step previous = recent.newest - static_cast<Step>(recent.gap_previous);
    if (recent.gap_previous != kFarGap && previous <= latest)
      return depress_with<P, D>(w, previous, recent.y_previous, delay, t, prev, r2_before);
    if (recent.gap_previous != kFarGap && recent.gap_third == 0) return w;
    return depress<P, D>(w, target, delay, t, prev, r2_before);
  }

  // Depression of a pre spike at t by the post spike of step `post` (y_after: the post trace
  // just after it), the nearest that reached the synapse before t.
  template <Pairing P, WeightDependence D>
  double depress_with(double w, Step post, double y_after, Step delay, Step t, Step prev,
                      double r2_before) const {
    const Step arrival = post + delay;
    if constexpr (P == Pairing::restricted)
      if (prev != kNever && arrival < prev) return w;  // a pre lies between
    const double y = y_after * decay_minus(t - arrival);
    if constexpr (P == Pairing::triplet)
      return depress_by<D>(w, y * (trip_.A2_minus + trip_.A3_minus * r2_before));
    else
      return depress_by<D>(w, y);
  }

  double clamp(double w) const { return std::min(std::max(w, w_min_), w_max_); }

  template <WeightDependence D>
  double potentiate(double w, double x) const {
    const double span = w_max_ - w_min_;
    if constexpr (D == WeightDependence::additive)
      return clamp(w + span * pair_.A_plus * x);
    else if constexpr (D == WeightDependence::multiplicative)
      return clamp(w + pair_.A_plus * x * (w_max_ - w));
    else if constexpr (D == WeightDependence::gutig)
      return clamp(w + span * pair_.A_plus * x * std::pow((w_max_ - w) / span, pair_.mu_plus));
    else
      return clamp(w + pair_.lambda * std::pow(w, pair_.mu) * x);  // morrison2007
  }

  template <WeightDependence D>
  double depress_by(double w, double y) const {
    const double span = w_max_ - w_min_;
    if constexpr (D == WeightDependence::additive)
      return clamp(w - span * pair_.A_minus * y);
    else if constexpr (D == WeightDependence::multiplicative)
      return clamp(w - pair_.A_minus * y * (w - w_min_));
    else if constexpr (D == WeightDependence::gutig)
      return clamp(w - span * pair_.A_minus * y * std::pow((w - w_min_) / span, pair_.mu_minus));
    else
      return clamp(w - pair_.lambda * pair_.alpha * w * y);  // morrison2007
  }

  StdpParams pair_;
  bool triplet_;
  TripletParams trip_;
  double tau_plus_ = 20.0;
  double tau_minus_ = 20.0;
  double w_min_ = 0.0;
  double w_max_ = 1.0;
  bool accumulate_pre_ = true;
  bool accumulate_post_ = true;
  Pairing pairing_ = Pairing::pair;

  TimeGrid grid_{0.1};
  Step horizon_ = 0;    // steps: pairings further after the last pre spike are not made
  Step retention_ = 0;  // steps of history kept

  std::vector<SourceState> pre_;
  std::vector<std::vector<PostEntry>> post_;
  std::vector<PostSummary> summary_;             // per target: the tail of post_
  std::vector<TripletSummary> triplet_summary_;  // per target, triplet rule only
  std::vector<std::vector<PreEntry>> pre_history_;
  std::deque<NeuronSpike> fifo_;  // pre spikes in time order, for choosing flushes
  std::vector<PreSnapshot> snapshots_;
  std::vector<Flush> flushes_;
  std::vector<double> decay_plus_;   // exp(-k dt / tau_plus), k = 0 .. horizon_
  std::vector<double> decay_minus_;  // exp(-k dt / tau_minus)
};

}  // namespace

std::string_view name_of(PairingScheme scheme) {
  return kSchemeNames[static_cast<std::size_t>(scheme)];
}
std::string_view name_of(WeightDependence dependence) {
  return kDependenceNames[static_cast<std::size_t>(dependence)];
}
const std::vector<std::string>& pairing_scheme_names() {
  return kSchemeNames;
}
const std::vector<std::string>& weight_dependence_names() {
  return kDependenceNames;
}

PairingScheme pairing_scheme_from(std::string_view name) {
  for (std::size_t i = 0; i < kSchemeNames.size(); ++i)
    if (kSchemeNames[i] == name) return static_cast<PairingScheme>(i);
  throw ConfigError(
      concat("stdp: scheme must be one of ", joined(kSchemeNames), ", got '", name, "'"));
}

WeightDependence weight_dependence_from(std::string_view name) {
  for (std::size_t i = 0; i < kDependenceNames.size(); ++i)
    if (kDependenceNames[i] == name) return static_cast<WeightDependence>(i);
  throw ConfigError(concat("stdp: weight_dependence must be one of ", joined(kDependenceNames),
                           ", got '", name, "'"));
}

const std::vector<std::string>& triplet_preset_names() {
  return kPresetNames;
}

TripletParams triplet_preset(std::string_view name) {
  TripletParams p;  // tau_plus 16.8, tau_minus 33.7
  if (name == "visual_cortex_all_to_all") {
    p.nearest = false;
    p.A2_plus = 5e-10, p.A3_plus = 6.2e-3, p.A2_minus = 7e-3, p.A3_minus = 2.3e-4;
    p.tau_x = 101, p.tau_y = 125;
  } else if (name == "visual_cortex_nearest") {
    p.nearest = true;
    p.A2_plus = 8.8e-11, p.A3_plus = 5.3e-2, p.A2_minus = 6.6e-3, p.A3_minus = 3.1e-3;
    p.tau_x = 714, p.tau_y = 40;
  } else if (name == "hippocampal_all_to_all") {
    p.nearest = false;
    p.A2_plus = 6.1e-3, p.A3_plus = 6.7e-3, p.A2_minus = 1.6e-3, p.A3_minus = 1.4e-3;
    p.tau_x = 946, p.tau_y = 27;
  } else if (name == "hippocampal_nearest") {
    p.nearest = true;
    p.A2_plus = 4.6e-3, p.A3_plus = 9.1e-3, p.A2_minus = 3e-3, p.A3_minus = 7.5e-9;
    p.tau_x = 575, p.tau_y = 47;
  } else {
    throw ConfigError(
        concat("triplet: preset must be one of ", joined(kPresetNames), ", got '", name, "'"));
  }
  return p;
}

std::unique_ptr<Plasticity> make_stdp(const StdpParams& params) {
  return std::make_unique<TraceStdp>(params);
}

std::unique_ptr<Plasticity> make_triplet(const TripletParams& params) {
  return std::make_unique<TraceStdp>(params);
}

}  // namespace spikeflow::models
