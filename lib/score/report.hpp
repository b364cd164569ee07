// Output of evaluations: trec_eval's exact layout, JSON Lines, and tables
// (aligned text, Markdown, TSV) with one row per run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "score/compare.hpp"
#include "score/evaluate.hpp"

namespace hewn::score {

enum class Format { json, trec, table, markdown, tsv };

// Errors: UsageError "unknown format "x" (json, trec, table, markdown, tsv)".
Format parse_format(std::string_view name);

// trec_eval's layout: "%-22s\t%s\t%6.4f" per value ("%ld" for counts, the
// run tag for runid, the quoted string for relstring); per-topic lines first
// when per_query, then the summary ("all").
void write_trec(const Evaluation& ev, const MeasureSet& ms, bool per_query, std::string& out);

// One JSON object per line: per topic when per_query ({"run","runid","qid",
// measures...}), then the summary ({"run","runid","qid":"all",...}); with a
// comparison, the summary also holds "paired_topics", "delta", "p_t" and
// "p_randomization" (objects keyed by value name; null where not tested).
void write_json(const Evaluation& ev, const MeasureSet& ms, bool per_query, std::string& out,
                const Comparison* cmp = nullptr);

// One row per run, a column per value (summary values): aligned table,
// Markdown or TSV, numbers with 4 decimals (counts as integers). With
// comparisons (one per run after the first), each tested value also gets
// columns "<name> delta", "<name> p_t" and "<name> p_rand" ("-" for the
// baseline and for values not tested).
void write_rows(const std::vector<Evaluation>& evs, const MeasureSet& ms, Format format, std::string& out,
                const std::vector<Comparison>& cmps = {});

}  // namespace hewn::score
