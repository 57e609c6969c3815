// Small helpers over the HDF5 C API shared by the recording writer and recovery
// (io/hdf5_writer.cpp, io/hdf5_recover.cpp). Internal to io/; not installed.
//
// Every failing HDF5 call becomes an Hdf5Failure whose text is what was being done plus the
// reasons on HDF5's error stack (innermost last), e.g.
//   creating dataset '/spikes/exc/timestamps': H5Dcreate2: unable to create dataset
// The callers add the file name and turn it into a RuntimeError.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spikeflow::io::hdf5 {

class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The messages on the calling thread's HDF5 error stack, joined, and the stack cleared.
std::string error_stack_text();

// Throws Failure(what + ": " + reasons) if `status` is negative.
inline void check(herr_t status, std::string_view what) {
  if (status < 0) throw Failure(std::string(what) + ": " + error_stack_text());
}
inline hid_t check_id(hid_t id, std::string_view what) {
  if (id < 0) throw Failure(std::string(what) + ": " + error_stack_text());
  return id;
}

// Owns one HDF5 identifier and closes it with the matching H5*close.
class Id {
 public:
  Id() = default;
  explicit Id(hid_t id) : id_(id) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.id_;
      other.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  ~Id() { reset(); }

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now; returns the close status (negative on failure).
  herr_t reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's printing of error stacks on the calling thread for the object's life.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t old_func_ = nullptr;
  void* old_data_ = nullptr;
};

// Transient datatypes of the layout.
Id string_type();        // variable-length UTF-8 string
Id sorting_enum_type();  // SONATA spike sorting: uint8 {none=0, by_id=1, by_time=2}
Id bool_enum_type();     // h5py's bool: int8 {FALSE=0, TRUE=1}

// Scalar attributes and one small array attribute.
void write_string_attr(hid_t object, const char* name, std::string_view value);
void write_string_array_attr(hid_t object, const char* name,
                             const std::vector<std::string>& values);
void write_u64_attr(hid_t object, const char* name, std::uint64_t value);
void write_i64_attr(hid_t object, const char* name, std::int64_t value);
void write_f64_attr(hid_t object, const char* name, double value);
void write_bool_attr(hid_t object, const char* name, bool value);
// Deletes an attribute first if it exists (for attributes rewritten after a run).
void remove_attr_if_exists(hid_t object, const char* name);

bool link_exists(hid_t location, const char* path);
// Current extent of a dataset's first dimension.
hsize_t length(hid_t dataset);
// Names of the links of a group, in name order.
std::vector<std::string> child_names(hid_t group);
// A string or string-array attribute, read back (variable- or fixed-length).
std::vector<std::string> read_string_array_attr(hid_t object, const char* name);

}  // namespace spikeflow::io::hdf5
