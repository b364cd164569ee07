#include "score/segmentation.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

namespace hewn::score {
namespace {

// Parses a JSON array of non-negative integers ("[1, 2]", depth 1) or of
// pairs of them ("[[0, 5], [5, 9]]", depth 2) from a field's raw text.
bool parse_offsets(std::string_view raw, int depth, std::vector<long>& out) {
  std::size_t i = 0;
  auto ws = [&] {
    while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r')) ++i;
  };
  auto number = [&](long& v) {
    ws();
    std::size_t b = i;
    v = 0;
    while (i < raw.size() && raw[i] >= '0' && raw[i] <= '9') {
      if (v > (1L << 53)) return false;
      v = v * 10 + (raw[i++] - '0');
    }
    return i > b && (i - b == 1 || raw[b] != '0');
  };
  auto expect = [&](char c) {
    ws();
    if (i < raw.size() && raw[i] == c) return ++i, true;
    return false;
  };
  if (!expect('[')) return false;
  if (expect(']')) return ws(), i == raw.size();
  do {
    long a = 0, b = 0;
    if (depth == 1) {
      if (!number(a)) return false;
      out.push_back(a);
    } else {
      if (!expect('[') || !number(a) || !expect(',') || !number(b) || !expect(']')) return false;
      out.push_back(a);
      out.push_back(b);
    }
  } while (expect(','));
  if (!expect(']')) return false;
  ws();
  return i == raw.size();
}

// Segments [[s, e], ...]: ascending, not overlapping, each s <= e.
void check_pairs(const json::Record& r, const char* key, const std::vector<long>& v) {
  for (std::size_t k = 0; k < v.size(); k += 2) {
    if (v[k] > v[k + 1])
      r.fail(std::string("field \"") + key + "\": start " + std::to_string(v[k]) + " is after its end " +
             std::to_string(v[k + 1]));
    if (k > 0 && v[k] < v[k - 1])
      r.fail(std::string("field \"") + key + "\": [" + std::to_string(v[k]) + ", " + std::to_string(v[k + 1]) +
             "] starts before the end of the one before it");
  }
}

constexpr const char* value_names[] = {"pk", "windowdiff", "boundary_similarity", "boundary_precision",
                                       "boundary_recall", "boundary_f1"};

}  // namespace

Gold Gold::read(const std::string& path) {
  Gold g;
  g.source = path;
  std::unordered_set<std::string> seen;
  io::LineReader reader(io::open_input(path));
  io::LineBatch batch;
  json::Parser parser;
  std::vector<long> v;
  while (reader.next_batch(batch, 1 << 20))
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
      const json::Record& r = parser.parse(batch.line(i), batch.source, batch.lines[i].number);
      GoldDocument d;
      d.line = r.line;
      auto id = r.id("id");
      if (!id) id = r.id("doc");
      if (!id) r.fail("missing field \"id\"");
      d.id = *id;
      if (!seen.insert(d.id).second) r.fail("document id " + quoted(d.id) + " repeated");
      if (const json::Field* f = r.find("segments")) {
        v.clear();
        if (!parse_offsets(f->raw, 2, v) || v.empty())
          r.fail("field \"segments\" is not a non-empty array of [start, end] pairs of non-negative integers");
        check_pairs(r, "segments", v);
        for (std::size_t k = 2; k < v.size(); k += 2)
          if (v[k] > 0) d.boundaries.push_back(v[k]);
        d.length = v.back();
      } else if (const json::Field* b = r.find("boundaries")) {
        v.clear();
        if (!parse_offsets(b->raw, 1, v)) r.fail("field \"boundaries\" is not an array of non-negative integers");
        d.length = static_cast<long>(r.require_whole("length"));
        for (std::size_t k = 0; k < v.size(); ++k) {
          if (v[k] <= 0 || v[k] >= d.length)
            r.fail("boundary " + std::to_string(v[k]) + " is not inside the document (length " +
                   std::to_string(d.length) + ")");
          if (k > 0 && v[k] <= v[k - 1]) r.fail("field \"boundaries\" is not ascending");
        }
        d.boundaries = v;
      } else {
        r.fail("missing field \"segments\" (or \"boundaries\" with \"length\")");
      }
      d.boundaries.erase(std::unique(d.boundaries.begin(), d.boundaries.end()), d.boundaries.end());
      if (const json::Field* s = r.find("sentences")) {
        v.clear();
        if (!parse_offsets(s->raw, 2, v))
          r.fail("field \"sentences\" is not an array of [start, end] pairs of non-negative integers");
        check_pairs(r, "sentences", v);
        for (std::size_t k = 0; k < v.size(); k += 2)
          if (d.sentences.empty() || v[k] > d.sentences.back()) d.sentences.push_back(v[k]);
        if (!d.sentences.empty()) d.sentences[0] = 0;
      }
      g.docs.push_back(std::move(d));
    }
  return g;
}

