// Tests of DNN modules as model-file populations (io/model_file.cpp, io/module_loader.hpp):
// each kind loaded from the numpy fixture (tests/data/dnn/modules.h5, written by
// tests/data/dnn/make_fixtures.py) through `weights` relative to the model file, run in a
// network fed the fixture's inputs one row per update, gives the fixture's outputs; and the
// errors a user can make name the file, the dataset and the shape.
#include <catch2/catch.hpp>

#include <filesystem>
#include <limits>
#include <string>

#include "io/model_file.hpp"
#include "io/tensor_file.hpp"
#include "models/module_adapter.hpp"
#include "tests/engine/adapter_test_support.hpp"
#include "tests/models/dnn/dnn_test_support.hpp"
#include "tests/models/model_test_support.hpp"

using namespace spikeflow;
using Catch::Matchers::Contains;

namespace {

// A model file beside the fixture, so `weights = "modules.h5"` resolves to it.
std::filesystem::path model_path() {
  return test::dnn_fixture().parent_path() / "model.toml";
}

std::string model_text(const std::string& model, const std::string& params,
                       const std::string& weights = "modules.h5") {
  return concat("[simulation]\ndt = \"0.1 ms\"\nduration = \"10 ms\"\n\n[[populations]]\n",
                "name = \"M\"\nmodel = \"", model, "\"\nparams = { weights = \"", weights, "\", ",
                params, " }\n");
}

struct Case {
  std::string model, group, params;
};

}  // namespace

TEST_CASE("model file: every DNN module kind from its HDF5 group equals the numpy fixture",
          "[unit][io][dnn]") {
  // Requirement: the module adapter evaluates the module once per update on the inputs of
  // that update, so feeding row u of the fixture's inputs at update u gives row u of its
  // outputs (recurrent cells step through the rows in order, from h = 0), to 1e-9 relative.
  // The source updates every 0.5 ms and reaches the module through a 0.5 ms delay: module
  // update q sees source update q - 2; the module is reset after its updates 0 and 1.
  const Case c =
      GENERATE(Case{"dense", "dense_relu", "group = \"dense_relu\", activation = \"relu\""},
               Case{"conv2d", "conv2d_mixed",
                    "group = \"conv2d_mixed\", activation = \"tanh\", height = 8, width = 7, "
                    "stride_h = 2, stride_w = 1, pad_h = 1, pad_w = 2"},
               Case{"batch_normalization", "batch_normalization",
                    "group = \"/batch_normalization\", features = 6, eps = 0.001"},
               Case{"divisive_normalization", "divisive_normalization_n2",
                    "group = \"divisive_normalization_n2\", n = 2.0, sigma = 0.7"},
               Case{"rnn", "rnn", "group = \"rnn\""}, Case{"lstm", "lstm", "group = \"lstm\""},
               Case{"gru", "gru", "group = \"gru\", update_interval = \"0.5 ms\""});
  INFO(c.model << " from group " << c.group);
  // The settings above are the fixture's attributes; check so a regenerated fixture fails.
  if (c.model == "conv2d") {
    CHECK(test::fixture_number(c.group, "height") == 8);
    CHECK(test::fixture_number(c.group, "stride_h") == 2);
    CHECK(test::fixture_string(c.group, "activation") == "tanh");
  }
  if (c.model == "divisive_normalization") CHECK(test::fixture_number(c.group, "sigma") == 0.7);
  if (c.model == "batch_normalization") CHECK(test::fixture_number(c.group, "features") == 6);

  const io::TensorFile file(test::dnn_fixture());
  const io::Tensor in = file.read(c.group + "/inputs");
  const io::Tensor out = file.read(c.group + "/outputs");
  const std::size_t rows = in.shape[0], n_in = in.shape[1], n_out = out.shape[1];

  const std::string interval = c.model == "gru" ? "" : ", update_interval = \"0.5 ms\"";
  io::LoadedModel m = io::load_model_text(model_text(c.model, c.params + interval), model_path());
  Network& net = *m.network;
  const PopulationHandle module{0};
  REQUIRE(net.population(module).size() == n_out);
  const auto row = [&](std::int64_t u, NeuronIndex i) {
    return u < static_cast<std::int64_t>(rows) ? in.values[u * n_in + i] : 0.0;
  };
  const auto src = net.add_population(
      "src", std::make_unique<test::ValueSource>(static_cast<NeuronIndex>(n_in), 5, row));
  net.connect(src, module, ConnectionRule::one_to_one(),
              {.weight = Distribution::constant(1.0), .delay = Distribution::constant(0.5)});
  const auto y = net.record_state(module, "y", {}, 0.5);
  net.run(1.0);
  auto* adapter = dynamic_cast<models::ModuleAdapter*>(&net.population(module));
  REQUIRE(adapter != nullptr);
  CHECK(adapter->model() == c.model);
  adapter->module().reset();
  net.run(0.5 * static_cast<double>(rows));

  const Trace& t = net.trace(y);
  REQUIRE(t.values.size() == (rows + 2) * n_out);
  const std::span<const double> got(t.values.data() + 2 * n_out, rows * n_out);
  CHECK(test::max_relative_error(got, out.values) <= 1e-9);
}

