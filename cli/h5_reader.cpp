#include "cli/h5_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"

namespace spikeflow::cli {

namespace {

std::string format_number(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.12g", v);
  return buffer;
}

// Names of the links of a group, collected by H5Literate.
herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

template <typename Read>
std::vector<std::string> read_strings(Read&& read, hid_t type, std::size_t n) {
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    Hid mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type));
    std::vector<char*> buffer(n, nullptr);
    if (read(mem.get(), buffer.data()) < 0) return out;
    for (char* s : buffer) {
      out.emplace_back(s ? s : "");
      H5free_memory(s);
    }
    return out;
  }
  const std::size_t size = H5Tget_size(type);
  Hid mem(H5Tcopy(H5T_C_S1));
  H5Tset_size(mem.get(), size);
  H5Tset_cset(mem.get(), H5Tget_cset(type));
  std::vector<char> buffer(size * n);
  if (read(mem.get(), buffer.data()) < 0) return out;
  for (std::size_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + i * size;
    out.emplace_back(s, strnlen(s, size));
  }
  return out;
}

// The value of an attribute or a dataset, read through `read(memory_type, buffer)`.
template <typename Read>
std::optional<AttrValue> read_value(hid_t type, std::size_t n, Read&& read) {
  AttrValue value;
  value.elements = n;
  std::vector<std::string> parts;
  std::vector<double> numbers;
  switch (H5Tget_class(type)) {
    case H5T_STRING:
      parts = read_strings(read, type, n);
      break;
    case H5T_INTEGER: {
      if (H5Tget_sign(type) == H5T_SGN_NONE) {
        std::vector<unsigned long long> v(n);
        if (read(H5T_NATIVE_ULLONG, v.data()) < 0) return std::nullopt;
        for (auto x : v) {
          parts.push_back(std::to_string(x));
          numbers.push_back(static_cast<double>(x));
        }
      } else {
        std::vector<long long> v(n);
        if (read(H5T_NATIVE_LLONG, v.data()) < 0) return std::nullopt;
        for (auto x : v) {
          parts.push_back(std::to_string(x));
          numbers.push_back(static_cast<double>(x));
        }
      }
      break;
    }
    case H5T_FLOAT: {
      std::vector<double> v(n);
      if (read(H5T_NATIVE_DOUBLE, v.data()) < 0) return std::nullopt;
      for (double x : v) {
        parts.push_back(format_number(x));
        numbers.push_back(x);
      }
      break;
    }
    case H5T_ENUM: {
      // Read with the file's own enum type, then name each value; h5py's bool is an enum
      // {FALSE, TRUE}, shown here in lower case.
      const std::size_t size = H5Tget_size(type);
      Hid super(H5Tget_super(type));
      const bool is_signed = H5Tget_sign(super.get()) == H5T_SGN_2;
      std::vector<unsigned char> buffer(size * n);
      if (read(type, buffer.data()) < 0) return std::nullopt;
      for (std::size_t i = 0; i < n; ++i) {
        char label[64] = "";
        const unsigned char* raw = buffer.data() + i * size;
        if (H5Tenum_nameof(type, raw, label, sizeof label) < 0)
          std::snprintf(label, sizeof label, "?");
        std::string text = label;
        if (text == "TRUE" || text == "FALSE")
          std::transform(text.begin(), text.end(), text.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        parts.push_back(text);
        long long x = 0;
        if (size == 1)
          x = is_signed ? *reinterpret_cast<const signed char*>(raw) : raw[0];
        else if (size <= sizeof x)
          std::memcpy(&x, raw, size);
        numbers.push_back(static_cast<double>(x));
      }
      break;
    }
    default:
      parts.push_back("<" + std::to_string(n) + " values of an unprinted type>");
  }

  if (numbers.size() == 1 && n == 1) value.number = numbers.front();
  if (parts.size() == 1 && n == 1) {
    value.text = parts.front();
  } else {
    value.text = "[";
    const std::size_t shown = std::min<std::size_t>(parts.size(), 16);
    for (std::size_t i = 0; i < shown; ++i) value.text += (i ? ", " : "") + parts[i];
    if (shown < parts.size()) value.text += ", ... (" + std::to_string(parts.size()) + ")";
    value.text += "]";
  }
  return value;
}

}  // namespace

Hid& Hid::operator=(Hid&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0) H5Idec_ref(id_);
    id_ = o.id_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Hid::~Hid() {
  if (id_ >= 0) H5Idec_ref(id_);
}

