// Building an index: one Builder takes chunks in order (analyzed from
// records by chunk_records.hpp, or read from other indexes by merge.hpp),
// accumulates postings, chunk info and vectors, and writes the index into a
// temporary sibling directory that it then publishes in place.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "index/manifest.hpp"

namespace hewn::index {

struct BuildOptions {
  AnalyzerOptions analyzer;
  Bm25Params bm25;
  std::vector<std::string> fields;  // indexed fields; empty: {text_field}
  std::string id_field = "id";
  std::string text_field = "text";
  std::string doc_field = "doc";
  std::string embedding_field = "embedding";
  DenseSettings dense;  // factory, metric, model (present/dim come from the data)
  ShardInfo shard;      // recorded in the manifest (--shard I/N)
  std::vector<std::uint32_t> missing_shards;  // recorded by a partial merge
  std::uint32_t missing_of = 0;
  int zstd_level = 3;
  // Write DIR itself (a new directory inside one being published, such as
  // a level of a levelled index, levels.hpp): created by the constructor,
  // left in place by commit(), which publishes nothing.
  bool nested = false;
};

// The directory a build writes: dir without trailing slashes, a symbolic
// link resolved to the index it points to (the link stays).
// Errors: DataError "DIR: exists and is not a hewn index (refusing to
// replace it)" unless DIR is absent, empty, an index or a levelled index.
std::string build_target(std::string dir);

// Parses --fields A,B (field names, none empty).
// Errors: UsageError "--fields: empty field name in "s"".
std::vector<std::string> parse_fields(const std::string& list);

// One chunk as the Builder takes it. Views must stay valid during add().
struct ChunkEntry {
  std::string_view where;  // "source:line", for messages
  std::string_view id, doc;
  std::uint64_t start = 0, end = 0;
  std::int64_t n = -1;  // position in its document; -1 when unknown
  std::uint32_t length = 0;  // terms indexed
  std::vector<std::pair<std::string_view, std::uint32_t>> terms;  // distinct terms and their frequencies
  std::string_view record;  // the stored JSON record
  std::vector<float> embedding;  // empty when the record has none
  std::string_view model;        // the record's "model" (who made the embedding); may be empty
  std::int64_t level = -1;       // the record's "level" (chunk --levels); -1: none
  std::string_view parent;       // the record's "parent" (levels below 0)
  std::string_view columns;      // its filterable fields (encode_columns(), columns.hpp)
};

class Builder {
 public:
  // Prepares building DIR: creates the temporary sibling
  // ".NAME.tmp-HOST-PID" (commit() removes those that killed builds on
  // this host left behind).
  // Errors: DataError "DIR: exists and is not a hewn index (refusing to
  // replace it)"; "PATH: cannot create: <reason>".
  Builder(std::string dir, BuildOptions options);
  // Without commit(), removes the temporary directory; DIR is untouched.
  ~Builder();
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  // Adds the next chunk (internal ids follow the order of add() calls).
  // Errors: DataError "WHERE: duplicate id "x"", "WHERE: embedding has D
  // dimensions, expected E", "WHERE: record has no "embedding" but earlier
  // ones do" (and the converse), write errors.
  void add(const ChunkEntry& d);

  // Writes the remaining files and manifest.json, then renames the
  // temporary directory to DIR (swapping atomically with an existing index,
  // which is then removed), every file flushed to disk first; then removes
  // stale temporary siblings of DIR whose process is gone. Returns the
  // manifest written.
  // Errors: DataError "DIR: no records to index", write and rename errors,
  // UsageError for a FAISS factory string FAISS rejects.
  Manifest commit();

  std::uint64_t count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hewn::index
