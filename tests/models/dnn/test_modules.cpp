// Tests of the DNN-equivalent modules (models/dnn/) loaded through io/tensor_file.hpp
// against reference outputs computed by an independent numpy implementation
// (tests/data/dnn/make_fixtures.py -> modules.h5): every module equals numpy to 1e-5
// relative, for every activation, padding and stride combination in the fixture.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "io/tensor_file.hpp"
#include "models/dnn/gabor.hpp"
#include "models/dnn/module.hpp"
#include "models/dnn/rate_learning.hpp"
#include "models/dnn/sequential.hpp"
#include "tests/models/dnn/dnn_test_support.hpp"

using namespace spikeflow;
using test::dnn_fixture;

namespace {

constexpr double kRelTol = 1e-5;

// Runs the rows of `inputs` through `module` in order and compares with `outputs` row by
// row; returns the largest relative error.
double run_against_fixture(dnn::Module& module, const io::TensorFile& file,
                           const std::string& group) {
  const io::Tensor in = file.read(group + "/inputs");
  const io::Tensor out = file.read(group + "/outputs");
  REQUIRE(in.shape.size() == 2);
  REQUIRE(out.shape.size() == 2);
  REQUIRE(in.shape[0] == out.shape[0]);
  REQUIRE(in.shape[1] == module.input_size());
  REQUIRE(out.shape[1] == module.output_size());

  double worst = 0.0;
  std::vector<double> y(module.output_size());
  for (std::size_t b = 0; b < in.shape[0]; ++b) {
    const std::span<const double> x(in.values.data() + b * in.shape[1], in.shape[1]);
    const std::span<const double> want(out.values.data() + b * out.shape[1], out.shape[1]);
    module.forward(x, y);
    const double err = test::max_relative_error(y, want);
    INFO(group << " row " << b << ": max relative error " << err);
    CHECK(err <= kRelTol);
    worst = std::max(worst, err);
  }
  return worst;
}

}  // namespace

TEST_CASE("dense: equals numpy for identity, relu, sigmoid, tanh and float32 tensors",
          "[model][unit][dnn]") {
  // Requirement: y = phi(W x + b) with nn.Linear's weight layout [out, in].
  const io::TensorFile file(dnn_fixture());
  for (const std::string act : {"identity", "relu", "sigmoid", "tanh", "float32"}) {
    const std::string group = "dense_" + act;
    const auto phi = dnn::parse_activation(test::fixture_string(group, "activation"));
    auto layer = io::load_dense(file, group, phi);
    CHECK(layer->kind() == "dense");
    CHECK(layer->input_size() == 7);
    CHECK(layer->output_size() == 5);
    const double err = run_against_fixture(*layer, file, group);
    WARN(group << ": max relative error against numpy " << err);
  }
}

TEST_CASE("conv2d: equals numpy with padding, strides and non-square kernels",
          "[model][unit][dnn]") {
  // Requirement: cross-correlation over C x H x W with zero padding and stride, nn.Conv2d's
  // weight layout [out_ch, in_ch, kh, kw] and output size floor((H + 2p - k) / s) + 1.
  const io::TensorFile file(dnn_fixture());
  for (const std::string group : {"conv2d_pad1", "conv2d_stride2", "conv2d_mixed"}) {
    dnn::Conv2d::Shape shape;
    const auto attr = [&](const char* name) {
      return static_cast<std::size_t>(test::fixture_number(group, name));
    };
    shape.height = attr("height");
    shape.width = attr("width");
    shape.stride_h = attr("stride_h");
    shape.stride_w = attr("stride_w");
    shape.pad_h = attr("pad_h");
    shape.pad_w = attr("pad_w");
    const auto phi = dnn::parse_activation(test::fixture_string(group, "activation"));
    auto conv = io::load_conv2d(file, group, shape, phi);
    CHECK(conv->kind() == "conv2d");
    const double err = run_against_fixture(*conv, file, group);
    WARN(group << ": max relative error against numpy " << err);
  }
}

TEST_CASE("batch_normalization: equals numpy in the inference form", "[model][unit][dnn]") {
  // Requirement: y = gamma (x - mean) / sqrt(var + eps) + beta per channel, channels x
  // features layout, eps from the caller.
  const io::TensorFile file(dnn_fixture());
  const std::string group = "batch_normalization";
  auto bn = io::load_batch_normalization(
      file, group, static_cast<std::size_t>(test::fixture_number(group, "features")),
      test::fixture_number(group, "eps"));
  CHECK(bn->kind() == "batch_normalization");
  CHECK(bn->input_size() == 24);
  const double err = run_against_fixture(*bn, file, group);
  WARN(group << ": max relative error against numpy " << err);
}

