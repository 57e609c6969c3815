// Engine version and the git commit the binary was built from, for provenance.
#pragma once

#include <string_view>

namespace spikeflow::io {

std::string_view engine_version();
std::string_view git_commit();  // "unknown" when built outside a git checkout

}  // namespace spikeflow::io
