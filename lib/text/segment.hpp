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

// True when ICU's data has sentence break suppressions for the locale's
// language (abbreviations such as "Mr." and "U.S." that do not end a
// sentence; ICU 72: de, en, es, fr, it, pt, ru).
// Errors: those of check_locale.
bool has_sentence_suppressions(std::string_view locale);

// The locale sentence boundaries are found with: the canonical locale plus
// "@ss=standard" (ICU's suppressions) when its language has them and the
// locale does not give the keyword itself ("en@ss=none" turns them off).
// Errors: those of check_locale.
std::string sentence_locale(std::string_view locale);

// One ICU break iterator, reused across texts. Not thread-safe: keep one per
// thread. Offsets are byte offsets into the text given to set_text().
class Segmenter {
 public:
  // Sentence boundaries use sentence_locale(locale).
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

// Grapheme cluster boundaries of one document, with an ASCII fast path: ICU
// is consulted (and given the text) only where a non-ASCII byte is involved.
// Not thread-safe: keep one per thread. Offsets are bytes into the document.
class GraphemeCuts {
 public:
  // Errors: as Segmenter's constructor.
  explicit GraphemeCuts(const std::string& locale) : seg_(Boundary::grapheme, locale) {}
  // The document must be valid UTF-8 and outlive the use of this object.
  void reset(std::string_view doc) {
    doc_ = doc;
    text_set_ = false;
  }
  std::string_view doc() const { return doc_; }
  // True when p (<= doc size) is a grapheme cluster boundary; 0 and the end are.
  bool is_cut(std::size_t p) {
    if (p == 0 || p >= doc_.size()) return true;
    unsigned char a = doc_[p - 1], c = doc_[p];
    if (a < 0x80 && c < 0x80) return !(a == '\r' && c == '\n');
    return segmenter().is_boundary(p);
  }
  // The largest boundary in (b, p], or, when there is none, the first boundary
  // after b (which may lie beyond p: one cluster larger than the room).
  std::size_t align_down(std::size_t b, std::size_t p);

 private:
  Segmenter& segmenter() {
    if (!text_set_) {
      seg_.set_text(doc_);
      text_set_ = true;
    }
    return seg_;
  }
  Segmenter seg_;
  std::string_view doc_;
  bool text_set_ = false;
};

// Unicode White_Space.
bool is_space(char32_t c);

// Narrows [b, e) of valid UTF-8 s past leading and trailing whitespace; an
// all-space span comes back empty (b == e).
void trim(std::string_view s, std::size_t& b, std::size_t& e);

}  // namespace hewn::text
