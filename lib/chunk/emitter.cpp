#include "chunk/emitter.hpp"

#include "text/segment.hpp"

namespace hewn::chunk {

void Emitter::add(std::size_t b, std::size_t e, std::vector<std::pair<std::string, std::string>> fields) {
  std::size_t tb = b, te = e;
  text::trim(doc_, tb, te);
  if (tb == te) return;  // whitespace only
  if (options_.trim) {
    b = tb;
    e = te;
  }
  Chunk c;
  c.begin = b;
  c.end = e;
  c.size = measure_.size(b, e);
  c.oversize = c.size > options_.size;
  c.fields = std::move(fields);
  out_->push_back(std::move(c));
}

void Emitter::add_sized(std::size_t b, std::size_t e, std::uint64_t size) {
  std::size_t tb = b, te = e;
  text::trim(doc_, tb, te);
  if (tb == te) return;
  if (options_.trim && (tb != b || te != e)) {
    size -= measure_.size(b, tb) + measure_.size(te, e);  // sizes are additive
    b = tb;
    e = te;
  }
  Chunk c;
  c.begin = b;
  c.end = e;
  c.size = size;
  c.oversize = size > options_.size;
  out_->push_back(std::move(c));
}

void Emitter::end() {
  if (options_.min_size == 0 || options_.overlap > 0 || options_.overlap_sentences > 0) return;
  std::vector<Chunk>& v = *out_;
  std::size_t w = first_;  // write position
  for (std::size_t i = first_; i < v.size(); ++i) {
    Chunk& c = v[i];
    if (c.size < options_.min_size && w > first_) {
      Chunk& prev = v[w - 1];
      std::uint64_t merged = measure_.size(prev.begin, c.end);
      if (merged <= options_.size) {
        prev.end = c.end;
        prev.size = merged;
        continue;
      }
    }
    if (c.size < options_.min_size && i + 1 < v.size()) {
      Chunk& next = v[i + 1];
      std::uint64_t merged = measure_.size(c.begin, next.end);
      if (merged <= options_.size) {
        next.begin = c.begin;
        next.size = merged;
        continue;
      }
    }
    if (w != i) v[w] = std::move(c);
    ++w;
  }
  v.resize(w);
}

}  // namespace hewn::chunk
