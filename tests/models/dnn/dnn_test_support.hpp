// Shared by the tests of models/dnn/: the numpy fixture (tests/data/dnn/modules.h5, written
// by tests/data/dnn/make_fixtures.py) and a relative comparison.
#pragma once

#include <hdf5.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "io/tensor_file.hpp"

namespace spikeflow::test {

inline std::filesystem::path dnn_fixture() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "data" /
         "dnn" / "modules.h5";
}

// A numeric or string attribute of a group in the fixture, read with the HDF5 C API.
inline double fixture_number(const std::string& group, const char* name) {
  const hid_t file = H5Fopen(dnn_fixture().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t attr = H5Aopen_by_name(file, group.c_str(), name, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  double value = 0.0;
  REQUIRE(H5Aread(attr, H5T_NATIVE_DOUBLE, &value) >= 0);
  H5Aclose(attr);
  H5Fclose(file);
  return value;
}

inline std::string fixture_string(const std::string& group, const char* name) {
  const hid_t file = H5Fopen(dnn_fixture().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const hid_t attr = H5Aopen_by_name(file, group.c_str(), name, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(attr >= 0);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char* text = nullptr;
  REQUIRE(H5Aread(attr, type, &text) >= 0);
  std::string value(text);
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(attr);
  H5Fclose(file);
  return value;
}

// Largest |got - want| / |want| over the values (0 where both are exactly equal); the
// sizes must agree.
inline double max_relative_error(std::span<const double> got, std::span<const double> want) {
  REQUIRE(got.size() == want.size());
  double worst = 0.0;
  for (std::size_t k = 0; k < got.size(); ++k) {
    if (got[k] == want[k]) continue;
    const double rel = std::abs(got[k] - want[k]) / std::abs(want[k]);
    worst = std::max(worst, std::isnan(rel) ? INFINITY : rel);
  }
  return worst;
}

}  // namespace spikeflow::test
