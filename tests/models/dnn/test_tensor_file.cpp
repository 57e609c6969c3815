// Tests of io/tensor_file.hpp, the HDF5 loader of module tensors (kept beside the module
// tests because it shares their fixture): errors name the file, the dataset and both shapes.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "io/tensor_file.hpp"
#include "tests/models/dnn/dnn_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;
using test::config_error;
using test::dnn_fixture;

TEST_CASE("tensor file: a missing dataset is named with the file and what the module needs",
          "[io][unit][dnn]") {
  // Requirement: a missing tensor is reported with the file, the full dataset path and the
  // role and shape the module expects.
  const io::TensorFile file(dnn_fixture());
  const std::string msg = config_error([&] { io::load_dense(file, "bad/no_bias"); });
  CHECK_THAT(msg, Contains(dnn_fixture().string()));
  CHECK_THAT(msg, Contains("dataset '/bad/no_bias/bias'"));
  CHECK_THAT(msg, Contains("dense bias [out]"));
  CHECK_THAT(msg, Contains("missing"));

  const std::string gru = config_error([&] { io::load_gru(file, "dense_relu"); });
  CHECK_THAT(gru, Contains("dataset '/dense_relu/weight_hh'"));
  CHECK_THAT(gru, Contains("missing"));
  CHECK_THAT(config_error([&] { io::load_dense(file, "nowhere"); }),
             Contains("dataset '/nowhere/weight' (dense weight [out, in]) is missing"));
}

TEST_CASE("tensor file: a wrong shape names the dataset, its shape and the expected one",
          "[io][unit][dnn]") {
  // Requirement: a tensor of the wrong shape or rank is refused before any module is built.
  const io::TensorFile file(dnn_fixture());
  // bad/weight is [3, 2], so the bias must be [3]; it is [2].
  CHECK_THAT(config_error([&] { io::load_dense(file, "/bad"); }),
             Contains("dataset '/bad/bias' has shape [2], expected [3] (dense bias [out])"));
  // A dense weight is read as an lstm: weight_hh must be [4 H, H].
  const std::string lstm = config_error([&] { io::load_lstm(file, "gru"); });
  CHECK_THAT(lstm, Contains("dataset '/gru/weight_hh' has shape [15, 5], expected [4 H, H]"));
  // A rank mismatch: conv2d weights need four dimensions.
  CHECK_THAT(config_error([&] { io::load_conv2d(file, "dense_relu", {}); }),
             Contains("dataset '/dense_relu/weight' (conv2d weight [out_ch, in_ch, k_h, k_w]) "
                      "has shape [5, 7], expected rank 4"));
  // Divisive normalisation needs a square pool.
  CHECK_THAT(config_error([&] { io::load_divisive_normalization(file, "dense_relu", {}); }),
             Contains("expected a square [N, N]"));
}

TEST_CASE("tensor file: sizes the tensors cannot fix are checked with the file named",
          "[io][unit][dnn]") {
  // Requirement: a module's own refusal still says which file and group it came from.
  const io::TensorFile file(dnn_fixture());
  dnn::Conv2d::Shape shape;  // height = width = 0
  const std::string msg = config_error([&] { io::load_conv2d(file, "conv2d_pad1", shape); });
  CHECK_THAT(msg, Contains("group '/conv2d_pad1'"));
  CHECK_THAT(msg, Contains("conv2d: height must be >= 1, got 0"));
}

TEST_CASE("tensor file: non-numeric datasets, missing files and non-HDF5 files are refused",
          "[io][unit][dnn]") {
  // Requirement: strings, declared-but-absurd extents, missing and foreign files are
  // errors with the path, never crashes or huge allocations.
  const io::TensorFile file(dnn_fixture());
  CHECK_FALSE(file.has("bad"));  // a group, not a dataset
  CHECK(file.has("/bad/weight"));
  CHECK_THAT(config_error([&] { file.read("bad/huge"); }),
             Contains("dataset '/bad/huge' has shape [1048576, 1048576], more than the 2^32 "
                      "values a tensor may have"));
  CHECK_THAT(config_error([&] { file.read("bad/text"); }),
             Contains("dataset '/bad/text' must hold floating-point or integer numbers"));
  CHECK_THAT(config_error([&] { io::TensorFile("/nonexistent/weights.h5"); }),
             Contains("tensor file '/nonexistent/weights.h5': no such file"));
  const auto not_hdf5 = std::filesystem::path(__FILE__);
  CHECK_THAT(config_error([&] { io::TensorFile{not_hdf5}; }), Contains("not a readable HDF5 file"));
}

TEST_CASE("tensor file: a non-finite value is refused with its index; a directory is no file",
          "[io][unit][dnn]") {
  // Risk: a NaN weight or input reported much later under an internal name, or at the wrong
  // row; a directory reported as missing.
  const auto dir = std::filesystem::temp_directory_path() / "spikeflow_test_tensor_nan";
  std::filesystem::create_directories(dir);
  std::vector<double> values(2 * 3 * 4, 1.0);
  values[1 * 12 + 0 * 4 + 3] = std::numeric_limits<double>::quiet_NaN();  // [1, 0, 3]
  io::write_tensor_file(
      dir / "t.h5", {{"g/x", io::Tensor{{2, 3, 4}, values}}, {"s", io::Tensor{{}, {-INFINITY}}}});
  const io::TensorFile file(dir / "t.h5");
  CHECK_THAT(config_error([&] { file.read("g/x"); }),
             Contains("tensor file '" + (dir / "t.h5").string() +
                      "': dataset '/g/x' has nan at [1, 0, 3]; every value must be finite"));
  CHECK_THAT(config_error([&] { file.read("s"); }), Contains("dataset '/s' has -inf at []"));
  CHECK_THAT(config_error([&] { io::TensorFile{dir}; }),
             Contains("tensor file '" + dir.string() + "': is a directory, not a file"));
  CHECK(file.children("/") == std::vector<std::string>{"g", "s"});
  CHECK(file.children("g") == std::vector<std::string>{"x"});
  CHECK(file.children("s").empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("tensor file: group paths with or without slashes name the same dataset",
          "[io][unit][dnn]") {
  CHECK(io::TensorFile::join("", "weight") == "/weight");
  CHECK(io::TensorFile::join("/", "weight") == "/weight");
  CHECK(io::TensorFile::join("fc1", "weight") == "/fc1/weight");
  CHECK(io::TensorFile::join("/fc1/", "/weight") == "/fc1/weight");
  const io::TensorFile file(dnn_fixture());
  CHECK(file.read("dense_relu/bias").values == file.read("/dense_relu/bias").values);
}

TEST_CASE("tensor file: write_tensor_file writes what TensorFile reads back", "[io]") {
  // Requirement: float64 datasets with groups made on the way, shapes kept, root attributes.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "spikeflow_test_write_tensors.h5";
  io::write_tensor_file(path,
                        {{"L2/weight", io::Tensor{{2, 3}, {1, 2, 3, 4, 5, 6.5}}},
                         {"scales", io::Tensor{{3}, {0.1, 0.2, 0.3}}}},
                        {{"source", "a test"}});
  {
    const io::TensorFile f(path);
    const io::Tensor w = f.read("L2/weight");
    CHECK(w.shape == std::vector<std::size_t>{2, 3});
    CHECK(w.values == std::vector<double>{1, 2, 3, 4, 5, 6.5});
    CHECK(f.read("/scales").values == std::vector<double>{0.1, 0.2, 0.3});
  }
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(io::write_tensor_file("/nonexistent-dir/x.h5", {}),
                    Contains("tensor file '/nonexistent-dir/x.h5': creating the file"));
}
