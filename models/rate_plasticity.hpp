// hebb, oja: rate-based learning rules on a projection between rate populations (graded
// outputs, engine/adapter.hpp), the projection form of the rules of models/dnn/rate_learning.hpp.
//
//   hebb  dw_ij = eta y_i x_ij
//   oja   dw_ij = eta (y_i x_ij - y_i^2 w_ij)            (Oja 1982; per synapse)
//   then w_ij is clipped to [w_min, w_max]
//
// applied once per update of the target, at the end of its update step u:
//   y_i   the target unit's output computed in that update (its r);
//   x_ij  the source's output as it reached synapse ij during the target's update interval
//         (the k_t steps up to u), averaged over those steps: the value the source emitted
//         at its latest update s with s + d + 1 <= t (d the synapse's delay), held for k_s
//         steps, exactly as the engine delivers graded outputs (engine/adapter.hpp). So
//         x_ij is what w_ij multiplied to make the target's input of that interval.
// Which weight carries a value: the source's output of step s leaves with the weight the
// synapse has at the end of step s, after the target's update of step s changed it. The
// target's update at u therefore used the weights of step u - d - 1 (for k = 1; older by the
// delay plus the hold in general), not those of step u - 1: with delays the update is
// y_i(u) = sum_j w_ij(u - d - 1) x_j(u - d - 1), dw from y_i(u) and the current w_ij. For
// small eta this lag changes neither the fixed points nor their stability (the Oja test
// converges to the principal eigenvector); it is stated so that an exact replay is possible
// (tests/models/test_rate_plasticity.cpp replays it).
// Outputs that are 0 change nothing (hebb and oja are 0 for y_i = 0).
//
// For a linear unit y = w . x fed input of correlation matrix C = <x x^T> (covariance for
// zero-mean input), Oja's rule converges to the unit-norm eigenvector of C with the largest
// eigenvalue; Hebb's turns w towards it while |w| grows as exp(eta lambda_max n).
//
// Parameters:
//   rule    hebb or oja
//   eta     learning rate, > 0 (default 1e-3), in units of w / (x y) per target update
//   w_min   lower bound of every weight (default -infinity)
//   w_max   upper bound (default +infinity); w_min < w_max. Initial weights must lie within.
// Limitations: the target must be an elementwise adapter with graded outputs (a rate
// population); the source any adapter with graded outputs. BCM is not available on
// projections (learning_dense has it). Weights are double (12 bytes per synapse).
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/plasticity.hpp"
#include "models/dnn/rate_learning.hpp"

namespace spikeflow::models {

struct RatePlasticityParams {
  dnn::RateRule rule = dnn::RateRule::oja;  // hebb or oja (bcm is refused)
  double eta = 1e-3;
  double w_min = -std::numeric_limits<double>::infinity();
  double w_max = std::numeric_limits<double>::infinity();
};

class RatePlasticity final : public Plasticity {
 public:
  explicit RatePlasticity(const RatePlasticityParams& params);

  std::string_view rule() const override { return dnn::rate_rule_name(params_.rule); }
  std::string describe() const override;
  double w_min() const override { return params_.w_min; }
  double w_max() const override { return params_.w_max; }

  bool graded() const override { return true; }
  void set_update_intervals(Step source, Step target) override;
  void prepare(const TimeGrid& grid, NeuronIndex sources, NeuronIndex targets, Step window,
               Step max_delay) override;
  void begin_graded_window(Step begin, Step end, std::span<const GradedValue> pre,
                           std::span<const GradedValue> post) override;
  void on_target_update(Step step, NeuronIndex source, Step delay, GroupTargets targets,
                        double* weights, std::uint32_t count) const override;

  // The spike interface is not used by a graded rule.
  void begin_window(Step, Step, std::span<const NeuronSpike>,
                    std::span<const NeuronSpike>) override {}
  std::size_t flush_count() const override { return 0; }
  NeuronIndex flush_source(std::size_t) const override { return 0; }
  void on_pre(std::size_t, Step, GroupTargets, double*, std::uint32_t) const override {}
  void on_flush(std::size_t, Step, GroupTargets, double*, std::uint32_t) const override {}
  double current_weight(NeuronIndex, NeuronIndex, Step, double stored, Step) const override {
    return stored;
  }
  std::uint64_t state_bytes() const override;
  // Checkpoints: the history of the source's outputs (what synapses still have to see).
  void save_state(const StateSection& out) const override;
  void load_state(const StateSource& in) override;

  const RatePlasticityParams& params() const { return params_; }

 private:
  // The source's output of its update m (m = (s + 1) / k_s - 1 for update step s) as it is
  // held at a synapse of delay d in step t: update m(t) = floor((t - d) / k_s) - 1.
  double held(NeuronIndex source, Step t, Step delay) const;

  RatePlasticityParams params_;
  Step k_source_ = 1, k_target_ = 1;
  NeuronIndex sources_ = 0, targets_ = 0;
  // Ring of the source's outputs per update: row m % rows_, sources_ values.
  std::size_t rows_ = 0;
  std::vector<double> history_;
  // The target's outputs at its updates in the current window, from first_update_.
  Step first_update_ = 0;
  std::vector<double> window_y_;
};

std::unique_ptr<Plasticity> make_rate_plasticity(const RatePlasticityParams& params);

}  // namespace spikeflow::models
