// The pair-scorer port: what a reranking stage needs from a cross-encoder
// (the relevance of each passage to a query) without linking one.
// embed's cross-encoders implement it in-process (OpenBLAS), and so does a
// remote rerank endpoint's client (libcurl); embed::make_reranker() builds
// either from a name. cmd/ composes the concrete scorer
// and hands it down, so lib/query never depends on embed, OpenBLAS or
// libcurl (as core/encoder.hpp does for text encoders).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hewn {

class PairScorer {
 public:
  virtual ~PairScorer() = default;
  // The model's identity (its directory's name, or the remote model).
  virtual const std::string& name() const = 0;
  // Writes the relevance of passages[i] to query to out[i], higher meaning
  // more relevant, and returns how many passages were cut to fit the model
  // (the query is never cut). A pair's score does not depend on the other
  // passages of the call, but for rounding (an in-process model may batch
  // them: last bits, within 1e-6). Safe to call from several threads at once.
  // Errors: DataError for a query the model cannot take (so long that no
  // passage token fits beside it; token-level errors) or a remote request
  // that failed after its retries, saying what failed (the caller adds the
  // record's place).
  virtual std::size_t score(std::string_view query, std::span<const std::string_view> passages,
                            double* out) const = 0;
};

}  // namespace hewn
