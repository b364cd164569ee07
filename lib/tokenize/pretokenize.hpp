// The pre-tokenizers of the tiktoken encodings cl100k_base and o200k_base,
// written by hand: they split text into the same pieces as the encodings'
// regular expressions (bpe.cpp, run with PCRE2 before), on all of Unicode,
// without a regex engine. Character classes come from a table generated at
// build time from PCRE2's Unicode properties (gen_char_classes.cpp).
//
// Each next_*() takes valid UTF-8 s[0, e) and a character start i < e, and
// returns the end of the piece the pattern matches at i (always > i). The
// match depends only on s[i, e): a piece ends where the text ends or where
// the pattern says, never sooner. tests/unit/tokenize/pretokenize_test.cpp
// compares both with PCRE2 on random and adversarial text.
#pragma once

#include <cstddef>
#include <cstdint>

#include <emmintrin.h>

namespace hewn::tokenize::pretokenize {

// General categories as the patterns use them, and White_Space as tiktoken
// spells \s (U+0009-000D, U+0020, U+0085, U+00A0, U+1680, U+2000-200A,
// U+2028, U+2029, U+202F, U+205F, U+3000).
enum CharClass : std::uint8_t {
  other = 0,
  upper = 1,   // Lu, Lt
  lower = 2,   // Ll
  letter = 3,  // Lm, Lo
  mark = 4,    // M
  number = 5,  // N
  space = 6,   // White_Space
};

extern const std::uint16_t char_class_index[0x1100];
extern const std::uint8_t char_class_blocks[][256];
extern const std::uint8_t char_class_ascii[128];

struct Char {
  std::uint8_t cls, len;
};

// The class and byte length of the character at s[i] (valid UTF-8).
[[gnu::always_inline]] inline Char char_at(const unsigned char* s, std::size_t i) {
  unsigned c = s[i];
  if (c < 0x80) return {char_class_ascii[c], 1};
  std::uint32_t cp;
  std::uint8_t len;
  if (c < 0xE0) {
    cp = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
    len = 2;
  } else if (c < 0xF0) {
    cp = (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
    len = 3;
  } else {
    cp = (c & 0x07) << 18 | (s[i + 1] & 0x3F) << 12 | (s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
    len = 4;
  }
  return {char_class_blocks[char_class_index[cp >> 8]][cp & 0xFF], len};
}

namespace detail {

constexpr unsigned bit(unsigned c) { return 1u << c; }
constexpr unsigned letters = bit(upper) | bit(lower) | bit(letter);              // \p{L}
constexpr unsigned upperish = bit(upper) | bit(letter) | bit(mark);              // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
constexpr unsigned lowerish = bit(lower) | bit(letter) | bit(mark);              // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
constexpr unsigned symbols = bit(other) | bit(mark);                             // [^\s\p{L}\p{N}]
constexpr unsigned not_letter_number = bit(other) | bit(mark) | bit(space);     // [^\p{L}\p{N}]

inline bool crlf(unsigned char c) { return c == '\r' || c == '\n'; }
inline bool ascii_letter(unsigned char c) { return static_cast<unsigned char>((c | 0x20) - 'a') < 26; }

// The end of the run of ASCII bytes from i with (c | fold) in [lo, lo + n),
// 16 bytes at a time: fold 0x20 and 'a', 26 for letters; 0, 'a', 26 for
// lowercase; 0, 'A', 26 for uppercase.
inline std::size_t ascii_run(const unsigned char* s, std::size_t i, std::size_t e, unsigned char fold,
                             unsigned char lo, unsigned char n) {
  const __m128i f = _mm_set1_epi8(static_cast<char>(fold)), bias = _mm_set1_epi8(static_cast<char>(0x80 - lo)),
                limit = _mm_set1_epi8(static_cast<char>(n - 0x80));
  while (i + 16 <= e) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // (c | fold) - lo < n, unsigned, as a signed compare
    __m128i t = _mm_add_epi8(_mm_or_si128(v, f), bias);
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(t, limit)));
    if (m != 0xFFFF) return i + static_cast<std::size_t>(__builtin_ctz(~m));
    i += 16;
  }
  while (i < e && static_cast<unsigned char>((s[i] | fold) - lo) < n) ++i;
  return i;
}
inline std::size_t ascii_letters(const unsigned char* s, std::size_t i, std::size_t e) {
  return ascii_run(s, i, e, 0x20, 'a', 26);
}

// The end of the run of characters from i whose classes are in set.
[[gnu::always_inline]] inline std::size_t run(const unsigned char* s, std::size_t i, std::size_t e, unsigned set) {
  while (i < e) {
    Char c = char_at(s, i);
    if (!(bit(c.cls) & set)) break;
    i += c.len;
  }
  return i;
}

// \p{L}+ from i: ASCII letters 16 at a time, then any letters.
inline std::size_t letter_run(const unsigned char* s, std::size_t i, std::size_t e) {
  i = ascii_letters(s, i, e);
  return i < e && s[i] >= 0x80 ? run(s, i, e, letters) : i;
}

// '(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]) at i: its end, or 0.
inline std::size_t contraction(const unsigned char* s, std::size_t i, std::size_t e) {
  if (i + 1 >= e || s[i] != '\'') return 0;
  unsigned char a = s[i + 1] | 0x20;
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
  if (i + 2 >= e) return 0;
  unsigned char b = s[i + 2] | 0x20;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  return 0;
}

// \p{N}{1,3} after the first number c at i.
inline std::size_t numbers(const unsigned char* s, std::size_t i, std::size_t e, Char c) {
  std::size_t j = i + c.len;
  for (int k = 1; k < 3 && j < e; ++k) {
    Char d = char_at(s, j);
    if (d.cls != number) break;
    j += d.len;
  }
  return j;
}

// The alternatives both patterns end with, at i (character c):
//  ?[^\s\p{L}\p{N}]+[\r\n]* (o200k: [\r\n/]*) | \s*[\r\n]+ | \s+(?!\S) | \s+
inline std::size_t rest(const unsigned char* s, std::size_t i, std::size_t e, Char c, bool slash) {
  std::size_t p = i;
  Char d = c;
  if (s[i] == ' ' && i + 1 < e) {
    p = i + 1;
    d = char_at(s, p);
  }
  if (bit(d.cls) & symbols) {
    std::size_t q = run(s, p + d.len, e, symbols);
    while (q < e && (crlf(s[q]) || (slash && s[q] == '/'))) ++q;
    return q;
  }
  // White space (anything else matched an earlier alternative).
  std::size_t r = i, last = i, n = 0, newline = 0;
  while (r < e) {
    Char w = char_at(s, r);
    if (w.cls != space) break;
    if (crlf(s[r])) newline = r + 1;
    last = r;
    r += w.len;
    ++n;
  }
  if (newline) return newline;       // \s*[\r\n]+: through the last line break
  if (r == e || n == 1) return r;    // \s+(?!\S) at the end; \s+
  return last;                       // \s+(?!\S): all but the last character
}

// o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+ at j,
// with the regex engine's backtracking worked out: the end, or 0.
inline std::size_t upper_lower(const unsigned char* s, std::size_t j, std::size_t e) {
  std::size_t a = j, both_end = 0;  // end of the last character in both sets
  while (a < e) {
    Char x = char_at(s, a);
    unsigned b = bit(x.cls);
    if (!(b & upperish)) break;
    a += x.len;
    if (b & lowerish) both_end = a;
  }
  if (a < e && char_at(s, a).cls == lower) return run(s, a, e, lowerish);
  return both_end;  // the upper run gives back its characters up to the last one in both sets
}

// o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]* at j: the end, or 0.
inline std::size_t upper_then_lower(const unsigned char* s, std::size_t j, std::size_t e) {
  std::size_t a = run(s, j, e, upperish);
  return a == j ? 0 : run(s, a, e, lowerish);
}

inline std::size_t with_contraction(const unsigned char* s, std::size_t k, std::size_t e) {
  std::size_t c = contraction(s, k, e);
  return c ? c : k;
}

}  // namespace detail

