// BM25 scoring variants. A term's score in a document is
//   weight(term) * tf_part(tf, norm(doc))
// with weight = query term frequency * idf; the tf part is what the index
// stores per posting block (its maximum), so that block maxima do not depend
// on the query.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::index {

enum class Variant { lucene, robertson, bm25plus };

struct Bm25Params {
  Variant variant = Variant::lucene;
  float k1 = 0.9f;
  float b = 0.4f;
  float delta = 1.0f;  // bm25plus only
};

// Whether the parameters are in range: k1 and delta in [0, 1e6), b in
// [0, 1] (NaN fails). Errors: none.
inline bool valid(const Bm25Params& p) {
  return p.k1 >= 0 && p.k1 < 1e6f && p.b >= 0 && p.b <= 1 && p.delta >= 0 && p.delta < 1e6f;
}

// Errors: UsageError "unknown BM25 variant "x" (lucene, robertson, bm25plus)".
Variant parse_variant(std::string_view name);
std::string_view variant_name(Variant v);

// idf of a term in df of n documents:
//   lucene    log(1 + (n - df + 0.5) / (df + 0.5))      (Lucene >= 8, Anserini)
//   robertson max(0, log((n - df + 0.5) / (df + 0.5)))  (clamped at 0 so that
//             scores stay monotone in the terms matched)
//   bm25plus  log((n + 1) / df)                         (Lv and Zhai 2011)
float idf(const Bm25Params& p, std::uint64_t n, std::uint64_t df);

// Lucene's lossy one-byte document length (SmallFloat.intToByte4 and
// byte4ToInt): the lucene variant scores with lengths decoded from it, as
// Lucene and Anserini do; the others use exact lengths.
std::uint8_t length_to_byte4(std::uint32_t length);
std::uint32_t byte4_to_length(std::uint8_t b);

// The per-document normaliser k1 * (1 - b + b * dl / avgdl).
std::vector<float> document_norms(const Bm25Params& p, const std::vector<std::uint32_t>& lengths, double avgdl);

// The tf part: lucene tf / (tf + norm); robertson tf (k1 + 1) / (tf + norm);
// bm25plus tf (k1 + 1) / (tf + norm) + delta.
inline float tf_part(const Bm25Params& p, std::uint32_t tf, float norm) {
  float f = static_cast<float>(tf);
  switch (p.variant) {
    case Variant::lucene:
      return f / (f + norm);
    case Variant::robertson:
      return f * (p.k1 + 1.0f) / (f + norm);
    case Variant::bm25plus:
      return f * (p.k1 + 1.0f) / (f + norm) + p.delta;
  }
  return 0;
}

}  // namespace hewn::index
