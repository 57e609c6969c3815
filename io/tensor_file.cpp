#include "io/tensor_file.hpp"

#include <hdf5.h>

#include <cmath>
#include <new>
#include <type_traits>

#include "engine/error.hpp"
#include "io/hdf5_detail.hpp"

namespace spikeflow::io {

static_assert(std::is_same_v<hid_t, std::int64_t>, "TensorFile keeps a hid_t as int64_t");

namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) text += concat(k ? ", " : "", shape[k]);
  return text + "]";
}

// The multi-index of row-major position k in `shape`: "[500, 2]".
std::string index_text(const std::vector<std::size_t>& shape, std::size_t k) {
  std::vector<std::size_t> index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] == 0 ? 0 : k % shape[d];
    k = shape[d] == 0 ? k : k / shape[d];
  }
  return shape_text(index);
}

// A NaN or an infinity in weights or inputs would surface much later as a silent ReLU(NaN) = 0
// or a numerical fault naming an internal object: refused here, where the file and the
// element are known.
void require_finite(const std::string& what, const Tensor& t) {
  for (std::size_t k = 0; k < t.values.size(); ++k)
    if (!std::isfinite(t.values[k]))
      throw ConfigError(concat(what, " has ", std::isnan(t.values[k]) ? "nan" : concat(t.values[k]),
                               " at ", index_text(t.shape, k), "; every value must be finite"));
}

// "/a/b" -> "a/b": hdf5::link_exists walks relative paths.
std::string relative(std::string_view name) {
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  return std::string(name);
}

// Builds a module from tensors already read; a size the module refuses (say a zero
// dimension) is reported with the file and group it came from.
template <typename Make>
auto build(const TensorFile& file, std::string_view group, Make make) {
  try {
    return make();
  } catch (const ConfigError& e) {
    throw ConfigError(concat("tensor file '", file.path().string(), "', group '",
                             TensorFile::join(group, ""), "': ", e.what()));
  }
}

}  // namespace

std::string TensorFile::join(std::string_view group, std::string_view name) {
  std::string g = relative(group);
  while (!g.empty() && g.back() == '/') g.pop_back();
  const std::string n = relative(name);
  if (g.empty() || n.empty()) return "/" + g + n;
  return "/" + g + "/" + n;
}

TensorFile::TensorFile(const std::filesystem::path& path) : path_(path) {
  hdf5::QuietErrors quiet;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ConfigError(concat("tensor file '", path.string(), "': is a directory, not a file"));
  if (!std::filesystem::exists(path, ec))
    throw ConfigError(concat("tensor file '", path.string(), "': no such file"));
  if (!std::filesystem::is_regular_file(path, ec))
    throw ConfigError(concat("tensor file '", path.string(), "': not a regular file"));
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0)
    throw ConfigError(concat("tensor file '", path.string(),
                             "': not a readable HDF5 file: ", hdf5::error_stack_text()));
}

TensorFile::~TensorFile() {
  if (file_ >= 0) H5Fclose(file_);
}

