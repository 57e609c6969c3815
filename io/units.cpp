#include "io/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace spikeflow::io {

namespace {

struct UnitSymbol {
  std::string_view symbol;
  Dimension dimension;
  double factor;  // value in the base unit of one of this unit
};

// Base units first within each dimension.
constexpr std::array<UnitSymbol, 22> kUnits{{
    {"ms", Dimension::time, 1.0},        {"us", Dimension::time, 1e-3},
    {"µs", Dimension::time, 1e-3},       {"s", Dimension::time, 1e3},
    {"mV", Dimension::voltage, 1.0},     {"uV", Dimension::voltage, 1e-3},
    {"µV", Dimension::voltage, 1e-3},    {"V", Dimension::voltage, 1e3},
    {"pA", Dimension::current, 1.0},     {"fA", Dimension::current, 1e-3},
    {"nA", Dimension::current, 1e3},     {"uA", Dimension::current, 1e6},
    {"pF", Dimension::capacitance, 1.0}, {"fF", Dimension::capacitance, 1e-3},
    {"nF", Dimension::capacitance, 1e3}, {"uF", Dimension::capacitance, 1e6},
    {"nS", Dimension::conductance, 1.0}, {"pS", Dimension::conductance, 1e-3},
    {"uS", Dimension::conductance, 1e3}, {"mS", Dimension::conductance, 1e6},
    {"Hz", Dimension::rate, 1.0},        {"kHz", Dimension::rate, 1e3},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string expected_text(Dimension d) {
  if (d == Dimension::dimensionless) return "a plain number";
  return concat(dimension_name(d), " in ", base_unit(d));
}

}  // namespace

const char* base_unit(Dimension d) {
  switch (d) {
    case Dimension::dimensionless:
      return "";
    case Dimension::time:
      return "ms";
    case Dimension::voltage:
      return "mV";
    case Dimension::current:
      return "pA";
    case Dimension::capacitance:
      return "pF";
    case Dimension::conductance:
      return "nS";
    case Dimension::rate:
      return "Hz";
  }
  return "";
}

const char* dimension_name(Dimension d) {
  switch (d) {
    case Dimension::dimensionless:
      return "a plain number";
    case Dimension::time:
      return "a time";
    case Dimension::voltage:
      return "a voltage";
    case Dimension::current:
      return "a current";
    case Dimension::capacitance:
      return "a capacitance";
    case Dimension::conductance:
      return "a conductance";
    case Dimension::rate:
      return "a rate";
  }
  return "";
}

std::vector<std::string> unit_symbols(Dimension d) {
  std::vector<std::pair<double, std::string>> found;
  for (const auto& u : kUnits)
    if (u.dimension == d && u.symbol.find("µ") == std::string_view::npos)
      found.emplace_back(u.factor, std::string(u.symbol));
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

double parse_quantity(std::string_view text, Dimension expected) {
  const std::string quoted = concat("\"", text, "\"");
  const std::string_view body = trim(text);
  double number = 0.0;
  const char* first = body.data();
  const char* last = body.data() + body.size();
  if (!body.empty() && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, number);
  if (ec != std::errc() || !std::isfinite(number))
    throw UnitError(concat("cannot read ", quoted, " as a number with a unit (e.g. \"20 ms\"); ",
                           "expected ", expected_text(expected)));
  const std::string_view symbol = trim(std::string_view(end, static_cast<std::size_t>(last - end)));
  if (symbol.empty()) return number;

  for (const auto& u : kUnits) {
    if (u.symbol != symbol) continue;
    if (u.dimension != expected)
      throw UnitError(concat("expected ", expected_text(expected), ", got ", quoted, " (",
                             dimension_name(u.dimension), ")"));
    return number * u.factor;
  }
  if (expected == Dimension::dimensionless)
    throw UnitError(concat("unknown unit '", symbol, "' in ", quoted, "; expected a plain number"));
  std::string known;
  for (const auto& s : unit_symbols(expected)) known += (known.empty() ? "" : ", ") + s;
  throw UnitError(concat("unknown unit '", symbol, "' in ", quoted, " (", dimension_name(expected),
                         " takes ", known, ")"));
}

}  // namespace spikeflow::io
