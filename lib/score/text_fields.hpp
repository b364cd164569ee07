// Splitting of whitespace-separated TREC lines and strict number parsing,
// shared by the qrels and run readers.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
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

// A whole-token finite or infinite number (no NaN), rounded correctly (as
// strtod). Plain decimals with at most 15 digits take a fast exact path:
// both the digits and the power of ten are exact doubles, so one division
// rounds correctly.
inline std::optional<double> parse_double(std::string_view s) {
  static constexpr double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  {
    std::size_t i = 0, n = s.size();
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    std::uint64_t m = 0;
    int digits = 0, frac = 0;
    bool dot = false, ok = i < n;
    for (; i < n; ++i) {
      char c = s[i];
      if (c >= '0' && c <= '9') {
        m = m * 10 + static_cast<std::uint64_t>(c - '0');
        if (m) ++digits;  // significant digits only
        frac += dot;
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        ok = false;
        break;
      }
    }
    if (ok && digits <= 15 && s.size() > static_cast<std::size_t>(neg || s[0] == '+') + (dot ? 1 : 0)) {
      double v = static_cast<double>(m) / pow10[frac > 15 ? 15 : frac];
      if (frac <= 15) return neg ? -v : v;
    }
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v != v) return std::nullopt;
  return v;
}

}  // namespace hewn::score::detail
