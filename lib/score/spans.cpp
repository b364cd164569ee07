#include "score/spans.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"

namespace hewn::score {

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
  io::LineReader reader(io::open_input(path));
  io::LineBatch batch;
  json::Parser parser;
  while (reader.next_batch(batch, 1 << 20))
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
      const json::Record& r = parser.parse(batch.line(i), batch.source, batch.lines[i].number);
      auto qid = r.id("qid");
      if (!qid) r.fail("missing field \"qid\"");
      auto doc = r.id("doc");
      if (!doc) r.fail("missing field \"doc\"");
      long s = offset_field(r, "start"), e = offset_field(r, "end");
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
    }
  std::sort(refs.qids.begin(), refs.qids.end());
  return refs;
}

SpanEvaluation evaluate_spans(const SpanRefs& refs, const Run& run, const Chunks& chunks, const std::vector<long>& ks) {
  SpanEvaluation ev;
  ev.source = run.source;
  ev.ks = ks;
  for (long k : ks)
    for (auto m : {"span_recall", "span_precision", "span_iou"}) ev.names.push_back(std::string(m) + "@" + std::to_string(k));
  ev.names.push_back("precision_omega");
  for (const auto& qid : refs.qids) {
    const auto& spans = refs.by_qid.at(qid);
    std::map<std::string_view, Intervals> ref;  // per document, merged
    for (const auto& s : spans) ref[s.doc].emplace_back(s.start, s.end);
    long ref_total = 0;
    for (auto& [doc, iv] : ref) {
      merge(iv);
      ref_total += length(iv);
    }
    // Ranked chunks of the query.
    std::vector<const Hit*> hits;
    if (const TopicRun* t = run.find(qid))
      for (const auto& h : t->hits) hits.push_back(&h);
    std::sort(hits.begin(), hits.end(), [](const Hit* a, const Hit* b) {
      if (a->score != b->score) return a->score > b->score;
      return a->doc > b->doc;
    });
    std::vector<const ChunkRecord*> ranked;
    for (const Hit* h : hits) {
      auto it = chunks.by_id.find(std::string(h->doc));
      if (it == chunks.by_id.end())
        data_error(run.source, h->line, "chunk " + quoted(h->doc) + " is not in the chunk records");
      ranked.push_back(&chunks.records[it->second]);
    }
    {
      std::vector<const Hit*> by_id = hits;
      std::sort(by_id.begin(), by_id.end(), [](const Hit* a, const Hit* b) { return a->doc < b->doc; });
      for (std::size_t i = 1; i < by_id.size(); ++i)
        if (by_id[i]->doc == by_id[i - 1]->doc)
          data_error(run.source, std::max(by_id[i]->line, by_id[i - 1]->line),
                     "duplicate chunk " + quoted(by_id[i]->doc) + " for query " + quoted(qid) + " (also at line " +
                         std::to_string(std::min(by_id[i]->line, by_id[i - 1]->line)) + ")");
    }
    SpanQuery q;
    q.qid = qid;
    for (long k : ks) {
      std::map<std::string_view, Intervals> got;
      long ret_total = 0;
      for (std::size_t i = 0; i < ranked.size() && static_cast<long>(i) < k; ++i) {
        got[ranked[i]->doc].emplace_back(ranked[i]->start, ranked[i]->end);
        ret_total += ranked[i]->end - ranked[i]->start;
      }
      long inter = 0;
      for (auto& [doc, iv] : got) {
        auto r = ref.find(doc);
        if (r == ref.end()) continue;
        merge(iv);
        inter += overlap(iv, r->second);
      }
      q.values.push_back(ratio(inter, ref_total));
      q.values.push_back(ratio(inter, ret_total));
      q.values.push_back(ratio(inter, ret_total + ref_total - inter));
    }
    // precision-omega: every chunk of the reference documents that overlaps a reference span.
    long omega_total = 0, omega_inter = 0;
    for (const auto& [doc, iv] : ref) {
      auto c = chunks.by_doc.find(std::string(doc));
      if (c == chunks.by_doc.end()) continue;
      Intervals best;
      for (std::size_t idx : c->second) {
        const ChunkRecord& ch = chunks.records[idx];
        bool hit = false;
        for (auto [b, e] : iv) hit = hit || (ch.start < e && b < ch.end);
        if (!hit) continue;
        omega_total += ch.end - ch.start;
        best.emplace_back(ch.start, ch.end);
      }
      merge(best);
      omega_inter += overlap(best, iv);
    }
    q.precision_omega = ratio(omega_inter, omega_total);
    q.values.push_back(q.precision_omega);
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
