// Turns input records into embedded records (the `embed` tool's work per
// record): the record unchanged plus "embedding" (or "embedding_b64"),
// "dim" and "model".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/record_stream.hpp"
#include "core/records.hpp"
#include "embed/embedder.hpp"

namespace hewn::embed {

using Format = records::VectorFormat;  // json or b64
using Dtype = records::Dtype;          // f32 or f16
enum class OnLong { truncate, error };

struct RecordOptions {
  std::string id_field = "id";
  std::vector<std::string> text_from{"text"};  // fields embedded, joined by "\n"; absent ones skipped
  std::string prefix;                          // put before the text ("query: ")
  Format format = Format::json;
  Dtype dtype = Dtype::f32;
  OnLong on_long = OnLong::truncate;
  bool tokens = false;  // token-level output instead of one vector
};

// Counters shared by the handlers of one run.
struct RunCounters {
  std::atomic<std::uint64_t> truncated{0};
};

// Appends the vector fields: ,"embedding":[...] (or ,"embedding_b64":"...",
// "dtype":"f32"|"f16"), ,"dim":N, ,"model":"NAME".
void append_vector(std::string& out, const float* v, std::size_t dim, const std::string& model,
                   const RecordOptions& options);

// Appends the fields of source except those embed writes (embedding,
// embedding_b64, dtype, dim, model, token_spans, token_embeddings,
// token_embeddings_b64, and "tokens" when tokens is set: --tokens output)
// and "doc_text" (the document copy of chunk --keep-doc), as "{k:v,...",
// without the closing brace. Returns true when a field was written.
// Errors: none.
bool append_source_fields(std::string& out, const json::Record& source, bool tokens);


// The text a record asks to embed: the --text-from fields present, joined by
// "\n", after the prefix.
// Errors: DataError "source:line: missing field "text"" (every field absent;
// several are named "text" or "context"), "field "x" is not a string",
// "field "x" is not valid Unicode".
void record_text(const json::Record& r, const RecordOptions& options, std::string& out);

// Appends token-level fields: ,"tokens":N,"token_spans":[[start,end],...]
// (code points of text; special tokens [0,0]), then ,"token_embeddings":
// [[...],...] (or ,"token_embeddings_b64":"...","dtype":...), ,"dim", ,"model".
void append_token_vectors(std::string& out, std::string_view text, const TokenVectors& tv, std::size_t dim,
                          const std::string& model, const RecordOptions& options);

// Makes a record-stream handler that embeds each record.
// Errors raised per record (DataError): those of record_text(), and with
// OnLong::error "text is longer than the model allows (--on-long error)".
std::unique_ptr<io::Handler> make_handler(const Embedder& embedder, const RecordOptions& options,
                                          RunCounters& counters);

// Documents for late chunking, by id.
class DocStore {
 public:
  // Reads a JSON Lines file of {"id", "text"} records (field names given).
  // Errors: DataError "PATH:LINE: ..." for bad records, duplicate ids, and
  // those of io::open_input().
  DocStore(const std::string& path, const std::string& id_field, const std::string& text_field);
  // nullptr when absent.
  const std::string* find(std::string_view id) const;

 private:
  struct Doc {
    std::string id, text;
    std::uint64_t line;  // in the file, for the duplicate-id message
  };
  std::vector<Doc> docs_;  // sorted by id, then line
};

// Makes a handler for late chunking: each chunk record ("doc", "byte_start",
// "byte_end", "text" as written by chunk(1)) gets the mean of its document's
// token vectors (Embedder::document_tokens) whose spans intersect the chunk.
// The document comes from docs, or when docs is null from the stream: a
// record with "doc_text" (chunk --keep-doc writes it on a document's first
// chunk) gives the text of the document its "doc" names, for itself and the
// chunks after it (run the stream with group_start = starts_document so
// that a batch holds whole documents). "doc_text" is not written out.
// Errors raised per record (DataError): "missing field "doc"", "document
// "x" is not in --docs", without docs "document "x" was not given before its
// chunk (...)" and "field "doc_text" is not a string" or "is not valid
// Unicode", "field "byte_end" is not a number", "chunk text does not match
// its document at bytes B..E"; those of Embedder::document_tokens().
std::unique_ptr<io::Handler> make_late_handler(const Embedder& embedder, const DocStore* docs, std::size_t overlap,
                                               const RecordOptions& options);

// Whether a JSON Lines line starts a document's group of chunk records (it
// has a top-level "doc_text" field); false for a malformed line. For
// io::StreamOptions::group_start. Raises no errors.
bool starts_document(std::string_view line);

}  // namespace hewn::embed
