#include "chunk/semantic.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <span>

#include "chunk/breakpoints.hpp"
#include "chunk/cluster.hpp"
#include "chunk/cohesion.hpp"
#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {
namespace {

constexpr std::size_t cohesion_block = 256;   // sentences per C99 run (longer documents: overlapping windows)
constexpr std::size_t cohesion_whole = 2048;  // --segments: the most sentences segmented at once
constexpr std::size_t cohesion_max_len = 200; // cohesion: the most sentences in one segment
constexpr double chonkie_default = 0.8;       // Chonkie's similarity threshold
constexpr double layout_threshold = 0.15;     // layout: the edge weight that joins blocks
constexpr std::size_t savgol_window = 5, savgol_order = 3;

struct Span {
  std::size_t b, e;
};

// What the semantic strategies share: sentences, the encoder in batches, the
// emission of groups (split by the recursive levels when too large), and the
// chunk vectors.
class SemanticBase : public Chunker {
 protected:
  SemanticBase(const Options& o, const Unit& u, std::unique_ptr<Measure> measure = nullptr)
      : options_(o),
        measure_(measure ? std::move(measure) : u.make_measure()),
        emitter_(options_, *measure_),
        splitter_(default_levels(), options_, *measure_, emitter_, 0),
        sentences_(text::Boundary::sentence, o.lang),
        graphemes_(o.lang) {}

  void start(const Document& doc, std::vector<Chunk>& out, bool measured = false) {
    doc_ = doc.text;
    if (!measured) measure_->reset(doc.text);
    emitter_.begin(doc.text, out);
    splitter_.reset(doc.text);
    first_ = out.size();
  }

  // ICU sentences; a boundary inside a grapheme cluster is not used, and a
  // sentence of white space only joins the one before it (or after it).
  void find_sentences(std::vector<Span>& out) {
    out.clear();
    sentences_.set_text(doc_);
    graphemes_.reset(doc_);
    std::size_t prev = sentences_.first();
    bool last_blank = false;  // only the first span can stay blank
    for (std::size_t b = sentences_.next(); b != text::done; b = sentences_.next()) {
      if (!graphemes_.is_cut(b)) continue;
      std::size_t tb = prev, te = b;
      text::trim(doc_, tb, te);
      const bool blank = tb == te;
      if (!out.empty() && (blank || last_blank)) {
        out.back().e = b;
        last_blank = last_blank && blank;
      } else {
        out.push_back({prev, b});
        last_blank = blank;
      }
      prev = b;
    }
  }

  std::string_view trimmed(std::size_t b, std::size_t e) const {
    text::trim(doc_, b, e);
    return doc_.substr(b, e - b);
  }

  // Unit vectors of texts (encoded in calls of --batch texts), n x dim.
  void encode(const std::vector<std::string_view>& texts, std::vector<float>& out) {
    out.assign(texts.size() * options_.semantic.encoder->dim(), 0.f);
    encode(texts, out.data());
  }
  void encode(std::span<const std::string_view> texts, float* out) {
    const TextEncoder& enc = *options_.semantic.encoder;
    const std::size_t dim = enc.dim(), batch = std::max<std::uint64_t>(1, options_.semantic.batch);
    for (std::size_t i = 0; i < texts.size(); i += batch)
      enc.encode(texts.subspan(i, std::min(batch, texts.size() - i)), out + i * dim);
    for (std::size_t i = 0; i < texts.size(); ++i) normalize(out + i * dim, dim);
  }

  static void normalize(float* v, std::size_t dim) {
    double s = 0;
    for (std::size_t k = 0; k < dim; ++k) s += static_cast<double>(v[k]) * v[k];
    if (s <= 0) return;
    float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (std::size_t k = 0; k < dim; ++k) v[k] *= inv;
  }

  static double dot(const float* a, const float* b, std::size_t dim) {
    double s = 0;
    for (std::size_t k = 0; k < dim; ++k) s += static_cast<double>(a[k]) * b[k];
    return s;
  }

  // Emits [b, e) as one chunk when it fits, else split by the recursive levels.
  void emit(std::size_t b, std::size_t e) {
    std::size_t tb = b, te = e;
    text::trim(doc_, tb, te);
    if (tb == te || !options_.trim) tb = b, te = e;
    if (measure_->size(tb, te) <= options_.size) emitter_.add(b, e);
    else splitter_.split(b, e, 0);
  }

