// UTF-8 validation and code point counting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hewn::utf8 {

// True when s is well-formed UTF-8 (no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool valid(std::string_view s);

// Byte offset of the first ill-formed sequence, or s.size() when valid.
std::size_t first_invalid(std::string_view s);

// True when every byte is below 0x80 (then s is valid UTF-8 and code point
// offsets equal byte offsets).
inline bool is_ascii(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size(), i = 0;
  std::uint64_t acc = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    acc |= x;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Number of code points in valid UTF-8 (bytes that are not continuation
// bytes 10xxxxxx), eight bytes at a time.
inline std::size_t count(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size(), i = 0, cont = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    // bit 7 set and bit 6 clear in a byte: a continuation byte
    std::uint64_t c = x & ~(x << 1) & 0x8080808080808080ULL;
    cont += static_cast<std::size_t>(((c >> 7) * 0x0101010101010101ULL) >> 56);  // sum of the bytes
  }
  for (; i < n; ++i) cont += (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  return n - cont;
}

// True when byte offset i of valid UTF-8 s starts a code point (or is s.size()).
inline bool is_boundary(std::string_view s, std::size_t i) {
  return i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

// Appends code point c (at most U+10FFFF, not a surrogate) as UTF-8.
inline void append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
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
