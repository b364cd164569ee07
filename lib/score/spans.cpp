#include "score/spans.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"

namespace hewn::score {

namespace field = records::field;

namespace {

using Intervals = std::vector<std::pair<long, long>>;

// Sorts and merges into disjoint, non-empty intervals.
void merge(Intervals& v) {
  std::sort(v.begin(), v.end());
  Intervals out;
  for (auto [b, e] : v) {
    if (b >= e) continue;
    if (!out.empty() && b <= out.back().second) out.back().second = std::max(out.back().second, e);
    else out.emplace_back(b, e);
  }
  v.swap(out);
}

long length(const Intervals& v) {
  long n = 0;
  for (auto [b, e] : v) n += e - b;
  return n;
}

// Length of the intersection of two merged lists.
long overlap(const Intervals& a, const Intervals& b) {
  long n = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    long lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo < hi) n += hi - lo;
    if (a[i].second < b[j].second) ++i;
    else ++j;
  }
  return n;
}

double ratio(long a, long b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

}  // namespace

SpanRefs SpanRefs::read(const std::string& path, const Documents* docs) {
  SpanRefs refs;
  records::for_each_record(path, [&](const json::Record& r) {
    auto qid = r.id(field::qid);
    if (!qid) r.fail("missing field \"qid\"");
    auto doc = r.id(field::doc);
    if (!doc) r.fail("missing field \"doc\"");
    long s = offset_field(r, field::start), e = offset_field(r, field::end);
    if (s > e) r.fail("span start " + std::to_string(s) + " is after its end " + std::to_string(e));
    if (docs) {
      auto it = docs->length.find(*doc);
      if (it == docs->length.end()) r.fail("document " + quoted(*doc) + " is unknown");
      if (e > it->second)
        r.fail("span end " + std::to_string(e) + " is beyond the end of document " + quoted(*doc) + " (" +
               std::to_string(it->second) + " code points)");
    }
    auto [it, fresh] = refs.by_qid.try_emplace(*qid);
    if (fresh) refs.qids.push_back(*qid);
    it->second.push_back({*doc, s, e});
  });
  std::sort(refs.qids.begin(), refs.qids.end());
  return refs;
}

SpanMeasures SpanMeasures::parse(const std::vector<std::string>& specs, std::vector<long> ks) {
  for (long k : ks)
    if (k <= 0) throw UsageError("--at must be positive");
  if (ks.empty()) ks.push_back(10);
  static const std::pair<const char*, Kind> cut[] = {
      {"span_recall", Kind::recall}, {"span_precision", Kind::precision}, {"span_iou", Kind::iou}};
  static const std::pair<const char*, Kind> whole[] = {{"precision_omega", Kind::omega},
                                                       {"precision_omega_sum", Kind::omega_sum}};
  std::vector<Value> wanted;
  auto add = [&](std::string_view spec) {
    std::size_t at = spec.find('@');
    std::string_view name = spec.substr(0, at);
    for (auto [n, kind] : cut) {
      if (name != n) continue;
      if (at == std::string_view::npos) {
        for (long k : ks) wanted.push_back({kind, k});
        return;
      }
      std::string_view digits = spec.substr(at + 1);
      long k = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
      if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || k <= 0)
        throw UsageError("span measure " + quoted(spec) + ": the cutoff must be a positive integer");
      wanted.push_back({kind, k});
      return;
    }
    for (auto [n, kind] : whole)
      if (spec == n) {
        wanted.push_back({kind, 0});
        return;
      }
    throw UsageError("unknown span measure " + quoted(spec) +
                     " (known: span_recall, span_precision, span_iou, each also as NAME@k, precision_omega, "
                     "precision_omega_sum)");
  };
  if (specs.empty()) {
    for (auto n : {"span_recall", "span_precision", "span_iou", "precision_omega"}) add(n);
  } else {
    for (const auto& spec : specs) add(spec);
  }
  // Omegas last; cutoffs ascending; recall, precision, IoU at each.
  auto key = [](const Value& v) { return std::pair{v.kind >= Kind::omega ? LONG_MAX : v.k, static_cast<int>(v.kind)}; };
  std::sort(wanted.begin(), wanted.end(), [&](const Value& a, const Value& b) { return key(a) < key(b); });
  SpanMeasures m;
  for (const auto& v : wanted) {
    if (!m.values.empty() && key(m.values.back()) == key(v)) continue;
    m.values.push_back(v);
    switch (v.kind) {
      case Kind::recall: m.names.push_back("span_recall@" + std::to_string(v.k)); break;
      case Kind::precision: m.names.push_back("span_precision@" + std::to_string(v.k)); break;
      case Kind::iou: m.names.push_back("span_iou@" + std::to_string(v.k)); break;
      case Kind::omega: m.names.push_back("precision_omega"); break;
      case Kind::omega_sum: m.names.push_back("precision_omega_sum"); break;
    }
  }
  return m;
}

