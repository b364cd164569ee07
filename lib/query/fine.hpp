// Coarse-to-fine answers (query --fine): inside a retrieved chunk's text,
// rank its sentences (ICU, as chunk -s sentence finds them) or windows of
// consecutive sentences, scored with the index's own BM25 statistics (idf
// and average length) and/or a model's vectors, and choose the tight spans
// to return in place of the chunk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoder.hpp"
#include "index/index.hpp"
#include "query/topk.hpp"

namespace hewn::query {

enum class FineUnit { none, sentence, window, chars };
enum class FineScore { bm25, dense, hybrid };

struct FineOptions {
  FineUnit unit = FineUnit::none;
  // window: sentences a window holds, and sentences between the starts of
  // consecutive windows (1 <= stride <= window); chars: a window starts at
  // each sentence and takes the sentences that follow while the span
  // stays within window code points (at least one sentence).
  std::uint32_t window = 1, stride = 1;
  std::uint32_t spans = 1;   // units chosen per chunk (--fine-spans)
  bool merge = false;        // chosen units that touch or overlap become one span (--fine-merge)
  std::uint64_t size = 0;    // per chunk: most code points its spans hold together; 0: no limit
  FineScore score = FineScore::bm25;
  double rrf_k = 60;         // hybrid: reciprocal rank fusion of the two rankings of a chunk's units
  std::string locale = "en"; // ICU locale of sentence boundaries (chunk --lang's default)
  // Chunks refined (--fine-depth): 0, the hits the first stage keeps (-k,
  // or the adaptive cut-off's); N, the best N chunks, whose spans are then
  // cut to k.
  std::uint32_t depth = 0;
  bool by_span = false;      // spans ranked by their own score (--fine-order span), else by their chunk's rank first
  // Each span widened by this many code points on both sides, out to the
  // sentence boundaries it then reaches, within its chunk (--fine-grow).
  std::uint64_t grow = 0;
  // --fine-adaptive RATIO (0: off): the query's answer is the best unit of
  // all refined chunks alone when its fused score (the unit's BM25 times
  // its chunk's score over the best chunk's) is at least RATIO times every
  // unit that does not overlap it, else the refined chunks whole.
  double adaptive = 0;
};

// Parses --fine's value: "sentence", "window:N" / "window:N,STRIDE"
// (N sentences a window, a window starting every STRIDE sentences; STRIDE
// defaults to 1), or "chars:N" (at each sentence, the sentences from there
// that fit N code points). Errors: UsageError "--fine: ..." for anything
// else.
FineOptions parse_fine(std::string_view spec);

// One chosen span of a chunk's text: byte offsets into the text and code
// point offsets from the text's start (add the chunk's "start" for the
// document's), and its score.
struct FineSpan {
  std::size_t byte_start = 0, byte_end = 0;
  std::uint64_t start = 0, end = 0;
  double score = 0;
};

// One per thread (holds an ICU sentence iterator and an analyzer).
class FineRanker {
 public:
  // Errors: those of text::Segmenter (UsageError for an unknown o.locale)
  // and index::Analyzer (an unknown stemmer in the index's manifest).
  FineRanker(const index::Index& ix, const FineOptions& o);
  ~FineRanker();
  FineRanker(const FineRanker&) = delete;
  FineRanker& operator=(const FineRanker&) = delete;

  // The spans chosen in text (one chunk's text, valid UTF-8), best first
  // (score descending, then position), at most o.spans of them (fewer when
  // merged or when o.size leaves no room; none only for a text of white
  // space alone). A unit's BM25 score is the index's: for each query term,
  // weight * tf_part(tf in the unit, the norm of the unit's length in
  // terms); its dense score the inner product (negated squared L2 distance
  // for an l2 index) of qvec with the unit's vector from encoder (prefix
  // put before each unit's text); hybrid fuses the two rankings by
  // reciprocal rank. Beyond the first, units with score 0 (BM25: no query
  // term) are not chosen.
  // Errors: those of encoder->encode() (DataError).
  void rank(std::string_view text, const std::vector<QueryTerm>& q, const float* qvec, const TextEncoder* encoder,
            const std::string& prefix, std::vector<FineSpan>& out);

  // For --fine-adaptive (BM25 units): the best unit of text (score
  // descending, then position; grown by o.grow) into top, and the best
  // score of the units that do not overlap it (0 when none) into runner_up.
  // False, with neither set, for a text of white space alone.
  bool best(std::string_view text, const std::vector<QueryTerm>& q, FineSpan& top, double& runner_up);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hewn::query
