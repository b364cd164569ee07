// Turns input records into chunk records (the `chunk` tool's work per record).
#pragma once

#include <memory>
#include <string>

#include "chunk/chunker.hpp"
#include "core/record_stream.hpp"
#include "extract/inputs.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::chunk {

struct RecordOptions {
  std::string id_field = "id";
  std::string text_field = "text";
  // When set, each record gains "tokens": the count of its text on its own
  // (with the post-processor's special tokens when the tokenizer counts them).
  std::shared_ptr<const tokenize::Tokenizer> tokenizer;
  // When set, a document's first chunk record gains "doc_text": the whole
  // document (for embed --late in a pipe); a source field of that name is
  // then left out.
  bool keep_doc = false;
  // How raw files (given with io::StreamOptions::raw_bytes) become text:
  // their format and encoding.
  extract::RawOptions raw;
  // chunk --levels: the chunkers of the levels below the first (level 1,
  // 2, ...; the handler's factory makes level 0). Each chunk of level L is
  // split again by level L + 1's chunker into children that tile it
  // exactly (see split_levels); records gain "level" and "parent".
  std::vector<const ChunkerFactory*> levels;
};

// One chunk of a nested chunking: its span, level and parent (an index
// into the same list; -1 at level 0), and its position among its
// document's chunks of that level.
struct LevelChunk {
  Chunk chunk;
  std::size_t level = 0;
  std::ptrdiff_t parent = -1;
  std::uint64_t n = 0;
  std::string id;  // DOC#N at level 0, PARENT.J (its J-th child) below
};

// Splits each chunk of top (level 0 of doc) with chunkers[0] into children
// that tile it exactly, each child with chunkers[1], and so on: the child
// spans a chunker gives are widened so that the first starts where its
// parent starts, each ends where the next starts and the last ends where
// the parent ends (the white space a chunker trims joins the chunk before
// it; sizes are measured again, by measures[L], whenever a span was
// widened). Writes out depth first: a chunk, then its children's subtrees.
// Errors: those of the chunkers' split().
void split_levels(const Document& doc, const std::vector<Chunk>& top, const std::vector<Chunker*>& chunkers,
                  const std::vector<Measure*>& measures, std::vector<LevelChunk>& out);

// Appends chunk records for one document, in the layout of hewn(7): id, doc,
// n, text, start, end, byte_start, byte_end, size, [oversize], [tokens],
// [doc_text] (the first chunk, with keep_doc), the strategy's
// fields, then the document's other fields unchanged (those whose names the
// chunk record already uses are left out).
void append_chunk_records(std::string& out, const Document& doc, const std::vector<Chunk>& chunks,
                          const json::Record* source, const RecordOptions& options);
// The same for the chunks of every level (split_levels), in their order,
// each with "level" and, below level 0, "parent".
void append_level_records(std::string& out, const Document& doc, const std::vector<LevelChunk>& chunks,
                          const json::Record* source, const RecordOptions& options);

// Makes a record-stream handler that chunks each document.
// Errors raised per record (DataError): missing or non-string text, an id
// that is not a string or integer, text that is not valid Unicode; for a
// raw file, those of extract::read_raw().
std::unique_ptr<io::Handler> make_handler(const ChunkerFactory& factory, const RecordOptions& options);

}  // namespace hewn::chunk
