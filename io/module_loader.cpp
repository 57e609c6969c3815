#include "io/module_loader.hpp"

#include "engine/error.hpp"
#include "io/tensor_file.hpp"
#include "models/dnn/activation.hpp"

namespace spikeflow::io {

const std::vector<std::string>& module_kinds() {
  static const std::vector<std::string> kinds = {
      "dense", "conv2d", "divisive_normalization", "batch_normalization", "rnn", "lstm", "gru"};
  return kinds;
}

std::unique_ptr<dnn::Module> load_module(const ModuleSpec& spec) {
  const TensorFile file(spec.weights);
  const std::string& k = spec.kind;
  if (k == "dense") return load_dense(file, spec.group, dnn::parse_activation(spec.activation));
  if (k == "conv2d") {
    dnn::Conv2d::Shape shape;
    shape.height = spec.height;
    shape.width = spec.width;
    shape.stride_h = spec.stride_h;
    shape.stride_w = spec.stride_w;
    shape.pad_h = spec.pad_h;
    shape.pad_w = spec.pad_w;
    return load_conv2d(file, spec.group, shape, dnn::parse_activation(spec.activation));
  }
  if (k == "batch_normalization")
    return load_batch_normalization(file, spec.group, spec.features, spec.eps);
  if (k == "divisive_normalization")
    return load_divisive_normalization(file, spec.group, {.n = spec.n, .sigma = spec.sigma});
  if (k == "rnn") return load_rnn(file, spec.group);
  if (k == "lstm") return load_lstm(file, spec.group);
  if (k == "gru") return load_gru(file, spec.group);
  throw ConfigError(concat("unknown module kind '", k, "'"));
}

}  // namespace spikeflow::io
