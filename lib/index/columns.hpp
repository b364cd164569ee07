// Stored fields as columns, for query --where: every top-level string,
// number and boolean field of a chunk record but the indexed ones, one
// column per field name (a value or "missing" per chunk, strings
// dictionary-coded), written to columns.bin with its writer and reader side
// by side (as layout.hpp), and the sets of chunks a filter selects.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"
#include "index/format.hpp"
#include "index/manifest.hpp"

namespace hewn::index {

// A chunk's value in a column.
enum class ValueKind : std::uint8_t { missing = 0, string = 1, number = 2, yes = 3, no = 4 };

// One field over all the chunks: kind[c] and value[c] (for a string, its
// number in the dictionary, whose strings are in byte order; for a number,
// the bits of the double).
struct Column {
  std::string name;
  std::vector<std::uint8_t> kind;
  std::vector<std::uint64_t> value;
  std::vector<std::uint64_t> str_off{0};  // string i is bytes [str_off[i], str_off[i+1]) of strings
  std::string strings;
  std::size_t size() const { return str_off.size() - 1; }
  std::string_view str(std::uint64_t i) const {
    return std::string_view(strings).substr(str_off[i], str_off[i + 1] - str_off[i]);
  }
  double number(std::uint32_t chunk) const;
};

struct Columns {
  std::vector<Column> columns;  // in byte order of their names
  // The column of field name, or nullptr when no chunk has it.
  const Column* find(std::string_view name) const;
};

// The column values of one record, encoded for ColumnsBuilder::add() (and
// carried by ChunkEntry::columns): its top-level string, number and
// boolean fields, those named in skip excepted.
// Errors: none (the record was parsed).
void encode_columns(const json::Record& r, const std::vector<std::string>& skip, std::string& out);
// The encoded values of chunk in cols (as encode_columns() of its record).
void encode_columns(const Columns& cols, std::uint32_t chunk, std::string& out);

// Accumulates the columns of the chunks added in order.
class ColumnsBuilder {
 public:
  // Adds the next chunk's values (encode_columns()).
  void add(std::string_view encoded);
  std::uint32_t count() const { return n_; }
  // The columns, dictionaries sorted; the builder is then spent.
  Columns finish();

 private:
  struct Acc {
    std::vector<std::uint8_t> kind;
    std::vector<std::uint64_t> value;
    std::unordered_map<std::string, std::uint64_t> ids;
    std::vector<const std::string*> strings;
  };
  std::map<std::string, Acc, std::less<>> acc_;
  std::uint32_t n_ = 0;
};

namespace layout {
// columns.bin: u64 N, u32 F, then per column (in byte order of names):
// u32 name length, name, u64 S, u64 str_off[S+1], the S strings back to
// back (in byte order, distinct), u8 kind[N] (0 missing, 1 string, 2
// number, 3 true, 4 false), u64 value[N] (string number or double bits).
// Errors: DataError "DIR/columns.bin: write error: <reason>".
FileEntry write_columns(const std::string& dir, const Columns& c, std::uint32_t n);
// Errors: those of read_verified(); DataError "DIR/columns.bin: truncated or
// corrupt" (also for kinds, string numbers or dictionaries out of order).
Columns read_columns(const std::string& dir, const Manifest& m, std::uint32_t n);
}  // namespace layout

// A set of chunk numbers below n, as a bitmap (bit c of byte c / 8, the
// layout of FAISS's IDSelectorBitmap).
class ChunkSet {
 public:
  explicit ChunkSet(std::uint32_t n, bool all = false);
  std::uint32_t universe() const { return n_; }
  std::uint32_t count() const { return count_; }
  bool has(std::uint32_t c) const { return (words_[c >> 6] >> (c & 63)) & 1; }
  void insert(std::uint32_t c) {
    std::uint64_t& w = words_[c >> 6];
    std::uint64_t bit = std::uint64_t(1) << (c & 63);
    count_ += !(w & bit);
    w |= bit;
  }
  void intersect(const ChunkSet& o);
  // The first member >= from, or 0xffffffff when none.
  std::uint32_t next(std::uint32_t from) const;
  const std::uint8_t* bytes() const { return reinterpret_cast<const std::uint8_t*>(words_.data()); }
  std::size_t byte_size() const { return (std::size_t(n_) + 7) / 8; }

 private:
  std::uint32_t n_, count_ = 0;
  std::vector<std::uint64_t> words_;
};

}  // namespace hewn::index
