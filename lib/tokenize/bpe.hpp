// tiktoken byte-pair encoding: pre-tokenization (cl100k_base and o200k_base
// by hand-written pre-tokenizers, pretokenize.hpp; other patterns by PCRE2),
// then byte-pair merges by rank within each piece, with a per-thread cache of
// merged pieces.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace hewn::tokenize {

namespace detail {
inline std::uint64_t load64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint32_t load32(const unsigned char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Up to the first 8 bytes of [p, p + n) packed in a word (byte i at bits
// 8i), without reading outside the range.
inline std::uint64_t head(const unsigned char* p, std::size_t n) {
  if (n >= 8) return load64(p);
  if (n >= 4) return std::uint64_t(load32(p)) | std::uint64_t(load32(p + n - 4)) << (8 * (n - 4));
  if (n == 0) return 0;
  return std::uint64_t(p[0]) | std::uint64_t(p[n / 2]) << (8 * (n / 2)) | std::uint64_t(p[n - 1]) << (8 * (n - 1));
}

inline std::uint64_t hash_bytes(std::uint64_t h8, const unsigned char* p, std::size_t n) {
  std::uint64_t h = (h8 ^ (std::uint64_t(n) << 56)) * 0x9E3779B97F4A7C15ull;
  if (n > 8) {
    for (std::size_t i = 8; i + 8 < n; i += 8) h = (h ^ load64(p + i)) * 0x165667B19E3779F9ull;
    h = (h ^ load64(p + n - 8)) * 0xC2B2AE3D27D4EB4Full;
  }
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 32;
  return h;
}
}  // namespace detail

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
  // find() in two steps, for a filter kept beside the table: the hash of
  // the bytes, then the lookup by it (the same result as find(p, n)).
  static std::uint64_t hash(const unsigned char* p, std::size_t n) {
    return detail::hash_bytes(detail::head(p, n), p, n);
  }
  std::uint32_t find(const unsigned char* p, std::size_t n, std::uint64_t hash) const;
  std::uint32_t byte(unsigned char c) const { return bytes_[c]; }
  // find() of the two bytes a, b (a table lookup).
  std::uint32_t pair(unsigned char a, unsigned char b) const { return pairs_[a << 8 | b]; }
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
  std::vector<std::uint32_t> pairs_;  // by a << 8 | b
  // A bit per hash of the high filter_bits of every token's hash: most
  // strings a merge asks about are not tokens, and this answers them from
  // 128 KiB instead of a probe of the (megabytes) table.
  static constexpr int filter_bits = 20;
  std::vector<std::uint64_t> filter_;
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

// reference: pre-tokenize with the pattern by PCRE2 and merge with
// tiktoken's plain loop (lowest rank first, leftmost on ties), without
// caches: slow, the yardstick the fast path is tested against.
// Errors: Error if the pattern does not compile (a bug).
std::shared_ptr<Tokenizer> make_bpe(RankTable ranks, const BpeEncoding& encoding, bool allow_special,
                                    bool reference = false);

}  // namespace hewn::tokenize
