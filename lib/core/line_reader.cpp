#include "core/line_reader.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace hewn::io {

LineReader::LineReader(std::unique_ptr<ByteSource> src) : src_(std::move(src)), cap_(1 << 20) {
  buf_ = static_cast<char*>(std::malloc(cap_));
  if (!buf_) throw std::bad_alloc();
}

LineReader::~LineReader() { std::free(buf_); }

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // compact
    std::memmove(buf_, buf_ + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {
    char* grown = static_cast<char*>(std::realloc(buf_, cap_ * 2));
    if (!grown) throw std::bad_alloc();
    buf_ = grown;
    cap_ *= 2;
  }
  std::size_t got = src_->read(buf_ + end_, cap_ - end_);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

namespace {
bool blank(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  return true;
}
}  // namespace

bool LineReader::next_batch(LineBatch& batch, std::size_t target_bytes) {
  batch.clear();
  batch.source = src_->name();
  std::size_t scan = begin_;  // where to resume looking for '\n'
  for (;;) {
    const char* base = buf_;
    const char* nl = static_cast<const char*>(std::memchr(base + scan, '\n', end_ - scan));
    std::size_t line_end;   // end of the line's content (exclusive)
    std::size_t next;       // start of the following line
    if (nl) {
      line_end = static_cast<std::size_t>(nl - base);
      next = line_end + 1;
    } else {
      std::size_t seen = end_ - begin_;
      if (fill()) {
        scan = begin_ + seen;  // fill() may have compacted
        continue;
      }
      if (begin_ == end_) break;  // no partial line left
      line_end = next = end_;
    }
    ++line_no_;
    std::size_t start = begin_;
    std::size_t len = line_end - start;
    if (len > 0 && base[start + len - 1] == '\r') --len;
    if (first_) {
      first_ = false;
      if (len >= 3 && std::memcmp(base + start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
        len -= 3;
      }
    }
    batch.bytes += next - begin_;
    if (!blank(base + start, len)) {
      batch.lines.push_back({batch.data.size(), len, line_no_});
      batch.data.append(base + start, len);
      batch.data.push_back('\n');
    }
    begin_ = scan = next;
    if (batch.data.size() >= target_bytes && !batch.lines.empty()) break;
  }
  batch.data.append(line_padding, '\0');
  return !batch.lines.empty() || batch.bytes > 0;
}

}  // namespace hewn::io