  // Emits groups of items: group k runs from the start of items[starts[k]]
  // (0 for the first) to the start of the next group (the end of the
  // document for the last).
  void emit_groups(const std::vector<Span>& items, const std::vector<std::size_t>& starts) {
    for (std::size_t k = 0; k < starts.size(); ++k) {
      std::size_t b = k == 0 ? 0 : items[starts[k]].b;
      std::size_t e = k + 1 < starts.size() ? items[starts[k + 1]].b : doc_.size();
      if (b < e) emit(b, e);
    }
    emitter_.end();
  }

  // With --chunk-vectors: each chunk written for this document gets the
  // normalized mean of the unit vectors of the items it overlaps.
  void attach_vectors(std::vector<Chunk>& out, const std::vector<Span>& items, const std::vector<float>& vecs,
                      const char* from) {
    const std::size_t dim = options_.semantic.encoder->dim();
    std::vector<double> mean(dim);
    std::vector<float> v(dim);
    std::size_t it = 0;
    for (std::size_t c = first_; c < out.size(); ++c) {
      Chunk& ch = out[c];
      while (it < items.size() && items[it].e <= ch.begin) ++it;
      std::fill(mean.begin(), mean.end(), 0.0);
      for (std::size_t k = it; k < items.size() && items[k].b < ch.end; ++k)
        for (std::size_t d = 0; d < dim; ++d) mean[d] += vecs[k * dim + d];
      for (std::size_t d = 0; d < dim; ++d) v[d] = static_cast<float>(mean[d]);
      normalize(v.data(), dim);
      std::string json = "[";
      for (std::size_t d = 0; d < dim; ++d) {
        if (d) json += ',';
        json::append_float(json, v[d]);
      }
      json += ']';
      ch.fields.emplace_back("embedding", std::move(json));
      ch.fields.emplace_back("dim", std::to_string(dim));
      std::string name;
      json::append_string(name, options_.semantic.encoder->name());
      ch.fields.emplace_back("model", std::move(name));
      std::string f;
      json::append_string(f, from);
      ch.fields.emplace_back("embedding_from", std::move(f));
    }
  }

  Options options_;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
  Splitter splitter_;
  text::Segmenter sentences_;
  text::GraphemeCuts graphemes_;
  std::string_view doc_;
  std::size_t first_ = 0;
  std::vector<Span> spans_;
  std::vector<std::size_t> starts_;
};

// Model-free: Utiyama-Isahara's DP (cohesion) or C99 over term vectors.
class Cohesion final : public SemanticBase {
 public:
  Cohesion(const Options& o, const Unit& u) : SemanticBase(o, u), terms_(o.lang) {}
  void split(const Document& doc, std::vector<Chunk>& out) override {
    start(doc, out);
    find_sentences(spans_);
    const std::size_t n = spans_.size();
    vectors_.resize(n);
    terms_.bound_memory();
    for (std::size_t i = 0; i < n; ++i) terms_.terms(doc_.substr(spans_[i].b, spans_[i].e - spans_[i].b), vectors_[i]);
    starts_.assign(1, 0);
    C99Options co;
    co.c = options_.semantic.threshold;
    co.segments = options_.semantic.segments;
    if (co.segments > 0 && n > cohesion_whole)
      data_error(doc.source, doc.line,
                 "--segments: the document has " + std::to_string(n) + " sentences (at most " +
                     std::to_string(cohesion_whole) + " are segmented at once)");
    if (options_.semantic.breakpoints == "cohesion") {
      for (std::size_t b : u00_segment(vectors_, co.segments, cohesion_max_len)) starts_.push_back(b);
    } else if (co.segments > 0 || n <= cohesion_block) {
      for (std::size_t b : c99_.segment(vectors_, co)) starts_.push_back(b);
    } else {
      // Overlapping windows of cohesion_block sentences, half a window
      // apart; each keeps the boundaries in its middle half (the first from
      // the start, the last to the end).
      const std::size_t block = cohesion_block, stride = block / 2;
      std::size_t ws = 0, lo = 0;
      while (true) {
        std::size_t we = std::min(n, ws + block);
        bool last = we == n;
        std::size_t hi = last ? n : ws + 3 * block / 4;
        window_.assign(vectors_.begin() + static_cast<std::ptrdiff_t>(ws),
                       vectors_.begin() + static_cast<std::ptrdiff_t>(we));
        for (std::size_t b : c99_.segment(window_, co))
          if (ws + b >= lo && ws + b < hi && ws + b > 0) starts_.push_back(ws + b);
        if (last) break;
        lo = hi;
        ws = std::min(ws + stride, n - block);
      }
    }
    emit_groups(spans_, starts_);
  }

