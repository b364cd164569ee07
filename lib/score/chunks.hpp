// Chunk records (the output of chunk(1): {"id", "doc", "start", "end",
// "text", ...}, offsets in code points, end exclusive) and documents
// ({"id", "text"}), read for span and intrinsic measures.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"

namespace hewn::score {

struct ChunkRecord {
  std::string id;
  std::string doc;
  long start = 0, end = 0;   // code points
  std::string text;          // may be empty when absent
  std::vector<float> embedding;  // "embedding" or "embedding_b64" (f32/f16); empty when absent
  std::uint64_t line = 0;
};

struct Chunks {
  std::string source;
  std::vector<ChunkRecord> records;  // input order
  std::unordered_map<std::string, std::size_t> by_id;
  std::unordered_map<std::string, std::vector<std::size_t>> by_doc;  // input order
  std::string model;  // the records' "model" (who embedded them), when kept; "" when absent
  std::uint64_t model_line = 0;  // the first embedded record's line

  // Reads chunk records; "text" and the embedding (an "embedding" array or,
  // as embed(1) writes it, "embedding_b64" with "dtype") are kept only when
  // wanted.
  // Errors: DataError "source:line: what" for a missing "id"/"doc"/"start"/
  // "end", offsets that are not non-negative integers, start > end, a
  // repeated id, malformed JSON; with keep_embedding, those of
  // json::Record::vector and "source:line: embedded by model "m", earlier
  // chunks by "n""; those of io::open_input.
  static Chunks read(const std::string& path, bool keep_text, bool keep_embedding);
};

// A code point offset field: a non-negative integer.
// Errors: DataError "source:line: missing field "key"" or "... field "key" is
// not a non-negative integer".
long offset_field(const json::Record& r, std::string_view key);

// Documents by id: their text (valid UTF-8) and length in code points.
struct Documents {
  std::unordered_map<std::string, std::string> text;
  std::unordered_map<std::string, long> length;
  std::vector<std::string> ids;  // file order
  // Errors: DataError for a missing id or text field, a repeated id,
  // malformed JSON; those of io::open_input.
  static Documents read(const std::string& path, const std::string& id_field, const std::string& text_field,
                        bool keep_text);
};

}  // namespace hewn::score
