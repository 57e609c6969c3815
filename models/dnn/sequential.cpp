#include "models/dnn/sequential.hpp"

#include <string>

#include "models/dnn/module_common.hpp"

namespace spikeflow::dnn {

Sequential::Sequential(std::vector<std::unique_ptr<Module>> stages) : stages_(std::move(stages)) {
  if (stages_.empty()) throw ConfigError("sequential: needs at least one stage, got 0");
  for (std::size_t k = 0; k < stages_.size(); ++k)
    if (!stages_[k]) throw ConfigError(concat("sequential: stage ", k, " is null"));
  for (std::size_t k = 0; k + 1 < stages_.size(); ++k) {
    const std::size_t out = stages_[k]->output_size(), in = stages_[k + 1]->input_size();
    if (out != in)
      throw ConfigError(concat("sequential: stage ", k, " (", stages_[k]->kind(), ") has ", out,
                               " outputs but stage ", k + 1, " (", stages_[k + 1]->kind(),
                               ") takes ", in, " inputs"));
    buffers_.emplace_back(out);
  }
}

void Sequential::forward(std::span<const double> x, std::span<double> y) {
  detail::check_spans(kind(), input_size(), x.size(), output_size(), y.size());
  std::span<const double> in = x;
  for (std::size_t k = 0; k + 1 < stages_.size(); ++k) {
    stages_[k]->forward(in, buffers_[k]);
    in = buffers_[k];
  }
  stages_.back()->forward(in, y);
}

void Sequential::reset() {
  for (auto& stage : stages_) stage->reset();
}

void Sequential::save_state(const StateSection& out) const {
  for (std::size_t k = 0; k < stages_.size(); ++k)
    stages_[k]->save_state(out.section(std::to_string(k)));
}

void Sequential::load_state(const StateSource& in) {
  for (std::size_t k = 0; k < stages_.size(); ++k)
    stages_[k]->load_state(in.section(std::to_string(k)));
}

}  // namespace spikeflow::dnn