// cl100k_base:
// '(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
inline std::size_t next_cl100k_general(const unsigned char* s, std::size_t i, std::size_t e) {
  using namespace detail;
  if (std::size_t k = contraction(s, i, e)) return k;
  Char c = char_at(s, i);
  unsigned m = bit(c.cls);
  std::size_t j = i + c.len;
  if (m & letters) return letter_run(s, j, e);
  if ((m & not_letter_number) && !crlf(s[i]) && j < e) {
    if (ascii_letter(s[j])) return letter_run(s, j + 1, e);
    Char d = char_at(s, j);
    if (bit(d.cls) & letters) return run(s, j + d.len, e, letters);
  }
  if (c.cls == number) return numbers(s, i, e, c);
  return rest(s, i, e, c, false);
}

// o200k_base:
// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'contraction)?|
// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'contraction)?|
// \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
inline std::size_t next_o200k_general(const unsigned char* s, std::size_t i, std::size_t e);
inline std::size_t next_o200k_ascii(const unsigned char* s, std::size_t i, std::size_t e) {
  using namespace detail;
  // ASCII letters, after an optional ASCII character that is not a letter,
  // digit or line break: U*L* decides unless a non-ASCII character follows.
  unsigned char c0 = s[i];
  std::size_t j = ascii_letter(c0)                                                      ? i
                  : c0 < 0x80 && char_class_ascii[c0] != number && !crlf(c0) && i + 1 < e &&
                            ascii_letter(s[i + 1])                                       ? i + 1
                                                                                         : e;
  if (j < e) {
    std::size_t u = ascii_run(s, j, e, 0, 'A', 26);
    std::size_t l = u < e && s[u] < 0x80 ? ascii_run(s, u, e, 0, 'a', 26) : u;
    if (l == e || s[l] < 0x80) return with_contraction(s, l, e);
  }
  return next_o200k_general(s, i, e);
}

