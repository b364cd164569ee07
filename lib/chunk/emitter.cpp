#include "chunk/emitter.hpp"

#include <algorithm>

#include "text/segment.hpp"

namespace hewn::chunk {

void Emitter::add(std::size_t b, std::size_t e, std::vector<std::pair<std::string, std::string>> fields) {
  std::size_t tb = b, te = e;
  text::trim(doc_, tb, te);
  if (tb == te) return absorb_space(b, e);
  if (options_.trim) {
    b = tb;
    e = te;
  }
  push(b, e, measure_.size(b, e), std::move(fields));
}

void Emitter::add_sized(std::size_t b, std::size_t e, std::uint64_t size) {
  std::size_t tb = b, te = e;
  text::trim(doc_, tb, te);
  if (tb == te) return absorb_space(b, e);
  if (options_.trim && (tb != b || te != e)) {
    size -= measure_.size(b, tb) + measure_.size(te, e);  // sizes are additive
    b = tb;
    e = te;
  }
  push(b, e, size, {});
}

void Emitter::push(std::size_t b, std::size_t e, std::uint64_t size,
                   std::vector<std::pair<std::string, std::string>> fields) {
  if (space_e_ == b && space_b_ < space_e_) {  // pending whitespace just before
    std::uint64_t grown = measure_.size(space_b_, e);
    if (grown <= options_.size && measure_.exact(space_b_, e) <= options_.size) {
      b = space_b_;
      size = grown;
    }
  }
  space_b_ = space_e_ = 0;
  // A chunk measured on its own may come out larger than its share of the
  // document (a token loses its context at the cut): cut it at the last unit
  // start that fits and emit the rest as the next chunk.
  bool whole = false;  // over the limit on its own, with no unit start to cut at
  while (size <= options_.size && measure_.exact(b, e) > options_.size) {
    std::size_t c = b;
    for (std::uint64_t n = size; n-- > 1;) {
      c = measure_.fit(b, e, n);
      if (c > b && c < e && measure_.exact(b, c) <= options_.size) break;
      c = b;
    }
    if (c == b) {  // cannot cut: keep it whole, with its own size, flagged
      whole = true;
      break;
    }
    std::size_t tb = b, te = c;
    text::trim(doc_, tb, te);
    if (tb < te) {
      if (!options_.trim) tb = b, te = c;
      Chunk part;
      part.begin = tb;
      part.end = te;
      part.size = measure_.size(tb, te);
      part.fields = fields;
      out_->push_back(std::move(part));
    }
    b = c;
    size = measure_.size(b, e);
    std::size_t rb = b, re = e;
    text::trim(doc_, rb, re);
    if (rb == re) return absorb_space(b, e);  // only whitespace is left (no trim)
  }
  Chunk c;
  c.begin = b;
  c.end = e;
  c.size = whole ? measure_.exact(b, e) : size;
  c.oversize = c.size > options_.size;
  c.fields = std::move(fields);
  out_->push_back(std::move(c));
}

void Emitter::absorb_space(std::size_t b, std::size_t e) {
  if (options_.trim) return;
  if (out_->size() > first_) {
    Chunk& last = out_->back();
    if (last.end == b) {
      std::uint64_t grown = measure_.size(last.begin, e);
      if (grown <= options_.size && measure_.exact(last.begin, e) <= options_.size) {
        last.end = e;
        last.size = grown;
        return;
      }
    }
  }
  if (space_e_ == b && space_b_ < space_e_) space_e_ = e;
  else space_b_ = b, space_e_ = e;
}

void Emitter::end() {
  if (options_.overlap > 0) {
    // A window cut again by push() (a token unit's exact count) emits its
    // tail before the next window, which starts inside the window: restore
    // the order of starts and drop a tail the next window contains whole.
    std::vector<Chunk>& v = *out_;
    auto first = v.begin() + static_cast<std::ptrdiff_t>(first_);
    std::stable_sort(first, v.end(), [](const Chunk& x, const Chunk& y) {
      return x.begin != y.begin ? x.begin < y.begin : x.end > y.end;
    });
    std::size_t w = first_, reach = 0;
    for (std::size_t i = first_; i < v.size(); ++i) {
      if (i > first_ && v[i].end <= reach) continue;  // inside an earlier chunk
      reach = std::max(reach, v[i].end);
      if (w != i) v[w] = std::move(v[i]);
      ++w;
    }
    v.resize(w);
    return;
  }
  if (options_.min_size == 0 || options_.overlap_sentences > 0) return;
  std::vector<Chunk>& v = *out_;
  std::size_t w = first_;  // write position
  for (std::size_t i = first_; i < v.size(); ++i) {
    Chunk& c = v[i];
    if (c.size < options_.min_size && w > first_) {
      Chunk& prev = v[w - 1];
      std::uint64_t merged = measure_.size(prev.begin, c.end);
      if (merged <= options_.size && measure_.exact(prev.begin, c.end) <= options_.size) {
        if (merge_fields) merge_fields(prev, c, prev);
        prev.end = c.end;
        prev.size = merged;
        continue;
      }
    }
    if (c.size < options_.min_size && i + 1 < v.size()) {
      Chunk& next = v[i + 1];
      std::uint64_t merged = measure_.size(c.begin, next.end);
      if (merged <= options_.size && measure_.exact(c.begin, next.end) <= options_.size) {
        if (merge_fields) merge_fields(c, next, next);
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