 private:
  TermCounter terms_;
  C99 c99_;
  std::vector<TermVector> vectors_, window_;
};

// A document split by a strategy that embeds, kept between its rounds of
// embedding: begin() finds the texts to embed, step() takes their vectors
// and may ask for more, finish() emits the chunks.
struct Job {
  Document doc;
  std::vector<Span> spans;          // sentences or pieces
  std::vector<std::size_t> starts;  // the groups' first items
  std::vector<std::string_view> texts;  // to embed next; empty: none
  int stage = 0;
  std::size_t item_row = 0;         // with item vectors: texts[item_row...] are the items
  bool item_vectors = false;        // this round embeds the items (--chunk-vectors, cluster)
  std::vector<float> items;         // the items' unit vectors, when kept
  std::vector<double> dist;         // breakpoints: distances of consecutive windows
  Measure* measure = nullptr;       // cluster: the document's own measure
};

// The strategies that embed: one document at a time (split), or the
// documents of a batch together (split_all), their texts embedded in
// encoder calls of --batch texts across documents. Either way each document
// goes through the same steps, and an encoder that gives a text the same
// vector in any batch (hash, model2vec, an endpoint) gives the same chunks.
class Embedding : public SemanticBase {
 public:
  bool embeds() const override { return options_.semantic.across; }

  void split(const Document& doc, std::vector<Chunk>& out) override {
    Job& j = one_;
    reset(j, doc);
    begin(j);
    while (!j.texts.empty()) {
      encode(j.texts, vecs_);
      step(j, vecs_.data());
    }
    finish(j, out);
  }

  // The documents are begun in order, their texts queued; whenever --batch
  // texts wait, they are embedded in one encoder call, and each document
  // whose texts are all embedded takes its step (queuing its next round's
  // texts, if any) or is finished. Only the texts of the documents still
  // waiting are held, so their vectors stay in cache. When an encoder call
  // fails (DataError), the documents are split again one by one, as split()
  // does, to find those at fault.
  void split_all(std::span<const Document> docs, std::vector<std::vector<Chunk>>& out,
                 std::vector<std::string>& errors) override {
    const std::size_t n = docs.size(), dim = options_.semantic.encoder->dim();
    const std::size_t batch = std::max<std::uint64_t>(1, options_.semantic.batch);
    out.resize(n);
    errors.assign(n, std::string());
    if (jobs_.size() < n) jobs_.resize(n);
    queue_.clear();
    all_.clear();
    vecs_.clear();
    std::size_t base = 0, done = 0;  // rows dropped from all_, rows embedded
    auto guarded = [&](std::size_t k, auto&& f) {
      try {
        f();
      } catch (const DataError& e) {
        errors[k] = e.what();
      }
    };
    auto enqueue = [&](std::size_t k) {
      if (!errors[k].empty()) return;
      if (jobs_[k].texts.empty()) return guarded(k, [&] { finish(jobs_[k], out[k]); });
      queue_.push_back({k, base + all_.size()});
      all_.insert(all_.end(), jobs_[k].texts.begin(), jobs_[k].texts.end());
    };
    // Embeds up to count waiting texts, then steps the documents ready.
    auto embed = [&](std::size_t count) {
      const std::size_t from = done - base;
      vecs_.resize((from + count) * dim);
      encode(std::span<const std::string_view>(all_).subspan(from, count), vecs_.data() + from * dim);
      done += count;
      while (!queue_.empty() && queue_.front().second + jobs_[queue_.front().first].texts.size() <= done) {
        auto [k, row] = queue_.front();
        queue_.pop_front();
        guarded(k, [&] { step(jobs_[k], &vecs_[(row - base) * dim]); });
        enqueue(k);
      }
      // Forget the rows no document waits for.
      const std::size_t keep = queue_.empty() ? base + all_.size() : queue_.front().second;
      if (keep - base >= batch || queue_.empty()) {
        all_.erase(all_.begin(), all_.begin() + static_cast<std::ptrdiff_t>(keep - base));
        const std::size_t drop = std::min(vecs_.size(), (keep - base) * dim);
        vecs_.erase(vecs_.begin(), vecs_.begin() + static_cast<std::ptrdiff_t>(drop));
        base = keep;
      }
    };
    try {
      for (std::size_t k = 0; k < n; ++k) {
        out[k].clear();
        guarded(k, [&] {
          reset(jobs_[k], docs[k]);
          begin(jobs_[k]);
        });
        enqueue(k);
        while (base + all_.size() - done >= batch) embed(batch);
      }
      while (base + all_.size() > done) embed(std::min(batch, base + all_.size() - done));
    } catch (const DataError&) {
      Chunker::split_all(docs, out, errors);
    }
  }

