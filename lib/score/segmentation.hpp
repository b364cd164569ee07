// Boundary measures of chunkings against gold segmentations (topic
// segmentation's Pk, WindowDiff, boundary similarity B, boundary precision
// and recall within a tolerance), per document and averaged; chunkings are
// compared with the first as runs are (score/compare.hpp).
#pragma once

#include <string>
#include <vector>

#include "score/chunks.hpp"
#include "score/compare.hpp"
#include "score/report.hpp"
#include "score/spans.hpp"

namespace hewn::score {

// One gold document: the code point offsets where its segments 2..n start,
// its length in code points, and the starts of its sentences when given.
struct GoldDocument {
  std::string id;
  std::vector<long> boundaries;  // ascending, each in (0, length)
  long length = 0;
  std::vector<long> sentences;  // starts, ascending (first 0); empty when not given
  std::uint64_t line = 0;
};

struct Gold {
  std::string source;
  std::vector<GoldDocument> docs;  // input order
  // Reads {"id": ..., "segments": [[s, e], ...]} (or "boundaries": [p, ...]
  // with "length": n), with an optional "sentences": [[s, e], ...]; "doc"
  // may stand for "id". Code point offsets, end exclusive.
  // Errors: DataError "source:line: what" for a missing id or segmentation,
  // a malformed array, segments that are not ascending or overlap, a
  // boundary outside (0, length), a repeated id, malformed JSON; those of
  // io::open_input.
  static Gold read(const std::string& path);
};

enum class BoundaryUnit { sentence, character };

struct BoundaryOptions {
  BoundaryUnit unit = BoundaryUnit::sentence;
  long tolerance = 0;     // boundary precision/recall: matches up to this many units apart
  std::string lang = "en";  // ICU sentences of --docs when the gold gives none
};

// Measures of one pair of label sequences: labels[i] is 1 when a boundary
// follows unit i (NLTK's convention; the last is 0).
// Pk (Beeferman et al.) exactly as nltk.metrics.segmentation.pk: the share
// of windows ref[i:i+k], i = 0..N-k, where ref and hyp disagree on whether
// the window holds a boundary; k = int(round(N / (2 * boundaries of ref)))
// (Python's round: halves to even) when k is 0.
double pk(const std::vector<char>& ref, const std::vector<char>& hyp, long k = 0);
// WindowDiff (Pevzner and Hearst) as nltk's windowdiff: the share of the same
// windows where the counts of boundaries differ.
double windowdiff(const std::vector<char>& ref, const std::vector<char>& hyp, long k);
// The k pk() uses by default (at least 1, at most N).
long default_k(const std::vector<char>& ref);
// Boundary similarity B (Fournier 2013, segeval's boundary_similarity with
// n_t = 2): over the N - 1 potential boundary positions, matches M, near
// misses T (a boundary of each side at adjacent positions, paired left to
// right, each position used once) and full misses A; B = 1 - (A + T/2) /
// (A + T + M), 1 when there are no boundaries at all.
double boundary_similarity(const std::vector<char>& ref, const std::vector<char>& hyp);
// Boundary precision, recall and F1: each gold boundary is matched to the
// nearest unmatched hypothesis boundary at most tolerance units away (gold
// boundaries left to right; ties to the earlier). A ratio whose denominator
// is 0 is 1 when both sides have no boundary, else 0.
struct BoundaryPR {
  double precision = 0, recall = 0, f1 = 0;
};
BoundaryPR boundary_pr(const std::vector<char>& ref, const std::vector<char>& hyp, long tolerance);

// Evaluates a chunking (its chunks' starts, the first of each document left
// out, are its boundaries) against every gold document: the SpanEvaluation
// holds one "query" per gold document (qid: the document id) with the
// values pk, windowdiff, boundary_similarity, boundary_precision,
// boundary_recall, boundary_f1. Sentence units come from the gold's
// "sentences", else from ICU over docs' text; a boundary falls on the unit
// whose start is nearest (ties: the earlier).
// Errors: UsageError "--boundary-unit sentence needs the gold's "sentences"
// or --docs" when neither gives sentences; DataError for a gold document
// whose text (docs) has another length, or that docs lacks.
SpanEvaluation evaluate_boundaries(const Gold& gold, const Chunks& chunks, const Documents* docs,
                                   const BoundaryOptions& options);

// JSON: per document with per_doc ({"run","doc",values...}), then per
// chunking {"run","doc":"all","docs":n, means, "<name>_std", and for
// compared chunkings "paired_docs", "delta", "p_t", "p_randomization"}; or
// one row per chunking (format table, markdown, tsv).
// Errors: UsageError for --format trec.
void write_boundaries(const std::vector<SpanEvaluation>& evs, bool per_doc, Format format, std::string& out,
                      const std::vector<Comparison>& cmps);

}  // namespace hewn::score
