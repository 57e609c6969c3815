// Tests of the pre-scan for over-long keys (io/toml_key_scan.hpp): keys in every position
// TOML has are found at their line and column, values of any length are not taken for keys,
// and the loader refuses a 1 MB key with its place (toml11 took minutes over it).
#include <catch2/catch.hpp>

#include <toml.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/model_file.hpp"
#include "io/toml_key_scan.hpp"

using namespace spikeflow;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const fs::path kHere = fs::path(__FILE__).parent_path();
const std::string kLong(2000, 'k');

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The longest key name (one part of a dotted key) of a parsed TOML value, by toml11.
std::size_t longest_key(const toml::value& v) {
  std::size_t longest = 0;
  if (v.is_table()) {
    for (const auto& [key, child] : v.as_table())
      longest = std::max({longest, key.size(), longest_key(child)});
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) longest = std::max(longest, longest_key(child));
  }
  return longest;
}

}  // namespace

TEST_CASE("find_long_key finds a long key in every key position, at its place", "[io]") {
  struct Case {
    std::string text;
    std::size_t line, column;
  };
  const Case cases[] = {
      {"a = 1\n\n" + kLong + " = 2\n", 3, 1},                     // bare key
      {"a = 1\n  \"" + kLong + "\" = 2\n", 2, 3},                 // quoted key, indented
      {"x.'" + kLong + "'.y = 1\n", 1, 1},                        // dotted key, literal part
      {"[t]\n[" + kLong + "]\n", 2, 2},                           // table header
      {"[[" + kLong + "]]\n", 1, 3},                              // array-of-tables header
      {"a = { b = 1, " + kLong + " = 2 }\n", 1, 14},              // inline table
      {"a = [ {}, { b = 1 }, { " + kLong + " = 2 } ]\n", 1, 24},  // array of inline tables
      {"a = [\n 1,\n 2,\n]\n" + kLong + " = 3\n", 5, 1},          // after a multi-line array
      {"s = \"\"\"\nk = 1 # \"\n\"\"\"\n" + kLong + "\n", 4, 1},  // after a multi-line string
      {kLong, 1, 1},                                              // no '=' at all: still a key
  };
  for (const Case& c : cases) {
    INFO(c.text.substr(0, 40));
    const auto key = io::find_long_key(c.text);
    REQUIRE(key.has_value());
    CHECK(key->line == c.line);
    CHECK(key->column == c.column);
    CHECK(key->length > io::kMaxKeyLength);
    // The offset points at the same place as line and column.
    std::size_t line_start = 0;
    for (std::size_t l = 1; l < c.line; ++l) line_start = c.text.find('\n', line_start) + 1;
    CHECK(key->offset == line_start + c.column - 1);
  }
}

TEST_CASE("find_long_key takes no value for a key", "[io]") {
  // Long strings (with '=', '#', quotes and newlines inside), a long array, long comments,
  // a long number: all values, none a key.
  const std::string texts[] = {
      "a = \"" + kLong + " = 1\"\n",
      "a = '" + kLong + "'\n",
      "a = \"\"\"\n" + kLong + " = 1\n\"\"\"\"\"\n",
      "a = '''" + kLong + "\n# = '''\n",
      "a = \"x \\\" " + kLong + "\"\n",
      "a = [" + std::string(3000, '1') + "]\n",
      "# " + kLong + "\na = 1 # " + kLong + "\n",
      "a = [\n  { b = \"" + kLong + "\" },\n  \"" + kLong + "\",\n]\nb = 2\n",
      "[t] # " + kLong + "\nc = 1\n",
  };
  for (const std::string& text : texts) {
    INFO(text.substr(0, 40));
    CHECK_FALSE(io::find_long_key(text).has_value());
  }
}

TEST_CASE("find_long_key sees the keys of the repository's model files", "[io]") {
  // Reference: toml11's parse tree. A limit one below the longest key name toml11 finds is
  // exceeded (the scanner sees that key as a key); the default limit is not (no real file is
  // refused).
  std::vector<fs::path> files;
  for (const fs::path& dir : {kHere.parent_path().parent_path() / "examples", kHere / "good"})
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".toml") files.push_back(entry.path());
  REQUIRE(files.size() >= 10);
  for (const fs::path& file : files) {
    INFO(file.string());
    const std::string text = read_text(file);
    std::istringstream in(text);
    const std::size_t longest = longest_key(toml::parse(in, file.string()));
    REQUIRE(longest > 1);
    CHECK_FALSE(io::find_long_key(text).has_value());
    CHECK(io::find_long_key(text, longest - 1).has_value());
  }
}

TEST_CASE("a model file with a 1 MB key is refused with its place", "[io]") {
  // Risk (issue 5): toml11 took over a minute over such a key before the loader could say
  // it is unknown.
  const std::string text =
      "[simulation]\nduration = \"10 ms\"\n" + std::string(1 << 20, 'a') + " = 1\n";
  try {
    io::load_model_text(text, "big.toml");
    FAIL("no error");
  } catch (const io::ModelFileError& e) {
    CHECK_THAT(e.what(), Contains("big.toml:3:1: a key of more than 1024 characters ('aaaa"));
  }
  try {
    io::load_model_text("[simulation]\nduration = \"10 ms\"\n", "small.toml",
                        {{"simulation." + std::string(1 << 20, 'b'), "1"}});
    FAIL("no error");
  } catch (const io::ModelFileError& e) {
    CHECK_THAT(e.what(), Contains("--set:1:1: a key of more than 1024 characters ('simulation.bb"));
  }
}