 protected:
  Embedding(const Options& o, const Unit& u, std::unique_ptr<Measure> measure = nullptr)
      : SemanticBase(o, u, std::move(measure)) {}
  // Finds the items and the texts of the first round.
  virtual void begin(Job& j) = 0;
  // Takes v, the unit vectors of j.texts (j.texts.size() x dim), and sets
  // j.texts to the next round's (or clears it).
  virtual void step(Job& j, const float* v) = 0;
  virtual void finish(Job& j, std::vector<Chunk>& out) = 0;

  // Keeps the items' vectors from v when this round embedded them.
  void keep_items(Job& j, const float* v) {
    if (!j.item_vectors) return;
    const std::size_t dim = options_.semantic.encoder->dim();
    j.items.assign(v + j.item_row * dim, v + (j.item_row + j.spans.size()) * dim);
    j.item_vectors = false;
  }

 private:
  static void reset(Job& j, const Document& doc) {
    j.doc = doc;
    j.spans.clear();
    j.starts.assign(1, 0);
    j.texts.clear();
    j.stage = 0;
    j.item_row = 0;
    j.item_vectors = false;
    j.items.clear();
    j.dist.clear();
  }

  Job one_;
  std::vector<Job> jobs_;
  // split_all(): the documents waiting for vectors, each with the row of its
  // first text (counted from the first document's), the texts waiting, and
  // their vectors.
  std::deque<std::pair<std::size_t, std::size_t>> queue_;
  std::vector<std::string_view> all_;
  std::vector<float> vecs_;
};

// With an encoder: Kamradt's breakpoints (percentile, stdev, iqr, gradient,
// target) or Chonkie's smoothed minima. Rounds: the sentence windows (with
// the sentences, for chonkie or --chunk-vectors), then for chonkie's
// skip-window merge the groups.
class Breakpoints final : public Embedding {
 public:
  Breakpoints(const Options& o, const Unit& u) : Embedding(o, u) {}

 private:
  void begin(Job& j) override {
    doc_ = j.doc.text;
    find_sentences(j.spans);
    const std::size_t n = j.spans.size();
    const SemanticOptions& so = options_.semantic;
    const std::size_t w = static_cast<std::size_t>(so.buffer);
    bool sentences = false;  // the round embeds the sentences on their own
    if (n >= 2) {
      if (so.breakpoints == "chonkie") {
        // Similarity of each window of w sentences with the sentence after it.
        if (n > w) {
          for (std::size_t i = 0; i + w < n; ++i) j.texts.push_back(trimmed(j.spans[i].b, j.spans[i + w - 1].e));
          j.item_row = j.texts.size();
          for (std::size_t i = 0; i < n; ++i) j.texts.push_back(trimmed(j.spans[i].b, j.spans[i].e));
          sentences = true;
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          std::size_t b = i >= w ? i - w : 0, e = std::min(n - 1, i + w);
          j.texts.push_back(trimmed(j.spans[b].b, j.spans[e].e));
        }
        sentences = w == 0;
      }
    }
    if (so.chunk_vectors && !sentences) {
      j.item_row = j.texts.size();
      for (const Span& sp : j.spans) j.texts.push_back(trimmed(sp.b, sp.e));
    }
    j.item_vectors = so.chunk_vectors;
    j.stage = 1;
  }

