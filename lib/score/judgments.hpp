// Relevance judgments (qrels): TREC qrels files ("topic iteration doc rel")
// or JSON Lines {"qid", "doc"|"id", "rel"}, kept per topic, sorted the way
// trec_eval sorts them (topics and documents bytewise).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "score/arena.hpp"

namespace hewn::score {

struct Judgment {
  std::string_view doc;  // points into Qrels' storage
  long rel;
  std::uint64_t line;
};

struct TopicJudgments {
  std::string qid;
  std::vector<Judgment> docs;  // sorted by doc, bytewise
};

// Relevance grades beyond this (either sign) are refused: measures keep a
// count per grade.
inline constexpr long max_relevance = 1000000;

class Qrels {
 public:
  Qrels() = default;
  Qrels(const Qrels&) = delete;
  Qrels& operator=(const Qrels&) = delete;
  Qrels(Qrels&&) = default;
  Qrels& operator=(Qrels&&) = default;

  // Topics sorted by qid, bytewise.
  const std::vector<TopicJudgments>& topics() const { return topics_; }
  // The topic's judgments, or nullptr.
  const TopicJudgments* find(std::string_view qid) const;
  // Judgments with a relevance above 0, over every topic: trec_eval's
  // summary of num_rel under -c (whatever -l, -J and -M say).
  long num_positive() const { return num_positive_; }

  // Reads TREC qrels or JSON Lines (a first non-blank character '{' means
  // JSON Lines). TREC: four whitespace-separated fields per line, lines whose
  // first non-blank character is '#' are comments; BEIR's TSV ("query-id
  // corpus-id score" lines after a header line, recognized as a first line of
  // three fields whose third is "score", "rel", "relevance" or "label", in
  // any case) is read too. JSON Lines: "qid" (string
  // or integer), "doc" or else "id", "rel" (an integer).
  // Errors: DataError "source:line: what" for a wrong number of fields, a
  // relevance that is not an integer or beyond max_relevance either way
  // ("... relevance R is out of range ..."), a missing field, malformed JSON, a
  // document judged twice for one topic, an empty file; those of
  // io::open_input.
  static Qrels read(const std::string& path);

 private:
  std::shared_ptr<detail::Arena> storage_ = std::make_shared<detail::Arena>();
  std::vector<TopicJudgments> topics_;
  long num_positive_ = 0;
};

}  // namespace hewn::score
