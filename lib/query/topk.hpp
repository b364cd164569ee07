// Exact top-k BM25 retrieval: MaxScore with block-max bounds, and the
// exhaustive scorer it must agree with. Ranking rule (both): score
// descending, then internal id (input order) ascending. A document's score is
// the sum, in query-term order, of weight(term) * tf_part(tf, norm) over the
// query terms it contains, computed in the same floating-point operations by
// both, so their results are identical, ties included.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "index/columns.hpp"
#include "index/index.hpp"

namespace hewn::query {

struct Hit {
  std::uint32_t chunk;  // internal chunk number
  double score;
};

// The ranking rule: a ranks before b.
inline bool ranks_before(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.chunk < b.chunk);
}

struct QueryTerm {
  std::uint32_t term;
  float weight;  // query term frequency * idf
};

// Distinct indexed terms of an analyzed query, in order of first
// occurrence, weighted by their frequency in the query (as Anserini's
// bag-of-words queries). Terms absent from the index are dropped.
std::vector<QueryTerm> weigh(const index::Index& ix, const std::vector<std::string>& terms);

// One thread's searcher (keeps scratch space between queries).
class TopK {
 public:
  explicit TopK(const index::Index& ix) : ix_(ix) {}
  // The best k documents, ranked; documents matching no term never appear.
  // With allow (query --where): the best k of its chunks, which the
  // traversal jumps to (the others are never scored).
  void search(const std::vector<QueryTerm>& q, std::uint32_t k, std::vector<Hit>& out,
              const index::ChunkSet* allow = nullptr);
  // The same by scoring every posting (for tests and checks).
  void exhaustive(const std::vector<QueryTerm>& q, std::uint32_t k, std::vector<Hit>& out,
                  const index::ChunkSet* allow = nullptr);

 private:
  const index::Index& ix_;
  std::vector<index::Cursor> cursors_;
  std::vector<double> acc_;
  std::vector<std::uint32_t> touched_;
};

}  // namespace hewn::query
