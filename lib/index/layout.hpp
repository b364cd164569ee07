// The index's files, each with its writer and its reader side by side (as
// FAISS's index_io): what a file holds, how it is laid out, and the checks
// a reader makes of its size. Files are little-endian arrays, listed with
// their SHA-256 in manifest.json; index(1), section FILES, documents them.
// Writers write DIR/NAME and return its manifest entry; readers read the
// file named in the manifest and verify its checksum first.
// columns.bin (the stored fields query --where filters on) has its writer
// and reader in columns.hpp, beside the columns they hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "index/format.hpp"
#include "index/manifest.hpp"

namespace hewn::index::layout {

// lexicon.bin: u64 T, u64 term_off[T+1], u32 df[T], u64 first_block[T+1],
// f32 term_max[T], then the terms' bytes back to back, in byte order.
struct Lexicon {
  std::vector<std::uint64_t> term_off{0};  // term t is bytes [term_off[t], term_off[t+1]) of blob
  std::vector<std::uint32_t> df;
  std::vector<std::uint64_t> first_block;  // term t's blocks are [first_block[t], first_block[t+1])
  std::vector<float> term_max;             // the largest tf part of the term's postings
  std::string blob;
  std::uint64_t terms() const { return df.size(); }
};
// Errors: DataError "DIR/lexicon.bin: write error: <reason>".
FileEntry write_lexicon(const std::string& dir, const Lexicon& lex);
// Errors: those of read_verified(); DataError "DIR/lexicon.bin: truncated or corrupt".
Lexicon read_lexicon(const std::string& dir, const Manifest& m);

// blocks.bin: u64 B, u32 last[B] (each block's last chunk), f32 max[B] (its
// largest tf part), u64 offset[B+1] (into postings.bin).
struct Blocks {
  std::vector<std::uint32_t> last;
  std::vector<float> max;
  std::vector<std::uint64_t> offset;
};
FileEntry write_blocks(const std::string& dir, const Blocks& b);
// Errors: as read_lexicon(), for blocks.bin.
Blocks read_blocks(const std::string& dir, const Manifest& m);

// postings.bin: per block, the varint chunk gaps then the varint tfs.
FileEntry write_postings(const std::string& dir, const std::string& postings);
// The bytes, followed by 16 zero bytes of slack for varint decoding.
// Errors: those of read_verified().
std::string read_postings(const std::string& dir, const Manifest& m);

// lengths.bin: u64 N, u32 length[N] (terms indexed per chunk).
FileEntry write_lengths(const std::string& dir, const std::vector<std::uint32_t>& lengths);
// Errors: as read_lexicon(), for lengths.bin (also when N is not the manifest's).
std::vector<std::uint32_t> read_lengths(const std::string& dir, const Manifest& m);

// docinfo.bin: u64 N, u64 offset[N+1] (from the end of this header), then
// per chunk varints: id length, id, doc length, doc, start, end, n + 1.
struct ChunkInfoTable {
  std::vector<std::uint64_t> offset;  // entry i is bytes [offset[i], offset[i+1]) of the file
  std::string bytes;                  // the whole file
};
// entries: the chunks' entries back to back; offset[i]: where entry i starts
// in them, and offset[N] == entries.size().
FileEntry write_chunk_info(const std::string& dir, const std::vector<std::uint64_t>& offset, const std::string& entries);
// Errors: as read_lexicon(), for docinfo.bin.
ChunkInfoTable read_chunk_info(const std::string& dir, const Manifest& m, std::uint32_t n);

// groups.bin: u64 G, u64 offset[G+1], u32 members[N] (each document's
// chunks, ordered by "n"), u32 document_of[N], u32 position[N].
struct Documents {
  std::vector<std::uint64_t> offset{0};
  std::vector<std::uint32_t> members, document_of, position;
};
FileEntry write_documents(const std::string& dir, const Documents& d);
// Errors: as read_lexicon(), for groups.bin.
Documents read_documents(const std::string& dir, const Manifest& m, std::uint32_t n);

// vectors.bin: u64 N, u32 dim, f32 vectors[N*dim] (the chunks' embeddings).
FileEntry write_vectors(const std::string& dir, std::uint64_t n, std::uint32_t dim, const std::vector<float>& vectors);
// Errors: as read_lexicon(), for vectors.bin (also when N or dim differ from the manifest's).
std::vector<float> read_vectors(const std::string& dir, const Manifest& m, std::uint32_t n);

// docstore.idx: u64 B, u64 offset[B+1] into docstore.bin, whose blocks are
// zstd frames of records_per_block stored records, one per line.
FileEntry write_store_index(const std::string& dir, const std::vector<std::uint64_t>& block_offset);
struct Store {
  std::vector<std::uint64_t> offset;
  std::string bytes;  // docstore.bin
};
// Errors: as read_lexicon(), for docstore.idx and docstore.bin.
Store read_store(const std::string& dir, const Manifest& m, std::uint32_t n);

// manifest.json (one line) and manifest.sha256 (its own checksum).
// Errors: DataError "DIR/manifest.json: write error: <reason>" (and for manifest.sha256).
void write_manifest(const std::string& dir, const Manifest& m);

}  // namespace hewn::index::layout