  void step(Job& j, const float* v) override {
    doc_ = j.doc.text;
    const SemanticOptions& so = options_.semantic;
    const std::size_t n = j.spans.size(), dim = so.encoder->dim();
    const std::size_t w = static_cast<std::size_t>(so.buffer);
    if (j.stage == 2) {
      skip_merge(j, v);
      j.texts.clear();
      return;
    }
    keep_items(j, v);
    j.texts.clear();
    if (n < 2) return;
    if (so.breakpoints == "chonkie") {
      if (n <= w) return;
      const std::size_t m = n - w;
      std::vector<double> sims(m);
      for (std::size_t i = 0; i < m; ++i) sims[i] = dot(&v[i * dim], &v[(m + i + w) * dim], dim);
      if (m >= savgol_window) {
        auto smooth = breakpoints::savgol(sims, savgol_window, savgol_order);
        for (std::size_t i : breakpoints::local_minima(smooth, so.threshold, 1)) j.starts.push_back(i + w);
      }
      const std::size_t g = j.starts.size();
      if (so.skip_window > 0 && g >= 2) {
        // The groups, embedded in the next round.
        for (std::size_t k = 0; k < g; ++k) {
          std::size_t b = j.spans[j.starts[k]].b, e = k + 1 < g ? j.spans[j.starts[k + 1]].b : doc_.size();
          j.texts.push_back(trimmed(b, e));
        }
        j.stage = 2;
      }
    } else {
      j.dist.resize(n - 1);
      for (std::size_t i = 0; i + 1 < n; ++i) j.dist[i] = 1 - dot(&v[i * dim], &v[(i + 1) * dim], dim);
    }
  }

  void finish(Job& j, std::vector<Chunk>& out) override {
    start(j.doc, out);
    const SemanticOptions& so = options_.semantic;
    if (!j.dist.empty()) {
      std::vector<std::size_t> cuts;
      if (so.segments > 0) {
        cuts = breakpoints::top_cuts(j.dist, so.segments - 1);
      } else if (so.breakpoints == "target") {
        // The mean group size is total / groups: the threshold that hits
        // the target keeps the round(total / target) - 1 largest distances.
        double total = static_cast<double>(measure_->size(0, doc_.size()));
        double groups = std::round(total / static_cast<double>(so.target));
        cuts = breakpoints::top_cuts(j.dist, groups > 1 ? static_cast<std::size_t>(groups) - 1 : 0);
      } else {
        breakpoints::Threshold t{};
        breakpoints::parse_threshold(so.breakpoints, t);
        cuts = breakpoints::threshold_cuts(j.dist, t, so.threshold);
      }
      for (std::size_t c : cuts) j.starts.push_back(c + 1);
    }
    emit_groups(j.spans, j.starts);
    if (so.chunk_vectors) attach_vectors(out, j.spans, j.items, "sentences");
  }

  // Chonkie's skip-window merge, over v (the groups' unit vectors): a group
  // joins the most similar of the next skip_window + 1 groups (similarity at
  // least the threshold) together with the groups between them.
  void skip_merge(Job& j, const float* v) {
    const SemanticOptions& so = options_.semantic;
    const std::size_t g = j.starts.size(), dim = so.encoder->dim();
    std::vector<std::size_t> merged;
    for (std::size_t i = 0; i < g;) {
      merged.push_back(j.starts[i]);
      if (i == g - 1) break;
      std::size_t last = std::min(i + so.skip_window + 1, g - 1), best = g;
      double best_sim = -2;
      for (std::size_t k = i + 1; k <= last; ++k) {
        double s = dot(&v[i * dim], &v[k * dim], dim);
        if (s >= so.threshold && s > best_sim) best_sim = s, best = k;
      }
      i = best == g ? i + 1 : best + 1;
    }
    j.starts = std::move(merged);
  }
};

// Chroma's ClusterSemanticChunker: pieces by the recursive levels, embedded
// (one round), grouped by the DP of chunk/cluster.hpp under --size.
// The measure of whichever document is at hand: Cluster measures a document
// when it cuts its pieces and again when it groups them, with other
// documents begun in between, so each document in flight has its own.
class SwitchMeasure final : public Measure {
 public:
  Measure* to = nullptr;
  void reset(std::string_view doc) override { to->reset(doc); }
  std::uint64_t size(std::size_t b, std::size_t e) override { return to->size(b, e); }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override { return to->fit(b, limit, n); }
  std::uint64_t exact(std::size_t b, std::size_t e) override { return to->exact(b, e); }
};

class Cluster final : public Embedding {
 public:
  Cluster(const Options& o, const Unit& u)
      : Embedding(o, u, std::make_unique<SwitchMeasure>()),
        unit_(u),
        switch_(static_cast<SwitchMeasure&>(*measure_)),
        piece_options_(piece_options(o)),
        piece_emitter_(piece_options_, *measure_),
        piece_splitter_(default_levels(), piece_options_, *measure_, piece_emitter_, 0) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    free_all();
    Embedding::split(doc, out);
  }
  void split_all(std::span<const Document> docs, std::vector<std::vector<Chunk>>& out,
                 std::vector<std::string>& errors) override {
    free_all();
    Embedding::split_all(docs, out, errors);
  }

