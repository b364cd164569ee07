// Dense retrieval with FAISS: building an index from a factory string and
// searching it. Only this file's implementation includes FAISS headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "index/format.hpp"
#include "index/manifest.hpp"

namespace hewn::index {

// Builds faiss::index_factory(dim, s.factory, metric) over the n vectors
// (trained on all of them when the index needs training) and writes it to
// DIR/NAME.
// Errors: UsageError "--dense "x": <FAISS's reason>" for a factory string
// FAISS rejects or an unknown metric; DataError "--dense "x": cannot train:
// <reason>" (e.g. fewer vectors than IVF lists).
FileEntry build_dense(const std::string& dir, const std::string& name, const DenseSettings& s,
                      const std::vector<float>& vectors, std::uint64_t n);

// A loaded FAISS index; search() is safe to call from several threads.
class DenseIndex {
 public:
  // bytes: the file's contents (already verified). Errors: DataError
  // "PATH: cannot read FAISS index: <reason>".
  DenseIndex(const std::string& bytes, const std::string& path, const DenseSettings& s);
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  // Sets search-time parameters ("nprobe", "efSearch") where the index has
  // them. Errors: UsageError "OPTION: not a parameter of this dense index"
  // when it has not (option: the command-line option that asked).
  void set_parameter(const std::string& name, double value, const std::string& option);

  // The k nearest (internal id, score) pairs for one query vector of dim
  // floats, best first. Scores are inner products (metric ip) or negated
  // squared L2 distances (metric l2), so that higher is better.
  void search(const float* q, std::uint32_t k, std::vector<std::pair<std::uint32_t, float>>& out) const;

  std::uint32_t dim() const { return dim_; }

 private:
  void* index_;
  std::uint32_t dim_;
  bool l2_;
};

}  // namespace hewn::index
