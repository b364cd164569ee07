// Levelled indexes: the chunks of chunk --levels (records with "level" and
// "parent") in one directory, one ordinary index per level, so that each
// level has its own BM25 statistics (N, avgdl, df) and its own dense
// vectors, plus the links from each chunk to its parent:
//   DIR/levels.json   {"format":"hewn-levels","version":1,"levels":["level-0",...],
//                      "manifests":[SHA-256 of each level's manifest.json],
//                      "links_bytes":B,"links_sha256":"<SHA-256 of links.bin>"}
//   DIR/level-L/      an index of the level-L records alone (index(1) FILES),
//                     byte for byte the index `index build` makes of them
//   DIR/links.bin     u64 L, u64 N[L] (chunks per level), then per level
//                     l = 1..L-1: u32 parent[N[l]] (the chunk number, in
//                     level l-1, of each chunk's parent); little-endian
// Records without "level" make an ordinary index (LevelBuilder is then
// exactly Builder).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/builder.hpp"
#include "index/index.hpp"
#include "index/merge.hpp"

namespace hewn::index {

// Whether DIR holds a levelled index (DIR/levels.json). Errors: none.
bool is_levelled(const std::string& dir);

// Builds DIR from chunks that all have a level or all have none.
class LevelBuilder {
 public:
  // Errors: those of Builder's constructor.
  LevelBuilder(std::string dir, BuildOptions options);
  ~LevelBuilder();
  LevelBuilder(const LevelBuilder&) = delete;
  LevelBuilder& operator=(const LevelBuilder&) = delete;

  // Adds the next chunk. A chunk of level L > 0 names its parent, a chunk
  // of level L - 1 added before it, of the same document, whose span holds
  // its own.
  // Errors: those of Builder::add(); DataError "WHERE: record has no
  // "level" but earlier ones do" (and the converse), "WHERE: a chunk of
  // level 0 has no parent", "WHERE: chunk of level L has no "parent"",
  // "WHERE: parent "p" is not a chunk of level L-1 read before it", "WHERE:
  // parent "p" is of another document", "WHERE: span [s, e) is not inside
  // its parent's [ps, pe)", "WHERE: duplicate id "x"".
  void add(const ChunkEntry& d);

  // Writes and publishes DIR (one index, or the levels, links.bin and
  // levels.json). Errors: those of Builder::commit().
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A levelled index opened for reading; its levels are opened on first use.
class Levels {
 public:
  // Reads DIR/levels.json and links.bin (checksum verified).
  // Errors: DataError "DIR/levels.json: ..." (missing, malformed, a newer
  // version), "DIR/links.bin: checksum mismatch (the index is corrupt)",
  // "DIR/links.bin: truncated or corrupt".
  explicit Levels(const std::string& dir);
  ~Levels();

  const std::string& dir() const { return dir_; }
  std::size_t count() const { return names_.size(); }
  // Level l's index, opened (and its manifest.json checked against
  // levels.json) on first use; not thread-safe on first use.
  // Errors: those of Index; DataError "DIR/level-L/manifest.json: does not
  // match levels.json (the index is corrupt)".
  const Index& level(std::size_t l) const;
  // The parent (a chunk number of level l - 1) of chunk c of level l > 0.
  std::uint32_t parent(std::size_t l, std::uint32_t c) const { return links_[l][c]; }
  // The ancestor at level to (<= from) of chunk c of level from.
  std::uint32_t ancestor(std::size_t from, std::uint32_t c, std::size_t to) const;
  // The number of children (chunks of level l + 1) of chunk c of level l < count() - 1.
  std::uint32_t children(std::size_t l, std::uint32_t c) const { return children_[l][c]; }
  // index stats: {"dir":...,"levels":[<each level's stats>]} and a newline.
  // Errors: those of level().
  std::string stats_json() const;

 private:
  std::string dir_;
  std::vector<std::string> names_, manifests_;
  std::vector<std::uint64_t> counts_;  // chunks per level
  std::vector<std::vector<std::uint32_t>> links_, children_;  // links_[0], children_.back() empty
  mutable std::vector<std::unique_ptr<Index>> open_;
};

// index merge of levelled indexes: each level merged as merge() does (in
// shard order), the links renumbered; equal to one build over the
// concatenated input.
// Errors: those of merge() and Levels; DataError "SHARD: has N levels,
// FIRST has M (cannot merge)", "SHARD: a levelled index, FIRST is not
// (cannot merge)".
void merge_levels(const std::string& out, const std::vector<std::string>& shards, const MergeOptions& options);

}  // namespace hewn::index
