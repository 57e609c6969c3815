// Tests of models/ann_to_snn.hpp against the numpy fixture examples/ann_to_snn/mlp.h5
// (examples/ann_to_snn/make_mlp.py: a 4-32-32-3 ReLU network trained in numpy, its test
// inputs, and the rate network's logits, decisions and activation percentiles computed in
// numpy): the normalisation scales, the rate model, and the agreement of the converted
// spiking network's class with the rate network's on the 1000 test inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "io/tensor_file.hpp"
#include "models/ann_to_snn.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using spikeflow::test::config_error;

namespace {

const std::filesystem::path kFixture =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "examples" /
    "ann_to_snn" / "mlp.h5";

struct Fixture {
  io::TensorFile file{kFixture};
  std::vector<double> calibration = file.read("data/x_calibration").values;
  std::vector<double> test_inputs = file.read("data/x_test").values;
  std::vector<double> logits = file.read("reference/logits").values;
  std::vector<double> decisions = file.read("reference/decision").values;

  std::vector<dnn::Dense> layers() const {
    std::vector<dnn::Dense> out;
    out.push_back(*io::load_dense(file, "fc1", dnn::Activation::relu));
    out.push_back(*io::load_dense(file, "fc2", dnn::Activation::relu));
    out.push_back(*io::load_dense(file, "fc3", dnn::Activation::identity));
    return out;
  }
};

double agreement(const std::vector<std::size_t>& decided, const std::vector<double>& reference) {
  std::size_t same = 0;
  for (std::size_t k = 0; k < decided.size(); ++k)
    same += decided[k] == static_cast<std::size_t>(reference[k]);
  return static_cast<double>(same) / static_cast<double>(decided.size());
}

}  // namespace

TEST_CASE("ann_to_snn: scales are numpy's activation percentiles, the rate model numpy's net",
          "[model][unit]") {
  // Requirement: lambda_l = the 99.9th percentile (and for 100: the maximum) of the positive
  // activations on the calibration set, as numpy computes it; the rate model reproduces the
  // logits and decisions computed in numpy from the same weights.
  const Fixture f;
  const std::vector<double> p999 = f.file.read("reference/scale_p99.9").values;
  const std::vector<double> largest = f.file.read("reference/scale_max").values;
  const models::ConvertedNetwork snn(f.layers(), f.calibration, {.percentile = 99.9});
  const models::ConvertedNetwork by_max(f.layers(), f.calibration, {.percentile = 100.0});
  REQUIRE(snn.layers().size() == 3);
  for (std::size_t l = 0; l < 3; ++l) {
    CHECK(snn.layers()[l].scale == Approx(p999[l]).epsilon(1e-12));
    CHECK(by_max.layers()[l].scale == Approx(largest[l]).epsilon(1e-12));
  }
  // W~_l = W_l lambda_{l-1} / lambda_l, b~_l = b_l / lambda_l.
  const io::Tensor w2 = f.file.read("fc2/weight");
  const io::Tensor b2 = f.file.read("fc2/bias");
  CHECK(snn.layers()[1].weight[37] == Approx(w2.values[37] * p999[0] / p999[1]).epsilon(1e-12));
  CHECK(snn.layers()[1].bias[5] == Approx(b2.values[5] / p999[1]).epsilon(1e-12));

  const std::size_t samples = f.decisions.size();
  for (std::size_t k = 0; k < samples; ++k) {
    const std::span<const double> x(f.test_inputs.data() + 4 * k, 4);
    const std::vector<double> y = snn.rate_outputs(x);
    for (std::size_t i = 0; i < 3; ++i) REQUIRE(y[i] == Approx(f.logits[3 * k + i]).margin(1e-12));
    REQUIRE(models::argmax(y) == static_cast<std::size_t>(f.decisions[k]));
  }
}

TEST_CASE(
    "ann_to_snn: the spiking network takes the rate network's class on >= 99% of the "
    "1000 test inputs after 200 steps",
    "[model]") {
  // The requirement: the converted network (99.9th percentile, constant-current
  // input, V_m starting at V_th / 2, dt = 1 ms) agrees with the rate network's argmax
  // (computed in numpy) on at least 99% of the inputs after 200 ms per input.
  const Fixture f;
  const models::ConvertedNetwork snn(f.layers(), f.calibration, {.percentile = 99.9});
  const std::vector<Step> at = {50, 100, 200};
  const auto decided = snn.classify(f.test_inputs, at, 2);
  for (std::size_t t = 0; t < at.size(); ++t)
    WARN("agreement after " << at[t] << " steps: " << agreement(decided[t], f.decisions));
  CHECK(agreement(decided[2], f.decisions) >= 0.99);
  // More time never makes it worse by more than a few inputs (a sanity check of the sweep).
  CHECK(agreement(decided[2], f.decisions) >= agreement(decided[0], f.decisions) - 0.005);
}