std::vector<std::string> TensorFile::children(std::string_view group) const {
  hdf5::QuietErrors quiet;
  const std::string rel = relative(group);
  if (!rel.empty() && !hdf5::link_exists(file_, rel.c_str())) return {};
  const hid_t object = H5Oopen(file_, rel.empty() ? "/" : rel.c_str(), H5P_DEFAULT);
  if (object < 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  std::vector<std::string> names;
  if (H5Iget_type(object) == H5I_GROUP) {
    try {
      names = hdf5::child_names(object);
    } catch (const hdf5::Failure&) {
      names.clear();
    }
  }
  H5Oclose(object);
  return names;
}

bool TensorFile::has(std::string_view name) const {
  hdf5::QuietErrors quiet;
  const std::string rel = relative(name);
  if (rel.empty() || !hdf5::link_exists(file_, rel.c_str())) return false;
  const hid_t object = H5Oopen(file_, rel.c_str(), H5P_DEFAULT);
  if (object < 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const bool dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  return dataset;
}

Tensor TensorFile::read(std::string_view name) const {
  return read_rank(name, ~std::size_t{0}, "");
}

Tensor TensorFile::read_rank(std::string_view name, std::size_t rank, std::string_view role) const {
  const std::string shown = join("", name);
  const std::string what = concat("tensor file '", path_.string(), "': dataset '", shown, "'",
                                  role.empty() ? "" : concat(" (", role, ")"));
  if (!has(name)) throw ConfigError(what + " is missing");

  hdf5::QuietErrors quiet;
  const std::string rel = relative(name);
  try {
    hdf5::Id dataset(hdf5::check_id(H5Dopen2(file_, rel.c_str(), H5P_DEFAULT), "opening"));
    hdf5::Id type(hdf5::check_id(H5Dget_type(dataset), "reading the type"));
    const H5T_class_t type_class = H5Tget_class(type);
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER)
      throw ConfigError(what + " must hold floating-point or integer numbers");

    hdf5::Id space(hdf5::check_id(H5Dget_space(dataset), "reading the shape"));
    const int ndims = H5Sget_simple_extent_ndims(space);
    if (ndims < 0) throw hdf5::Failure("reading the rank: " + hdf5::error_stack_text());
    std::vector<hsize_t> dims(static_cast<std::size_t>(ndims));
    if (ndims > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    Tensor t;
    t.shape.assign(dims.begin(), dims.end());
    if (rank != ~std::size_t{0} && t.shape.size() != rank)
      throw ConfigError(concat(what, " has shape ", shape_text(t.shape), ", expected rank ", rank));

    // A file can declare any extent without storing data; refuse what cannot be held
    // before allocating it.
    constexpr std::size_t kMaxValues = std::size_t{1} << 32;  // 32 GiB of doubles
    std::size_t count = 1;
    for (const std::size_t d : t.shape) {
      if (d != 0 && count > kMaxValues / d)
        throw ConfigError(concat(what, " has shape ", shape_text(t.shape),
                                 ", more than the 2^32 values a tensor may have"));
      count *= d;
    }
    try {
      t.values.resize(count);
    } catch (const std::bad_alloc&) {
      throw ConfigError(concat(what, " has shape ", shape_text(t.shape), ": ", count,
                               " values do not fit in memory"));
    }
    if (count > 0)
      hdf5::check(
          H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.values.data()),
          "reading the values");
    require_finite(what, t);
    return t;
  } catch (const hdf5::Failure& e) {
    throw ConfigError(concat(what, ": ", e.what()));
  }
}

std::vector<double> TensorFile::read(std::string_view name, const std::vector<std::size_t>& shape,
                                     std::string_view role) const {
  Tensor t = read_rank(name, shape.size(), role);
  if (t.shape != shape)
    throw ConfigError(concat("tensor file '", path_.string(), "': dataset '", join("", name),
                             "' has shape ", shape_text(t.shape), ", expected ", shape_text(shape),
                             role.empty() ? "" : concat(" (", role, ")")));
  return std::move(t.values);
}

void write_tensor_file(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::vector<std::pair<std::string, std::string>>& attributes) {
  hdf5::QuietErrors quiet;
  try {
    hdf5::Id file(hdf5::check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                 "creating the file"));
    hdf5::Id links(hdf5::check_id(H5Pcreate(H5P_LINK_CREATE), "creating a property list"));
    hdf5::check(H5Pset_create_intermediate_group(links, 1), "setting intermediate groups");
    for (const auto& [name, tensor] : tensors) {
      const std::vector<hsize_t> dims(tensor.shape.begin(), tensor.shape.end());
      hdf5::Id space(hdf5::check_id(
          H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "a dataspace"));
      const std::string rel = relative(name);
      hdf5::Id dataset(hdf5::check_id(
          H5Dcreate2(file, rel.c_str(), H5T_IEEE_F64LE, space, links, H5P_DEFAULT, H5P_DEFAULT),
          concat("creating dataset '", name, "'")));
      hdf5::check(
          H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor.values.data()),
          concat("writing dataset '", name, "'"));
    }
    for (const auto& [name, value] : attributes) hdf5::write_string_attr(file, name.c_str(), value);
    hdf5::check(file.reset(), "closing the file");
  } catch (const hdf5::Failure& e) {
    throw RuntimeError(concat("tensor file '", path.string(), "': ", e.what()));
  }
}

std::unique_ptr<dnn::Dense> load_dense(const TensorFile& file, std::string_view group,
                                       dnn::Activation phi) {
  Tensor w = file.read_rank(TensorFile::join(group, "weight"), 2, "dense weight [out, in]");
  const std::size_t out = w.shape[0], in = w.shape[1];
  std::vector<double> b = file.read(TensorFile::join(group, "bias"), {out}, "dense bias [out]");
  return build(file, group, [&] {
    return std::make_unique<dnn::Dense>(std::move(w.values), std::move(b), in, out, phi);
  });
}

std::unique_ptr<dnn::Conv2d> load_conv2d(const TensorFile& file, std::string_view group,
                                         const dnn::Conv2d::Shape& shape, dnn::Activation phi) {
  Tensor w = file.read_rank(TensorFile::join(group, "weight"), 4,
                            "conv2d weight [out_ch, in_ch, k_h, k_w]");
  dnn::Conv2d::Shape s = shape;
  s.out_channels = w.shape[0];
  s.in_channels = w.shape[1];
  s.kernel_h = w.shape[2];
  s.kernel_w = w.shape[3];
  std::vector<double> b =
      file.read(TensorFile::join(group, "bias"), {s.out_channels}, "conv2d bias [out_ch]");
  return build(file, group, [&] {
    return std::make_unique<dnn::Conv2d>(s, std::move(w.values), std::move(b), phi);
  });
}