long default_k(const std::vector<char>& ref) {
  const long n = static_cast<long>(ref.size());
  long b = std::count(ref.begin(), ref.end(), 1);
  double x = static_cast<double>(n) / (2.0 * static_cast<double>(std::max(b, 1L)));
  long k = static_cast<long>(std::nearbyint(x));  // ties to even, as Python's round
  return std::clamp(k, 1L, std::max(n, 1L));
}

namespace {

// Boundaries in every window ref[i:i+k], by a running count.
template <class F>
double windows(const std::vector<char>& ref, const std::vector<char>& hyp, long k, F differ) {
  const long n = static_cast<long>(ref.size());
  if (n == 0) return 0;
  k = std::clamp(k, 1L, n);
  long r = 0, h = 0, err = 0;
  for (long i = 0; i < k; ++i) r += ref[i], h += hyp[i];
  for (long i = 0;; ++i) {
    err += differ(r, h);
    if (i + k >= n) break;
    r += ref[i + k] - ref[i];
    h += hyp[i + k] - hyp[i];
  }
  return static_cast<double>(err) / static_cast<double>(n - k + 1);
}

}  // namespace

double pk(const std::vector<char>& ref, const std::vector<char>& hyp, long k) {
  if (k <= 0) k = default_k(ref);
  return windows(ref, hyp, k, [](long r, long h) { return (r > 0) != (h > 0); });
}

double windowdiff(const std::vector<char>& ref, const std::vector<char>& hyp, long k) {
  return windows(ref, hyp, k, [](long r, long h) { return r != h; });
}

double boundary_similarity(const std::vector<char>& ref, const std::vector<char>& hyp) {
  // Potential boundary positions: between units, 0..N-2.
  const std::size_t n = ref.empty() ? 0 : ref.size() - 1;
  std::vector<char> used(n, 0);
  double matches = 0, near = 0, misses = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::size_t j = i + 1;
    if (ref[i] != hyp[i] && ref[j] != hyp[j] && ref[i] != ref[j] && !used[i] && !used[j]) {
      used[i] = used[j] = 1;
      ++near;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (ref[i] && hyp[i]) ++matches;
    else if (ref[i] != hyp[i] && !used[i]) ++misses;
  }
  double d = misses + near + matches;
  return d > 0 ? 1 - (misses + near / 2) / d : 1;
}

BoundaryPR boundary_pr(const std::vector<char>& ref, const std::vector<char>& hyp, long tolerance) {
  std::vector<long> g, h;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (ref[i]) g.push_back(static_cast<long>(i));
    if (hyp[i]) h.push_back(static_cast<long>(i));
  }
  std::vector<char> taken(h.size(), 0);
  long matched = 0;
  for (long b : g) {
    long best = -1;
    for (std::size_t k = 0; k < h.size(); ++k) {
      if (taken[k] || std::labs(h[k] - b) > tolerance) continue;
      if (best < 0 || std::labs(h[k] - b) < std::labs(h[static_cast<std::size_t>(best)] - b))
        best = static_cast<long>(k);
    }
    if (best >= 0) taken[static_cast<std::size_t>(best)] = 1, ++matched;
  }
  BoundaryPR pr;
  const bool none = g.empty() && h.empty();
  pr.precision = h.empty() ? (none ? 1 : 0) : static_cast<double>(matched) / static_cast<double>(h.size());
  pr.recall = g.empty() ? (none ? 1 : 0) : static_cast<double>(matched) / static_cast<double>(g.size());
  pr.f1 = pr.precision + pr.recall > 0 ? 2 * pr.precision * pr.recall / (pr.precision + pr.recall) : 0;
  return pr;
}

