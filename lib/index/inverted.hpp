// The inverted files of an index written from postings in term order (the
// Builder's, and the live collection that Index assembles from segments):
// lexicon, blocks with their maxima, postings; and each document's chunks
// ordered by "n". Both writers give byte-identical tables for the same
// chunks, so that an index read from segments scores as a rebuild.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/bm25.hpp"
#include "index/layout.hpp"

namespace hewn::index {

// The postings of the terms in byte order, in blocks of block_size, with
// the lexicon and block tables that lead to them.
struct Inverted {
  layout::Lexicon lexicon;
  layout::Blocks blocks;
  std::string postings;
  std::uint64_t count = 0;  // postings
};

class InvertedWriter {
 public:
  // norms: every chunk's norm (document_norms()), for the block maxima.
  InvertedWriter(const Bm25Params& bm25, const std::vector<float>& norms) : bm25_(bm25), norms_(norms) {}
  // Appends a term (after every earlier one in byte order) with its
  // postings: ascending chunks (at least one) and their frequencies.
  void add(std::string_view term, const std::vector<std::uint32_t>& chunks, const std::vector<std::uint32_t>& tfs);
  Inverted finish();

 private:
  const Bm25Params& bm25_;
  const std::vector<float>& norms_;
  Inverted inv_;
};

// Each document's chunks ordered by "n" (then input order): documents[g]
// holds document g's (n, chunk) pairs (sorted here); n chunks in all.
layout::Documents order_documents(std::vector<std::vector<std::pair<std::int64_t, std::uint32_t>>>& documents,
                                  std::uint64_t n);

}  // namespace hewn::index
