// A DNN-equivalent module (models/dnn/) described by a model file's population: its kind, the
// HDF5 tensor file and group its weights come from (io/tensor_file.hpp, names and shapes in
// docs/dnn.md) and the settings the tensors cannot fix. The model-file loader fills a
// ModuleSpec from a population with model = "dense", "conv2d", ... and wraps the module in
// the module adapter (models/module_adapter.hpp).
//
// Settings per kind (defaults):
//   dense                   activation identity (identity, relu, sigmoid, tanh)
//   conv2d                  height, width (required, > 0), stride_h 1, stride_w 1, pad_h 0,
//                           pad_w 0, activation identity
//   batch_normalization     features 1 (values per channel), eps 1e-5
//   divisive_normalization  n 2, sigma 1
//   rnn, lstm, gru          none
// Errors are ConfigErrors naming the tensor file, the dataset and the shapes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/dnn/module.hpp"

namespace spikeflow::io {

// The kinds a model file may name, in the order the documentation lists them.
const std::vector<std::string>& module_kinds();

struct ModuleSpec {
  std::string kind;
  std::filesystem::path weights;  // the HDF5 file, already resolved
  std::string group;              // "" or "/": the file's root
  std::string activation = "identity";
  std::size_t height = 0, width = 0;  // conv2d
  std::size_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  std::size_t features = 1;  // batch_normalization
  double eps = 1e-5;
  double n = 2.0;  // divisive_normalization
  double sigma = 1.0;
};

// Opens the tensor file and builds the module.
std::unique_ptr<dnn::Module> load_module(const ModuleSpec& spec);

}  // namespace spikeflow::io
