// Checks made before a command writes a file, so that a mistake costs nothing: the place
// can be written to, and the file is not one of the command's inputs.
//
//   check_output_writable("out/run.h5");      // IoFailure: directory 'out' does not exist
//   refuse_input_as_output("mlp.h5", {"mlp.h5"}, "--json");
//     // IoFailure: cannot write --json 'mlp.h5': it is an input of this command (mlp.h5)
#pragma once

#include <filesystem>
#include <vector>

namespace spikeflow::cli {

// Fails (IoFailure, exit code 3) with the reason unless a file can be created at `path`:
// not a directory, its directory exists, and a probe file can be created and removed there
// (permission bits alone do not tell: root, read-only mounts).
void check_output_writable(const std::filesystem::path& path);

// Fails (IoFailure) if `output` exists and is the same file as one of `inputs` (compared by
// device and inode, so another name of the same file counts). `option` names the output in
// the message ("-o", "--json").
void refuse_input_as_output(const std::filesystem::path& output,
                            const std::vector<std::filesystem::path>& inputs, const char* option);

// True if the file starts with the HDF5 signature.
bool has_hdf5_signature(const std::filesystem::path& path);

}  // namespace spikeflow::cli
