// Model files: hebb and oja on projections between rate populations (docs/model-file.md,
// "Plasticity"; the rules in models/rate_plasticity.hpp).
#include "io/model_file_learning.hpp"

#include "models/rate_plasticity.hpp"

namespace spikeflow::io::detail {

std::unique_ptr<Plasticity> rate_learning_rule(const Context& ctx, const Value& v,
                                               const std::string& key, const LearningSite& site) {
  const Table t(ctx, v, key, {"rule", "eta", "w_min", "w_max"});
  const Value& rule = t.get("rule");
  const std::string rule_key = t.child_key("rule");
  if (site.target_model != "rate")
    ctx.fail(rule, rule_key,
             concat("rule '", site.rule, "' learns from rates: the target '", site.target,
                    "' must be a rate population, got ", site.target_model,
                    " (spiking populations: stdp or triplet)"));
  if (!site.source_graded)
    ctx.fail(rule, rule_key,
             concat("rule '", site.rule, "' learns from rates: the source '", site.source,
                    "' must have graded outputs (rate, spikes_to_rates, a module), got ",
                    site.source_model));

  models::RatePlasticityParams p;
  p.rule = site.rule == "hebb" ? dnn::RateRule::hebb : dnn::RateRule::oja;
  if (const Value* x = t.find("eta"))
    p.eta = positive(ctx, *x, t.child_key("eta"), Dimension::dimensionless);
  if (const Value* x = t.find("w_min"))
    p.w_min = quantity(ctx, *x, t.child_key("w_min"), Dimension::dimensionless);
  if (const Value* x = t.find("w_max")) {
    p.w_max = quantity(ctx, *x, t.child_key("w_max"), Dimension::dimensionless);
    if (!(p.w_max > p.w_min))
      ctx.fail(*x, t.child_key("w_max"), concat("must be > w_min = ", p.w_min, ", got ", p.w_max));
  }
  return models::make_rate_plasticity(p);
}

}  // namespace spikeflow::io::detail
