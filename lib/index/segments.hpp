// Incremental updates of an index (index(1), INCREMENTAL UPDATES): index
// add writes new chunks as a segment (a subdirectory that is itself an
// index), index delete marks chunks deleted (deleted.bin), index compact
// folds segments and deletions into one plain index. Each is atomic as a
// build is: the new state is written into a temporary sibling of DIR (the
// unchanged files hard-linked, or copied where links fail) that replaces
// DIR in one rename; an interrupted run leaves DIR as it was. Index reads
// the result as the live collection (index.hpp), equal to a rebuild over
// the live chunks in order (base, then segments in the order added).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "index/builder.hpp"
#include "index/manifest.hpp"

namespace hewn::index {

// Adds chunks to DIR as one new segment.
class Adder {
 public:
  // Opens DIR's manifests and the ids and documents of its live chunks,
  // and prepares the temporary copy. opt supplies the record fields
  // (id_field, text_field, doc_field, embedding_field); the analyzer, BM25
  // and dense settings are DIR's.
  // Errors: those of Index (a missing or corrupt DIR), of Builder's
  // constructor; DataError "DIR: a levelled index (levels.json): index VERB takes a
  // single-level index; ..." for a levelled index or one of its levels.
  Adder(std::string dir, const BuildOptions& opt);
  ~Adder();
  Adder(const Adder&) = delete;
  Adder& operator=(const Adder&) = delete;

  // The options records are analyzed with (make_analyzer()).
  const BuildOptions& options() const { return opt_; }

  // Errors: DataError "WHERE: duplicate id "x" (already in DIR)", "WHERE:
  // document "d" is already in DIR (index delete it first)", "WHERE:
  // record has no "embedding" but DIR has vectors" (and the converse),
  // "WHERE: embedding has D dimensions, DIR has E", "WHERE: embedding made
  // by model "x", DIR by "y""; those of Builder::add().
  void add(const ChunkEntry& d);

  // Writes the segment and the new manifest and publishes them. Returns
  // the segment's manifest. Errors: DataError "DIR: no records to add";
  // write and rename errors.
  Manifest commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  BuildOptions opt_;
};

// Marks the live chunks named by ids deleted: every chunk of each document
// of that "doc" (by_chunk: the chunks of that "id"). Returns the number of
// chunks deleted.
// Errors: DataError "DIR: no document "x"" (or "no chunk") for an id that
// names no live chunk, "DIR: deleting every chunk would leave the index
// empty (build it anew)", DataError "DIR: a levelled index (levels.json): index VERB takes a
// single-level index; ..." for a levelled index or one of its levels;
// those of Index; write and rename errors. On error DIR is unchanged.
std::uint64_t delete_chunks(const std::string& dir, const std::vector<std::string>& ids, bool by_chunk);

// Rewrites DIR as one plain index of its live chunks (what index merge
// writes from it; a shard stays the shard it was). Errors: those of Index,
// merge() and Builder; DataError "DIR: a levelled index (levels.json): index VERB takes a
// single-level index; ..." for a levelled index or one of its levels. threads: those FAISS rebuilds an approximate dense
// index with (DenseSettings::threads).
Manifest compact(const std::string& dir, unsigned threads = 0);

}  // namespace hewn::index
