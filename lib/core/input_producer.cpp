#include "core/input_producer.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/input.hpp"

namespace hewn::io {

bool is_jsonl_path(std::string_view p) {
  if (p == "-") return true;
  p = without_compression_suffix(p);
  auto ends = [&](std::string_view s) { return p.size() > s.size() && p.substr(p.size() - s.size()) == s; };
  return ends(".jsonl") || ends(".ndjson");
}

namespace {

// Appends lines [from, to) of src to dst (bytes copied, no padding added).
void append_lines(LineBatch& dst, const LineBatch& src, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const auto& l = src.lines[i];
    dst.lines.push_back({dst.data.size(), l.length, l.number});
    dst.data.append(src.line(i));
  }
}

// Covered input bytes attributed to lines [from, to) when a batch is cut.
std::size_t line_bytes(const LineBatch& b, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t i = from; i < to; ++i) n += b.lines[i].length + 1;
  return n;
}

}  // namespace

InputProducer::InputProducer(InputOptions options) : options_(std::move(options)) {
  if (options_.inputs.empty()) options_.inputs.push_back("-");
}

InputProducer::~InputProducer() = default;

std::string InputProducer::take_error() {
  std::string e = std::move(error_);
  error_.clear();
  return e;
}

// Fills b with whole groups of the current reader; false at its end.
bool InputProducer::next_grouped(LineBatch& b) {
  if (!read_error_.empty()) {
    std::string msg = std::move(read_error_);
    read_error_.clear();
    throw DataError(msg);
  }
  for (;;) {
    bool got;
    try {
      got = reader_->next_batch(more_, options_.batch_bytes);
    } catch (const DataError& e) {
      if (carry_.lines.empty()) throw;
      read_error_ = e.what();
      got = false;
    }
    if (!got) {  // the last group goes out whole
      if (carry_.lines.empty() && carry_.bytes == 0) return false;
      std::swap(b, carry_);
      b.data.append(line_padding, '\0');
      carry_.clear();
      return true;
    }
    // The predicate sees more_'s lines, which have the parser's padding.
    const std::size_t held = carry_.lines.size();
    std::size_t cut = 0;  // the last group start after the first line
    for (std::size_t j = 0; j < more_.lines.size(); ++j)  // every line, as group_start's contract says
      if (options_.group_start(more_.line(j)) && held + j > 0) cut = held + j;
    carry_.source = more_.source;
    append_lines(carry_, more_, 0, more_.lines.size());
    carry_.bytes += more_.bytes;
    if (cut == 0) continue;
    // Lines [0, cut) are whole groups: they go out in place (carry_'s lines
    // are back to back, without padding); the unfinished group stays.
    LineBatch rest;
    rest.source = carry_.source;
    append_lines(rest, carry_, cut, carry_.lines.size());
    const std::size_t out_bytes = std::min(line_bytes(carry_, 0, cut), carry_.bytes);
    rest.bytes = carry_.bytes - out_bytes;
    carry_.data.resize(carry_.lines[cut].offset);
    carry_.lines.resize(cut);
    carry_.bytes = out_bytes;
    std::swap(b, carry_);
    b.data.append(line_padding, '\0');
    carry_ = std::move(rest);
    return true;
  }
}

bool InputProducer::next(Unit& u) {
  u.raw = false;
  u.raw_bytes = false;
  u.raw_text.clear();
  u.stdin_guessed = false;
  for (;;) {
    try {
      if (!reader_) {
        if (next_input_ == options_.inputs.size()) return false;
        const std::string& path = options_.inputs[next_input_++];
        bool jsonl = options_.format == InputFormat::jsonl ||
                     (options_.format == InputFormat::automatic && is_jsonl_path(path));
        auto src = open_input(path);
        if (!jsonl) {
          u.raw = true;
          u.lines.clear();
          u.lines.source = src->name();
          u.raw_text = read_all(*src);
          u.lines.bytes = u.raw_text.size();
          // A byte order mark is not text (as at the start of JSON Lines).
          u.raw_bytes = options_.raw_bytes;
          if (!u.raw_bytes && u.raw_text.starts_with("\xEF\xBB\xBF")) u.raw_text.erase(0, 3);
          return true;
        }
        reader_ = std::make_unique<LineReader>(std::move(src));
        stdin_first_ = path == "-" && options_.format == InputFormat::automatic;
      }
      if (options_.group_start ? next_grouped(u.lines) : reader_->next_batch(u.lines, options_.batch_bytes)) {
        u.stdin_guessed = stdin_first_;
        stdin_first_ = false;
        return true;
      }
      reader_.reset();
    } catch (const DataError& e) {
      reader_.reset();
      carry_.clear();
      error_ = e.what();
      return false;
    }
  }
}

}  // namespace hewn::io
