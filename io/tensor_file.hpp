// Weights and biases of the DNN-equivalent modules (models/dnn/) from an HDF5 file: one
// dataset per tensor, row-major, float32 or float64 (integers are accepted and converted),
// named as PyTorch's state_dict names them, inside an optional group per module. The names
// and shapes of every module are listed in docs/dnn.md; in short:
//
//   dense                   weight [out, in], bias [out]
//   conv2d                  weight [out_ch, in_ch, k_h, k_w], bias [out_ch]
//   batch_normalization     weight [C] (gamma), bias [C] (beta), running_mean [C],
//                           running_var [C]
//   divisive_normalization  weight [N, N]
//   rnn / lstm / gru        weight_ih [G H, I], weight_hh [G H, H], bias_ih [G H],
//                           bias_hh [G H]   (G = 1, 4, 3)
//
// Sizes the tensors fix (in, out, channels, kernel, hidden) are read from the shapes; sizes
// they cannot fix (image height and width, stride, padding) are arguments. Every value read
// must be finite. Every error is a ConfigError naming the file and the dataset, e.g.
//   tensor file 'net.h5': dataset '/fc1/bias' (dense bias [out]) is missing
//   tensor file 'net.h5': dataset '/fc1/bias' has shape [3], expected [4] (dense bias [out])
//   tensor file 'net.h5': dataset '/data/x_test' has nan at [500, 2]; every value must be finite
//
// Example (weights written by h5py: f['fc1/weight'] = layer.weight.detach().numpy()):
//   io::TensorFile file("net.h5");
//   auto fc1 = io::load_dense(file, "fc1", dnn::Activation::relu);
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/dnn/batch_normalization.hpp"
#include "models/dnn/conv2d.hpp"
#include "models/dnn/dense.hpp"
#include "models/dnn/divisive_normalization.hpp"
#include "models/dnn/recurrent.hpp"

namespace spikeflow::io {

struct Tensor {
  std::vector<std::size_t> shape;  // empty for a scalar dataset
  std::vector<double> values;      // row-major
};

// An HDF5 file opened read-only; the file stays open for the object's life.
class TensorFile {
 public:
  explicit TensorFile(const std::filesystem::path& path);
  ~TensorFile();
  TensorFile(const TensorFile&) = delete;
  TensorFile& operator=(const TensorFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // `name` is a path inside the file ("fc1/weight" or "/fc1/weight").
  bool has(std::string_view name) const;
  // The names of the links in a group ("" or "/": the root), in name order; empty if it is
  // not a group.
  std::vector<std::string> children(std::string_view group) const;
  // Reads a tensor of any shape; a NaN or infinite value is an error naming its index.
  Tensor read(std::string_view name) const;
  // Reads a tensor whose shape must equal `shape`; `role` describes it for the message
  // ("dense bias [out]").
  std::vector<double> read(std::string_view name, const std::vector<std::size_t>& shape,
                           std::string_view role) const;
  // Reads a tensor of the given rank; its shape is the caller's to interpret.
  Tensor read_rank(std::string_view name, std::size_t rank, std::string_view role) const;

  // "group/name" with a leading '/', as shown in messages; group may be "" or "/".
  static std::string join(std::string_view group, std::string_view name);

 private:
  std::filesystem::path path_;
  std::int64_t file_ = -1;  // hid_t, kept out of this header so users need not include hdf5.h
};

// Writes `tensors` (name -> tensor, names may contain groups: "L2/weight") as float64
// datasets into a new file at `path` (an existing file is replaced), with one string
// attribute per entry of `attributes` on the root. Throws RuntimeError naming the file.
void write_tensor_file(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::vector<std::pair<std::string, std::string>>& attributes = {});

std::unique_ptr<dnn::Dense> load_dense(const TensorFile& file, std::string_view group,
                                       dnn::Activation phi = dnn::Activation::identity);

// Channels and kernel size come from the weight's shape; the rest of the shape from `shape`
// (its in_channels, out_channels, kernel_h and kernel_w are ignored).
std::unique_ptr<dnn::Conv2d> load_conv2d(const TensorFile& file, std::string_view group,
                                         const dnn::Conv2d::Shape& shape,
                                         dnn::Activation phi = dnn::Activation::identity);

// Channels from the tensors; `features` values per channel (1 for a vector, H * W for an
// image).
std::unique_ptr<dnn::BatchNormalization> load_batch_normalization(const TensorFile& file,
                                                                  std::string_view group,
                                                                  std::size_t features = 1,
                                                                  double eps = 1e-5);

std::unique_ptr<dnn::DivisiveNormalization> load_divisive_normalization(
    const TensorFile& file, std::string_view group, const dnn::DivisiveNormalization::Params& p);

std::unique_ptr<dnn::Rnn> load_rnn(const TensorFile& file, std::string_view group);
std::unique_ptr<dnn::Lstm> load_lstm(const TensorFile& file, std::string_view group);
std::unique_ptr<dnn::Gru> load_gru(const TensorFile& file, std::string_view group);

}  // namespace spikeflow::io