H5File H5File::open(const std::string& path) {
  // The reader reports its own errors; HDF5's printed stacks would only repeat them.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  H5File f;
  f.path_ = path;
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    std::FILE* probe = std::fopen(path.c_str(), "rb");
    if (!probe) throw IoFailure("cannot open '" + path + "': " + std::strerror(errno));
    std::fclose(probe);
    throw IoFailure("cannot open '" + path + "': not an HDF5 file");
  }
  f.file_ = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.file_.valid()) {
    // Refused while a writer holds it (or a killed writer left its flag): read it as a
    // SWMR reader, which sees everything flushed so far.
    f.file_ = Hid(H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT));
    f.swmr_ = true;
  }
  if (!f.file_.valid())
    throw IoFailure("cannot open '" + path +
                    "': HDF5 refuses it even for SWMR reading "
                    "(if its writer was killed, try 'spikeflow recover " +
                    path + "')");
  return f;
}

bool H5File::exists(const std::string& object) const {
  if (object == "/") return true;
  // Check each level: H5Lexists fails on a path whose parent is missing.
  std::size_t pos = 0;
  while ((pos = object.find('/', pos + 1)) != std::string::npos) {
    if (H5Lexists(file_.get(), object.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(file_.get(), object.c_str(), H5P_DEFAULT) > 0;
}

bool H5File::is_group(const std::string& object) const {
  if (!exists(object)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(file_.get(), object.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

std::vector<std::string> H5File::children(const std::string& group) const {
  std::vector<std::string> names;
  if (!is_group(group)) return names;
  Hid g(H5Gopen2(file_.get(), group.c_str(), H5P_DEFAULT));
  if (!g.valid()) return names;
  hsize_t index = 0;
  H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names);
  return names;
}

std::vector<std::string> H5File::attribute_names(const std::string& object) const {
  std::vector<std::string> names;
  if (!exists(object)) return names;
  Hid o(H5Oopen(file_.get(), object.c_str(), H5P_DEFAULT));
  if (!o.valid()) return names;
  hsize_t index = 0;
  H5Aiterate2(o.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attr_name, &names);
  return names;
}

std::optional<AttrValue> H5File::attribute(const std::string& object,
                                           const std::string& name) const {
  if (!exists(object)) return std::nullopt;
  if (H5Aexists_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    return std::nullopt;
  Hid attr(H5Aopen_by_name(file_.get(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return std::nullopt;
  Hid type(H5Aget_type(attr.get()));
  Hid space(H5Aget_space(attr.get()));
  const hssize_t n_signed = H5Sget_simple_extent_npoints(space.get());
  if (n_signed < 0) return std::nullopt;
  const auto n = static_cast<std::size_t>(n_signed);

  return read_value(type.get(), n,
                    [&](hid_t mem, void* buffer) { return H5Aread(attr.get(), mem, buffer); });
}

std::optional<AttrValue> H5File::value(const std::string& dataset) const {
  if (!shape(dataset)) return std::nullopt;
  Hid d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!d.valid()) return std::nullopt;
  Hid type(H5Dget_type(d.get()));
  Hid space(H5Dget_space(d.get()));
  const hssize_t n_signed = H5Sget_simple_extent_npoints(space.get());
  if (n_signed < 0 || n_signed > 4096) return std::nullopt;  // small datasets only
  return read_value(type.get(), static_cast<std::size_t>(n_signed), [&](hid_t mem, void* buffer) {
    return H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
  });
}

std::optional<std::vector<std::uint64_t>> H5File::shape(const std::string& dataset) const {
  if (!exists(dataset)) return std::nullopt;
  H5O_info_t info;
  if (H5Oget_info_by_name(file_.get(), dataset.c_str(), &info, H5P_DEFAULT) < 0 ||
      info.type != H5O_TYPE_DATASET)
    return std::nullopt;
  Hid d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!d.valid()) return std::nullopt;
  Hid space(H5Dget_space(d.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return std::nullopt;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

std::string H5File::type_name(const std::string& dataset) const {
  Hid d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!d.valid()) return "?";
  Hid type(H5Dget_type(d.get()));
  const std::size_t bits = 8 * H5Tget_size(type.get());
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      return (H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_ENUM:
      return "enum";
    case H5T_COMPOUND:
      return "compound";
    default:
      return "other";
  }
}

std::vector<double> H5File::read_doubles(const std::string& dataset, std::uint64_t first,
                                         std::uint64_t count) const {
  std::vector<double> out;
  if (count == 0) return out;
  Hid d(H5Dopen2(file_.get(), dataset.c_str(), H5P_DEFAULT));
  if (!d.valid()) throw IoFailure("'" + path_ + "': cannot open dataset '" + dataset + "'");
  Hid space(H5Dget_space(d.get()));
  const hsize_t start = first, n = count;
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr);
  Hid mem(H5Screate_simple(1, &n, nullptr));
  out.resize(count);
  if (H5Dread(d.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    throw IoFailure("'" + path_ + "': cannot read dataset '" + dataset + "'");
  return out;
}

}  // namespace spikeflow::cli
