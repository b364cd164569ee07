// Normalizers and pre-tokenizers of Hugging Face tokenizer.json files,
// applied character by character so that every normalized byte keeps the
// source range it came from.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenize/precompiled.hpp"

namespace hewn::tokenize {

struct NormalizerConfig {
  // SentencePiece's Precompiled map, applied first (before all the others).
  std::shared_ptr<const PrecompiledMap> precompiled;
  bool clean_text = false;      // drop NUL, U+FFFD and control characters; whitespace becomes ' '
  bool chinese_chars = false;   // CJK ideographs become words of their own
  bool strip_accents = false;   // NFD, then drop nonspacing marks (Mn)
  bool lowercase = false;       // full lowercase mapping, character by character
  bool nfd = false;             // NFD without dropping marks
  // Replace normalizers whose pattern is one code point (model2vec's
  // tokenizers space out punctuation so), applied in order after the others.
  std::vector<std::pair<std::string, std::string>> replace;
  // Replace Regex "\s+" or " {2,}" (last but Strip): runs of spaces count
  // once, as collapse_to: " ", or the metaspace replacement (U+2581, as
  // newer conversions of XLM-R's SentencePiece model write it).
  bool collapse_spaces = false;
  std::string collapse_to = " ";
  // Strip of each end (white space, char::is_whitespace): before the
  // collapse (or without one), or only after it, where a run of spaces
  // already collapsed to U+2581 at that end is no longer white space.
  enum class Strip : std::uint8_t { no, before, after };
  Strip strip_left = Strip::no, strip_right = Strip::no;
};

enum class PreTokenizerKind { none, bert, whitespace_split, metaspace };
enum class PrependScheme { always, first, never };

struct PreTokenizerConfig {
  PreTokenizerKind kind = PreTokenizerKind::none;
  std::string replacement = "\xE2\x96\x81";  // metaspace: U+2581
  PrependScheme prepend = PrependScheme::always;
  bool split = true;  // metaspace: split at each replacement (merged with the next word)
};

// A pre-tokenized word: normalized UTF-8 and, per byte, the source range of
// the character it came from.
struct Word {
  std::string text;
  std::vector<std::uint32_t> begin, end;
  void clear() {
    text.clear();
    begin.clear();
    end.clear();
  }
};

class Pipeline {
 public:
  Pipeline(NormalizerConfig n, PreTokenizerConfig p);
  ~Pipeline();
  // Calls f(w) for each word of text (valid UTF-8) in order; offsets in w
  // are byte offsets into text plus base.
  void words(std::string_view text, std::size_t base, Word& w, const std::function<void(const Word&)>& f) const;

 private:
  enum Class : std::uint8_t { drop = 1, space = 2, punct = 4, cjk = 8 };
  struct Info {
    std::uint8_t cls;
    std::uint8_t len;  // bytes of out; 255: compute on the fly
    char out[14];
  };
  void words_plain(std::string_view text, std::size_t base, Word& w, const std::function<void(const Word&)>& f) const;
  void normalize_slow(char32_t cp, std::string& out, std::uint8_t& cls) const;
  std::uint8_t out_class(char32_t cp) const;  // space / punct of a normalized character
  NormalizerConfig n_;
  PreTokenizerConfig p_;
  std::vector<Info> bmp_;  // for code points below 0x10000
  // Bytes below 0x80 that normalize to one ASCII byte (or to nothing) under
  // a bert or whitespace_split pre-tokenizer or none: what comes out and
  // its class (drop, space, punct or 0). fast = false (and every byte from
  // 0x80) sends a byte the general way.
  struct Ascii {
    bool fast;
    std::uint8_t cls;
    char out;
  };
  Ascii ascii_[128];
  bool word_byte_[256];  // fast, and of class 0
};

}  // namespace hewn::tokenize
