// A retrieval run: TREC run files ("topic Q0 doc rank score runid") or the
// hits JSON Lines written by query ({"qid", "id", "doc", "rank", "score"}).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "score/arena.hpp"

namespace hewn::score {

struct Hit {
  double score;
  std::string_view doc;  // points into Run's storage
  std::uint64_t line;
};

// What a hit of hits JSON Lines says about its own text, read for span
// measures (RunOptions::spans).
struct HitSpan {
  std::string doc;            // "doc"; "" when absent
  long start = -1, end = -1;  // "start", "end" (code points); -1 when absent
  // "start"/"end" of the neighbours in "before" and "after" (query
  // --neighbors), in the same document.
  std::vector<std::pair<long, long>> context;
  bool has_rank = false;
  double rank = 0;            // "rank"
};

struct TopicRun {
  std::string qid;
  std::vector<Hit> hits;       // in input order
  std::vector<HitSpan> spans;  // one per hit with RunOptions::spans (JSON Lines), else empty
};

// Which JSON field names the judged unit of a hit.
enum class MatchField {
  doc,  // "doc" (the document), else "id"; several hits of one document keep the best score
  id,   // "id" (the chunk or passage); a repeated id is an error
};

struct RunOptions {
  MatchField match = MatchField::doc;
  bool spans = false;  // JSON Lines: also read each hit's HitSpan
};

// Thrown by Run::read with a sink when a topic's lines are not contiguous.
struct TopicsNotGrouped : std::exception {
  const char* what() const noexcept override { return "topics not grouped"; }
};

class Run {
 public:
  std::string source;  // path, for messages
  std::string runid;   // TREC: the last line's run tag; JSON: "run" of the first hit, else the path
  bool json = false;   // hits JSON Lines (else a TREC run)

  const std::vector<TopicRun>& topics() const { return topics_; }
  const TopicRun* find(std::string_view qid) const;
  std::uint64_t lines = 0;  // hits read

  // Reads a TREC run or hits JSON Lines (first non-blank character '{').
  // TREC: at least six whitespace-separated fields (more are ignored, like
  // trec_eval); the rank column is ignored; '#' lines are comments.
  // Errors: DataError "source:line: what" for too few fields, a score that is
  // not a number, a missing "qid"/"doc"/"id"/"score" field, malformed JSON,
  // an empty run; with options.spans, a "start" without "end" (or the
  // reverse), start > end, a span or neighbours without "doc", a "before" or
  // "after" that is not an array of objects with "start" and "end", a
  // "rank" that is not a number; those of io::open_input. Duplicates are
  // found by evaluate().
  // With a sink, each topic is handed to the sink as soon as its lines end
  // (and its hits are then dropped), so memory stays bounded by one topic;
  // TopicsNotGrouped is thrown when a topic's lines are not contiguous.
  static Run read(const std::string& path, const RunOptions& options = {},
                  const std::function<void(const TopicRun&)>* sink = nullptr);

 private:
  std::shared_ptr<detail::Arena> storage_ = std::make_shared<detail::Arena>();
  std::vector<TopicRun> topics_;
  std::vector<std::size_t> order_;  // topic indexes sorted by qid
};

}  // namespace hewn::score
