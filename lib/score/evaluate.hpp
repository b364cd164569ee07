// Evaluation of one run against qrels, topic by topic, exactly as trec_eval
// 10 does it: ranking by score descending with ties broken by document id
// descending (bytewise; the run's rank column is ignored), then the
// measures of a MeasureSet per topic and their summary over topics.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "score/judgments.hpp"
#include "score/measures.hpp"
#include "score/run.hpp"

namespace hewn::score {

struct EvalOptions {
  EvalParams params;
  bool all_topics = false;          // -c: every qrels topic counts; missing ones score as an empty run
  bool judged_only = false;         // -J: drop unjudged documents before ranking measures
  long max_per_topic = LONG_MAX;    // -M: only the first M documents of each topic (after sorting)
};

struct TopicResult {
  std::string qid;
  std::vector<double> values;      // MeasureSet::num_values() of them
  std::vector<std::string> texts;  // one per text measure (relstring)
};

struct Evaluation {
  std::string source;  // the run's path
  std::string runid;
  std::vector<TopicResult> topics;  // qrels topics evaluated, sorted by qid
  std::vector<double> summary;      // averaged as each measure says
  // Hits of the evaluated topics, and how many of their documents (within
  // -M) the qrels know: none of them suggests ids of another kind (chunk ids
  // against document qrels).
  std::uint64_t retrieved = 0, retrieved_in_qrels = 0;
};

// A copy of ev holding only the values of `to`, whose measures must all be
// in `from` (the set ev was computed with) with the same parameters.
Evaluation project(const Evaluation& ev, const MeasureSet& from, const MeasureSet& to);

// Evaluates run against qrels. Topics of the run that the qrels lack are
// ignored (as trec_eval does); qrels topics that the run lacks are ignored
// too unless all_topics is set.
// Errors: DataError "run:line: duplicate document "d" for topic "q" (also at
// line n)" for a document retrieved twice for one topic (within the first
// max_per_topic), DataError "run: no topic of the run is in the qrels" when
// nothing can be evaluated.
Evaluation evaluate(const Qrels& qrels, const Run& run, const MeasureSet& measures, const EvalOptions& options);

// The same, reading the run from path topic by topic when its topics are
// grouped (memory bounded by one topic), else all at once; "-" is read at
// once. Errors: as evaluate() and Run::read().
Evaluation evaluate(const Qrels& qrels, const std::string& path, const RunOptions& run_options,
                    const MeasureSet& measures, const EvalOptions& options);

// Ranks one topic's hits and joins them with its judgments (trec_eval's
// form_res_rels). Errors: as evaluate() for duplicates.
void rank_topic(const TopicJudgments& judged, const std::vector<Hit>& hits, const std::string& source,
                const EvalOptions& options, RankedRels& out);

}  // namespace hewn::score
