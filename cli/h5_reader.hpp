// A read-only view of a recording file for `spikeflow inspect`, on the HDF5 C API. It
// reads what any SONATA spike or frame report holds and the provenance attributes the
// writer adds, and never writes: inspecting a file that is still being written is safe.
//
//   H5File f = H5File::open("cuba.h5");         // plain open, else SWMR read
//   for (auto& name : f.children("/spikes")) ...
//   std::optional<AttrValue> seed = f.attribute("/", "seed");
//
// Errors are IoFailure naming the file and the object:
//   cannot open 'x.h5': not an HDF5 file
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spikeflow::cli {

// Owns an HDF5 identifier; closes it with H5Oclose / H5Fclose / H5Sclose / H5Tclose / H5Aclose.
class Hid {
 public:
  Hid() = default;
  explicit Hid(hid_t id) : id_(id) {}
  Hid(Hid&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Hid& operator=(Hid&& o) noexcept;
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  ~Hid();
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// An attribute's value in printable form, and as a number when it is one.
struct AttrValue {
  std::string text;              // strings as they are; arrays as "[a, b]"
  std::optional<double> number;  // scalar numeric (or enum) value
  std::size_t elements = 1;
};

class H5File {
 public:
  static H5File open(const std::string& path);

  const std::string& path() const { return path_; }
  bool opened_swmr() const { return swmr_; }
  hid_t id() const { return file_.get(); }

  bool exists(const std::string& object) const;
  bool is_group(const std::string& object) const;
  // Link names inside a group, in name order; empty if the group does not exist.
  std::vector<std::string> children(const std::string& group) const;
  // Attribute names of an object, in name order.
  std::vector<std::string> attribute_names(const std::string& object) const;
  std::optional<AttrValue> attribute(const std::string& object, const std::string& name) const;
  // The value of a small dataset (a scalar or a short array), like an attribute's.
  std::optional<AttrValue> value(const std::string& dataset) const;
  // Shape of a dataset; empty optional when it is not a dataset.
  std::optional<std::vector<std::uint64_t>> shape(const std::string& dataset) const;
  // A short name of a dataset's element type: "float64", "uint64", "float32", "string".
  std::string type_name(const std::string& dataset) const;
  // Reads elements [first, first + count) of a one-dimensional numeric dataset as double.
  std::vector<double> read_doubles(const std::string& dataset, std::uint64_t first,
                                   std::uint64_t count) const;

 private:
  std::string path_;
  Hid file_;
  bool swmr_ = false;
};

}  // namespace spikeflow::cli
