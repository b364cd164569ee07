// Chunk records read for an index: each record is analyzed on a worker
// thread into an AnalyzedChunk that owns its bytes, and the analyzed chunks
// are added to a Builder in input order (the typed case of io::ordered_map,
// so the index is the same for any number of threads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ordered_map.hpp"
#include "index/builder.hpp"
#include "index/levels.hpp"

namespace hewn::index {

// One chunk record, analyzed.
struct AnalyzedChunk {
  std::string where;  // "source:line", for messages
  std::string id, doc;
  std::uint64_t start = 0, end = 0;
  std::int64_t n = -1;       // position in its document; -1 when unknown
  std::uint32_t length = 0;  // terms indexed
  std::string term_bytes;    // the distinct terms, back to back, in byte order
  std::vector<std::pair<std::size_t, std::uint32_t>> terms;  // (end of the term in term_bytes, frequency)
  std::string record;              // the stored JSON record (without its vector)
  std::vector<float> embedding;    // empty when the record has none
  std::string model;               // the record's "model"; may be empty
  std::int64_t level = -1;         // the record's "level"; -1: none
  std::string parent;              // the record's "parent" (with a level)
  std::string columns;             // its filterable fields (encode_columns())

  // Sets d to views of this chunk (d's own storage reused).
  void view(ChunkEntry& d) const;
};

// The analyzed chunks of one unit of work (the results of io::ordered_map):
// elements keep their storage when the list shrinks, so that a worker
// reuses it from one unit to the next.
class AnalyzedChunks {
 public:
  std::size_t size() const { return size_; }
  // Drops the chunks from n on (n <= size()).
  void resize(std::size_t n) { size_ = n < size_ ? n : size_; }
  void clear() { size_ = 0; }
  // The next chunk, to be filled in whole (it may hold an earlier one's values).
  AnalyzedChunk& push() {
    if (size_ == items_.size()) items_.emplace_back();
    return items_[size_++];
  }
  const AnalyzedChunk& operator[](std::size_t i) const { return items_[i]; }

 private:
  std::vector<AnalyzedChunk> items_;
  std::size_t size_ = 0;
};

// A handler (one per worker thread) analyzing chunk records.
// Errors (from handle()): DataError "source: index reads JSON Lines chunk
// records" for a raw file; "source:line: missing field "text"" when a
// record has none of the indexed fields; a field of the wrong type; ids
// that are neither strings nor integers; "field "start" is after "end"";
// those of records::read_vector().
std::unique_ptr<io::BasicHandler<AnalyzedChunks>> make_analyzer(const BuildOptions& options);

// Adds chunks [from, to) to builder, in order.
// Errors: those of LevelBuilder::add().
void add_chunks(LevelBuilder& builder, const AnalyzedChunks& chunks, std::size_t from, std::size_t to);

}  // namespace hewn::index