 private:
  void begin(Job& j) override {
    doc_ = j.doc.text;
    if (free_.empty()) {
      pool_.push_back(unit_.make_measure());
      free_.push_back(pool_.back().get());
    }
    j.measure = free_.back();
    free_.pop_back();
    switch_.to = j.measure;
    measure_->reset(doc_);
    pieces_.clear();
    piece_emitter_.begin(doc_, pieces_);
    piece_splitter_.reset(doc_);
    if (!doc_.empty()) piece_splitter_.split(0, doc_.size());
    piece_emitter_.end();
    for (const Chunk& p : pieces_) {
      j.spans.push_back({p.begin, p.end});
      j.texts.push_back(doc_.substr(p.begin, p.end - p.begin));
    }
    j.item_vectors = true;
  }

  void step(Job& j, const float* v) override {
    keep_items(j, v);
    j.texts.clear();
  }

  void finish(Job& j, std::vector<Chunk>& out) override {
    switch_.to = j.measure;  // still on this document
    start(j.doc, out, true);
    const SemanticOptions& so = options_.semantic;
    const std::size_t n = j.spans.size(), dim = so.encoder->dim();
    const std::uint64_t max = options_.size;
    const std::size_t max_pieces = static_cast<std::size_t>(4 * max / piece_options_.size + 4);
    j.starts = cluster_groups(
        j.items.data(), n, dim,
        [&](std::size_t s, std::size_t i) { return measure_->size(j.spans[s].b, j.spans[i].e) <= max; },
        max_pieces);
    if (j.starts.empty()) j.starts.push_back(0);
    if (n == 0) j.spans.push_back({0, 0});
    emit_groups(j.spans, j.starts);
    if (so.chunk_vectors && n > 0) attach_vectors(out, j.spans, j.items, "pieces");
    free_.push_back(j.measure);
  }

  static Options piece_options(const Options& o) {
    Options p = o;
    p.size = std::min(o.size, o.semantic.piece_size);
    p.min_size = 0;
    p.overlap = 0;
    p.trim = true;
    return p;
  }
  const Unit& unit_;
  SwitchMeasure& switch_;
  Options piece_options_;
  Emitter piece_emitter_;
  Splitter piece_splitter_;
  // Every measure is free when a call begins (a document whose call failed
  // keeps none).
  void free_all() {
    free_.clear();
    for (auto& m : pool_) free_.push_back(m.get());
  }

  std::vector<Chunk> pieces_;
  std::vector<std::unique_ptr<Measure>> pool_;  // one per document in flight, at the most
  std::vector<Measure*> free_;
};

}  // namespace

void check_layout_options(Options& o) {
  SemanticOptions& so = o.semantic;
  if (!so.breakpoints.empty() || so.buffer >= 0 || so.skip_window || so.segments || so.target || so.piece_size ||
      so.chunk_vectors)
    throw UsageError("--breakpoints, --buffer, --skip-window, --segments, --target, --piece-size and "
                     "--chunk-vectors do not apply to the layout strategy");
  if (so.batch == 0) throw UsageError("--batch must be at least 1");
  if (so.threshold < 0) so.threshold = layout_threshold;
  if (so.spatial_weight < 0) so.spatial_weight = 0.5;
  if (so.spatial_weight > 1) throw UsageError("--spatial-weight is a share, at most 1");
}

