#include "io/version.hpp"

namespace spikeflow::io {

std::string_view engine_version() {
  return SPIKEFLOW_VERSION;
}
std::string_view git_commit() {
  return SPIKEFLOW_GIT_COMMIT;
}

}  // namespace spikeflow::io
