// The model-free "hash" embedder: signed feature hashing of word unigrams,
// word bigrams and character 3-5-grams (embed(1), HASH BACKEND, specifies it
// exactly so that it can be reimplemented bit for bit).
#pragma once

#include <cstdint>
#include <string_view>

#include "embed/embedder.hpp"

namespace hewn::embed {

// 64-bit FNV-1a of bytes, continuing from h.
inline constexpr std::uint64_t fnv_offset = 14695981039346656037ull;
inline constexpr std::uint64_t fnv_prime = 1099511628211ull;
inline constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = fnv_offset) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= fnv_prime;
  }
  return h;
}

// Errors: UsageError "--dim must be at least 1" for dim 0, "--dim must be at
// most 16777216" above 2^24.
std::unique_ptr<const Embedder> make_hash_embedder(std::size_t dim, bool normalize);

}  // namespace hewn::embed