void check_cluster_options(Options& o) {
  SemanticOptions& so = o.semantic;
  if (so.batch == 0) throw UsageError("--batch must be at least 1");
  if (!so.breakpoints.empty() || so.threshold >= 0 || so.buffer >= 0 || so.skip_window || so.segments || so.target)
    throw UsageError("--breakpoints, --threshold, --buffer, --skip-window, --segments and --target apply only "
                     "to the semantic strategy");
  if (so.piece_size == 0) {
    const std::string& u = o.unit.name;
    so.piece_size = u == "tokens" ? 50 : u == "words" ? 40 : 200;
  }
}

void check_semantic_options(Options& o) {
  SemanticOptions& so = o.semantic;
  if (so.batch == 0) throw UsageError("--batch must be at least 1");
  if (so.piece_size) throw UsageError("--piece-size applies only to the cluster strategy");
  if (so.breakpoints.empty()) so.breakpoints = so.encoder ? "percentile" : "cohesion";
  const std::string& m = so.breakpoints;
  breakpoints::Threshold t{};
  const bool kamradt = breakpoints::parse_threshold(m, t);
  if (m != "cohesion" && m != "c99" && m != "target" && m != "chonkie" && !kamradt)
    throw UsageError("unknown --breakpoints " + quoted(m) +
                     " (known: cohesion, c99, percentile, stdev, iqr, gradient, target, chonkie)");
  if (m == "cohesion" || m == "c99") {
    if (so.encoder)
      throw UsageError("--breakpoints " + m + " uses no model (leave out --model and --backend, or choose "
                       "percentile, stdev, iqr, gradient, target or chonkie)");
    if (so.buffer >= 0 || so.skip_window || so.target)
      throw UsageError("--buffer, --skip-window and --target do not apply to --breakpoints " + m);
    if (m == "cohesion" && so.threshold >= 0) throw UsageError("--threshold does not apply to --breakpoints cohesion");
    if (so.chunk_vectors) throw UsageError("--chunk-vectors needs an encoder (--model or --backend)");
    if (so.threshold < 0) so.threshold = 1.2;
    return;
  }
  if (!so.encoder) throw UsageError("--breakpoints " + m + " needs an encoder (--model or --backend)");
  if (m != "chonkie" && so.skip_window) throw UsageError("--skip-window applies only to --breakpoints chonkie");
  if (m != "target" && so.target) throw UsageError("--target applies only to --breakpoints target");
  if ((m == "chonkie" || m == "target") && so.segments)
    throw UsageError("--segments does not apply to --breakpoints " + m);
  if (m == "target") {
    if (so.threshold >= 0) throw UsageError("--threshold does not apply to --breakpoints target");
    if (so.target == 0) so.target = std::max<std::uint64_t>(1, o.size / 2);
  }
  if (m == "chonkie") {
    if (so.threshold < 0) so.threshold = chonkie_default;
    if (so.threshold > 1) throw UsageError("--threshold for chonkie is a similarity, at most 1");
    if (so.buffer < 0) so.buffer = 3;
    if (so.buffer == 0) throw UsageError("--buffer for chonkie (the window of sentences) must be at least 1");
  } else {
    if (so.buffer < 0) so.buffer = 1;
    if (kamradt && so.threshold < 0) so.threshold = breakpoints::default_amount(t);
    if ((t == breakpoints::Threshold::percentile || t == breakpoints::Threshold::gradient) && kamradt &&
        so.threshold > 100)
      throw UsageError("--threshold for " + m + " is a percentile, at most 100");
  }
}

std::unique_ptr<Chunker> make_semantic_chunker(const Options& o, const Unit& u) {
  if (o.semantic.breakpoints == "cohesion" || o.semantic.breakpoints == "c99") return std::make_unique<Cohesion>(o, u);
  return std::make_unique<Breakpoints>(o, u);
}

std::unique_ptr<Chunker> make_cluster_chunker(const Options& o, const Unit& u) {
  return std::make_unique<Cluster>(o, u);
}

}  // namespace hewn::chunk
