// Span-level measures of the Chroma chunking evaluation: how much of the
// reference text (spans of documents, in code points) the retrieved chunks
// cover, per query at cutoffs k.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "score/chunks.hpp"
#include "score/run.hpp"

namespace hewn::score {

struct SpanRef {
  std::string doc;
  long start, end;  // code points, end exclusive
};

struct SpanRefs {
  std::vector<std::string> qids;  // sorted
  std::unordered_map<std::string, std::vector<SpanRef>> by_qid;
  // Reads {"qid", "doc", "start", "end"} lines.
  // Errors: DataError "source:line: span start S is after its end E", "...
  // span end E is beyond the end of document "d" (N code points)" (when docs
  // is given and knows the document), "... document "d" is unknown" (when
  // docs is given and lacks it), missing fields, offsets that are not
  // non-negative integers, malformed JSON; those of io::open_input.
  static SpanRefs read(const std::string& path, const Documents* docs);
};

// Per query: recall, precision, IoU at each k (value index k_index*3 + m),
// and precision-omega (independent of k).
struct SpanQuery {
  std::string qid;
  std::vector<double> values;  // [k][recall, precision, iou]
  double precision_omega = 0;
};

struct SpanEvaluation {
  std::string source;
  std::vector<long> ks;
  std::vector<SpanQuery> queries;
  std::vector<std::string> names;  // "span_recall@5", ..., "precision_omega"
  std::vector<double> mean, std;   // per name (population standard deviation)
};

// Evaluates the run's hits (chunk ids looked up in chunks; hits ranked by
// score descending, ties by id descending) against refs, for every query of
// refs (a query without hits scores 0).
// Errors: DataError "run:line: chunk "c" is not in the chunk records",
// DataError for a chunk retrieved twice for one query.
SpanEvaluation evaluate_spans(const SpanRefs& refs, const Run& run, const Chunks& chunks, const std::vector<long>& ks);

}  // namespace hewn::score