SpanEvaluation evaluate_boundaries(const Gold& gold, const Chunks& chunks, const Documents* docs,
                                   const BoundaryOptions& o) {
  SpanEvaluation ev;
  ev.source = chunks.source;
  ev.names.assign(std::begin(value_names), std::end(value_names));
  std::unique_ptr<text::Segmenter> sentences;
  std::vector<long> units, starts;
  std::vector<char> ref, hyp;
  for (const GoldDocument& d : gold.docs) {
    long length = d.length;
    const std::string* text = nullptr;
    if (docs) {
      auto it = docs->length.find(d.id);
      if (it == docs->length.end()) data_error(gold.source, d.line, "document " + quoted(d.id) + " is not in --docs");
      if (it->second < length)
        data_error(gold.source, d.line,
                   "segments end at " + std::to_string(length) + ", after the end of document " + quoted(d.id) +
                       " (" + std::to_string(it->second) + " code points)");
      length = it->second;
      auto t = docs->text.find(d.id);
      if (t != docs->text.end()) text = &t->second;
    }
    // The units: their starts in code points.
    units.clear();
    if (o.unit == BoundaryUnit::character) {
      for (long i = 0; i < length; ++i) units.push_back(i);
    } else if (!d.sentences.empty()) {
      units = d.sentences;
    } else if (text) {
      if (!sentences) sentences = std::make_unique<text::Segmenter>(text::Boundary::sentence, o.lang);
      sentences->set_text(*text);
      std::size_t prev = 0;
      long cp = 0;
      units.push_back(0);
      for (std::size_t b = sentences->next(); b != text::done && b < text->size(); b = sentences->next()) {
        cp += static_cast<long>(utf8::count(std::string_view(*text).substr(prev, b - prev)));
        prev = b;
        units.push_back(cp);
      }
    } else {
      throw UsageError("--boundary-unit sentence needs the gold's \"sentences\" or --docs (document " +
                       quoted(d.id) + " has neither)");
    }
    if (units.empty()) units.push_back(0);
    auto label = [&](const std::vector<long>& positions, std::vector<char>& out) {
      out.assign(units.size(), 0);
      for (long p : positions) {
        std::size_t j = static_cast<std::size_t>(std::lower_bound(units.begin(), units.end(), p) - units.begin());
        if (j == units.size() || (j > 0 && p - units[j - 1] <= units[j] - p)) --j;  // nearest start, ties earlier
        if (j > 0) out[j - 1] = 1;
      }
    };
    label(d.boundaries, ref);
    starts.clear();
    if (auto it = chunks.by_doc.find(d.id); it != chunks.by_doc.end()) {
      for (std::size_t c : it->second) starts.push_back(chunks.records[c].start);
      std::sort(starts.begin(), starts.end());
      if (!starts.empty()) starts.erase(starts.begin());
    }
    label(starts, hyp);
    SpanQuery q;
    q.qid = d.id;
    long k = default_k(ref);
    BoundaryPR pr = boundary_pr(ref, hyp, o.tolerance);
    q.values = {pk(ref, hyp, k), windowdiff(ref, hyp, k), boundary_similarity(ref, hyp), pr.precision, pr.recall,
                pr.f1};
    ev.queries.push_back(std::move(q));
  }
  const std::size_t nv = ev.names.size(), nq = ev.queries.size();
  ev.mean.assign(nv, 0);
  ev.std.assign(nv, 0);
  for (std::size_t v = 0; v < nv && nq > 0; ++v) {
    double s = 0;
    for (const auto& q : ev.queries) s += q.values[v];
    ev.mean[v] = s / static_cast<double>(nq);
    double var = 0;
    for (const auto& q : ev.queries) var += (q.values[v] - ev.mean[v]) * (q.values[v] - ev.mean[v]);
    ev.std[v] = std::sqrt(var / static_cast<double>(nq));
  }
  return ev;
}

void write_boundaries(const std::vector<SpanEvaluation>& evs, bool per_doc, Format format, std::string& out,
                      const std::vector<Comparison>& cmps) {
  write_spans(evs, per_doc, format, out, cmps,
              SpanUnit{.key = "doc", .count = "docs", .paired = "paired_docs", .count_column = true, .std_columns = false});
}

}  // namespace hewn::score
