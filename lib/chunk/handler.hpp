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
};

// Appends chunk records for one document, in the layout of hewn(7): id, doc,
// n, text, start, end, byte_start, byte_end, size, [oversize], [tokens],
// [doc_text] (the first chunk, with keep_doc), the strategy's
// fields, then the document's other fields unchanged (those whose names the
// chunk record already uses are left out).
void append_chunk_records(std::string& out, const Document& doc, const std::vector<Chunk>& chunks,
                          const json::Record* source, const RecordOptions& options);

// Makes a record-stream handler that chunks each document.
// Errors raised per record (DataError): missing or non-string text, an id
// that is not a string or integer, text that is not valid Unicode; for a
// raw file, those of extract::read_raw().
std::unique_ptr<io::Handler> make_handler(const ChunkerFactory& factory, const RecordOptions& options);

}  // namespace hewn::chunk