TEST_CASE("ann_to_snn: decisions do not depend on the thread count", "[model][determinism]") {
  const Fixture f;
  const models::ConvertedNetwork snn(f.layers(), f.calibration);
  const std::span<const double> some(f.test_inputs.data(), 4 * 60);
  const std::vector<Step> at = {30, 90};
  CHECK(snn.classify(some, at, 1) == snn.classify(some, at, 3));
}

TEST_CASE("ann_to_snn: documented defaults and the decision rule", "[model][unit]") {
  const models::ConversionOptions o;
  CHECK(o.percentile == 99.9);
  CHECK(o.dt == 1.0);
  CHECK(o.V_th == 1.0);
  CHECK(o.C_m == 1.0);
  CHECK(o.initial_V == 0.5);
  // Most spikes; a tie to the higher V_m, then to the lower index.
  const std::vector<std::uint64_t> counts = {3, 5, 5, 1};
  CHECK(models::spiking_decision(counts, std::vector<double>{0.9, 0.2, 0.3, 0.0}) == 2);
  CHECK(models::spiking_decision(counts, std::vector<double>{0.9, 0.3, 0.3, 0.0}) == 1);
  CHECK(models::spiking_decision(std::vector<std::uint64_t>{0, 0}, std::vector<double>{0.1, 0.4}) ==
        1);
  // numpy.percentile([1, 2, 3, 4], 90) = 3.7 (linear interpolation).
  CHECK(models::percentile({4, 1, 3, 2}, 90.0) == Approx(3.7).epsilon(1e-15));
}

TEST_CASE("ann_to_snn: errors name the layer and the value", "[model][unit]") {
  const Fixture f;
  CHECK(config_error([&] {
          models::ConvertedNetwork(f.layers(), f.calibration, {.percentile = 0});
        }) == "ann_to_snn: percentile must be in (0, 100], got 0");
  CHECK(config_error([&] {
          models::ConvertedNetwork(f.layers(), std::span<const double>(f.calibration.data(), 6));
        }) ==
        "ann_to_snn: the calibration data has 6 values; it needs whole rows of 4 inputs, "
        "at least one");
  std::vector<double> broken = f.calibration;
  broken[9] = NAN;
  CHECK(config_error([&] { models::ConvertedNetwork(f.layers(), broken); }) ==
        "ann_to_snn: the calibration data has nan at row 2, column 1; inputs must be finite");
  const models::ConvertedNetwork snn(f.layers(), f.calibration);
  CHECK(config_error([&] {
          snn.run(std::vector<double>{0, 1, INFINITY, 0}, std::vector<Step>{5});
        }) == "ann_to_snn: the input has inf at row 0, column 2; inputs must be finite");
  // Several rows: the row of the bad value, not its position within its row's network.
  std::vector<double> rows(4 * 6, 0.5);
  rows[4 * 5 + 2] = NAN;
  CHECK(config_error([&] { snn.run_all(rows, std::vector<Step>{5}, 2); }) ==
        "ann_to_snn: the input data has nan at row 5, column 2; inputs must be finite");
  std::vector<dnn::Dense> sigmoid = f.layers();
  sigmoid[1] = dnn::Dense(std::vector<double>(32 * 32, 0.0), std::vector<double>(32, 0.0), 32, 32,
                          dnn::Activation::sigmoid);
  CHECK(config_error([&] { models::ConvertedNetwork(sigmoid, f.calibration); }) ==
        "ann_to_snn: layer 2 has activation sigmoid; hidden layers must be relu, the output layer "
        "relu or identity");
  std::vector<dnn::Dense> mismatched = f.layers();
  mismatched.erase(mismatched.begin() + 1);
  mismatched.insert(mismatched.begin() + 1,
                    dnn::Dense(std::vector<double>(32 * 16, 0.0), std::vector<double>(32, 0.0), 16,
                               32, dnn::Activation::relu));
  CHECK(config_error([&] { models::ConvertedNetwork(mismatched, f.calibration); }) ==
        "ann_to_snn: layer 2 has 16 inputs, layer 1 has 32 outputs");
}
