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

// The span measures to compute, from -m names and -k cutoffs (see
// SpanMeasures::parse). Values are ordered by cutoff, then recall,
// precision, IoU, then the precision-omegas.
struct SpanMeasures {
  enum class Kind { recall, precision, iou, omega, omega_sum };
  struct Value {
    Kind kind;
    long k;  // cutoff (0 for the omegas)
  };
  std::vector<Value> values;
  std::vector<std::string> names;  // "span_recall@5", ..., "precision_omega"

  // specs: -m names, each "span_recall", "span_precision", "span_iou" (at
  // every cutoff of ks, 10 when ks is empty), the same with "@k" (at k
  // only), "precision_omega" or "precision_omega_sum"; none: the first three
  // and precision_omega.
  // Errors: UsageError "unknown span measure "x" (known: ...)", "... the
  // cutoff must be a positive integer", "--at must be positive".
  static SpanMeasures parse(const std::vector<std::string>& specs, std::vector<long> ks);
};

struct SpanQuery {
  std::string qid;
  std::vector<double> values;  // one per SpanMeasures::names
};

struct SpanEvaluation {
  std::string source;
  std::vector<SpanQuery> queries;
  std::vector<std::string> names;  // SpanMeasures::names
  std::vector<double> mean, std;   // per name (population standard deviation)
};

// Evaluates the run's hits against refs, for every query of refs (a query
// without hits scores 0). A hit's text is its own "doc"/"start"/"end" when
// the hit has them (run read with RunOptions::spans), else the chunk of
// that id, plus the spans of its "before"/"after" neighbours. Hits JSON
// Lines are ranked by "rank" when every hit of the query has one (ties in
// file order), else by score descending, ties in file order; TREC runs by
// score descending, ties by id descending (trec_eval).
// Errors: DataError "run:line: chunk "c" is not in the chunk records",
// DataError for a chunk retrieved twice for one query, "run:line: hit has
// no "rank" while other hits of query "q" have one".
SpanEvaluation evaluate_spans(const SpanRefs& refs, const Run& run, const Chunks& chunks, const SpanMeasures& measures);

}  // namespace hewn::score
