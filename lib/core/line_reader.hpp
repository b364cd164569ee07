// Splits a byte source into lines, in batches that own their bytes, so that
// batches can be handed to worker threads. Lines of any length are accepted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/input.hpp"

namespace hewn::io {

// Bytes of slack kept after every line so that SIMD parsers may read past it.
inline constexpr std::size_t line_padding = 64;

struct LineBatch {
  struct Line {
    std::size_t offset;
    std::size_t length;
    std::uint64_t number;  // 1-based line number in the source
  };
  std::string source;       // the source's name, for messages
  std::string data;         // the lines' bytes; data.size() includes padding
  std::vector<Line> lines;  // non-blank lines, without "\n" or "\r\n"
  std::size_t bytes = 0;    // input bytes covered (including line ends and blank lines)

  std::string_view line(std::size_t i) const { return {data.data() + lines[i].offset, lines[i].length}; }
  void clear() {
    data.clear();
    lines.clear();
    bytes = 0;
  }
};

// Reads lines: "\n" or "\r\n" ends a line, a missing final newline is fine, a
// UTF-8 byte order mark at the start of the first line is dropped, and lines
// holding only spaces, tabs or "\r" are skipped (their numbers still count).
class LineReader {
 public:
  explicit LineReader(std::unique_ptr<ByteSource> src);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  const std::string& name() const { return src_->name(); }

  // Replaces batch's contents with the next lines, about target_bytes of
  // them (at least one line unless the input is exhausted). Returns false
  // when no line is left.
  // Errors: those of ByteSource::read().
  [[nodiscard]] bool next_batch(LineBatch& batch, std::size_t target_bytes);

 private:
  bool fill();  // reads more; false at end of input
  std::unique_ptr<ByteSource> src_;
  char* buf_ = nullptr;  // malloc'ed: realloc grows long lines without copying
  std::size_t cap_ = 0;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t line_no_ = 0;
  bool eof_ = false;
  bool first_ = true;
};

}  // namespace hewn::io
