// A built index opened for reading: manifest, lexicon, postings with their
// block maxima, chunk lengths and norms, chunk info, documents, the
// document store and the dense index, each file mapped read-only (the
// document store and the vectors on first use).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/dense.hpp"
#include "index/manifest.hpp"

namespace hewn::index {

struct Columns;

struct ChunkInfo {
  std::string_view id, doc;
  std::uint64_t start = 0, end = 0;
  std::int64_t n = -1;
};

inline constexpr std::uint32_t no_chunk = 0xffffffffu;

class Index {
 public:
  // Opens DIR: maps its files read-only (verifying manifest.json against
  // manifest.sha256 and each file's size against manifest.json, not the
  // files' SHA-256: index verify does; see index(1), INTEGRITY) and checks
  // what is O(terms) to check. The rest is checked where it is used, so
  // that a damaged file raises DataError and is never read out of bounds:
  // a term's postings and block maxima when a Cursor first enters it, a
  // chunk's info and document when read, the document store's frames as
  // read. An index with segments and deleted
  // chunks (index add, index delete) is read as the live collection: its
  // chunks numbered in order (base, then each segment, deleted ones left
  // out), and its lexicon, postings, lengths, norms and documents assembled
  // from them as a rebuild over those chunks writes them, so that BM25
  // statistics and every score are a rebuild's; manifest() gives the live
  // counts.
  // Errors: DataError "DIR: not a hewn index (no manifest.json)", "DIR/FILE:
  // size differs from manifest.json (the index is corrupt)", "DIR/FILE:
  // cannot open: ...", "DIR/manifest.json: format version N is newer than
  // this hewn reads (2)", "DIR/FILE: truncated or corrupt"; for segments also
  // "DIR/SEGMENT/manifest.json: checksum differs from DIR/manifest.json".
  explicit Index(const std::string& dir);
  ~Index();

  const std::string& dir() const { return dir_; }
  const Manifest& manifest() const { return m_; }
  std::uint32_t size() const { return n_; }

  // Term number of term (byte order of the vocabulary), if indexed.
  [[nodiscard]] std::optional<std::uint32_t> find(std::string_view term) const;
  std::uint32_t terms() const { return static_cast<std::uint32_t>(df_.size()); }
  std::string_view term(std::uint32_t t) const { return blob_.substr(term_off_[t], term_off_[t + 1] - term_off_[t]); }
  std::uint32_t df(std::uint32_t t) const { return df_[t]; }
  float idf(std::uint32_t t) const;
  float max_tf_part(std::uint32_t t) const { return term_max_[t]; }
  std::uint64_t first_block(std::uint32_t t) const { return first_block_[t]; }
  std::uint64_t end_block(std::uint32_t t) const { return first_block_[t + 1]; }
  // Checks term t's blocks and postings (once per term and process): their
  // offsets, that the postings decode to chunks below size() in order, to
  // the block's last chunk, with tf parts within the block's maximum, and
  // the block maxima within the term's. Cursor::reset() calls it. Thread-safe.
  // Errors: DataError "DIR/postings.bin: truncated or corrupt" (or blocks.bin).
  void check_term(std::uint32_t t) const;
  const Array<std::uint32_t>& block_last() const { return blk_last_; }
  const Array<float>& block_max() const { return blk_max_; }
  const Array<std::uint64_t>& block_offset() const { return blk_off_; }
  const std::uint8_t* postings() const { return reinterpret_cast<const std::uint8_t*>(postings_.data()); }

  // The chunk's BM25 normaliser (document_norms()'s value), from its length
  // and a table of the normalisers of lengths below 65536 (none are stored).
  float norm(std::uint32_t chunk) const {
    std::uint32_t len = lengths_[chunk];
    return len < norm_table_size ? norm_of_[len] : norm_of_length(len);
  }
  std::uint32_t length(std::uint32_t chunk) const { return lengths_[chunk]; }

  // Errors: DataError "DIR/docinfo.bin: truncated or corrupt".
  ChunkInfo info(std::uint32_t chunk) const;

  // Documents (the records' "doc"): each one's chunks, ordered by "n".
  // Each call checks the entries of groups.bin it reads (a chunk's document
  // and position, that the document lists it there; a document's range of
  // members), so that what it returns is in range and consistent.
  // Errors: DataError "DIR/groups.bin: truncated or corrupt".
  std::uint32_t documents() const { return static_cast<std::uint32_t>(document_off_.size() - 1); }
  std::uint32_t document_of(std::uint32_t chunk) const { return group_of(chunk); }
  std::uint32_t position(std::uint32_t chunk) const { return (void)group_of(chunk), pos_of_[chunk]; }
  std::uint32_t document_size(std::uint32_t d) const;
  std::uint32_t member(std::uint32_t d, std::uint32_t i) const;

  // The stored chunk record (JSON, without its embedding). Thread-safe.
  // Errors: as the constructor, for docstore.bin and docstore.idx.
  std::string record(std::uint32_t chunk) const;

  // The stored fields as columns (query --where; columns.hpp), loaded and
  // verified on first use; an index built before columns.bin gets them from
  // its document store. Thread-safe.
  // Errors: as the constructor, for columns.bin (or the document store).
  const Columns& columns() const;

