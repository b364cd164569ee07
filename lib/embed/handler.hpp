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
#include "embed/embedder.hpp"

namespace hewn::embed {

enum class Format { json, b64 };
enum class Dtype { f32, f16 };
enum class OnLong { truncate, error };

struct RecordOptions {
  std::string id_field = "id";
  std::vector<std::string> text_from{"text"};  // fields embedded, joined by "\n"; absent ones skipped
  std::string prefix;                          // put before the text ("query: ")
  Format format = Format::json;
  Dtype dtype = Dtype::f32;
  OnLong on_long = OnLong::truncate;
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
// embedding_b64, dtype, dim, model), as "{k:v,...", without the closing brace.
// Returns true when a field was written.
bool append_source_fields(std::string& out, const json::Record& source);

// Standard base64 (RFC 4648, with padding).
void append_base64(std::string& out, const unsigned char* data, std::size_t n);

// The text a record asks to embed: the --text-from fields present, joined by
// "\n", after the prefix.
// Errors: DataError "source:line: missing field "text"" (every field absent;
// several are named "text" or "context"), "field "x" is not a string",
// "field "x" is not valid Unicode".
void record_text(const json::Record& r, const RecordOptions& options, std::string& out);

// Makes a record-stream handler that embeds each record.
// Errors raised per record (DataError): those of record_text(), and with
// OnLong::error "text is longer than the model allows (N tokens)".
std::unique_ptr<io::Handler> make_handler(const Embedder& embedder, const RecordOptions& options,
                                          RunCounters& counters);

}  // namespace hewn::embed
