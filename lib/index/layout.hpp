// The index's files, each with its writer and its reader side by side (as
// FAISS's index_io): what a file holds, how it is laid out, and the checks
// a reader makes of its size. Files are little-endian arrays, listed with
// their SHA-256 in manifest.json; index(1), section FILES, documents them.
// Writers write DIR/NAME and return its manifest entry; readers take the
// file's bytes (a mapping, map_listed()) and PATH to name it in errors, and
// return views into those bytes, having checked the sizes of its arrays
// (the values in them are checked where Index uses them: see index.hpp).
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
struct LexiconView {
  Array<std::uint64_t> term_off;
  Array<std::uint32_t> df;
  Array<std::uint64_t> first_block;
  Array<float> term_max;
  std::string_view blob;
};
// Errors: DataError "PATH: truncated or corrupt".
LexiconView read_lexicon(std::string_view file, const std::string& path);

// blocks.bin: u64 B, u32 last[B] (each block's last chunk), f32 max[B] (its
// largest tf part), u64 offset[B+1] (into postings.bin).
struct Blocks {
  std::vector<std::uint32_t> last;
  std::vector<float> max;
  std::vector<std::uint64_t> offset;
};
FileEntry write_blocks(const std::string& dir, const Blocks& b);
struct BlocksView {
  Array<std::uint32_t> last;
  Array<float> max;
  Array<std::uint64_t> offset;
};
// Errors: as read_lexicon().
BlocksView read_blocks(std::string_view file, const std::string& path);

// postings.bin: per block, the varint chunk gaps then the varint tfs (read
// as they are).
FileEntry write_postings(const std::string& dir, const std::string& postings);

// lengths.bin: u64 N, u32 length[N] (terms indexed per chunk).
FileEntry write_lengths(const std::string& dir, const std::vector<std::uint32_t>& lengths);
// Errors: as read_lexicon(), also when N is not chunks.
Array<std::uint32_t> read_lengths(std::string_view file, const std::string& path, std::uint64_t chunks);

// docinfo.bin: u64 N, u64 offset[N+1] (from the end of this header), then
// per chunk varints: id length, id, doc length, doc, start, end, n + 1.
// entries: the chunks' entries back to back; offset[i]: where entry i starts
// in them, and offset[N] == entries.size().
FileEntry write_chunk_info(const std::string& dir, const std::vector<std::uint64_t>& offset, const std::string& entries);
struct ChunkInfoView {
  Array<std::uint64_t> offset;  // entry i is bytes [offset[i], offset[i+1]) of entries
  std::string_view entries;
};
// Errors: as read_lexicon(), also when N is not n.
ChunkInfoView read_chunk_info(std::string_view file, const std::string& path, std::uint32_t n);
// A chunk's entry, decoded: false when its offsets (offset[i], offset[i+1]
// of entries) are out of order or range, or its fields do not fill it.
struct ChunkInfoFields {
  std::string_view id, doc;
  std::uint64_t start = 0, end = 0, n_plus_1 = 0;
};
[[nodiscard]] bool chunk_info_entry(const Array<std::uint64_t>& offset, std::string_view entries, std::uint32_t i,
                                    std::string_view& entry);
[[nodiscard]] bool parse_chunk_info(std::string_view entry, ChunkInfoFields& f);

// groups.bin: u64 G, u64 offset[G+1], u32 members[N] (each document's
// chunks, ordered by "n"), u32 document_of[N], u32 position[N].
struct Documents {
  std::vector<std::uint64_t> offset{0};
  std::vector<std::uint32_t> members, document_of, position;
};
FileEntry write_documents(const std::string& dir, const Documents& d);
struct DocumentsView {
  Array<std::uint64_t> offset;
  Array<std::uint32_t> members, document_of, position;
};
// Errors: as read_lexicon().
DocumentsView read_documents(std::string_view file, const std::string& path, std::uint32_t n);

// vectors.bin: u64 N, u32 dim, f32 vectors[N*dim] (the chunks' embeddings).
FileEntry write_vectors(const std::string& dir, std::uint64_t n, std::uint32_t dim, const std::vector<float>& vectors);
// Errors: as read_lexicon(), also when N or dim differ from n and dim.
Array<float> read_vectors(std::string_view file, const std::string& path, std::uint32_t n, std::uint32_t dim);

// docstore.idx: u64 B, u64 offset[B+1] into docstore.bin, whose blocks are
// zstd frames of records_per_block stored records, one per line.
FileEntry write_store_index(const std::string& dir, const std::vector<std::uint64_t>& block_offset);
// The offsets of the B = ceil(n / records_per_block) frames (each frame's
// are checked as it is read). Errors: as read_lexicon(), also when B differs.
Array<std::uint64_t> read_store_index(std::string_view file, const std::string& path, std::uint32_t n,
                                      std::uint32_t records_per_block);

// manifest.json (one line) and manifest.sha256 (its own checksum).
// Errors: DataError "DIR/manifest.json: write error: <reason>" (and for manifest.sha256).
void write_manifest(const std::string& dir, const Manifest& m);

}  // namespace hewn::index::layout
