// Splitting of whitespace-separated TREC lines and strict number parsing,
// shared by the qrels and run readers.
#pragma once

#include <charconv>
#include <cstddef>
#include <optional>
#include <string_view>

namespace hewn::score::detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Splits up to max fields into out; returns the number of fields found (it
// keeps counting past max, without storing).
inline std::size_t split_fields(std::string_view line, std::string_view* out, std::size_t max) {
  std::size_t n = 0, i = 0, size = line.size();
  const char* p = line.data();
  while (true) {
    while (i < size && is_space(p[i])) ++i;
    if (i == size) break;
    std::size_t start = i;
    while (i < size && !is_space(p[i])) ++i;
    if (n < max) out[n] = std::string_view(p + start, i - start);
    ++n;
  }
  return n;
}

// The first non-blank character, or '\0'.
inline char first_char(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  return i < line.size() ? line[i] : '\0';
}

// Lines whose first non-blank character is '#' are comments.
inline bool is_comment(std::string_view line) { return first_char(line) == '#'; }

// A whole-token integer ("+3" and "-1" included).
inline std::optional<long> parse_long(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A whole-token finite or infinite number (no NaN).
inline std::optional<double> parse_double(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v != v) return std::nullopt;
  return v;
}

}  // namespace hewn::score::detail
