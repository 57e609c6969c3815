// Internal to the model-file loader: the rate learning rules (hebb, oja) of a projection's
// `plasticity` table (io/model_file_learning.cpp). Not part of the public API.
#pragma once

#include <memory>
#include <string>

#include "engine/plasticity.hpp"
#include "io/model_file_detail.hpp"

namespace spikeflow::io::detail {

struct LearningSite {
  std::string rule;  // "hebb" or "oja"
  std::string source_model, target_model;
  std::string source, target;  // population names
  bool source_graded = false;  // the source's outputs are rates (an adapter, not spiking)
};

// plasticity = { rule = "oja", eta = 1e-3, w_min = ..., w_max = ... } on a projection from
// a population with graded outputs into a rate population (models/rate_plasticity.hpp).
// Errors point at the key:
//   model.toml:20:30: projections.X->Y.plasticity.rule: rule 'oja' learns from rates: the
//   target 'Y' must be a rate population, got lif_exp
std::unique_ptr<Plasticity> rate_learning_rule(const Context& ctx, const Value& v,
                                               const std::string& key, const LearningSite& site);

}  // namespace spikeflow::io::detail
