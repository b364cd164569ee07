// SentencePiece's precompiled character map (the "Precompiled" normalizer of
// Hugging Face tokenizer.json files converted from SentencePiece models:
// XLM-RoBERTa, multilingual-e5, bge-m3, T5...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::tokenize {

class PrecompiledMap {
 public:
  // blob: the decoded precompiled_charsmap: a little-endian u32 byte size
  // of a darts-clone double array, its u32 units, then the NUL-terminated
  // replacement strings. Throws std::invalid_argument (the message says
  // what is wrong) on a blob that is too short, an array whose size is not
  // a multiple of 4, or replacements that are not valid UTF-8.
  explicit PrecompiledMap(std::string_view blob);

  // Normalizes text (valid UTF-8) as Hugging Face tokenizers does: for each
  // extended grapheme cluster shorter than 6 bytes, the replacement of the
  // trie's first (shortest) prefix match in it replaces the whole cluster;
  // otherwise (no match, or a longer cluster) each character is replaced
  // by its own match or copied. out gets the normalized text; begin and end
  // get, per byte of out, the byte range of text (the cluster or the
  // character) it came from.
  void normalize(std::string_view text, std::string& out, std::vector<std::uint32_t>& begin,
                 std::vector<std::uint32_t>& end) const;

  // The replacement of key's first prefix match, or false when none.
  bool transform(std::string_view key, std::string_view& replacement) const;

 private:
  std::vector<std::uint32_t> units_;
  std::string normalized_;
  // transform() of each ASCII byte: -1 none, else offset into normalized_.
  std::int32_t ascii_[128];
};

}  // namespace hewn::tokenize
