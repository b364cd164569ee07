#include "query/fine.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "index/analyzer.hpp"
#include "index/bm25.hpp"
#include "text/segment.hpp"

namespace hewn::query {

namespace {

// A whole number in [lo, hi], or nothing.
bool whole(std::string_view s, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

}  // namespace

FineOptions parse_fine(std::string_view spec) {
  FineOptions o;
  if (spec == "sentence") {
    o.unit = FineUnit::sentence;
    return o;
  }
  const std::string usage = "--fine " + quoted(spec) + ": expected sentence, window:N[,STRIDE] or chars:N";
  if (spec.substr(0, 6) == "chars:") {
    if (!whole(spec.substr(6), 1, 100000000, o.window))
      throw UsageError(usage + " (N: code points a window holds at most, 1 to 100000000)");
    o.unit = FineUnit::chars;
    return o;
  }
  if (spec.substr(0, 7) != "window:") throw UsageError(usage);
  std::string_view rest = spec.substr(7);
  std::size_t comma = rest.find(',');
  if (!whole(rest.substr(0, comma), 1, 100000, o.window))
    throw UsageError(usage + " (N: sentences a window holds, 1 to 100000)");
  o.stride = 1;
  if (comma != std::string_view::npos && !whole(rest.substr(comma + 1), 1, o.window, o.stride))
    throw UsageError(usage + " (STRIDE: sentences from one window's start to the next's, 1 to N)");
  o.unit = FineUnit::window;
  return o;
}

struct FineRanker::Impl {
  Impl(const index::Index& ix, const FineOptions& o)
      : ix(ix),
        o(o),
        seg(text::Boundary::sentence, o.locale),
        analyzer(ix.manifest().analyzer) {}

  const index::Index& ix;
  const FineOptions& o;
  text::Segmenter seg;
  index::Analyzer analyzer;
  // The text's sentences (trimmed byte ranges), their lengths in terms and
  // the query terms' frequencies in each (sentence-major).
  std::vector<std::pair<std::size_t, std::size_t>> sent;
  std::vector<std::uint64_t> at, to;  // the sentences' code point offsets
  std::vector<std::uint32_t> sent_len, sent_tf;
  std::vector<std::string> terms;
  // Units: [first sentence, past the last), lengths, scores.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> unit;
  std::vector<std::uint32_t> unit_len;
  std::vector<double> lex, den, score;
  std::vector<std::string> texts;
  std::vector<std::string_view> views;
  std::vector<float> vecs;
  std::vector<std::size_t> order, chosen;

  void sentences(std::string_view t) {
    sent.clear();
    if (t.empty()) return;
    seg.set_text(t);
    std::size_t b = seg.first();
    for (std::size_t e = seg.next(); e != text::done; b = e, e = seg.next()) {
      std::size_t tb = b, te = e;
      text::trim(t, tb, te);
      if (tb < te) sent.emplace_back(tb, te);
    }
    // each sentence's start and end in code points
    at.resize(sent.size());
    to.resize(sent.size());
    std::uint64_t c = 0;
    std::size_t last = 0;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      c += cps(t, last, sent[i].first);
      at[i] = c;
      c += cps(t, sent[i].first, sent[i].second);
      to[i] = c;
      last = sent[i].second;
    }
  }

  // The span of sentences [a, b), widened by o.grow code points on both
  // sides out to the sentences that reaches (within the text).
  FineSpan span_of(std::uint32_t a, std::uint32_t b, double s) const {
    if (o.grow) {
      const std::uint64_t lo = at[a] > o.grow ? at[a] - o.grow : 0, hi = to[b - 1] + o.grow;
      while (a > 0 && to[a - 1] > lo) --a;
      while (b < sent.size() && at[b] < hi) ++b;
    }
    FineSpan sp;
    sp.byte_start = sent[a].first;
    sp.byte_end = sent[b - 1].second;
    sp.start = at[a];
    sp.end = to[b - 1];
    sp.score = s;
    return sp;
  }

