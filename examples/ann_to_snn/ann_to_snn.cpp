// ANN-to-SNN conversion through the C++ API (models/ann_to_snn.hpp, docs/ann_to_snn.md):
// loads the dense layers of examples/ann_to_snn/mlp.h5, normalises them on its calibration
// inputs, runs the spiking network on every test input and prints how often its class equals
// the rate network's after each simulation time.
//
//   build/examples/ann_to_snn examples/ann_to_snn/mlp.h5
#include <cstdio>
#include <vector>

#include "engine/error.hpp"
#include "io/tensor_file.hpp"
#include "models/ann_to_snn.hpp"

using namespace spikeflow;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ann_to_snn MLP.h5\n");
    return 2;
  }
  try {
    const io::TensorFile file(argv[1]);
    std::vector<dnn::Dense> layers;  // the rate network: relu, relu, identity
    layers.push_back(*io::load_dense(file, "fc1", dnn::Activation::relu));
    layers.push_back(*io::load_dense(file, "fc2", dnn::Activation::relu));
    layers.push_back(*io::load_dense(file, "fc3", dnn::Activation::identity));
    const std::vector<double> calibration = file.read("data/x_calibration").values;
    const std::vector<double> inputs = file.read("data/x_test").values;

    const models::ConvertedNetwork snn(std::move(layers), calibration,
                                       {.percentile = 99.9, .dt = 1.0});
    const std::size_t in = snn.input_size();
    const std::size_t samples = inputs.size() / in;
    std::vector<std::size_t> rate(samples);
    for (std::size_t k = 0; k < samples; ++k)
      rate[k] = models::argmax(snn.rate_outputs(std::span(inputs).subspan(k * in, in)));

    const std::vector<Step> at = {25, 50, 100, 200};
    const auto decided = snn.classify(inputs, at);
    std::printf("%zu inputs; spiking class = rate class after\n", samples);
    for (std::size_t t = 0; t < at.size(); ++t) {
      std::size_t same = 0;
      for (std::size_t k = 0; k < samples; ++k) same += decided[t][k] == rate[k];
      std::printf("  %4lld steps (%g ms): %.4f\n", static_cast<long long>(at[t]),
                  static_cast<double>(at[t]) * snn.options().dt,
                  static_cast<double>(same) / static_cast<double>(samples));
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "ann_to_snn: %s\n", e.what());
    return 1;
  }
  return 0;
}