  bool has_dense() const { return m_.dense.present; }
  // The dense index, or nullptr when the records had no embeddings; opened
  // on first use. Thread-safe. A Flat index searches vectors.bin in place
  // (an index built before that also has dense.faiss, read as before);
  // another factory's dense.faiss is read whole and its SHA-256 verified
  // first (FAISS's reader is not made for damaged input).
  // Errors: as the constructor, for vectors.bin or dense.faiss.
  DenseIndex* dense() const;
  // The stored vector of a chunk (dim floats), mapped on first use.
  // Errors: as the constructor, for vectors.bin.
  const float* vector(std::uint32_t chunk) const;

  // Everything the lazy checks would check, at once: every term's
  // postings, the documents, every chunk's info, every frame of the
  // document store, the vectors, the dense index and the columns (index
  // verify, after every file's SHA-256). Errors: as the accessors.
  void check() const;

 private:
  // The checks made at open (the lexicon, the ends of the offset arrays).
  // Errors: DataError "DIR/FILE: truncated or corrupt".
  void validate() const;
  void validate_term(std::uint32_t t) const;
  // Chunk's document, checked (see documents()).
  std::uint32_t group_of(std::uint32_t chunk) const;
  [[noreturn]] void bad_groups() const;
  const Array<float>& vectors() const;
  // The files of DIR with m_ mapped (one segment's, or a plain index's).
  void load_files();
  MappedFile& map(const char* name);
  void load_store() const;
  // Opens the base and the segments, then assembles the live collection
  // (segments.cpp).
  void open_segments();
  struct PlainTag {};
  Index(const std::string& dir, const Manifest& m, PlainTag);
  // An index with segments: the base (0) and each segment, each one's
  // chunks' live numbers (no_chunk: deleted), each live chunk's segment and
  // number there.
  std::vector<std::unique_ptr<Index>> segs_;
  std::vector<std::vector<std::uint32_t>> live_of_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> where_;
  std::string dir_;
  Manifest m_;
  std::uint32_t n_ = 0;
  std::vector<std::pair<std::string, MappedFile>> maps_;  // the files mapped, by name
  std::string_view blob_, postings_, chunk_info_;
  std::string own_blob_, own_postings_, own_chunk_info_;  // an index with segments: assembled here
  Array<std::uint64_t> term_off_, first_block_, blk_off_, chunk_info_off_, document_off_;
  Array<std::uint32_t> df_, blk_last_, lengths_, members_, document_of_, pos_of_;
  Array<float> term_max_, blk_max_;
  static constexpr std::uint32_t norm_table_size = 65536;
  // Fills norm_of_ (m_'s BM25 parameters and avgdl).
  void init_norms();
  float norm_of_length(std::uint32_t len) const;
  std::vector<float> norm_of_;
  // Terms whose postings check_term() has checked (all, when assembled).
  std::unique_ptr<std::atomic<std::uint8_t>[]> term_ok_;
  bool assembled_ = false;
  mutable Array<float> vectors_;
  mutable std::unique_ptr<DenseIndex> dense_;
  mutable std::once_flag dense_once_, vectors_once_;
  mutable std::once_flag store_once_, columns_once_;
  mutable std::unique_ptr<Columns> columns_;
  mutable MappedFile store_, store_idx_, vectors_file_;
  mutable Array<std::uint64_t> store_off_;
};

// index verify: the SHA-256 of every file of DIR (and of its segments,
// each segment's manifest.json against DIR's) against the manifests, then
// Index(DIR).check(). Errors: DataError "DIR/FILE: checksum mismatch (the
// index is corrupt)", those of Manifest::load() and Index.
void verify(const std::string& dir);

// Iterates one term's postings in chunk order, a block at a time.
class Cursor {
 public:
  // Errors: those of Index::check_term().
  void reset(const Index& ix, std::uint32_t term);
  std::uint32_t chunk() const { return chunk_; }
  std::uint32_t tf() const { return tfs_[pos_]; }
  void next() {
    if (++pos_ < count_) {
      chunk_ = chunks_[pos_];
      return;
    }
    enter(block_ + 1, 0);
  }
  // Moves to the first posting with chunk >= target (no_chunk when none).
  void next_geq(std::uint32_t target) {
    if (target <= chunk_) return;
    if (block_ < end_ && target > load<std::uint32_t>(last_, block_)) {
      std::uint64_t b = block_ + 1;
      while (b < end_ && load<std::uint32_t>(last_, b) < target) ++b;
      enter(b, target);
      return;
    }
    while (pos_ < count_ && chunks_[pos_] < target) ++pos_;
    chunk_ = pos_ < count_ ? chunks_[pos_] : no_chunk;
  }
  // The maximum tf part of the block that holds target, 0 when target is
  // past the last posting (does not move the cursor).
  float block_max_at(std::uint32_t target) {
    if (shallow_ < block_) shallow_ = block_;
    while (shallow_ < end_ && load<std::uint32_t>(last_, shallow_) < target) ++shallow_;
    return shallow_ < end_ ? load<float>(max_, shallow_) : 0.0f;
  }

 private:
  void enter(std::uint64_t b, std::uint32_t target);
  // The index's block arrays (blocks.bin, read in place) and postings.
  const unsigned char *last_ = nullptr, *max_ = nullptr, *off_ = nullptr;
  const std::uint8_t* data_ = nullptr;
  std::uint64_t begin_ = 0, end_ = 0, block_ = 0, shallow_ = 0;
  std::uint32_t df_ = 0, count_ = 0, pos_ = 0, chunk_ = no_chunk;
  std::uint32_t chunks_[block_size], tfs_[block_size];
};

}  // namespace hewn::index
