#include "chunk/layout.hpp"

#include <algorithm>
#include <cstdio>

#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "extract/document.hpp"

namespace hewn::chunk {
namespace {

class Layout final : public Chunker {
 public:
  Layout(const Options& o, const Unit& u)
      : options_(o),
        measure_(u.make_measure()),
        emitter_(options_, *measure_),
        prose_(default_levels(), options_, *measure_, emitter_, 0) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    measure_->reset(doc.text);
    emitter_.begin(doc.text, out);
    prose_.reset(doc.text);
    const std::size_t first = out.size();
    const std::size_t lo = doc.offset, hi = doc.offset + doc.text.size();
    blocks_.clear();
    if (doc.blocks)
      for (const extract::Block& b : *doc.blocks)
        if (b.begin >= lo && b.end <= hi && b.end > b.begin) blocks_.push_back(b);
    if (blocks_.empty()) {
      prose_.split(0, doc.text.size());
      emitter_.end();
      return;
    }
    // Greedy in reading order; a block that is not next to the previous one
    // (below it within two lines' height, overlapping it across) starts a
    // chunk; one larger than --size is split by the recursive levels. Each
    // block's span runs on to the next block (the blank line between them)
    // so that the chunks cover the text.
    std::size_t gb = 0, ge = 0;
    std::uint64_t gs = 0;
    const extract::Block* prev = nullptr;
    auto flush = [&] {
      if (ge > gb) emitter_.add(gb, ge);
      gb = ge = gs = 0;
    };
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const extract::Block& b = blocks_[i];
      std::size_t pb = b.begin - lo;
      std::size_t pe = i + 1 < blocks_.size() ? blocks_[i + 1].begin - lo : doc.text.size();
      if (i == 0) pb = 0;
      const std::uint64_t s = measure_->size(pb, pe);
      const bool near = prev && next_to(*prev, b);
      if (!near || gs + s > options_.size) flush();
      if (s > options_.size) {
        prose_.split(pb, pe);
      } else {
        if (ge == gb) gb = pb;
        ge = pe;
        gs += s;
      }
      prev = &b;
    }
    flush();
    emitter_.end();
    if (doc.words)
      for (std::size_t i = first; i < out.size(); ++i) boxes(out[i], *doc.words, lo);
  }

 private:
  static bool next_to(const extract::Block& a, const extract::Block& b) {
    const double h = std::max(1.0, std::min(a.box.y1 - a.box.y0, b.box.y1 - b.box.y0));
    const double line = std::min(h, 14.0);
    const double gap = b.box.y0 - a.box.y1;
    const bool across = std::min(a.box.x1, b.box.x1) > std::max(a.box.x0, b.box.x0);
    return across && gap >= -0.5 * line && gap <= 2.0 * line;
  }

  // "boxes": per block the chunk touches, the box of its words in the chunk.
  void boxes(Chunk& c, const std::vector<extract::Block>& words, std::size_t lo) {
    std::string v = "[";
    const std::size_t b = c.begin + lo, e = c.end + lo;
    for (const extract::Block& blk : blocks_) {
      if (blk.end <= b || blk.begin >= e) continue;
      extract::Box box{};
      bool any = false;
      auto it = std::lower_bound(words.begin(), words.end(), std::max(b, blk.begin),
                                 [](const extract::Block& w, std::size_t x) { return w.end <= x; });
      for (; it != words.end() && it->begin < std::min(e, blk.end); ++it) {
        if (!any) box = it->box;
        else box.unite(it->box);
        any = true;
      }
      if (!any) continue;
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s[%.2f,%.2f,%.2f,%.2f]", v.size() > 1 ? "," : "", box.x0, box.y0, box.x1,
                    box.y1);
      v += buf;
    }
    v += ']';
    c.fields.emplace_back("boxes", std::move(v));
  }

  Options options_;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
  Splitter prose_;
  std::vector<extract::Block> blocks_;
};

}  // namespace

std::unique_ptr<Chunker> make_layout_chunker(const Options& options, const Unit& unit) {
  return std::make_unique<Layout>(options, unit);
}

}  // namespace hewn::chunk
