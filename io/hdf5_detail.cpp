#include "io/hdf5_detail.hpp"

#include <algorithm>
#include <cstring>

namespace {
// HDF5 closes whatever is still open at exit. A file whose writes failed (disk full, size
// limit) is abandoned by the writer after its close failed, and HDF5's exit handler then
// crashes on it (seen: SIGSEGV in H5F__close_cb). Every file spikeflow opens is closed
// explicitly, and a killed run is made whole by recover_file, so the handler is switched off;
// this must happen before the library is first used, hence a static initialiser.
const bool kHdf5ExitHandlerOff = (H5dont_atexit() >= 0);
}  // namespace

namespace spikeflow::io::hdf5 {

namespace {

herr_t collect_error(unsigned, const H5E_error2_t* e, void* client) {
  auto& parts = *static_cast<std::vector<std::string>*>(client);
  std::string part = e->func_name ? e->func_name : "";
  if (e->desc && *e->desc) part += std::string(part.empty() ? "" : ": ") + e->desc;
  if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
  return 0;
}

}  // namespace

std::string error_stack_text() {
  std::vector<std::string> parts;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &parts);
  H5Eclear2(H5E_DEFAULT);
  if (parts.empty()) return "unknown HDF5 error";

  // The outermost entry says what failed; the system's reason, if a driver call failed,
  // says why (the driver's own entry is a long dump of buffers and offsets).
  std::string text = parts.front();
  for (const auto& p : parts) {
    const auto at = p.find("error message = '");
    if (at == std::string::npos) continue;
    const auto begin = at + std::strlen("error message = '");
    const auto end = p.find('\'', begin);
    text += ": " + p.substr(begin, end - begin);
    return text;
  }
  if (parts.size() > 1) text += ": " + parts.back();
  return text;
}

herr_t Id::reset() {
  if (id_ < 0) return 0;
  herr_t status = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      status = H5Fclose(id_);
      break;
    case H5I_GROUP:
      status = H5Gclose(id_);
      break;
    case H5I_DATASET:
      status = H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      status = H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      status = H5Tclose(id_);
      break;
    case H5I_ATTR:
      status = H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      status = H5Pclose(id_);
      break;
    default:
      status = H5Idec_ref(id_);
      break;
  }
  id_ = H5I_INVALID_HID;
  return status;
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &old_func_, &old_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() {
  H5Eset_auto2(H5E_DEFAULT, old_func_, old_data_);
}

Id string_type() {
  Id type(check_id(H5Tcopy(H5T_C_S1), "copying the string type"));
  check(H5Tset_size(type, H5T_VARIABLE), "making a variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "setting the string type to UTF-8");
  return type;
}

Id sorting_enum_type() {
  Id type(check_id(H5Tenum_create(H5T_NATIVE_UINT8), "creating the sorting enum"));
  const std::uint8_t none = 0, by_id = 1, by_time = 2;
  check(H5Tenum_insert(type, "none", &none), "adding sorting value none");
  check(H5Tenum_insert(type, "by_id", &by_id), "adding sorting value by_id");
  check(H5Tenum_insert(type, "by_time", &by_time), "adding sorting value by_time");
  return type;
}

Id bool_enum_type() {
  Id type(check_id(H5Tenum_create(H5T_NATIVE_INT8), "creating the bool enum"));
  const std::int8_t no = 0, yes = 1;
  check(H5Tenum_insert(type, "FALSE", &no), "adding bool value FALSE");
  check(H5Tenum_insert(type, "TRUE", &yes), "adding bool value TRUE");
  return type;
}

namespace {

void write_scalar_attr(hid_t object, const char* name, hid_t file_type, hid_t mem_type,
                       const void* value) {
  const std::string what = std::string("writing attribute '") + name + "'";
  Id space(check_id(H5Screate(H5S_SCALAR), what));
  Id attr(check_id(H5Acreate2(object, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT), what));
  check(H5Awrite(attr, mem_type, value), what);
}

}  // namespace

void write_string_attr(hid_t object, const char* name, std::string_view value) {
  const Id type = string_type();
  const std::string copy(value);
  const char* text = copy.c_str();
  write_scalar_attr(object, name, type, type, &text);
}

void write_string_array_attr(hid_t object, const char* name,
                             const std::vector<std::string>& values) {
  const std::string what = std::string("writing attribute '") + name + "'";
  const Id type = string_type();
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  const hsize_t n = values.size();
  Id space(check_id(H5Screate_simple(1, &n, nullptr), what));
  Id attr(check_id(H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT), what));
  if (n > 0) check(H5Awrite(attr, type, texts.data()), what);
}

void write_u64_attr(hid_t object, const char* name, std::uint64_t value) {
  write_scalar_attr(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

void write_i64_attr(hid_t object, const char* name, std::int64_t value) {
  write_scalar_attr(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void write_f64_attr(hid_t object, const char* name, double value) {
  write_scalar_attr(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void write_bool_attr(hid_t object, const char* name, bool value) {
  const Id type = bool_enum_type();
  const std::int8_t v = value ? 1 : 0;
  write_scalar_attr(object, name, type, type, &v);
}

void remove_attr_if_exists(hid_t object, const char* name) {
  const htri_t exists = H5Aexists(object, name);
  check(exists, std::string("looking up attribute '") + name + "'");
  if (exists > 0) check(H5Adelete(object, name), std::string("deleting attribute '") + name + "'");
}

bool link_exists(hid_t location, const char* path) {
  // H5Lexists checks one link at a time, so walk the path's components.
  std::string prefix;
  std::string_view rest(path);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (!prefix.empty()) prefix += '/';
    prefix.append(part);
    const htri_t exists = H5Lexists(location, prefix.c_str(), H5P_DEFAULT);
    if (exists <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return true;
}

hsize_t length(hid_t dataset) {
  Id space(check_id(H5Dget_space(dataset), "reading a dataset's extent"));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank <= 0) return rank == 0 ? 1 : 0;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "reading a dataset's extent");
  return dims[0];
}

namespace {

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* client) {
  static_cast<std::vector<std::string>*>(client)->push_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> child_names(hid_t group) {
  std::vector<std::string> names;
  check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names),
        "listing a group");
  return names;
}

std::vector<std::string> read_string_array_attr(hid_t object, const char* name) {
  const std::string what = std::string("reading attribute '") + name + "'";
  Id attr(check_id(H5Aopen(object, name, H5P_DEFAULT), what));
  Id space(check_id(H5Aget_space(attr), what));
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  Id file_type(check_id(H5Aget_type(attr), what));
  std::vector<std::string> values;
  if (n <= 0) return values;
  if (H5Tis_variable_str(file_type) > 0) {
    const Id type = string_type();
    std::vector<char*> texts(static_cast<std::size_t>(n), nullptr);
    check(H5Aread(attr, type, texts.data()), what);
    for (char* t : texts) values.emplace_back(t ? t : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, texts.data());
  } else {
    const std::size_t size = H5Tget_size(file_type);
    std::vector<char> buffer(size * static_cast<std::size_t>(n));
    Id type(check_id(H5Tcopy(file_type), what));
    check(H5Aread(attr, type, buffer.data()), what);
    for (hssize_t i = 0; i < n; ++i) {
      const char* p = buffer.data() + static_cast<std::size_t>(i) * size;
      values.emplace_back(p, strnlen(p, size));
    }
  }
  return values;
}

}  // namespace spikeflow::io::hdf5
