// sequential: modules applied one after the other, y = f_K(... f_2(f_1(x))), each stage's
// output the next stage's input (a multi-layer network such as dense -> dense, or conv2d ->
// divisive_normalization -> dense).
//
// The stages are owned; adjacent sizes must match (ConfigError naming both stages and
// sizes). reset() resets every stage. Intermediate results live in buffers allocated once.
//
// Example:
//   std::vector<std::unique_ptr<dnn::Module>> stages;
//   stages.push_back(io::load_dense(file, "fc1", dnn::Activation::relu));
//   stages.push_back(io::load_dense(file, "fc2"));
//   dnn::Sequential net(std::move(stages));
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "models/dnn/module.hpp"

namespace spikeflow::dnn {

class Sequential final : public Module {
 public:
  explicit Sequential(std::vector<std::unique_ptr<Module>> stages);

  std::string_view kind() const override { return "sequential"; }
  std::size_t input_size() const override { return stages_.front()->input_size(); }
  std::size_t output_size() const override { return stages_.back()->output_size(); }
  void forward(std::span<const double> x, std::span<double> y) override;
  void reset() override;
  // Each stage under its index: "0/...", "1/...".
  void save_state(const StateSection& out) const override;
  void load_state(const StateSource& in) override;

  std::size_t stage_count() const { return stages_.size(); }
  Module& stage(std::size_t k) { return *stages_.at(k); }
  // The output of stage k after the last forward (k < stage_count() - 1; the last stage
  // writes straight into y).
  std::span<const double> intermediate(std::size_t k) const { return buffers_.at(k); }

 private:
  std::vector<std::unique_ptr<Module>> stages_;
  std::vector<std::vector<double>> buffers_;  // outputs of all stages but the last
};

}  // namespace spikeflow::dnn
