// tiktoken byte-pair encoding: a pre-tokenization regex (PCRE2 with JIT),
// then byte-pair merges by rank within each piece.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace hewn::tokenize {

// Token bytes by rank, with a hash index from bytes to rank.
class RankTable {
 public:
  static constexpr std::uint32_t none = 0xFFFFFFFF;
  // Adds bytes with rank; false when the bytes or the rank are already there.
  bool add(std::string_view bytes, std::uint32_t rank);
  // Builds the index; call once after the last add(). Returns the rank of
  // the first token whose bytes an earlier rank already has, or none.
  std::uint32_t finish();
  std::uint32_t find(const unsigned char* p, std::size_t n) const;
  std::uint32_t byte(unsigned char c) const { return bytes_[c]; }
  // Bytes of rank r; empty when r is not a rank.
  std::string_view text(std::uint32_t r) const;
  std::size_t size() const { return count_; }
  std::uint32_t max_rank() const { return static_cast<std::uint32_t>(spans_.size()) - 1; }

 private:
  struct Slot {
    std::uint64_t head;  // the first 8 bytes (all of a shorter token)
    std::uint32_t rank;
    std::uint16_t len, tag;  // tag: high bits of the hash
  };
  std::string blob_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;  // by rank: off, len (len 0: none)
  std::vector<Slot> slots_;
  std::size_t mask_ = 0, count_ = 0;
  std::uint32_t bytes_[256];
};

// Reads a .tiktoken file: one "base64(token) rank" per line.
// Errors: DataError "PATH: cannot open: ..."; "PATH:LINE: expected
// \"BASE64 RANK\"" (bad base64, a missing or non-numeric rank, a duplicate
// token or rank); "PATH:LINE: rank R is out of range (ranks must be dense)"
// for a rank above twice the number of lines plus 1024; "PATH: SHA-256 is X,
// expected Y (NAME)" when sha256 is
// given and differs; "PATH: no rank for byte 0xNN" when a single byte lacks
// a rank.
RankTable read_tiktoken(const std::string& path, const std::string& sha256 = {}, const std::string& name = {});

struct BpeEncoding {
  std::string name;     // for name()
  std::string pattern;  // PCRE2 pre-tokenization pattern
  std::vector<std::pair<std::string, std::uint32_t>> specials;
};

// The built-in encodings' patterns and special tokens ("cl100k_base",
// "o200k_base"); nullptr for other names.
const BpeEncoding* known_encoding(std::string_view name);
// OpenAI's published SHA-256 of a known encoding's rank file.
std::string known_sha256(std::string_view name);

// Errors: Error if the pattern does not compile (a bug).
std::shared_ptr<Tokenizer> make_bpe(RankTable ranks, const BpeEncoding& encoding, bool allow_special);

}  // namespace hewn::tokenize