  void units() {
    unit.clear();
    const auto n = static_cast<std::uint32_t>(sent.size());
    if (o.unit == FineUnit::chars) {
      for (std::uint32_t i = 0, e = 0; i < n; ++i) {
        e = std::max(e, i + 1);
        while (e < n && to[e] - at[i] <= o.window) ++e;
        unit.emplace_back(i, e);
        if (e == n) break;  // this window reaches the last sentence
      }
      return;
    }
    if (o.unit == FineUnit::sentence) {
      for (std::uint32_t i = 0; i < n; ++i) unit.emplace_back(i, i + 1);
      return;
    }
    for (std::uint32_t s = 0; s < n; s += o.stride) {
      unit.emplace_back(s, std::min(n, s + o.window));
      if (s + o.window >= n) break;  // this window reaches the last sentence
    }
  }

  void bm25(std::string_view t, const std::vector<QueryTerm>& q) {
    const std::size_t nq = q.size();
    sent_len.assign(sent.size(), 0);
    sent_tf.assign(sent.size() * nq, 0);
    for (std::size_t i = 0; i < sent.size(); ++i) {
      terms.clear();
      analyzer.analyze(t.substr(sent[i].first, sent[i].second - sent[i].first), terms);
      sent_len[i] = static_cast<std::uint32_t>(terms.size());
      for (const std::string& w : terms)
        for (std::size_t j = 0; j < nq; ++j)
          if (ix.term(q[j].term) == w) ++sent_tf[i * nq + j];
    }
    unit_len.assign(unit.size(), 0);
    std::vector<std::uint32_t> tf(unit.size() * nq, 0);
    for (std::size_t u = 0; u < unit.size(); ++u)
      for (std::uint32_t s = unit[u].first; s < unit[u].second; ++s) {
        unit_len[u] += sent_len[s];
        for (std::size_t j = 0; j < nq; ++j) tf[u * nq + j] += sent_tf[s * nq + j];
      }
    const index::Bm25Params& p = ix.manifest().bm25;
    std::vector<float> norm = index::document_norms(p, unit_len, ix.manifest().avgdl);
    lex.assign(unit.size(), 0);
    for (std::size_t u = 0; u < unit.size(); ++u)
      for (std::size_t j = 0; j < nq; ++j)  // as TopK sums a chunk's score: query-term order, float products
        if (std::uint32_t f = tf[u * nq + j])
          lex[u] += static_cast<double>(q[j].weight * index::tf_part(p, f, norm[u]));
  }

  void dense(std::string_view t, const float* qvec, const TextEncoder& enc, const std::string& prefix) {
    texts.resize(unit.size());
    views.clear();
    for (std::size_t u = 0; u < unit.size(); ++u) {
      std::size_t b = sent[unit[u].first].first, e = sent[unit[u].second - 1].second;
      texts[u].assign(prefix);
      texts[u].append(t.substr(b, e - b));
      views.push_back(texts[u]);
    }
    const std::size_t d = enc.dim();
    vecs.resize(unit.size() * d);
    enc.encode(views, vecs.data());
    const bool l2 = ix.manifest().dense.metric == "l2";
    den.assign(unit.size(), 0);
    for (std::size_t u = 0; u < unit.size(); ++u) {
      const float* v = vecs.data() + u * d;
      double s = 0;
      for (std::size_t i = 0; i < d; ++i) {
        if (l2) {
          double x = double(v[i]) - double(qvec[i]);
          s -= x * x;
        } else {
          s += double(v[i]) * double(qvec[i]);
        }
      }
      den[u] = s;
    }
  }

  // Units ranked by s: score descending, then position.
  void rank_by(const std::vector<double>& s) {
    order.resize(unit.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s[a] > s[b]; });
  }

  void fuse() {
    score.assign(unit.size(), 0);
    for (const std::vector<double>* s : {&lex, &den}) {
      rank_by(*s);
      for (std::size_t r = 0; r < order.size(); ++r) score[order[r]] += 1.0 / (o.rrf_k + double(r + 1));
    }
  }

  std::uint64_t cps(std::string_view t, std::size_t b, std::size_t e) const {
    return utf8::count(t.substr(b, e - b));
  }

