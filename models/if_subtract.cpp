#include "models/if_subtract.hpp"

#include <algorithm>
#include <cmath>

namespace spikeflow::models {

IfSubtract::IfSubtract(NeuronIndex size, const Params& params)
    : size_(size), params_(params), V_m_(size, 0.0) {
  require_positive("if_subtract", "V_th", params_.V_th, "mV");
  require_positive("if_subtract", "C_m", params_.C_m, "pF");
  require_finite("if_subtract", "I_e", params_.I_e, "pA");
  // -infinity (no bound) is allowed; NaN and anything at or above V_th are not.
  if (!(params_.V_min < params_.V_th))
    throw ConfigError(concat("if_subtract: V_min must be < V_th = ", params_.V_th, " mV, got ",
                             params_.V_min, " mV"));
}

void IfSubtract::prepare(const TimeGrid& grid) {
  per_pA_ = grid.dt() / params_.C_m;
}

void IfSubtract::update(NeuronRange range, Step, const StepInput& in, SpikeSink& out) {
  const double I_e = params_.I_e;
  const double V_th = params_.V_th;
  const double V_min = params_.V_min;
  double* V = V_m_.data();
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    const double v = V[i] + (I_e + in.current[i]) * per_pA_ + in.excitatory[i] + in.inhibitory[i];
    V[i] = std::max(V_min, v);
  }
  for (NeuronIndex i = range.begin; i < range.end; ++i) {
    if (V[i] >= V_th) {
      V[i] -= V_th;
      out.emit(i);
    }
  }
}

std::unique_ptr<Population> make_if_subtract(NeuronIndex size, const IfSubtract::Params& params) {
  return std::make_unique<IfSubtract>(size, params);
}

}  // namespace spikeflow::models
