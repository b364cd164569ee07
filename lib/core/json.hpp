// JSON for JSON Lines: a strict per-line record parser (simdjson DOM, so a bad
// line is reported on its own and does not poison its neighbours) that keeps
// every top-level field's raw text for exact pass-through, and the writer
// helpers every tool uses to print records.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::json {

enum class Type { string, number, object, array, boolean, null };

// Appends s as a JSON string literal: '"' and '\\' escaped, control
// characters as \n \t \r \b \f or \u00XX, everything else (UTF-8) verbatim.
void append_string(std::string& out, std::string_view s);
// Appends ,"key": (or "key": when first).
void append_key(std::string& out, std::string_view key, bool first = false);
void append_uint(std::string& out, std::uint64_t v);
void append_int(std::string& out, std::int64_t v);
// Shortest representation that reads back to the same double (or float);
// NaN and infinities are written as null.
void append_double(std::string& out, double v);
void append_float(std::string& out, float v);

// One top-level field of a record.
struct Field {
  std::string_view key;  // unescaped
  std::string_view raw;  // the value's JSON text exactly as in the input
  Type type;
};

class Parser;

// A parsed JSON Lines record; views stay valid until the parser's next parse.
class Record {
 public:
  std::string_view source;  // input name for messages
  std::uint64_t line = 0;   // 1-based line number

  const std::vector<Field>& fields() const { return fields_; }
  const Field* find(std::string_view key) const;

  // The unescaped string value of key; nullopt when the field is absent.
  // Errors: DataError "source:line: field "key" is not a string".
  std::optional<std::string_view> string(std::string_view key) const;
  // Like string(), but an absent field is an error too.
  // Errors: DataError "source:line: missing field "key"" or as string().
  std::string_view require_string(std::string_view key) const;
  // A number value; nullopt when absent.
  // Errors: DataError "source:line: field "key" is not a number".
  std::optional<double> number(std::string_view key) const;
  // A whole number from 0 to 2^53 (an offset, a count); nullopt when absent.
  // Errors: DataError "source:line: field "key" is not a non-negative
  // integer" (a fraction, a negative or larger number, another type).
  std::optional<std::uint64_t> whole(std::string_view key) const;
  // Like whole(), but an absent field is an error too.
  // Errors: DataError "source:line: missing field "key"" or as whole().
  std::uint64_t require_whole(std::string_view key) const;
  // An array of numbers, appended to out as floats; false when absent
  // (vectors in either of their forms: records::read_vector()).
  // Errors: DataError "... field "key" is not an array of numbers", "...
  // field "key" has a number out of float range".
  [[nodiscard]] bool floats(std::string_view key, std::vector<float>& out) const;
  // An array of strings (views valid until the next parse), appended to
  // out; false when absent.
  // Errors: DataError "... field "key" is not an array of strings".
  [[nodiscard]] bool strings(std::string_view key, std::vector<std::string_view>& out) const;
  // A string or an integer rendered as text (ids are often numbers);
  // nullopt when absent.
  // Errors: DataError "... field "key" is not a string or an integer".
  std::optional<std::string> id(std::string_view key) const;

  // Throws DataError(source:line: what).
  [[noreturn]] void fail(std::string_view what) const;

 private:
  friend class Parser;
  std::size_t index_of(std::string_view key) const;
  std::vector<Field> fields_;
  const Parser* parser_ = nullptr;
};

// Parses lines one at a time; keep one per thread.
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Parses one line that must be a JSON object. The 64 bytes after
  // line.end() must be readable (io::LineBatch guarantees it).
  // Errors: DataError "source:line: <what>" for malformed JSON ("invalid JSON:
  // ..."), invalid UTF-8, a value that is not an object, a duplicate key,
  // nesting deeper than 1024, numbers out of range.
  const Record& parse(std::string_view line, std::string_view source, std::uint64_t line_no);

 private:
  friend class Record;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Record record_;
};

}  // namespace hewn::json