TEST_CASE("model file: DNN module errors name the file, the dataset and the shape",
          "[unit][io][dnn]") {
  const auto error = [](const std::string& model, const std::string& params,
                        const std::string& weights = "modules.h5") {
    try {
      io::load_model_text(model_text(model, params, weights), model_path());
    } catch (const io::ModelFileError& e) {
      return std::string(e.what());
    }
    FAIL("no ModelFileError for " << model << " with " << params);
    return std::string();
  };
  CHECK_THAT(error("dense", "group = \"bad/no_bias\""),
             Contains("populations.M.params.weights: tensor file '") &&
                 Contains("modules.h5': dataset '/bad/no_bias/bias' (dense bias [out]) is "
                          "missing"));
  CHECK_THAT(error("dense", "group = \"bad\""),
             Contains("dataset '/bad/bias' has shape [2], expected [3] (dense bias [out])"));
  CHECK_THAT(error("lstm", "group = \"gru\""),
             Contains("dataset '/gru/weight_hh' has shape [15, 5], expected [4 H, H]"));
  CHECK_THAT(error("dense", "group = \"dense_relu\", activation = \"softplus\""),
             Contains("unknown activation 'softplus'"));
  CHECK_THAT(error("conv2d", "group = \"conv2d_mixed\", height = 8"),
             Contains("conv2d needs the input's height and width"));
  CHECK_THAT(error("dense", "group = \"dense_relu\", stride_h = 0"),
             Contains("stride_h: must be an integer in [1, 2^31], got 0"));
  CHECK_THAT(test::config_error([] {
               io::load_model_text(model_text("dense", "group = \"dense_relu\"") + "size = 4\n",
                                   model_path());
             }),
             Contains("size: must equal the output size of the dense module (5, from its "
                      "tensors), got 4"));
  CHECK_THAT(error("gru", "group = \"gru\"", "missing.h5"),
             Contains("populations.M.params.weights: ") && Contains("missing.h5"));
}

TEST_CASE("model file: a NaN or an infinity in a module's tensors is refused at load time",
          "[unit][io][dnn]") {
  // Risk: relu(NaN) = 0 silently, identity a numerical fault at run time that names neither
  // the file nor the dataset. The loader names both and the element.
  const auto dir = std::filesystem::temp_directory_path() / "spikeflow_test_nan_module";
  std::filesystem::create_directories(dir);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  io::write_tensor_file(dir / "nan.h5", {{"fc/weight", io::Tensor{{2, 3}, {1, 2, 3, 4, 5, nan}}},
                                         {"fc/bias", io::Tensor{{2}, {0, 0}}}});
  io::write_tensor_file(dir / "inf.h5", {{"fc/weight", io::Tensor{{2, 3}, {1, 2, 3, 4, 5, 6}}},
                                         {"fc/bias", io::Tensor{{2}, {0, -inf}}}});
  const auto error = [&](const std::string& file, const std::string& activation) {
    return test::config_error([&] {
      io::load_model_text(
          model_text("dense", "group = \"fc\", activation = \"" + activation + "\"", file),
          dir / "model.toml");
    });
  };
  for (const std::string activation : {"relu", "identity"}) {
    CHECK_THAT(error("nan.h5", activation),
               Contains("populations.M.params.weights: tensor file '") &&
                   Contains("nan.h5': dataset '/fc/weight' (dense weight [out, in]) has nan at "
                            "[1, 2]; every value must be finite"));
    CHECK_THAT(error("inf.h5", activation),
               Contains("inf.h5': dataset '/fc/bias' (dense bias [out]) has -inf at [1]"));
  }
  std::filesystem::remove_all(dir);
}
