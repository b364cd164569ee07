#include "score/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "core/error.hpp"

namespace hewn::score {

namespace {

// Open-addressing hash table from document id to its judgment and the hit
// that retrieved it, reused across topics.
class DocTable {
 public:
  struct Entry {
    std::string_view doc;
    long rel = rel_nonpool;
    const Hit* hit = nullptr;
  };
  void reset(std::size_t n) {
    std::size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    slots_.assign(cap, 0);
    entries_.clear();
    entries_.reserve(n);
    mask_ = cap - 1;
  }
  Entry& find_or_add(std::string_view doc) {
    std::size_t i = std::hash<std::string_view>{}(doc) & mask_;
    while (slots_[i]) {
      Entry& e = entries_[slots_[i] - 1];
      if (e.doc == doc) return e;
      i = (i + 1) & mask_;
    }
    entries_.push_back({doc});
    slots_[i] = static_cast<std::uint32_t>(entries_.size());
    return entries_.back();
  }

 private:
  std::vector<std::uint32_t> slots_;
  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
};

}  // namespace

void rank_topic(const TopicJudgments& judged, const std::vector<Hit>& hits, const std::string& source,
                const EvalOptions& options, RankedRels& out) {
  // Sort (score, index) pairs: ties (rare) compare document ids.
  thread_local std::vector<std::pair<double, std::uint32_t>> keys;
  thread_local std::vector<const Hit*> order;
  keys.resize(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) keys[i] = {hits[i].score, static_cast<std::uint32_t>(i)};
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return hits[a.second].doc > hits[b.second].doc;
  });
  std::size_t n = std::min<std::size_t>(keys.size(), static_cast<std::size_t>(std::max(0L, options.max_per_topic)));
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = &hits[keys[i].second];
  // Join with the judgments through a hash table of document ids (this also
  // finds duplicates).
  long max_rel = 0;
  for (const auto& j : judged.docs) max_rel = std::max(max_rel, j.rel);
  out.rel_levels.assign(static_cast<std::size_t>(max_rel) + 1, 0);
  for (const auto& j : judged.docs)
    if (j.rel >= 0) ++out.rel_levels[j.rel];
  thread_local DocTable table;
  table.reset(judged.docs.size() + n);
  for (const auto& j : judged.docs) table.find_or_add(j.doc).rel = j.rel < 0 ? rel_unjudged : j.rel;
  thread_local std::vector<long> rel;
  rel.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const Hit* h = order[k];
    DocTable::Entry& e = table.find_or_add(h->doc);
    if (e.hit) {
      data_error(source, std::max(h->line, e.hit->line),
                 "duplicate document " + quoted(h->doc) + " for topic " + quoted(judged.qid) + " (also at line " +
                     std::to_string(std::min(h->line, e.hit->line)) + ")");
    }
    e.hit = h;
    rel[k] = e.rel;
  }
  out.rels.clear();
  out.num_rel_ret = out.num_nonpool = out.num_unjudged = out.num_in_qrels = 0;
  for (std::size_t i = 0; i < n; ++i) {
    long r = rel[i];
    out.num_in_qrels += r != rel_nonpool;
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

namespace {

// trec_eval scores a topic missing from the run (with -c) as this one-document run.
const std::vector<Hit> bogus{{1.0, "ceci_nest_pas_un_docno", 0}};

TopicResult evaluate_topic(const TopicJudgments& t, const std::vector<Hit>* hits, const std::string& source,
                           const MeasureSet& measures, const EvalOptions& options, RankedRels& rr,
                           Evaluation& ev) {
  rank_topic(t, hits ? *hits : bogus, source, options, rr);
  if (hits) {
    ev.retrieved += hits->size();
    ev.retrieved_in_qrels += static_cast<std::uint64_t>(rr.num_in_qrels);
  }
  TopicResult res;
  res.qid = t.qid;
  res.values.resize(measures.num_values());
  measures.compute(rr, options.params, res.values.data(), res.texts);
  if (!hits) {  // trec_eval's clean-up of the leftovers of the bogus document
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
  return res;
}

// Sums (in topic order, as trec_eval does) and averages.
void summarize(Evaluation& ev, const MeasureSet& measures, const Qrels& qrels, const EvalOptions& options) {
  if (ev.topics.empty()) data_error(ev.source, 0, "no topic of the run is in the qrels");
  std::size_t nv = measures.num_values();
  std::vector<double> sums(nv, 0.0);
  for (const auto& t : ev.topics)
    for (std::size_t i = 0; i < nv; ++i) sums[i] += t.values[i];
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
      // trec_eval 10's te_calc_avg_num_rel: under -c the summary of num_rel
      // counts the qrels lines with relevance > 0 over every topic, ignoring
      // -l (and -J, -M).
      if (options.all_topics && m.family_name() == "num_rel") ev.summary[vi] = static_cast<double>(qrels.num_positive());
    }
}

}  // namespace

Evaluation evaluate(const Qrels& qrels, const Run& run, const MeasureSet& measures, const EvalOptions& options) {
  Evaluation ev;
  ev.source = run.source;
  ev.runid = run.runid;
  RankedRels rr;
  for (const auto& t : qrels.topics()) {
    const TopicRun* tr = run.find(t.qid);
    if (!tr && !options.all_topics) continue;
    ev.topics.push_back(evaluate_topic(t, tr ? &tr->hits : nullptr, run.source, measures, options, rr, ev));
  }
  summarize(ev, measures, qrels, options);
  return ev;
}

Evaluation evaluate(const Qrels& qrels, const std::string& path, const RunOptions& run_options,
                    const MeasureSet& measures, const EvalOptions& options) {
  if (path == "-") return evaluate(qrels, Run::read(path, run_options), measures, options);
  std::unordered_map<std::string, TopicResult> done;
  RankedRels rr;
  Evaluation ev;
  std::function<void(const TopicRun&)> sink = [&](const TopicRun& t) {
    if (const TopicJudgments* j = qrels.find(t.qid))
      done.emplace(t.qid, evaluate_topic(*j, &t.hits, path, measures, options, rr, ev));
  };
  Run run;
  try {
    run = Run::read(path, run_options, &sink);
  } catch (const TopicsNotGrouped&) {
    return evaluate(qrels, Run::read(path, run_options), measures, options);
  }
  ev.source = run.source;
  ev.runid = run.runid;
  for (const auto& t : qrels.topics()) {
    auto it = done.find(t.qid);
    if (it != done.end()) ev.topics.push_back(std::move(it->second));
    else if (options.all_topics) ev.topics.push_back(evaluate_topic(t, nullptr, path, measures, options, rr, ev));
  }
  summarize(ev, measures, qrels, options);
  return ev;
}

Evaluation project(const Evaluation& ev, const MeasureSet& from, const MeasureSet& to) {
  // For each value of `to`, its index in `from` (same family, same names).
  std::vector<std::size_t> index, text_index;
  for (const auto& m : to.measures()) {
    std::size_t vi = 0, ti = 0;
    bool found = false;
    for (const auto& f : from.measures()) {
      if (f.family == m.family && f.names == m.names) {
        for (std::size_t k = 0; k < m.names.size(); ++k) index.push_back(vi + k);
        if (m.text) text_index.push_back(ti);
        found = true;
        break;
      }
      vi += f.names.size();
      ti += f.text;
    }
    if (!found) throw UsageError("internal: measure " + quoted(m.names.front()) + " was not computed");
  }
  auto pick = [&](const std::vector<double>& v) {
    std::vector<double> out(index.size());
    for (std::size_t i = 0; i < index.size(); ++i) out[i] = v[index[i]];
    return out;
  };
  Evaluation out;
  out.source = ev.source;
  out.runid = ev.runid;
  out.retrieved = ev.retrieved;
  out.retrieved_in_qrels = ev.retrieved_in_qrels;
  out.summary = pick(ev.summary);
  for (const auto& t : ev.topics) {
    std::vector<std::string> texts;
    for (std::size_t i : text_index) texts.push_back(i < t.texts.size() ? t.texts[i] : std::string());
    out.topics.push_back({t.qid, pick(t.values), std::move(texts)});
  }
  return out;
}

}  // namespace hewn::score
