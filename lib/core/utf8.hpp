// UTF-8 validation and code point counting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hewn::utf8 {

// True when s is well-formed UTF-8 (no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool valid(std::string_view s);

// Byte offset of the first ill-formed sequence, or s.size() when valid.
std::size_t first_invalid(std::string_view s);

// Number of code points in valid UTF-8.
inline std::size_t count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// True when byte offset i of valid UTF-8 s starts a code point (or is s.size()).
inline bool is_boundary(std::string_view s, std::size_t i) {
  return i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

// Decodes the code point at s[i] (valid UTF-8), advancing i.
inline char32_t decode(std::string_view s, std::size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  char32_t cp = c & (0x3F >> extra);
  while (extra-- > 0) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

// Decodes the code point ending just before s[i] (valid UTF-8), moving i back.
inline char32_t decode_back(std::string_view s, std::size_t& i) {
  std::size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  std::size_t k = j;
  char32_t cp = decode(s, k);
  i = j;
  return cp;
}

}  // namespace hewn::utf8
