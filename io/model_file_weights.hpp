// Internal to the model-file loader: projection weights from an HDF5 dataset
// (io/model_file_weights.cpp). Not part of the public API.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "io/model_file_detail.hpp"

namespace spikeflow::io::detail {

// Whether a projection's `weight` is a matrix from a file ({ file = ..., ... }).
bool is_weight_matrix(const Value& v);

struct MatrixShape {
  std::size_t targets;
  std::size_t sources;
  std::string projection;  // "source -> target", for messages
};

// Reads weight = { file, dataset, scale } (`file` already resolved against the model file)
// as a row-major [targets, sources] matrix in the unit of `d`. Errors point at the key:
//   model.toml:9:40: projections.L1->L2.weight.dataset: dataset 'fc2/weight' has shape
//   [32, 4], expected [targets, sources] = [32, 32] (L1 -> L2)
std::shared_ptr<const std::vector<double>> weight_matrix(const Context& ctx, const Value& v,
                                                         const std::string& key, Dimension d,
                                                         const std::filesystem::path& file,
                                                         const MatrixShape& shape);

}  // namespace spikeflow::io::detail