namespace {

// One ranked hit: its text as merged intervals of one document.
struct RankedHit {
  std::string_view doc;
  Intervals spans;
  long length = 0;
};

// The hits of one query, best first (see evaluate_spans).
std::vector<RankedHit> rank_hits(const TopicRun& t, const Run& run, const Chunks& chunks, const std::string& qid) {
  std::vector<std::size_t> order(t.hits.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto& hits = t.hits;
  std::size_t ranked = 0;
  for (const auto& s : t.spans) ranked += s.has_rank;
  if (run.json && ranked == hits.size() && !hits.empty()) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return t.spans[a].rank < t.spans[b].rank; });
  } else if (run.json) {
    if (ranked) {
      for (std::size_t i = 0; i < hits.size(); ++i)
        if (!t.spans[i].has_rank)
          data_error(run.source, hits[i].line,
                     "hit has no \"rank\" while other hits of query " + quoted(qid) + " have one");
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return hits[a].score > hits[b].score; });
  } else {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (hits[a].score != hits[b].score) return hits[a].score > hits[b].score;
      return hits[a].doc > hits[b].doc;
    });
  }
  {
    std::vector<const Hit*> by_id;
    for (const auto& h : hits) by_id.push_back(&h);
    std::sort(by_id.begin(), by_id.end(), [](const Hit* a, const Hit* b) { return a->doc < b->doc; });
    for (std::size_t i = 1; i < by_id.size(); ++i)
      if (by_id[i]->doc == by_id[i - 1]->doc)
        data_error(run.source, std::max(by_id[i]->line, by_id[i - 1]->line),
                   "duplicate chunk " + quoted(by_id[i]->doc) + " for query " + quoted(qid) + " (also at line " +
                       std::to_string(std::min(by_id[i]->line, by_id[i - 1]->line)) + ")");
  }
  std::vector<RankedHit> out;
  for (std::size_t i : order) {
    const Hit& h = hits[i];
    const HitSpan* hs = t.spans.empty() ? nullptr : &t.spans[i];
    RankedHit r;
    if (hs && hs->start >= 0) {
      r.doc = hs->doc;
      r.spans.emplace_back(hs->start, hs->end);
    } else {
      auto it = chunks.by_id.find(std::string(h.doc));
      if (it == chunks.by_id.end())
        data_error(run.source, h.line, "chunk " + quoted(h.doc) + " is not in the chunk records");
      const ChunkRecord& c = chunks.records[it->second];
      if (hs && !hs->context.empty() && hs->doc != c.doc)
        data_error(run.source, h.line,
                   "hit's \"doc\" " + quoted(hs->doc) + " is not its chunk's document " + quoted(c.doc));
      r.doc = c.doc;
      r.spans.emplace_back(c.start, c.end);
    }
    if (hs)
      for (auto sp : hs->context) r.spans.push_back(sp);
    merge(r.spans);
    r.length = length(r.spans);
    out.push_back(std::move(r));
  }
  return out;
}

// Chroma's precision-omega (chunking_evaluation, base_evaluation.py):
// H = union of the chunks that overlap or touch a reference span of their
// document; |H intersect Ref| / |H union Ref|, summed over documents.
// Returns {numerator, denominator}.
std::pair<long, long> omega_chroma(const std::vector<SpanRef>& spans, const std::map<std::string_view, Intervals>& ref,
                                   const Chunks& chunks) {
  long num = 0, den = 0;
  for (const auto& [doc, iv] : ref) {
    Intervals h;
    if (auto c = chunks.by_doc.find(std::string(doc)); c != chunks.by_doc.end())
      for (std::size_t idx : c->second) {
        const ChunkRecord& ch = chunks.records[idx];
        for (const auto& s : spans)
          if (s.doc == doc && std::max(ch.start, s.start) <= std::min(ch.end, s.end)) {
            h.emplace_back(ch.start, ch.end);
            break;
          }
      }
    merge(h);
    long in = overlap(h, iv);
    num += in;
    den += length(h) + length(iv) - in;
  }
  return {num, den};
}

