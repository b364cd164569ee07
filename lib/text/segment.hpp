// Unicode text segmentation (ICU break iterators over UTF-8, offsets in
// bytes), locales, and whitespace.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hewn::text {

enum class Boundary { grapheme, word, sentence };

inline constexpr std::size_t done = static_cast<std::size_t>(-1);

// Checks a locale name ("en", "th", "zh-Hant", "pt_BR"; "root" for none) and
// returns ICU's canonical form.
// Errors: UsageError "unknown locale "xx"" when the language is not an ISO
// 639 language ICU knows.
std::string check_locale(std::string_view lang);

// One ICU break iterator, reused across texts. Not thread-safe: keep one per
// thread. Offsets are byte offsets into the text given to set_text().
class Segmenter {
 public:
  // Errors: UsageError for an unknown locale; Error if ICU cannot open its
  // rules (missing ICU data).
  Segmenter(Boundary kind, const std::string& locale);
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  // Text must be valid UTF-8 and outlive the use of the segmenter.
  void set_text(std::string_view utf8);
  std::size_t first();                 // 0
  std::size_t next();                  // next boundary, or done
  std::size_t following(std::size_t);  // first boundary > i, or done
  std::size_t preceding(std::size_t);  // last boundary < i, or done
  bool is_boundary(std::size_t);
  // For word boundaries: true when the segment ending at the boundary most
  // recently returned is a word of letters, numbers, kana or ideographs
  // (ICU rule status >= UBRK_WORD_NONE_LIMIT).
  bool word_like() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Unicode White_Space.
bool is_space(char32_t c);

// Narrows [b, e) of valid UTF-8 s past leading and trailing whitespace; an
// all-space span comes back empty (b == e).
void trim(std::string_view s, std::size_t& b, std::size_t& e);

}  // namespace hewn::text
