// The JSON Lines protocol of hewn(7) in code: the field names every tool
// writes and reads, the typed chunk fields (write and read), the one codec
// of vectors (a JSON array, or base64 of little-endian f32/f16), and the
// loop that reads a whole file of records. hewn(7) specifies the records;
// this header is its counterpart, checked by round-trip unit tests
// (tests/unit/core/records_test.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace hewn::records {

// Field names, as hewn(7) spells them.
namespace field {
// chunk records (hewn(7) CHUNK RECORDS), in the order chunk writes them
inline constexpr std::string_view id = "id";
inline constexpr std::string_view doc = "doc";
inline constexpr std::string_view n = "n";
inline constexpr std::string_view text = "text";
inline constexpr std::string_view start = "start";
inline constexpr std::string_view end = "end";
inline constexpr std::string_view byte_start = "byte_start";
inline constexpr std::string_view byte_end = "byte_end";
inline constexpr std::string_view size = "size";
inline constexpr std::string_view oversize = "oversize";
inline constexpr std::string_view level = "level";    // chunk --levels: 0 is the coarsest
inline constexpr std::string_view parent = "parent";  // chunk --levels: the enclosing chunk's id (levels > 0)
inline constexpr std::string_view tokens = "tokens";
inline constexpr std::string_view doc_text = "doc_text";
// input documents
inline constexpr std::string_view lang = "lang";
// embedding records (hewn(7) EMBEDDING RECORDS)
inline constexpr std::string_view embedding = "embedding";
inline constexpr std::string_view embedding_b64 = "embedding_b64";
inline constexpr std::string_view dtype = "dtype";
inline constexpr std::string_view dim = "dim";
inline constexpr std::string_view model = "model";
inline constexpr std::string_view token_spans = "token_spans";
inline constexpr std::string_view token_embeddings = "token_embeddings";
inline constexpr std::string_view token_embeddings_b64 = "token_embeddings_b64";
// hits (hewn(7) INDEXES AND HITS), qrels and span references
inline constexpr std::string_view qid = "qid";
inline constexpr std::string_view rank = "rank";
inline constexpr std::string_view score = "score";
inline constexpr std::string_view first_rank = "first_rank";    // reranked hits: the first stage's rank
inline constexpr std::string_view first_score = "first_score";  // and score
// query --fine: the chunk a span hit was chosen in, its rank and score in
// the coarse stage, and its offsets
inline constexpr std::string_view chunk = "chunk";
inline constexpr std::string_view chunk_rank = "chunk_rank";
inline constexpr std::string_view chunk_score = "chunk_score";
inline constexpr std::string_view chunk_start = "chunk_start";
inline constexpr std::string_view chunk_end = "chunk_end";
inline constexpr std::string_view rel = "rel";
inline constexpr std::string_view before = "before";
inline constexpr std::string_view after = "after";
}  // namespace field

// The fields chunk(1) writes before a strategy's fields and the source
// document's pass-through fields: a chunk record's own keys.
inline constexpr std::string_view chunk_keys[] = {field::id,         field::doc,      field::n,    field::text,
                                                  field::start,      field::end,      field::byte_start,
                                                  field::byte_end,   field::size,     field::oversize};

// A chunk record's typed fields (hewn(7) CHUNK RECORDS). Offsets are code
// points (start, end) and bytes (byte_start, byte_end) of the document.
struct ChunkFields {
  std::string id, doc;
  std::uint64_t n = 0;
  std::string_view text;
  std::uint64_t start = 0, end = 0, byte_start = 0, byte_end = 0, size = 0;
  bool oversize = false;                  // written only when true
  std::optional<std::uint64_t> level;     // written when set (chunk --levels)
  std::optional<std::string> parent;      // written when set (levels below 0)
  std::optional<std::uint64_t> tokens;    // written when set
  std::optional<std::string_view> doc_text;  // written when set

  bool operator==(const ChunkFields&) const = default;
};

// Appends the chunk fields as a record's beginning, in hewn(7)'s order:
// {"id":..,"doc":..,"n":..,"text":..,"start":..,"end":..,"byte_start":..,
// "byte_end":..,"size":..[,"oversize":true][,"level":L][,"parent":".."]
// [,"tokens":N][,"doc_text":".."]
// with no closing brace (a strategy's fields and pass-through fields follow).
// Errors: none.
void append_chunk(std::string& out, const ChunkFields& c);

// Reads a record's chunk fields, each where present (absent ones keep
// their value in c; "oversize" is true only when the field is true).
// Errors: DataError "source:line: field "id" is not a string or an
// integer" (and "doc", "parent"), "field "text" is not a string" (and "doc_text"),
// "field "n" is not a non-negative integer" (and start, end, byte_start,
// byte_end, size, level, tokens), "field "oversize" is not a boolean".
void read_chunk(const json::Record& r, ChunkFields& c);

// ------------------------------------------------------------------ vectors
// A vector field is KEY (a JSON array of numbers) or KEY_b64 (base64 of
// little-endian float32, or float16 when "dtype" is "f16"; "dtype" is
// written with every KEY_b64).

enum class VectorFormat { json, b64 };
enum class Dtype { f32, f16 };
enum class VectorSource { none, array, b64 };

// The field of KEY's base64 form ("embedding" -> "embedding_b64").
std::string b64_key(std::string_view key);

// Appends the n values of v as a JSON array (each rounded to half
// precision first with Dtype::f16) or a base64 JSON string, without key.
// Errors: none (NaN and infinities in an array are written as null).
void append_vector_value(std::string& out, const float* v, std::size_t n, VectorFormat format, Dtype dtype);

// Appends the dtype field of a base64 vector: ,"dtype":"f32" or "f16".
void append_dtype(std::string& out, Dtype dtype);

// Reads the vector of key, as an array or, when key is absent, from
// key + "_b64", appended to out; returns where it came from (none: neither
// field is present).
// Errors: DataError "source:line: field "key" is not an array of numbers",
// "... has a number out of float range", "... field "key_b64" is not valid
// base64", "... is not a whole number of f32 values" (f16), "... has a value
// that is not finite", "... field "dtype" is not "f32" or "f16"", "field
// "key_b64" is not a string".
[[nodiscard]] VectorSource read_vector(const json::Record& r, std::string_view key, std::vector<float>& out);

// ------------------------------------------------------------------ files
// Calls fn on each record of the JSON Lines file path ("-" is standard
// input; zstd input is decompressed), in order. The record's views are
// valid during the call only.
// Errors: those of io::open_input() and io::LineReader (DataError
// "PATH: cannot open: ...", "PATH:LINE: ..."), of json::Parser::parse(),
// and whatever fn throws.
void for_each_record(const std::string& path, const std::function<void(const json::Record&)>& fn);

}  // namespace hewn::records