// hewn's former precision-omega: the chunks that overlap a reference span
// (touching is not enough), lengths summed as span_precision sums them.
std::pair<long, long> omega_sum(const std::map<std::string_view, Intervals>& ref, const Chunks& chunks) {
  long num = 0, den = 0;
  for (const auto& [doc, iv] : ref) {
    auto c = chunks.by_doc.find(std::string(doc));
    if (c == chunks.by_doc.end()) continue;
    Intervals best;
    for (std::size_t idx : c->second) {
      const ChunkRecord& ch = chunks.records[idx];
      bool hit = false;
      for (auto [b, e] : iv) hit = hit || (ch.start < e && b < ch.end);
      if (!hit) continue;
      den += ch.end - ch.start;
      best.emplace_back(ch.start, ch.end);
    }
    merge(best);
    num += overlap(best, iv);
  }
  return {num, den};
}

}  // namespace

SpanEvaluation evaluate_spans(const SpanRefs& refs, const Run& run, const Chunks& chunks, const SpanMeasures& measures) {
  using Kind = SpanMeasures::Kind;
  SpanEvaluation ev;
  ev.source = run.source;
  ev.names = measures.names;
  for (const auto& qid : refs.qids) {
    const auto& spans = refs.by_qid.at(qid);
    std::map<std::string_view, Intervals> ref;  // per document, merged
    for (const auto& s : spans) ref[s.doc].emplace_back(s.start, s.end);
    long ref_total = 0;
    for (auto& [doc, iv] : ref) {
      merge(iv);
      ref_total += length(iv);
    }
    std::vector<RankedHit> ranked;
    if (const TopicRun* t = run.find(qid)) ranked = rank_hits(*t, run, chunks, qid);
    SpanQuery q;
    q.qid = qid;
    long done_k = -1, inter = 0, ret_total = 0;
    for (const auto& v : measures.values) {
      if (v.kind == Kind::omega || v.kind == Kind::omega_sum) {
        auto [num, den] = v.kind == Kind::omega ? omega_chroma(spans, ref, chunks) : omega_sum(ref, chunks);
        q.values.push_back(ratio(num, den));
        continue;
      }
      if (v.k != done_k) {  // values come grouped by cutoff
        done_k = v.k;
        std::map<std::string_view, Intervals> got;
        ret_total = 0;
        for (std::size_t i = 0; i < ranked.size() && static_cast<long>(i) < v.k; ++i) {
          auto& g = got[ranked[i].doc];
          g.insert(g.end(), ranked[i].spans.begin(), ranked[i].spans.end());
          ret_total += ranked[i].length;
        }
        inter = 0;
        for (auto& [doc, iv] : got) {
          auto r = ref.find(doc);
          if (r == ref.end()) continue;
          merge(iv);
          inter += overlap(iv, r->second);
        }
      }
      switch (v.kind) {
        case Kind::recall: q.values.push_back(ratio(inter, ref_total)); break;
        case Kind::precision: q.values.push_back(ratio(inter, ret_total)); break;
        default: q.values.push_back(ratio(inter, ret_total + ref_total - inter)); break;
      }
    }
    ev.queries.push_back(std::move(q));
  }
  std::size_t nv = ev.names.size();
  ev.mean.assign(nv, 0.0);
  ev.std.assign(nv, 0.0);
  double n = static_cast<double>(ev.queries.size());
  if (n > 0) {
    for (const auto& q : ev.queries)
      for (std::size_t v = 0; v < nv; ++v) ev.mean[v] += q.values[v] / n;
    for (const auto& q : ev.queries)
      for (std::size_t v = 0; v < nv; ++v) ev.std[v] += (q.values[v] - ev.mean[v]) * (q.values[v] - ev.mean[v]) / n;
    for (auto& s : ev.std) s = std::sqrt(s);
  }
  return ev;
}

}  // namespace hewn::score
