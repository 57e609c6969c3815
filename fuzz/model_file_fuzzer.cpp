// libFuzzer target: the model-file loader on arbitrary text.
//
// Any input must either load or be refused with a ModelFileError, a MemoryBudgetError (or another
// ConfigError of the engine, which the loader lets through with its file:line:col prefix); a crash,
// a sanitizer report, another exception type, a hang or unbounded memory is a defect. The text goes
// through load_model_text, so nothing is read from disk except what an `include` in the text names
// (relative to a directory that does not exist, so relative includes fail like missing files). The
// loaded network is not built: building is the engine's business and is covered by the tests; the
// loader's own estimate is computed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/error.hpp"
#include "io/model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // A small budget: inputs asking for large populations are refused before allocating
    // (that refusal is part of what is fuzzed), and the fuzzer stays fast.
    const spikeflow::io::LoadedModel model =
        spikeflow::io::load_model_text(text, "/nonexistent-spikeflow-fuzz/model.toml", {},
                                       {.partitions = 2, .memory_budget_bytes = 64 << 20});
  } catch (const spikeflow::ConfigError&) {
    // Refused with a message: the expected outcome for most inputs.
  } catch (const spikeflow::io::MemoryBudgetError&) {
  }
  return 0;
}
