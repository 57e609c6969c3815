// Model files: a projection's weights given as a matrix in an HDF5 file (docs/model-file.md,
// "Weights from a file"):
//
//   weight = { file = "snn.h5", dataset = "fc2/weight", scale = "1 mV" }
//
// The dataset is [targets, sources] (PyTorch's Linear weight [out, in]), or [targets] when
// the source has one neuron (a bias column); entry [i, j] times `scale` (default 1 in the
// weight's unit) is the weight from source j to target i. Only rule all_to_all.
#include "io/model_file_weights.hpp"

#include <cmath>

#include "io/tensor_file.hpp"

namespace spikeflow::io::detail {

bool is_weight_matrix(const Value& v) {
  return v.is_table() && v.as_table().count("file") > 0;
}

std::shared_ptr<const std::vector<double>> weight_matrix(const Context& ctx, const Value& v,
                                                         const std::string& key, Dimension d,
                                                         const std::filesystem::path& file,
                                                         const MatrixShape& shape) {
  const Table t(ctx, v, key, {"file", "dataset", "scale"});
  const Value& dataset_value = t.get("dataset");
  const std::string dataset = string(ctx, dataset_value, t.child_key("dataset"));
  const double scale =
      t.has("scale") ? quantity(ctx, t.get("scale"), t.child_key("scale"), d) : 1.0;

  Tensor tensor;
  try {
    const TensorFile tensors(file);
    if (!tensors.has(dataset))
      ctx.fail(dataset_value, t.child_key("dataset"),
               concat("tensor file '", file.string(), "' has no dataset '", dataset, "'"));
    tensor = tensors.read(dataset);
  } catch (const ModelFileError&) {
    throw;
  } catch (const ConfigError& e) {
    ctx.fail(t.get("file"), t.child_key("file"), e.what());
  }

  const bool as_matrix = tensor.shape == std::vector<std::size_t>{shape.targets, shape.sources};
  const bool as_column =
      shape.sources == 1 && tensor.shape == std::vector<std::size_t>{shape.targets};
  if (!as_matrix && !as_column) {
    std::string got;
    for (const std::size_t n : tensor.shape) got += concat(got.empty() ? "" : ", ", n);
    ctx.fail(
        dataset_value, t.child_key("dataset"),
        concat("dataset '", dataset, "' has shape [", got, "], expected [targets, sources] = [",
               shape.targets, ", ", shape.sources, "] (", shape.projection, ")",
               shape.sources == 1 ? concat(" or [", shape.targets, "]") : std::string()));
  }
  auto values = std::make_shared<std::vector<double>>(std::move(tensor.values));
  for (std::size_t k = 0; k < values->size(); ++k) {
    double& w = (*values)[k];
    w *= scale;
    if (!std::isfinite(w) || std::fabs(w) > std::numeric_limits<float>::max())
      ctx.fail(dataset_value, t.child_key("dataset"),
               concat("entry [", k / shape.sources, ", ", k % shape.sources, "] times scale is ", w,
                      "; weights must be finite and within float range"));
  }
  return values;
}

}  // namespace spikeflow::io::detail
