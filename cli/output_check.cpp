#include "cli/output_check.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "cli/commands.hpp"

namespace spikeflow::cli {

namespace fs = std::filesystem;

void check_output_writable(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw IoFailure("cannot write output '" + path.string() + "': it is a directory");
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::exists(dir, ec))
    throw IoFailure("cannot write output '" + path.string() + "': directory '" + dir.string() +
                    "' does not exist");
  if (!fs::is_directory(dir, ec))
    throw IoFailure("cannot write output '" + path.string() + "': '" + dir.string() +
                    "' is not a directory");
  std::string probe = (dir / ".spikeflow-write-check-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0)
    throw IoFailure("cannot write output '" + path.string() + "': cannot create files in '" +
                    dir.string() + "': " + std::strerror(errno));
  close(fd);
  unlink(probe.c_str());
  if (fs::exists(path, ec) && access(path.c_str(), W_OK) != 0)
    throw IoFailure("cannot write output '" + path.string() + "': " + std::strerror(errno));
}

void refuse_input_as_output(const fs::path& output, const std::vector<fs::path>& inputs,
                            const char* option) {
  std::error_code ec;
  if (!fs::exists(output, ec)) return;
  for (const fs::path& input : inputs)
    if (fs::equivalent(output, input, ec))
      throw IoFailure(std::string("cannot write ") + option + " '" + output.string() +
                      "': it is an input of this command (" + input.string() + ")");
}

bool has_hdf5_signature(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, sizeof signature);
  const char hdf5[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  return in.gcount() == 8 && std::memcmp(signature, hdf5, 8) == 0;
}

}  // namespace spikeflow::cli
