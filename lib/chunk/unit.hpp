// Units in which chunk sizes are counted. A unit makes, per thread, a Measure
// that answers size questions about spans of one document at a time.
// Family members: chars (code points), bytes (UTF-8 bytes), words (ICU word
// segments of letters, numbers, kana or ideographs), tokens (of a tokenizer,
// see chunk/token_unit.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tokenize/tokenizer.hpp"

namespace hewn::chunk {

// Sizes of spans [b, e) (byte offsets) of the current document.
// Sizes are additive: size(a, c) == size(a, b) + size(b, c) for any cut b
// that fit() can return; a unit is counted in the span where it starts.
class Measure {
 public:
  virtual ~Measure() = default;
  // Starts on a new document (valid UTF-8 that outlives the use).
  virtual void reset(std::string_view doc) = 0;
  virtual std::uint64_t size(std::size_t b, std::size_t e) = 0;
  // The largest cut c in (b, limit] with size(b, c) <= n, where cuts fall on
  // grapheme cluster boundaries (chars, bytes) or unit starts (words,
  // tokens); limit itself is always a valid cut. When no such c exists
  // (n == 0, or one grapheme cluster larger than n), returns the first cut
  // after b, or limit when that cut lies beyond it (a limit inside a cluster,
  // such as a syntax node's end): the caller flags that chunk as oversize.
  // Never returns more than limit. Requires b < limit.
  virtual std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) = 0;
  // The size of doc[b, e) measured on its own, as a model sees the chunk
  // (tokens: the span tokenized alone, which can differ from size() by the
  // context a token loses at the cut). The Emitter keeps it within --size.
  virtual std::uint64_t exact(std::size_t b, std::size_t e) { return size(b, e); }
};

class Unit {
 public:
  virtual ~Unit() = default;
  virtual std::string_view name() const = 0;
  // A fresh measure for one thread.
  virtual std::unique_ptr<Measure> make_measure() const = 0;
};

struct UnitOptions {
  std::string name = "chars";  // chars | bytes | words | tokens
  std::string lang = "en";     // locale for word and grapheme segmentation
  std::string tokenizer;       // for tokens: a name or path (see tokenize/tokenizer.hpp)
  bool allow_special = false;  // tokens: special tokens in text are special
  bool count_special = false;  // tokens: count() includes the post-processor's specials
  // tokens: an already loaded tokenizer, used instead of loading `tokenizer`.
  std::shared_ptr<const tokenize::Tokenizer> loaded;
};

// Builds a unit from its name.
// Errors: UsageError "unknown unit "x" (known: chars, bytes, words,
// tokens)"; for words, an unknown locale; for tokens, UsageError "--unit
// tokens needs --tokenizer" and the errors of tokenize::make_tokenizer.
std::shared_ptr<const Unit> make_unit(const UnitOptions& options);

}  // namespace hewn::chunk
