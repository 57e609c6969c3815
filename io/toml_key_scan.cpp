#include "io/toml_key_scan.hpp"

#include <vector>

namespace spikeflow::io {

namespace {

bool triple_quote_at(std::string_view text, std::size_t i, char quote) {
  return i + 2 < text.size() && text[i] == quote && text[i + 1] == quote && text[i + 2] == quote;
}

// The index just past the string whose opening quote is text[i]: basic "..." (with backslash
// escapes), literal '...', or multi-line """...""" and '''...''' (whose closing quotes may be
// followed by up to two more, which belong to the content). An unterminated one-line string
// ends at the end of its line, anything else unterminated at the end of the text: toml11
// reports both.
std::size_t skip_string(std::string_view text, std::size_t i) {
  const char quote = text[i];
  const bool escapes = quote == '"';
  const bool multi_line = triple_quote_at(text, i, quote);
  for (std::size_t j = i + (multi_line ? 3 : 1); j < text.size(); ++j) {
    if (escapes && text[j] == '\\') {
      ++j;
    } else if (!multi_line && text[j] == '\n') {
      return j;
    } else if (multi_line && triple_quote_at(text, j, quote)) {
      j += 3;
      while (j < text.size() && text[j] == quote) ++j;
      return j;
    } else if (!multi_line && text[j] == quote) {
      return j + 1;
    }
  }
  return text.size();
}

LongKey long_key_at(std::string_view text, std::size_t start, std::size_t length) {
  LongKey key{.offset = start, .line = 1, .column = 1, .length = length};
  for (std::size_t i = 0; i < start; ++i) {
    if (text[i] == '\n') {
      ++key.line;
      key.column = 1;
    } else {
      ++key.column;
    }
  }
  return key;
}

}  // namespace

// Tracks whether the next token starts a key: at the start of a line outside any array or
// inline table, after the '[' of a [table] header, and after '{' or ',' in an inline table.
// A key runs from its first character to its '=' (to the ']' of a header, or the end of the
// line), quoted parts skipped as strings; its length is checked as it grows, so a 1 MB key
// costs no more than its first kMaxKeyLength characters.
std::optional<LongKey> find_long_key(std::string_view text, std::size_t max_length) {
  constexpr std::size_t kNone = std::string_view::npos;
  std::vector<char> open;  // the '[' (arrays) and '{' (inline tables) around the value
  bool expect_key = true;
  bool in_header = false;
  std::size_t key_start = kNone;
  std::size_t i = 0;
  while (i < text.size()) {
    if (key_start != kNone && i - key_start > max_length)
      return long_key_at(text, key_start, i - key_start);
    const char c = text[i];
    if (c == '#') {  // a comment runs to the end of its line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      if (expect_key) {
        key_start = i;
        expect_key = false;
      }
      const std::size_t end = skip_string(text, i);
      if (key_start != kNone && end - key_start > max_length)
        return long_key_at(text, key_start, end - key_start);
      i = end;
      continue;
    }
    ++i;
    if (key_start != kNone) {  // inside a key: it ends at '=', a header's ']' or the line end
      if (c == '=' || c == '\n' || (in_header && c == ']')) {
        key_start = kNone;
        in_header = false;
        if (c == '\n') expect_key = open.empty();
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (c == '\n') {
      if (open.empty()) expect_key = true;
      continue;
    }
    if (expect_key) {
      expect_key = false;
      if (c == '}' && !open.empty()) {  // an empty inline table
        open.pop_back();
      } else if (c == '[' && open.empty()) {  // a [table] or [[array of tables]] header
        if (i < text.size() && text[i] == '[') ++i;
        in_header = true;
        key_start = i;
      } else {
        key_start = i - 1;
      }
      continue;
    }
    // A value.
    if (c == '[' || c == '{') {
      open.push_back(c);
      expect_key = c == '{';
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
    } else if (c == ',') {
      expect_key = !open.empty() && open.back() == '{';
    }
  }
  return std::nullopt;
}

}  // namespace spikeflow::io
