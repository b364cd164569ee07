#include "score/evaluate.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace hewn::score {

void rank_topic(const TopicJudgments& judged, const std::vector<Hit>& hits, const std::string& source,
                const EvalOptions& options, RankedRels& out) {
  std::vector<const Hit*> order(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) order[i] = &hits[i];
  std::sort(order.begin(), order.end(), [](const Hit* a, const Hit* b) {
    if (a->score != b->score) return a->score > b->score;
    return a->doc > b->doc;
  });
  std::size_t n = std::min<std::size_t>(order.size(), static_cast<std::size_t>(std::max(0L, options.max_per_topic)));
  order.resize(n);
  // Join with the judgments in document order (this also finds duplicates).
  std::vector<std::uint32_t> by_doc(n);
  for (std::size_t i = 0; i < n; ++i) by_doc[i] = static_cast<std::uint32_t>(i);
  std::sort(by_doc.begin(), by_doc.end(), [&](std::uint32_t a, std::uint32_t b) { return order[a]->doc < order[b]->doc; });
  std::vector<long> rel(n);
  long max_rel = 0;
  for (const auto& j : judged.docs) max_rel = std::max(max_rel, j.rel);
  out.rel_levels.assign(static_cast<std::size_t>(max_rel) + 1, 0);
  for (const auto& j : judged.docs)
    if (j.rel >= 0) ++out.rel_levels[j.rel];
  auto q = judged.docs.begin(), qend = judged.docs.end();
  for (std::size_t k = 0; k < n; ++k) {
    const Hit* h = order[by_doc[k]];
    if (k > 0 && order[by_doc[k - 1]]->doc == h->doc) {
      const Hit* o = order[by_doc[k - 1]];
      data_error(source, std::max(h->line, o->line),
                 "duplicate document " + quoted(h->doc) + " for topic " + quoted(judged.qid) + " (also at line " +
                     std::to_string(std::min(h->line, o->line)) + ")");
    }
    while (q != qend && q->doc < h->doc) ++q;
    long r = rel_nonpool;
    if (q != qend && q->doc == h->doc) r = q->rel < 0 ? rel_unjudged : q->rel;
    rel[by_doc[k]] = r;
  }
  out.rels.clear();
  out.num_rel_ret = out.num_nonpool = out.num_unjudged = 0;
  for (std::size_t i = 0; i < n; ++i) {
    long r = rel[i];
    if (options.judged_only && r < 0) continue;
    out.rels.push_back(r);
    if (r == rel_nonpool) ++out.num_nonpool;
    else if (r == rel_unjudged) ++out.num_unjudged;
    else if (r >= options.params.min_rel) ++out.num_rel_ret;
  }
  out.num_ret = static_cast<long>(out.rels.size());
  out.num_rel = 0;
  out.num_rel_levels = 0;
  for (long i = 0; i <= max_rel; ++i)
    if (out.rel_levels[i]) {
      out.num_rel_levels = i + 1;
      if (i >= options.params.min_rel) out.num_rel += out.rel_levels[i];
    }
}

Evaluation evaluate(const Qrels& qrels, const Run& run, const MeasureSet& measures, const EvalOptions& options) {
  Evaluation ev;
  ev.source = run.source;
  ev.runid = run.runid;
  std::size_t nv = measures.num_values();
  std::vector<double> sums(nv, 0.0);
  RankedRels rr;
  // trec_eval scores a topic missing from the run (with -c) as this one-document run.
  const std::vector<Hit> bogus{{1.0, "ceci_nest_pas_un_docno", 0}};
  for (const auto& t : qrels.topics()) {
    const TopicRun* tr = run.find(t.qid);
    if (!tr && !options.all_topics) continue;
    rank_topic(t, tr ? tr->hits : bogus, run.source, options, rr);
    TopicResult res;
    res.qid = t.qid;
    res.values.resize(nv);
    measures.compute(rr, options.params, res.values.data(), res.texts);
    if (!tr) {  // trec_eval's clean-up of the leftovers of the bogus document
      std::size_t vi = 0, ti = 0;
      for (const auto& m : measures.measures()) {
        for (const auto& name : m.names) {
          if (name == "num_ret" || name == "utility" || name == "rbp_resid" || name.starts_with("unj"))
            res.values[vi] = 0;
          ++vi;
        }
        if (m.text) {
          if (m.family_name() == "relstring") res.texts[ti].clear();
          ++ti;
        }
      }
    }
    for (std::size_t i = 0; i < nv; ++i) sums[i] += res.values[i];
    ev.topics.push_back(std::move(res));
  }
  if (ev.topics.empty()) data_error(run.source, 0, "no topic of the run is in the qrels");
  double n = static_cast<double>(ev.topics.size());
  ev.summary.resize(nv);
  std::size_t vi = 0;
  for (const auto& m : measures.measures())
    for (std::size_t k = 0; k < m.names.size(); ++k, ++vi) {
      switch (m.averaging) {
        case Averaging::mean: ev.summary[vi] = sums[vi] / n; break;
        case Averaging::sum: ev.summary[vi] = sums[vi]; break;
        case Averaging::geometric: ev.summary[vi] = std::exp(sums[vi] / n); break;
        case Averaging::count: ev.summary[vi] = n; break;
        case Averaging::none: ev.summary[vi] = 0; break;
      }
    }
  return ev;
}

}  // namespace hewn::score
