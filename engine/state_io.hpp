// Saving and restoring the dynamic state of a network (checkpoints), by named sections.
//
// Every component that holds state a continuation needs (the clock, a population's state
// arrays and hidden counters, ring buffers, later plastic weights and traces) writes it as
// named arrays under its own section, and reads the same names back:
//
//   void MyModel::save_state(StateSection out) const {
//     out.write("V_m", V_m_);                  // -> "populations/E/V_m"
//     out.write("free_from", free_from_);
//   }
//   void MyModel::load_state(const StateSource& in) {
//     in.read("V_m", V_m_);                    // size must match exactly
//     in.read("free_from", free_from_);
//   }
//
// Paths are '/'-separated names ("populations/E/V_m"). The store behind the interface is
// either memory (MemoryState, below: save and load within one process) or an HDF5 file
// (io/checkpoint.hpp: one group per section, one dataset per array). Arrays are flat; a
// reader checks the length, so a checkpoint of a differently sized network is an error
// naming the array, never a silent partial load.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "engine/error.hpp"

namespace spikeflow {

// The element types a checkpoint array may have.
using StateArray = std::variant<std::vector<double>, std::vector<float>, std::vector<std::int64_t>,
                                std::vector<std::uint64_t>>;

class StateWriter {
 public:
  virtual ~StateWriter() = default;
  // Stores `values` under `path`; a path written twice is an error.
  virtual void write(const std::string& path, std::span<const double> values) = 0;
  virtual void write(const std::string& path, std::span<const float> values) = 0;
  virtual void write(const std::string& path, std::span<const std::int64_t> values) = 0;
  virtual void write(const std::string& path, std::span<const std::uint64_t> values) = 0;
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual bool contains(const std::string& path) const = 0;
  // Length of the array at `path`; throws ConfigError if there is none.
  virtual std::size_t size(const std::string& path) const = 0;
  // Fills `out`, whose length must equal the stored one (ConfigError otherwise, naming the
  // path and both lengths), and whose element type must match the stored one.
  virtual void read(const std::string& path, std::span<double> out) const = 0;
  virtual void read(const std::string& path, std::span<float> out) const = 0;
  virtual void read(const std::string& path, std::span<std::int64_t> out) const = 0;
  virtual void read(const std::string& path, std::span<std::uint64_t> out) const = 0;
};

// A component's view of a writer: names are relative to its section.
class StateSection {
 public:
  StateSection(StateWriter& writer, std::string prefix)
      : writer_(&writer), prefix_(std::move(prefix)) {}
  StateSection section(const std::string& name) const { return {*writer_, path(name)}; }
  template <typename T>
  void write(const std::string& name, std::span<const T> values) const {
    writer_->write(path(name), values);
  }
  template <typename T, typename Allocator>
  void write(const std::string& name, const std::vector<T, Allocator>& values) const {
    writer_->write(path(name), std::span<const T>(values));
  }
  template <typename T>
  void write_scalar(const std::string& name, T value) const {
    writer_->write(path(name), std::span<const T>(&value, 1));
  }
  std::string path(const std::string& name) const {
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }

 private:
  StateWriter* writer_;
  std::string prefix_;
};

// A component's view of a reader.
class StateSource {
 public:
  StateSource(const StateReader& reader, std::string prefix)
      : reader_(&reader), prefix_(std::move(prefix)) {}
  StateSource section(const std::string& name) const { return {*reader_, path(name)}; }
  bool contains(const std::string& name) const { return reader_->contains(path(name)); }
  std::size_t size(const std::string& name) const { return reader_->size(path(name)); }
  template <typename T>
  void read(const std::string& name, std::span<T> out) const {
    reader_->read(path(name), out);
  }
  template <typename T, typename Allocator>
  void read(const std::string& name, std::vector<T, Allocator>& out) const {
    reader_->read(path(name), std::span<T>(out));
  }
  template <typename T>
  T read_scalar(const std::string& name) const {
    T value{};
    reader_->read(path(name), std::span<T>(&value, 1));
    return value;
  }
  std::string path(const std::string& name) const {
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }

 private:
  const StateReader* reader_;
  std::string prefix_;
};

// Something outside the network whose state belongs in its checkpoints (a plasticity
// rule kept by the caller, a stateful adapter): registered with
// Network::add_state_component, it is saved and loaded under "components/<name>".
class StateComponent {
 public:
  virtual ~StateComponent() = default;
  virtual void save_state(const StateSection& out) const = 0;
  virtual void load_state(const StateSource& in) = 0;
};

// Checkpoint state held in memory: save a network and load it into another one built the
// same way, in the same process (tests, or a caller that keeps its own storage).
class MemoryState final : public StateWriter, public StateReader {
 public:
  void write(const std::string& path, std::span<const double> v) override { put(path, v); }
  void write(const std::string& path, std::span<const float> v) override { put(path, v); }
  void write(const std::string& path, std::span<const std::int64_t> v) override { put(path, v); }
  void write(const std::string& path, std::span<const std::uint64_t> v) override { put(path, v); }

  bool contains(const std::string& path) const override { return arrays_.count(path) > 0; }
  std::size_t size(const std::string& path) const override {
    return std::visit([](const auto& v) { return v.size(); }, find(path));
  }
  void read(const std::string& path, std::span<double> out) const override { get(path, out); }
  void read(const std::string& path, std::span<float> out) const override { get(path, out); }
  void read(const std::string& path, std::span<std::int64_t> out) const override { get(path, out); }
  void read(const std::string& path, std::span<std::uint64_t> out) const override {
    get(path, out);
  }

  const std::map<std::string, StateArray>& arrays() const { return arrays_; }

 private:
  template <typename T>
  void put(const std::string& path, std::span<const T> values) {
    if (!arrays_.emplace(path, std::vector<T>(values.begin(), values.end())).second)
      throw ConfigError(concat("checkpoint: '", path, "' is written twice"));
  }
  const StateArray& find(const std::string& path) const {
    const auto it = arrays_.find(path);
    if (it == arrays_.end()) throw ConfigError(concat("checkpoint: no state '", path, "'"));
    return it->second;
  }
  template <typename T>
  void get(const std::string& path, std::span<T> out) const {
    const auto* stored = std::get_if<std::vector<T>>(&find(path));
    if (!stored) throw ConfigError(concat("checkpoint: '", path, "' has another element type"));
    if (stored->size() != out.size())
      throw ConfigError(concat("checkpoint: '", path, "' holds ", stored->size(),
                               " values, the network needs ", out.size()));
    std::copy(stored->begin(), stored->end(), out.begin());
  }

  std::map<std::string, StateArray> arrays_;
};

}  // namespace spikeflow