TEST_CASE("divisive_normalization: equals numpy for n = 2 and n = 1.5, negative inputs rectified",
          "[model][unit][dnn]") {
  // Requirement: y_i = x_i^n / (sigma^n + sum_j w_ij x_j^n) with x rectified at 0.
  const io::TensorFile file(dnn_fixture());
  for (const std::string group : {"divisive_normalization_n2", "divisive_normalization_n1_5"}) {
    const dnn::DivisiveNormalization::Params p{test::fixture_number(group, "n"),
                                               test::fixture_number(group, "sigma")};
    auto dn = io::load_divisive_normalization(file, group, p);
    CHECK(dn->kind() == "divisive_normalization");
    const double err = run_against_fixture(*dn, file, group);
    WARN(group << ": max relative error against numpy " << err);
  }
}

TEST_CASE("rnn, lstm, gru: a 6-step sequence equals numpy, and reset restarts it",
          "[model][unit][dnn]") {
  // Requirement: PyTorch's RNNCell/LSTMCell/GRUCell equations and gate orders (i f g o;
  // r z n), one step per forward, hidden state kept between calls and zeroed by reset.
  const io::TensorFile file(dnn_fixture());
  std::vector<std::unique_ptr<dnn::Module>> cells;
  cells.push_back(io::load_rnn(file, "rnn"));
  cells.push_back(io::load_lstm(file, "lstm"));
  cells.push_back(io::load_gru(file, "gru"));
  for (auto& cell : cells) {
    const std::string group(cell->kind());
    CHECK(cell->input_size() == 4);
    CHECK(cell->output_size() == 5);
    const double err = run_against_fixture(*cell, file, group);
    WARN(group << ": max relative error against numpy " << err);
    cell->reset();
    CHECK(run_against_fixture(*cell, file, group) == err);  // the same sequence again
  }
}

TEST_CASE("dnn modules: the documented defaults", "[model][unit][dnn]") {
  // Requirement: the defaults the headers and docs/dnn.md state.
  const dnn::DivisiveNormalization::Params dn;
  CHECK(dn.n == 2.0);
  CHECK(dn.sigma == 1.0);
  dnn::DivisiveNormalization pool(3, dn);
  for (const double w : pool.weights()) CHECK(w == 1.0);  // every unit in every pool
  const dnn::RateLearning::Params rule;
  CHECK(rule.rule == dnn::RateRule::oja);
  CHECK(rule.eta == 1e-3);
  CHECK(rule.tau_theta == 100.0);
  CHECK(rule.theta0 == 0.0);
  const dnn::Conv2d::Shape shape;
  CHECK(shape.stride_h == 1);
  CHECK(shape.stride_w == 1);
  CHECK(shape.pad_h == 0);
  CHECK(shape.pad_w == 0);
  CHECK(dnn::GaborBank{}.gamma == 1.0);
  CHECK_FALSE(dnn::GaborBank{}.zero_mean);
  CHECK_FALSE(dnn::GaborBank{}.unit_norm);
  const dnn::BatchNormalization bn(1, 1, {{1.0}, {0.0}, {0.0}, {1.0}});
  CHECK(bn.eps() == 1e-5);
  const dnn::Dense dense({1.0}, {0.0}, 1, 1);
  CHECK(dense.activation() == dnn::Activation::identity);
  for (const auto phi : {dnn::Activation::identity, dnn::Activation::relu, dnn::Activation::sigmoid,
                         dnn::Activation::tanh})
    CHECK(dnn::parse_activation(dnn::activation_name(phi)) == phi);
}

TEST_CASE("dnn modules: forward with spans of the wrong length is refused", "[model][unit][dnn]") {
  using Catch::Matchers::Contains;
  dnn::Dense dense({1.0, 2.0}, {0.0}, 2, 1);
  std::vector<double> x(3), y(1);
  CHECK_THROWS_WITH(dense.forward(x, y), Contains("dense: forward input has 3 values, expected 2"));
  CHECK_THROWS_WITH(dnn::parse_activation("softmax", "dense 'fc1': activation"),
                    Contains("dense 'fc1': activation must be one of identity, relu, sigmoid, "
                             "tanh, got 'softmax'"));
}

TEST_CASE("sequential: a dense(relu) -> dense(sigmoid) network equals numpy",
          "[model][unit][dnn]") {
  // Requirement: stages chained in order, each output the next input; sizes checked.
  const io::TensorFile file(dnn_fixture());
  std::vector<std::unique_ptr<dnn::Module>> stages;
  stages.push_back(io::load_dense(file, "mlp/fc1", dnn::Activation::relu));
  stages.push_back(io::load_dense(file, "mlp/fc2", dnn::Activation::sigmoid));
  dnn::Sequential net(std::move(stages));
  CHECK(net.input_size() == 6);
  CHECK(net.output_size() == 3);
  const double err = run_against_fixture(net, file, "mlp");
  WARN("mlp: max relative error against numpy " << err);

  std::vector<std::unique_ptr<dnn::Module>> mismatched;
  mismatched.push_back(io::load_dense(file, "mlp/fc1"));
  mismatched.push_back(io::load_dense(file, "mlp/fc1"));
  CHECK_THROWS_WITH(dnn::Sequential(std::move(mismatched)),
                    Catch::Matchers::Contains("stage 0 (dense) has 8 outputs but stage 1 "
                                              "(dense) takes 6 inputs"));
}
