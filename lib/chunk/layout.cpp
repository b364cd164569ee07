#include "chunk/layout.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>
#include <span>

#include "chunk/cohesion.hpp"
#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "extract/document.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {
namespace {

constexpr std::size_t edge_span = 8;        // edges join blocks at most this many apart in reading order
constexpr std::size_t max_group = 4096;     // the most blocks one group may hold
constexpr double line_cap = 14.0;           // points: the most a line's height counts

// Texts on unrelated subjects: an encoder's mean cosine between them is its
// baseline, the similarity that counts as none (static and BERT embeddings
// put unrelated texts at cosines well above 0; term counts do not).
constexpr std::string_view unrelated[] = {
    "The river flooded the valley after three days of rain.",
    "Preheat the oven and butter the baking dish.",
    "The court adjourned until the witness could be found.",
    "Compile the kernel module with debugging symbols enabled.",
    "Her violin concerto premiered in Vienna to mixed reviews.",
    "Photosynthesis converts light into chemical energy in leaves.",
    "The striker scored twice in the second half.",
    "Interest rates rose for the fourth consecutive quarter.",
    "Glaciers carved the fjords during the last ice age.",
    "Wash the wound gently and apply a sterile bandage.",
    "The novel follows a family across three generations.",
    "Replace the air filter every twelve thousand miles.",
};

// The spatial affinity of two blocks on one page: exp(-d / 2L), d the
// distance between their boxes (0 when they touch or overlap), L the height
// of the lower of the two (at most 14 points, at least 1): 1 for touching
// boxes, 0.37 two lines apart, 0.08 five lines apart.
double spatial(const extract::Box& a, const extract::Box& b) {
  const double dx = std::max(0.0, std::max(a.x0, b.x0) - std::min(a.x1, b.x1));
  const double dy = std::max(0.0, std::max(a.y0, b.y0) - std::min(a.y1, b.y1));
  const double line = std::clamp(std::min(a.y1 - a.y0, b.y1 - b.y0), 1.0, line_cap);
  return std::exp(-std::hypot(dx, dy) / (2 * line));
}

double cosine(const TermVector& a, const TermVector& b) {
  double dot = 0, na = 0, nb = 0;
  for (const auto& [t, c] : a) na += static_cast<double>(c) * c;
  for (const auto& [t, c] : b) nb += static_cast<double>(c) * c;
  if (na == 0 || nb == 0) return 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i].first < b[j].first) ++i;
    else if (b[j].first < a[i].first) ++j;
    else dot += static_cast<double>(a[i++].second) * b[j++].second;
  }
  return dot / std::sqrt(na * nb);
}

