// manifest.json: what an index holds and how it was built (see index(1)).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "index/analyzer.hpp"
#include "index/bm25.hpp"
#include "index/format.hpp"

namespace hewn::index {

// The model that made an index's vectors ("dense"."model" in the manifest):
// enough to find it again and to tell a different model of the same name.
// Written as a JSON object with the non-empty fields; readers ignore fields
// they do not know, so that new kinds of models (remote endpoints) can add
// their own.
struct ModelRecord {
  std::string name;     // the records' "model" ("hash-384", a directory's name); empty: unknown
  std::string backend;  // embed's backend ("hash", "model2vec", "bert"), when known
  std::string path;     // a model directory's absolute path (index build --model DIR)
  std::string sha256;   // model_checksum() of that directory
  bool known() const { return !name.empty(); }
  // {"name":...,...}, or null when the model is unknown.
  std::string to_json() const;
};

// Describes a model directory: its name (the folder's, as embed writes it
// in records), absolute path, checksum and backend (config.json's
// "model_type"). Errors: DataError "DIR: cannot read: <reason>".
ModelRecord describe_model_dir(const std::string& dir);
// index build --model: a model directory described (describe_model_dir), or
// else a name. Errors: as describe_model_dir().
ModelRecord model_record(const std::string& dir_or_name);

// The SHA-256 over a model directory's files: of the lines
// "<SHA-256 of the file>  <path relative to DIR>\n" (sha256sum's format) of
// every regular file under DIR (symbolic links followed; names starting
// with "." skipped), sorted by path in byte order.
// Errors: DataError "PATH: cannot read: <reason>".
std::string model_checksum(const std::string& dir);

struct DenseSettings {
  bool present = false;
  std::string factory = "Flat";  // FAISS index_factory string
  std::string metric = "ip";     // ip (inner product) or l2
  ModelRecord model;             // the embedding model, when known
  std::uint32_t dim = 0;
  // Search defaults stored at build time (0: the index has no such
  // parameter, or an index built before they were stored).
  std::uint32_t nprobe = 0;     // IVF: inverted lists probed
  std::uint32_t ef_search = 0;  // HNSW: search breadth
  // Building only (not stored): called with a stage ("training",
  // "adding") and vectors done out of total, for progress.
  std::function<void(const char* stage, std::uint64_t done, std::uint64_t total)> progress;
  // Building only (not stored): threads FAISS trains and adds with (0: its
  // default, one per core). FAISS adds to an HNSW graph on all of them, in
  // an order that varies from run to run; 1 makes the graph reproducible.
  unsigned threads = 0;
};

// Which part of a sharded build an index is (index build --shard I/N).
struct ShardInfo {
  std::uint32_t index = 0;
  std::uint32_t count = 0;  // 0: not a shard
  std::string set;          // --shard-set: names the run the shards belong to
};

// Parses --shard I/N (0 <= I < N) of the run named set.
// Errors: UsageError "--shard: expected I/N with 0 <= I < N (e.g. 0/4), got "s"".
ShardInfo parse_shard(const std::string& spec, const std::string& set);

// A segment added by index add: the subdirectory NAME of the index, itself
// an index (version 1) of CHUNKS chunks whose manifest.json has SHA256.
struct SegmentEntry {
  std::string name;
  std::uint64_t chunks = 0;
  std::string sha256;
};

struct Manifest {
  int version = plain_format_version;
  std::uint64_t chunks = 0;     // chunk records ("documents" in manifest.json)
  std::uint64_t documents = 0;  // distinct "doc" values ("groups" in manifest.json)
  std::uint64_t tokens = 0;     // terms indexed, all chunks
  std::uint64_t terms = 0;      // vocabulary size
  std::uint64_t postings = 0;
  double avgdl = 0;
  AnalyzerOptions analyzer;
  std::vector<std::string> fields;  // indexed fields, in order
  Bm25Params bm25;
  std::uint32_t records_per_block = 32;
  DenseSettings dense;
  ShardInfo shard;                      // "shard", when built with --shard
  std::vector<std::uint32_t> missing_shards;  // "missing_shards": a merge with --allow-partial
  std::uint32_t missing_of = 0;         // ... of a set of this many shards
  std::vector<FileEntry> files;
  // index add / index delete (version 2): the segments after the base (whose
  // files are those above), in order; the chunks deleted (deleted.bin lists
  // them). The counts above describe the base; Index's manifest() gives
  // those of the live collection.
  std::vector<SegmentEntry> segments;
  std::uint64_t deleted = 0;

  // One line of JSON (no trailing newline).
  std::string to_json() const;
  // The analyzer settings as JSON (merge compares them).
  std::string analyzer_json() const;
  std::string bm25_json() const;
  std::string dense_json() const;
  // index stats: one JSON object and a newline (the manifest's counts and
  // settings, each file's size and their total), naming the index dir.
  std::string stats_json(const std::string& dir) const;
  // "I/N" (with " of set S" when named), or "" for an index that is not a shard.
  std::string shard_name() const;

  // Reads DIR/manifest.json.
  // Errors: DataError "DIR: not a hewn index (no manifest.json)",
  // "DIR/manifest.json: format version N is newer than this hewn reads (1)",
  // "DIR/manifest.json: <what is wrong>".
  static Manifest load(const std::string& dir);

  // Errors: DataError "DIR/manifest.json: no file NAME listed".
  const FileEntry& file(const std::string& dir, const std::string& name) const;
};

}  // namespace hewn::index
