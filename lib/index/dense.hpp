// Dense retrieval with FAISS: building an index from a factory string and
// searching it. Only this file's implementation includes FAISS headers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "index/columns.hpp"
#include "index/format.hpp"
#include "index/manifest.hpp"

namespace hewn::index {

// Search defaults of approximate indexes, stored in the manifest at build
// time: HNSW's efSearch, and IVF's nprobe as a function of its lists
// (a quarter of them, at least 16, at most all). FAISS's own (16 and 1) lose most
// of the quality (see index(1)).
inline constexpr std::uint32_t default_ef_search = 128;
std::uint32_t default_nprobe(std::size_t nlist);

// Fills in s.nprobe and s.ef_search for the FAISS index (a faiss::Index*):
// the defaults where they are 0 and the index has the parameter.
// Errors: UsageError "--nprobe: not a parameter of this dense index (F)"
// (and --ef-search), "--nprobe N: more than the index's L lists".
void dense_search_defaults(void* index, DenseSettings& s);

// Builds faiss::index_factory(dim, s.factory, metric) over the n vectors
// (trained on all of them when the index needs training, added in steps
// that s.progress reports) and writes it to DIR/NAME; fills in s's search
// defaults (dense_search_defaults()). For "Flat" it writes nothing and
// returns nullopt: a Flat index is the vectors themselves (vectors.bin),
// searched in place (DenseIndex's flat constructor).
// Errors: UsageError "--dense "x": <FAISS's reason>" for a factory string
// FAISS rejects or an unknown metric, those of dense_search_defaults();
// DataError "--dense "x": cannot train: <reason>" (e.g. fewer vectors than
// IVF lists).
std::optional<FileEntry> build_dense(const std::string& dir, const std::string& name, DenseSettings& s,
                      const std::vector<float>& vectors, std::uint64_t n);

class DenseIndex;

// One segment of an index with segments (index add): its dense index, and
// each of its vectors' number in the live collection (0xffffffff: deleted).
struct DensePart {
  DenseIndex* index = nullptr;
  const std::vector<std::uint32_t>* global = nullptr;
  std::uint32_t deleted = 0;  // entries of global that are 0xffffffff
};

// A loaded FAISS index, or the union of segments' (parts); search() is
// safe to call from several threads.
class DenseIndex {
 public:
  // The union of parts of dim dimensions: search() asks each part for k
  // more than its deleted vectors, maps their ids, drops the deleted and
  // keeps the k best (score, then id). Errors: none.
  DenseIndex(std::vector<DensePart> parts, std::uint32_t dim);

  // A Flat index over n vectors of s.dim floats at vectors (which must
  // outlive it), searched in place as FAISS's IndexFlat searches its own
  // copy (faiss::knn_inner_product, knn_L2sqr): the same hits and scores.
  // Errors: none.
  DenseIndex(const float* vectors, std::uint64_t n, const DenseSettings& s);

  // bytes: the file's contents (already verified); s's search parameters
  // (or, for an index built before they were stored, the defaults) are set.
  // Errors: DataError "PATH: cannot read FAISS index: <reason>".
  DenseIndex(const std::string& bytes, const std::string& path, const DenseSettings& s);
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  // Sets search-time parameters ("nprobe", "efSearch") where the index has
  // them (of a union: in the parts that have them); not while searches run.
  // Errors: UsageError "OPTION: not a parameter of this dense index"
  // when it has not (option: the command-line option that asked).
  void set_parameter(const std::string& name, double value, const std::string& option);

  // The k nearest (internal id, score) pairs for one query vector of dim
  // floats, best first (HNSW searches with a breadth of at least k). Scores are inner products (metric ip) or negated
  // squared L2 distances (metric l2), so that higher is better.
  // With allow (query --where), the nearest of its chunks: FAISS searches
  // with an IDSelectorBitmap (Flat, IVF, HNSW...; exact for Flat), so that
  // an approximate index may return fewer than k of them (then scan()), and
  // an index that takes no selector, or a union of segments, returns none.
  void search(const float* q, std::uint32_t k, std::vector<std::pair<std::uint32_t, float>>& out,
              const ChunkSet* allow = nullptr) const;
  // The k nearest chunks of allow by scanning their vectors (chunk c's
  // dim floats at vector(c)) with FAISS's distance kernels, scored as
  // search() scores, ranked best first (ties: lower chunk first). Errors:
  // those of vector().
  void scan(const std::function<const float*(std::uint32_t)>& vector, const float* q, const ChunkSet& allow, std::uint32_t k,
            std::vector<std::pair<std::uint32_t, float>>& out) const;

  std::uint32_t dim() const { return dim_; }

 private:
  void search_flat(const float* q, std::uint32_t k, std::vector<std::pair<std::uint32_t, float>>& out,
                   const ChunkSet* allow) const;
  void* index_;
  std::vector<DensePart> parts_;  // the union of segments (index_ is null)
  const float* flat_ = nullptr;   // a Flat index's vectors (index_ is null)
  std::uint64_t flat_n_ = 0;
  std::uint32_t dim_;
  std::uint32_t ef_search_ = 0;  // HNSW: the search breadth (raised to k per search); 0: not HNSW
  mutable std::shared_mutex mu_;  // exclusive while a search raises the breadth
  bool l2_;
};

}  // namespace hewn::index
