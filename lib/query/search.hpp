// The query tool's work: query records in, ranked hits out (JSON Lines or
// a TREC run), with BM25, dense or hybrid retrieval (or the hits of a run
// from elsewhere), an optional reranking stage (a PairScorer rescoring the
// first stage's candidates), and the result shaping options of query(1):
// grouping by document, an adaptive cut-off, a size budget and neighbouring
// chunks as context.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/encoder.hpp"
#include "core/pair_scorer.hpp"
#include "core/record_stream.hpp"
#include "index/index.hpp"
#include "query/fine.hpp"
#include "index/levels.hpp"
#include "query/topk.hpp"

namespace hewn::query {

enum class Mode { bm25, dense, hybrid };
enum class Fusion { rrf, interpolate };
enum class Group { none, max, sum };
enum class BudgetUnit { chars, words, tokens };

struct SearchOptions {
  std::uint32_t k = 10;
  std::string id_field = "id";
  std::string text_field = "text";
  std::string embedding_field = "embedding";
  bool trec = false;
  std::string run_tag = "hewn";
  bool text = false;  // add the chunk's "text" to hits
  Mode mode = Mode::bm25;
  Fusion fusion = Fusion::rrf;
  double rrf_k = 60;
  double alpha = 0.5;  // weight of the dense score (interpolate)
  std::uint32_t depth = 0;  // candidates per retriever (hybrid, group); 0: max(k, 100)
  Group group = Group::none;
  bool adaptive = false;
  std::uint32_t min_k = 1, max_k = 0;  // 0: k
  std::uint64_t budget = 0;            // 0: none
  BudgetUnit budget_unit = BudgetUnit::chars;
  std::uint32_t neighbors = 0;
  // The index's model, which embeds a query's text (after query_prefix)
  // when it has no embedding field (dense, hybrid): set by the caller when
  // it is one the caller can run (shared by the threads); null: a query
  // without a vector is an error. A remote one embeds the texts of all the
  // queries of a worker's batch that need it at once (a few requests
  // instead of one a query; TextEncoder::encode_each()).
  const TextEncoder* query_encoder = nullptr;
  std::string query_prefix;
  // Without query_encoder: why the index's model cannot embed queries here
  // (added to the error of a query without a vector).
  std::string no_embedder;
  // Called (from any worker thread) for a query whose hits --budget cut to
  // none: best is the size of its best hit. Optional.
  std::function<void(const io::Input& in, const std::string& qid, std::uint64_t best)> on_budget_empty;
  // Counts a chunk text's tokens for BudgetUnit::tokens (a model tokenizer,
  // set by the caller; thread-safe). May throw.
  std::function<std::uint64_t(std::string_view text)> count_tokens;
  // Reranking: the scorer of (query text, chunk text) pairs that reorders
  // the first stage's candidates before grouping, cut-off and budget (set
  // by the caller, shared by the threads); null: no reranking.
  const PairScorer* reranker = nullptr;
  // Candidates reranked: chunks, or with Group the chunks of this many
  // documents; 0: max(k, 100) (k: the hits wanted).
  std::uint32_t rerank_depth = 0;
  // First-stage hits from elsewhere instead of retrieval (a run): query id
  // -> its hits (chunk numbers), ranked. Null: retrieve from the index.
  const std::unordered_map<std::string, std::vector<Hit>>* run = nullptr;
  // Called (from any worker thread) with the number of a query's passages
  // cut to the reranker's length, when there are some. Optional.
  std::function<void(std::size_t)> on_truncated;
  // query --where: the chunks retrieval keeps to (filter.hpp's select()),
  // so that the hits are the best that pass, not fewer; null: all. The
  // hits of a run are filtered; context chunks (neighbors) are not.
  const index::ChunkSet* filter = nullptr;
  // Called (from any worker thread) for a query that run has no hits for.
  // Optional.
  std::function<void(const io::Input& in, const std::string& qid)> on_not_in_run;
  // Coarse-to-fine (--fine): each hit chunk (after reranking, the cut-off
  // and before --budget, which then counts spans) is replaced by the spans
  // FineRanker chooses in its text. fine.unit none: off.
  FineOptions fine;
  // --fine-score dense or hybrid: the index's model (set by the caller),
  // embedding each unit's text after passage_prefix.
  const TextEncoder* passage_encoder = nullptr;
  std::string passage_prefix;
  // A levelled index (query --level, --return): retrieval searches level
  // `level` of levels; the searcher's index is level `answer` (<= level),
  // and each chunk found is replaced by its ancestor there, once, ranked
  // and scored by its best descendant (small-to-big), more chunks fetched
  // until k ancestors are found. Null: the searcher's index is searched.
  const index::Levels* levels = nullptr;
  std::size_t level = 0, answer = 0;
  // With levels (answer == level): auto-merging (query --auto-merge R, as
  // LlamaIndex's AutoMergingRetriever): among the final hits, the children
  // of a chunk of the level above that make at least this fraction of its
  // children are replaced by it, at the place and with the score of the
  // best of them, level by level up to level 0. 0: off. Every level up
  // to `level` must have been opened (Levels::level) before the searchers.
  double auto_merge = 0;
};

// Errors: UsageError "--mode dense: the index has no dense vectors",
// "--fine-score dense needs ..." and similar option conflicts.
void check_options(const SearchOptions& o, const index::Index& ix);

// Whether a TREC run can hold id (a query id, document id or run tag) in one
// column: the columns are whitespace-separated, so an empty id or one with
// white space would shift them. Errors: none.
bool trec_word(std::string_view id);

// The adaptive cut-off: given scores ranked best first, the number of hits
// to keep: the position (within [min_k, max_k]) of the largest relative
// drop (s[i-1] - s[i]) / |s[i-1]| between consecutive scores; all of them
// when there is no drop.
std::size_t adaptive_cut(const std::vector<double>& scores, std::size_t min_k, std::size_t max_k);

// The n best chunks for a query vector, ranked by the ranking rule (score,
// then input order): asks the dense index for more while chunks tie with the
// n-th, so that the hits never depend on n beyond the cut (an approximate
// index: as long as n is within its search breadth). With allow, the n best
// of its chunks (total: their number): when the dense index returns fewer
// than it could (an approximate one, or one without ID selectors), the
// allowed chunks' vectors from ix are scanned instead.
// Errors: those of Index::vector().
void dense_ranked(const index::DenseIndex& dense, std::uint32_t total, const float* q, std::uint32_t n,
                  std::vector<std::pair<std::uint32_t, float>>& scratch, std::vector<Hit>& out,
                  const index::ChunkSet* allow = nullptr, const index::Index* ix = nullptr);

// One handler per worker thread; the index is shared.
// Errors (from handle()): DataError "source:line: missing field "text"",
// "source:line: --rerank: ..." (the reranker's errors, such as a query too
// long to leave room for a passage),
// "source:line: missing field "embedding"" (dense and hybrid modes, with
// no_embedder's reason), "source:line: embedding has D dimensions, the index
// has E", "source:line: query embedded by model "x", the index by "y"".
std::unique_ptr<io::Handler> make_searcher(const index::Index& ix, const SearchOptions& o);

}  // namespace hewn::query