std::unique_ptr<dnn::BatchNormalization> load_batch_normalization(const TensorFile& file,
                                                                  std::string_view group,
                                                                  std::size_t features,
                                                                  double eps) {
  Tensor gamma = file.read_rank(TensorFile::join(group, "weight"), 1,
                                "batch_normalization weight (gamma) [C]");
  const std::vector<std::size_t> c = {gamma.shape[0]};
  dnn::BatchNormalization::Tensors t;
  t.gamma = std::move(gamma.values);
  t.beta = file.read(TensorFile::join(group, "bias"), c, "batch_normalization bias (beta) [C]");
  t.running_mean =
      file.read(TensorFile::join(group, "running_mean"), c, "batch_normalization running_mean [C]");
  t.running_var =
      file.read(TensorFile::join(group, "running_var"), c, "batch_normalization running_var [C]");
  return build(file, group, [&] {
    return std::make_unique<dnn::BatchNormalization>(c[0], features, std::move(t), eps);
  });
}

std::unique_ptr<dnn::DivisiveNormalization> load_divisive_normalization(
    const TensorFile& file, std::string_view group, const dnn::DivisiveNormalization::Params& p) {
  Tensor w =
      file.read_rank(TensorFile::join(group, "weight"), 2, "divisive_normalization weight [N, N]");
  if (w.shape[0] != w.shape[1])
    throw ConfigError(concat("tensor file '", file.path().string(), "': dataset '",
                             TensorFile::join(group, "weight"), "' has shape [", w.shape[0], ", ",
                             w.shape[1],
                             "], expected a square [N, N] "
                             "(divisive_normalization weight)"));
  return build(file, group, [&] {
    return std::make_unique<dnn::DivisiveNormalization>(w.shape[0], p, std::move(w.values));
  });
}

namespace {

// Reads the four recurrent tensors; input and hidden sizes come from weight_ih and
// weight_hh.
struct RecurrentRead {
  std::size_t input = 0, hidden = 0;
  dnn::RecurrentTensors tensors;
};

RecurrentRead read_recurrent(const TensorFile& file, std::string_view group, std::string_view kind,
                             std::size_t gates) {
  const std::string g = gates == 1 ? "" : concat(gates, " ");
  Tensor hh = file.read_rank(TensorFile::join(group, "weight_hh"), 2,
                             concat(kind, " weight_hh [", g, "H, H]"));
  if (hh.shape[0] != gates * hh.shape[1])
    throw ConfigError(concat("tensor file '", file.path().string(), "': dataset '",
                             TensorFile::join(group, "weight_hh"), "' has shape [", hh.shape[0],
                             ", ", hh.shape[1], "], expected [", g, "H, H] (", kind, " weight_hh, ",
                             gates, " gates)"));
  RecurrentRead r;
  r.hidden = hh.shape[1];
  const std::size_t rows = gates * r.hidden;
  Tensor ih = file.read_rank(TensorFile::join(group, "weight_ih"), 2,
                             concat(kind, " weight_ih [", g, "H, I]"));
  if (ih.shape[0] != rows)
    throw ConfigError(concat("tensor file '", file.path().string(), "': dataset '",
                             TensorFile::join(group, "weight_ih"), "' has shape [", ih.shape[0],
                             ", ", ih.shape[1], "], expected [", rows, ", I] (", kind,
                             " weight_ih [", g, "H, I] with H = ", r.hidden, ")"));
  r.input = ih.shape[1];
  r.tensors.weight_ih = std::move(ih.values);
  r.tensors.weight_hh = std::move(hh.values);
  r.tensors.bias_ih =
      file.read(TensorFile::join(group, "bias_ih"), {rows}, concat(kind, " bias_ih [", g, "H]"));
  r.tensors.bias_hh =
      file.read(TensorFile::join(group, "bias_hh"), {rows}, concat(kind, " bias_hh [", g, "H]"));
  return r;
}

}  // namespace

std::unique_ptr<dnn::Rnn> load_rnn(const TensorFile& file, std::string_view group) {
  RecurrentRead r = read_recurrent(file, group, "rnn", 1);
  return build(file, group,
               [&] { return std::make_unique<dnn::Rnn>(r.input, r.hidden, std::move(r.tensors)); });
}
std::unique_ptr<dnn::Lstm> load_lstm(const TensorFile& file, std::string_view group) {
  RecurrentRead r = read_recurrent(file, group, "lstm", 4);
  return build(file, group, [&] {
    return std::make_unique<dnn::Lstm>(r.input, r.hidden, std::move(r.tensors));
  });
}
std::unique_ptr<dnn::Gru> load_gru(const TensorFile& file, std::string_view group) {
  RecurrentRead r = read_recurrent(file, group, "gru", 3);
  return build(file, group,
               [&] { return std::make_unique<dnn::Gru>(r.input, r.hidden, std::move(r.tensors)); });
}

}  // namespace spikeflow::io