// next_o200k() where a non-ASCII character takes part.
inline std::size_t next_o200k_general(const unsigned char* s, std::size_t i, std::size_t e) {
  using namespace detail;
  Char c = char_at(s, i);
  unsigned m = bit(c.cls);
  std::size_t j = i + c.len;
  // The optional first character is tried taken, then left out (a mark is
  // in both sets, so it can also start the letters).
  bool prefix = (m & not_letter_number) && !crlf(s[i]) && j < e;
  if (prefix)
    if (std::size_t k = upper_lower(s, j, e)) return with_contraction(s, k, e);
  if (m & (upperish | lowerish))
    if (std::size_t k = upper_lower(s, i, e)) return with_contraction(s, k, e);
  if (prefix)
    if (std::size_t k = upper_then_lower(s, j, e)) return with_contraction(s, k, e);
  if (m & upperish)
    if (std::size_t k = upper_then_lower(s, i, e)) return with_contraction(s, k, e);
  if (c.cls == number) return numbers(s, i, e, c);
  return rest(s, i, e, c, true);
}


namespace detail {

// Bit k set where s[k] (of 16 bytes at s) is in [lo, lo + n) after | fold.
[[gnu::always_inline]] inline unsigned ascii_mask(__m128i v, unsigned char fold, unsigned char lo, unsigned char n) {
  __m128i t = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(static_cast<char>(fold))),
                           _mm_set1_epi8(static_cast<char>(0x80 - lo)));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(t, _mm_set1_epi8(static_cast<char>(n - 0x80)))));
}

}  // namespace detail

// The pre-tokenizers for the hot loop: the commonest piece, an optional
// space and fewer than 16 ASCII letters followed by an ASCII character
// other than an apostrophe, from one 16-byte load and a few bit operations;
// anything else by the functions above. (Same results; the unit tests run
// both on long random text.)
[[gnu::always_inline]] inline std::size_t next_cl100k(const unsigned char* s, std::size_t i, std::size_t e) {
  std::size_t j = i + (s[i] == ' ');
  if (j + 16 <= e) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j));
    unsigned m = detail::ascii_mask(v, 0x20, 'a', 26);  // letters
    if (m & 1) {
      unsigned k = static_cast<unsigned>(__builtin_ctz(~m));  // the first non-letter (16: none)
      // \p{L}+ ends at an ASCII byte that is not a letter
      if (k < 16 && s[j + k] < 0x80) return j + k;
    }
  }
  return next_cl100k_general(s, i, e);
}

[[gnu::always_inline]] inline std::size_t next_o200k(const unsigned char* s, std::size_t i, std::size_t e) {
  std::size_t j = i + (s[i] == ' ');
  if (j + 16 <= e) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + j));
    unsigned upper = detail::ascii_mask(v, 0, 'A', 26), lower = detail::ascii_mask(v, 0, 'a', 26);
    if ((upper | lower) & 1) {
      // [A-Z]*[a-z]* from j (U*L+ or U+L*, as next_o200k_ascii() reasons),
      // ending at an ASCII byte that is not an apostrophe (no contraction).
      unsigned u = static_cast<unsigned>(__builtin_ctz(~upper));
      unsigned l = static_cast<unsigned>(__builtin_ctz(~lower & (~0u << u)));
      if (l < 16 && s[j + l] < 0x80 && s[j + l] != '\'') return j + l;
    }
  }
  return next_o200k_ascii(s, i, e);
}

}  // namespace hewn::tokenize::pretokenize