  // Code points of the chosen units (sentence ranges), as one span per
  // group of touching or overlapping units (merge), else summed.
  std::uint64_t size_of(std::string_view t, std::vector<std::pair<std::uint32_t, std::uint32_t>> r) const {
    std::sort(r.begin(), r.end());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < r.size();) {
      std::uint32_t a = r[i].first, b = r[i].second;
      std::size_t j = i + 1;
      if (o.merge)
        for (; j < r.size() && r[j].first <= b; ++j) b = std::max(b, r[j].second);
      total += cps(t, sent[a].first, sent[b - 1].second);
      i = j;
    }
    return total;
  }

  void choose(std::string_view t) {
    rank_by(score);
    chosen.clear();
    std::vector<std::pair<std::uint32_t, std::uint32_t>> taken;
    for (std::size_t u : order) {
      if (chosen.size() == o.spans) break;
      if (!chosen.empty() && o.score == FineScore::bm25 && score[u] <= 0) break;
      bool overlaps = false;
      for (auto [a, b] : taken) overlaps = overlaps || (unit[u].first < b && a < unit[u].second);
      if (overlaps && !o.merge) continue;
      if (o.size) {
        taken.push_back(unit[u]);
        bool fits = size_of(t, taken) <= o.size;
        taken.pop_back();
        if (!fits) continue;
      }
      taken.push_back(unit[u]);
      chosen.push_back(u);
    }
  }
};

FineRanker::FineRanker(const index::Index& ix, const FineOptions& o) : impl_(std::make_unique<Impl>(ix, o)) {}
FineRanker::~FineRanker() = default;

void FineRanker::rank(std::string_view t, const std::vector<QueryTerm>& q, const float* qvec,
                      const TextEncoder* encoder, const std::string& prefix, std::vector<FineSpan>& out) {
  Impl& m = *impl_;
  out.clear();
  m.sentences(t);
  m.units();
  if (m.unit.empty()) return;
  if (m.o.score != FineScore::dense) m.bm25(t, q);
  if (m.o.score != FineScore::bm25) m.dense(t, qvec, *encoder, prefix);
  if (m.o.score == FineScore::bm25) m.score = m.lex;
  else if (m.o.score == FineScore::dense) m.score = m.den;
  else m.fuse();
  m.choose(t);
  // Spans: the chosen units, or with merge their groups of touching or
  // overlapping units (scored by their best unit).
  std::vector<std::size_t> c = m.chosen;
  std::sort(c.begin(), c.end(), [&](std::size_t a, std::size_t b) { return m.unit[a] < m.unit[b]; });
  for (std::size_t i = 0; i < c.size();) {
    std::uint32_t a = m.unit[c[i]].first, b = m.unit[c[i]].second;
    double s = m.score[c[i]];
    std::size_t j = i + 1;
    if (m.o.merge)
      for (; j < c.size() && m.unit[c[j]].first <= b; ++j) {
        b = std::max(b, m.unit[c[j]].second);
        s = std::max(s, m.score[c[j]]);
      }
    FineSpan sp = m.span_of(a, b, s);
    // grown spans that now overlap become one (out is in text order)
    if (m.o.grow && !out.empty() && sp.start < out.back().end) {
      out.back().byte_end = std::max(out.back().byte_end, sp.byte_end);
      out.back().end = std::max(out.back().end, sp.end);
      out.back().score = std::max(out.back().score, sp.score);
    } else {
      out.push_back(sp);
    }
    i = j;
  }
  std::stable_sort(out.begin(), out.end(), [](const FineSpan& a, const FineSpan& b) { return a.score > b.score; });
}

bool FineRanker::best(std::string_view t, const std::vector<QueryTerm>& q, FineSpan& top, double& runner_up) {
  Impl& m = *impl_;
  m.sentences(t);
  m.units();
  if (m.unit.empty()) return false;
  m.bm25(t, q);
  m.rank_by(m.lex);
  const std::size_t u = m.order.front();
  top = m.span_of(m.unit[u].first, m.unit[u].second, m.lex[u]);
  runner_up = 0;
  for (std::size_t v : m.order)
    if (m.unit[v].second <= m.unit[u].first || m.unit[u].second <= m.unit[v].first) {
      runner_up = m.lex[v];
      break;
    }
  return true;
}

}  // namespace hewn::query