class Layout final : public Chunker {
 public:
  Layout(const Options& o, const Unit& u)
      : options_(o),
        measure_(u.make_measure()),
        emitter_(options_, *measure_),
        prose_(default_levels(), options_, *measure_, emitter_, 0),
        terms_(o.lang) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    doc_ = doc.text;
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
    // Each block's span runs on to the next block (the blank line between
    // them) so that the chunks cover the text; the first starts the text.
    const std::size_t n = blocks_.size();
    starts_.assign(n + 1, 0);
    for (std::size_t i = 1; i < n; ++i) starts_[i] = blocks_[i].begin - lo;
    starts_[n] = doc.text.size();
    const double alpha = options_.semantic.spatial_weight;
    if (alpha < 1) vectors(lo);  // position only: the texts are not compared
    auto weight = [&](std::size_t i, std::size_t j) {
      const double sem = alpha < 1 ? std::max(0.0, similarity(i, j)) : 0.0;
      return alpha * spatial(blocks_[i].box, blocks_[j].box) + (1 - alpha) * sem;
    };
    auto fits = [&](std::size_t s, std::size_t e) {
      return s == e || (e - s < max_group && trimmed_size(starts_[s], starts_[e + 1]) <= options_.size);
    };
    const auto groups = layout_groups(n, edge_span, weight, options_.semantic.threshold, fits);
    for (std::size_t k = 0; k < groups.size(); ++k) {
      const std::size_t b = starts_[groups[k]], e = starts_[k + 1 < groups.size() ? groups[k + 1] : n];
      if (b == e) continue;
      if (trimmed_size(b, e) <= options_.size) emitter_.add(b, e);
      else prose_.split(b, e);
    }
    emitter_.end();
    if (doc.words)
      for (std::size_t i = first; i < out.size(); ++i) boxes(out[i], *doc.words, lo);
  }

 private:
  std::uint64_t trimmed_size(std::size_t b, std::size_t e) {
    std::size_t tb = b, te = e;
    text::trim(doc_, tb, te);
    if (tb == te || !options_.trim) tb = b, te = e;
    return measure_->size(tb, te);
  }

  // The blocks' vectors: the encoder's (unit length), else term counts.
  void vectors(std::size_t lo) {
    const std::size_t n = blocks_.size();
    const TextEncoder* enc = options_.semantic.encoder;
    if (!enc) {
      terms_.bound_memory();
      term_vecs_.resize(n);
      for (std::size_t i = 0; i < n; ++i)
        terms_.terms(doc_.substr(blocks_[i].begin - lo, blocks_[i].end - blocks_[i].begin), term_vecs_[i]);
      return;
    }
    texts_.clear();
    for (const extract::Block& b : blocks_) texts_.push_back(doc_.substr(b.begin - lo, b.end - b.begin));
    const std::size_t dim = enc->dim(), batch = std::max<std::uint64_t>(1, options_.semantic.batch);
    vecs_.assign(n * dim, 0.f);
    std::span<const std::string_view> all(texts_);
    for (std::size_t i = 0; i < n; i += batch) enc->encode(all.subspan(i, std::min(batch, n - i)), vecs_.data() + i * dim);
    normalize(vecs_, dim);
    if (!baseline_) {
      // Once per chunker: the mean cosine of the unrelated texts' pairs.
      std::vector<float> ref(std::size(unrelated) * dim);
      enc->encode(std::span<const std::string_view>(unrelated), ref.data());
      normalize(ref, dim);
      double sum = 0;
      std::size_t pairs = 0;
      for (std::size_t a = 0; a < std::size(unrelated); ++a)
        for (std::size_t b = a + 1; b < std::size(unrelated); ++b, ++pairs) sum += dot(&ref[a * dim], &ref[b * dim], dim);
      baseline_ = std::clamp(sum / static_cast<double>(pairs), 0.0, 0.95);
    }
  }

  static void normalize(std::vector<float>& vs, std::size_t dim) {
    for (std::size_t i = 0; i + dim <= vs.size(); i += dim) {
      double s = dot(&vs[i], &vs[i], dim);
      if (s > 0)
        for (std::size_t k = 0; k < dim; ++k) vs[i + k] = static_cast<float>(vs[i + k] / std::sqrt(s));
    }
  }

  static double dot(const float* a, const float* b, std::size_t dim) {
    double s = 0;
    for (std::size_t k = 0; k < dim; ++k) s += static_cast<double>(a[k]) * b[k];
    return s;
  }

  // Term counts: their cosine; an encoder: its cosine rescaled so that its
  // baseline counts 0 and 1 stays 1.
  double similarity(std::size_t i, std::size_t j) const {
    const TextEncoder* enc = options_.semantic.encoder;
    if (!enc) return cosine(term_vecs_[i], term_vecs_[j]);
    const std::size_t dim = enc->dim();
    const double b = *baseline_;
    return (dot(&vecs_[i * dim], &vecs_[j * dim], dim) - b) / (1 - b);
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
  TermCounter terms_;
  std::string_view doc_;
  std::vector<extract::Block> blocks_;
  std::vector<std::size_t> starts_;
  std::vector<TermVector> term_vecs_;
  std::vector<std::string_view> texts_;
  std::vector<float> vecs_;
  std::optional<double> baseline_;
};

}  // namespace

std::vector<std::size_t> layout_groups(std::size_t n, std::size_t span,
                                       const std::function<double(std::size_t, std::size_t)>& weight,
                                       double threshold,
                                       const std::function<bool(std::size_t, std::size_t)>& fits) {
  std::vector<std::size_t> out;
  if (n == 0) return out;
  // cost[k]: the heaviest edge the cut before block k crosses.
  std::vector<double> cost(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n && j - i <= span; ++j) {
      const double w = weight(i, j);
      for (std::size_t k = i + 1; k <= j; ++k) cost[k] = std::max(cost[k], w);
    }
  struct Best {
    double cost;
    std::size_t cuts, from;
  };
  std::vector<Best> best;
  std::size_t g0 = 0;
  for (std::size_t g1 = 1; g1 <= n; ++g1) {
    if (g1 < n && cost[g1] >= threshold) continue;
    // The group of blocks [g0, g1): whole when it fits, else the cheapest cuts.
    if (fits(g0, g1 - 1)) {
      out.push_back(g0);
    } else {
      best.assign(g1 - g0 + 1, Best{0, 0, 0});
      for (std::size_t i = 1; i <= g1 - g0; ++i) {
        Best b{std::numeric_limits<double>::infinity(), 0, 0};
        for (std::size_t s = i; s-- > 0;) {
          if (s + 1 < i && !fits(g0 + s, g0 + i - 1)) break;
          const double c = best[s].cost + (s > 0 ? cost[g0 + s] : 0);
          const std::size_t cuts = best[s].cuts + (s > 0);
          if (c < b.cost || (c == b.cost && cuts < b.cuts)) b = {c, cuts, s};
        }
        best[i] = b;
      }
      std::vector<std::size_t> cuts;
      for (std::size_t i = g1 - g0; i > 0; i = best[i].from) cuts.push_back(g0 + best[i].from);
      out.insert(out.end(), cuts.rbegin(), cuts.rend());
    }
    g0 = g1;
  }
  return out;
}

std::unique_ptr<Chunker> make_layout_chunker(const Options& options, const Unit& unit) {
  return std::make_unique<Layout>(options, unit);
}

}  // namespace hewn::chunk
