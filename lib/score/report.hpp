// Output of evaluations: trec_eval's exact layout, JSON Lines, and tables
// (aligned text, Markdown, TSV) with one row per run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "score/compare.hpp"
#include "score/evaluate.hpp"
#include "score/intrinsic.hpp"
#include "score/spans.hpp"

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

// What a SpanEvaluation's units are called: queries of span measures (the
// default) or documents of boundary measures (write_boundaries).
struct SpanUnit {
  const char* key = "qid";               // the unit's id, "all" for the run's means
  const char* count = "queries";         // the number of units, in the "all" record
  const char* paired = "paired_topics";  // units paired with the baseline's
  bool count_column = false;             // table: a column with that number after "run"
  bool std_columns = true;               // table: "<name>_std" columns after the means
};

// Span measures: JSON (per query with per_unit: {"run","qid",values...};
// then per run {"run","qid":"all","queries":n, mean values..., "<name>_std":
// ..., and for compared runs "paired_topics", "delta", "p_t",
// "p_randomization"}) or one row per run (means, then standard deviations),
// keys and columns as unit names them.
// cmps: compare_spans(evs) (may be empty).
// Errors: UsageError for --format trec.
void write_spans(const std::vector<SpanEvaluation>& evs, bool per_unit, Format format, std::string& out,
                 const std::vector<Comparison>& cmps = {}, const SpanUnit& unit = {});

// Intrinsic measures of one or more chunkings (sources[i] gave results[i]):
// one JSON object per chunking {"chunks_file": ..., "chunks": ..., ...}, or
// one row per chunking (a column per measure of any of them, "-" where a
// chunking lacks it), as the other modes write runs. trec format is a usage
// error.
void write_intrinsic(const std::vector<std::string>& sources, const std::vector<IntrinsicResult>& results,
                     Format format, std::string& out);

// An aligned table (numbers right-aligned), Markdown table or TSV.
void write_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 Format format, std::string& out);

// "%.4f", or "%ld" for integers, "-" for NaN.
std::string number4(double v, bool integer);

}  // namespace hewn::score
