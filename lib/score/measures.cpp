#include "score/measures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"

namespace hewn::score {

namespace {

constexpr double min_geo_mean = 0.00001;  // trec_eval's MIN_GEO_MEAN
constexpr double infap_epsilon = 0.00001;

enum class Shape { scalar, cut_long, cut_double, param_double, param_pair, text };

using ComputeFn = void (*)(const Measure&, const RankedRels&, const EvalParams&, double*, std::string*);

}  // namespace

struct Family {
  const char* name;
  Shape shape;
  const char* defaults;  // trec_eval's default parameters, as a parameter string ("" for none)
  ComputeFn compute;
  Averaging averaging;
  bool integer;
  bool per_query;
  bool summary;
};

namespace {

// ---- measures (each mirrors trec_eval 10's m_<name>.c) ----

bool is_rel(long rel, const EvalParams& ep) { return rel >= ep.min_rel; }

void c_runid(const Measure&, const RankedRels&, const EvalParams&, double*, std::string*) {}
void c_num_q(const Measure&, const RankedRels&, const EvalParams&, double* v, std::string*) { v[0] = 1; }
void c_num_ret(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) { v[0] = rr.num_ret; }
void c_num_rel(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) { v[0] = rr.num_rel; }
void c_num_rel_ret(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  v[0] = rr.num_rel_ret;
}

void c_map(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  double sum = 0;
  long rel_so_far = 0;
  for (long i = 0; i < rr.num_ret; ++i)
    if (is_rel(rr.rels[i], ep)) sum += static_cast<double>(++rel_so_far) / static_cast<double>(i + 1);
  if (rr.num_rel) v[0] = sum / static_cast<double>(rr.num_rel);
}

void c_gm_map(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string* t) {
  c_map(m, rr, ep, v, t);
  v[0] = std::log(std::max(v[0], min_geo_mean));
}

void c_Rprec(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long rel_so_far = 0;
  for (long i = 0; i < rr.num_ret && i < rr.num_rel; ++i) rel_so_far += is_rel(rr.rels[i], ep);
  if (rr.num_rel) v[0] = static_cast<double>(rel_so_far) / static_cast<double>(rr.num_rel);
}

void c_bpref(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long num_nonrel = 0;
  for (long j = 0; j < ep.min_rel && j < static_cast<long>(rr.rel_levels.size()); ++j) num_nonrel += rr.rel_levels[j];
  long nonrel_so_far = 0;
  double bpref = 0;
  for (long j = 0; j < rr.num_ret; ++j) {
    long r = rr.rels[j];
    if (r == rel_nonpool || r == rel_unjudged) continue;
    if (r >= 0 && r < ep.min_rel) {
      ++nonrel_so_far;
    } else if (nonrel_so_far > 0) {
      bpref += 1.0 - static_cast<double>(std::min(nonrel_so_far, rr.num_rel)) /
                         static_cast<double>(std::min(num_nonrel, rr.num_rel));
    } else {
      bpref += 1.0;
    }
  }
  if (rr.num_rel) bpref /= static_cast<double>(rr.num_rel);
  v[0] = bpref;
}

void c_gm_bpref(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string* t) {
  c_bpref(m, rr, ep, v, t);
  v[0] = std::log(std::max(v[0], min_geo_mean));
}

void c_recip_rank(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  for (long i = 0; i < rr.num_ret; ++i)
    if (is_rel(rr.rels[i], ep)) {
      v[0] = 1.0 / static_cast<double>(i + 1);
      return;
    }
}

// Not in trec_eval: the reciprocal rank of the first relevant document
// within the top k (0 when there is none there), ir_measures' RR@k (MRR@10
// of MS MARCO).
void c_recip_rank_cut(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long first = 0;  // 1-based rank of the first relevant document; 0: none
  for (long i = 0; i < rr.num_ret && !first; ++i)
    if (is_rel(rr.rels[i], ep)) first = i + 1;
  for (std::size_t ci = 0; ci < m.long_cutoffs.size(); ++ci)
    v[ci] = first && first <= m.long_cutoffs[ci] ? 1.0 / static_cast<double>(first) : 0.0;
}

// Interpolated precision at recall levels, shared by iprec_at_recall and 11pt_avg.
template <class Store>
void interpolated(const std::vector<double>& percents, const RankedRels& rr, const EvalParams& ep, Store store) {
  long n = static_cast<long>(percents.size());
  std::vector<long> cut(n);
  for (long i = 0; i < n; ++i) cut[i] = std::lround(percents[i] * static_cast<double>(rr.num_rel));
  long cc = n - 1;
  while (cc >= 0 && cut[cc] > rr.num_rel_ret) --cc;
  double precis = static_cast<double>(rr.num_rel_ret) / static_cast<double>(rr.num_ret);
  double int_precis = precis;
  long rel_so_far = rr.num_rel_ret;
  for (long i = rr.num_ret; i > 0 && rel_so_far > 0; --i) {
    precis = static_cast<double>(rel_so_far) / static_cast<double>(i);
    if (int_precis < precis) int_precis = precis;
    if (is_rel(rr.rels[i - 1], ep)) {
      while (cc >= 0 && rel_so_far == cut[cc]) store(cc--, int_precis);
      --rel_so_far;
    }
  }
  while (cc >= 0) store(cc--, int_precis);
}

void c_iprec_at_recall(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  interpolated(m.double_params, rr, ep, [&](long i, double x) { v[i] = x; });
}

void c_11pt_avg(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  double sum = 0;
  interpolated(m.double_params, rr, ep, [&](long, double x) { sum += x; });
  v[0] = sum / static_cast<double>(m.double_params.size());
}

// Walks the ranking and calls at(index, i, rel_so_far) at each cutoff: the
// cutoff's rank i when reached, the cutoff itself when not.
template <class At>
void at_cutoffs(const Measure& m, const RankedRels& rr, const EvalParams& ep, At at) {
  std::size_t ci = 0, nc = m.long_cutoffs.size();
  long rel_so_far = 0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == m.long_cutoffs[ci]) {
      at(ci, i, rel_so_far);
      if (++ci == nc) return;
    }
    rel_so_far += is_rel(rr.rels[i], ep);
  }
  for (; ci < nc; ++ci) at(ci, m.long_cutoffs[ci], rel_so_far);
}

void c_P(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  std::size_t ci = 0, nc = m.long_cutoffs.size();
  long rel_so_far = 0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == m.long_cutoffs[ci]) {
      v[ci] = static_cast<double>(rel_so_far) / static_cast<double>(i);
      if (++ci == nc) return;
    }
    rel_so_far += is_rel(rr.rels[i], ep);
  }
  for (; ci < nc; ++ci) v[ci] = static_cast<double>(rel_so_far) / static_cast<double>(m.long_cutoffs[ci]);
}

void c_recall(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  if (!rr.num_rel) return;
  at_cutoffs(m, rr, ep, [&](std::size_t ci, long, long rel_so_far) {
    v[ci] = static_cast<double>(rel_so_far) / static_cast<double>(rr.num_rel);
  });
}

void c_relative_P(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  if (!rr.num_rel) return;
  at_cutoffs(m, rr, ep, [&](std::size_t ci, long i, long rel_so_far) {
    v[ci] = static_cast<double>(rel_so_far) / static_cast<double>(i > rr.num_rel ? rr.num_rel : i);
  });
}

void c_success(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  at_cutoffs(m, rr, ep, [&](std::size_t ci, long, long rel_so_far) { v[ci] = rel_so_far ? 1.0 : 0.0; });
}

void c_map_cut(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  std::size_t ci = 0, nc = m.long_cutoffs.size();
  long rel_so_far = 0;
  double sum = 0;
  long i = 0;
  for (; i < rr.num_ret; ++i) {
    if (i == m.long_cutoffs[ci]) {
      if (rr.num_rel) v[ci] = sum / static_cast<double>(rr.num_rel);
      if (++ci == nc) return;
    }
    if (is_rel(rr.rels[i], ep)) sum += static_cast<double>(++rel_so_far) / static_cast<double>(i + 1);
  }
  for (; ci < nc; ++ci)
    if (rr.num_rel) v[ci] = sum / static_cast<double>(rr.num_rel);
}

void c_unj(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  std::size_t ci = 0, nc = m.long_cutoffs.size();
  long unj = 0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == m.long_cutoffs[ci]) {
      v[ci] = static_cast<double>(unj) / static_cast<double>(i);
      if (++ci == nc) return;
    }
    unj += rr.rels[i] == rel_nonpool || rr.rels[i] == rel_unjudged;
  }
  for (; ci < nc; ++ci) v[ci] = static_cast<double>(unj) / static_cast<double>(m.long_cutoffs[ci]);
}

void c_relstring(const Measure& m, const RankedRels& rr, const EvalParams&, double*, std::string* t) {
  long len = std::min(static_cast<long>(m.double_params[0]), rr.num_ret);
  t->clear();
  for (long i = 0; i < len; ++i) {
    long rel = rr.rels[i];
    t->push_back(rel > 9 ? '>' : rel >= 0 ? static_cast<char>('0' + rel) : rel == rel_nonpool ? '-'
                                                                    : rel == rel_unjudged ? '.' : '<');
  }
}

void c_infAP(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long nonrel_so_far = 0, rel_so_far = 0, unjudged_so_far = 0;
  double inf_ap = 0;
  for (long j = 0; j < rr.num_ret; ++j) {
    long r = rr.rels[j];
    if (r == rel_nonpool) continue;
    if (r == rel_unjudged) {
      ++unjudged_so_far;
      continue;
    }
    if (r >= 0 && r < ep.min_rel) {
      ++nonrel_so_far;
    } else {
      ++rel_so_far;
      if (j == 0) {
        inf_ap += 1.0;
      } else {
        double fj = static_cast<double>(j);
        inf_ap += 1.0 / (fj + 1.0) + (fj / (fj + 1.0)) *
                                         (static_cast<double>(rel_so_far - 1 + nonrel_so_far + unjudged_so_far) / fj) *
                                         ((static_cast<double>(rel_so_far - 1) + infap_epsilon) /
                                          (static_cast<double>(rel_so_far - 1 + nonrel_so_far) + 2 * infap_epsilon));
      }
    }
  }
  if (rr.num_rel) inf_ap /= static_cast<double>(rr.num_rel);
  v[0] = inf_ap;
}

void c_Rprec_mult(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long n = static_cast<long>(m.double_params.size());
  std::vector<long> cut(n);
  for (long i = 0; i < n; ++i) cut[i] = static_cast<long>(m.double_params[i] * static_cast<double>(rr.num_rel) + 0.9);
  long cc = n - 1;
  while (cc >= 0 && cut[cc] > rr.num_ret) {
    v[cc] = static_cast<double>(rr.num_rel_ret) / static_cast<double>(cut[cc]);
    --cc;
  }
  long rel_so_far = rr.num_rel_ret;
  for (long i = rr.num_ret; i > 0 && rel_so_far > 0; --i) {
    double precis = static_cast<double>(rel_so_far) / static_cast<double>(i);
    while (cc >= 0 && i == cut[cc]) v[cc--] = precis;
    if (is_rel(rr.rels[i - 1], ep)) --rel_so_far;
  }
}

void c_utility(const Measure& m, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  const auto& p = m.double_params;
  v[0] = p[0] * static_cast<double>(rr.num_rel_ret) + p[1] * static_cast<double>(rr.num_ret - rr.num_rel_ret) +
         p[2] * static_cast<double>(rr.num_rel - rr.num_rel_ret) +
         p[3] * static_cast<double>(ep.num_docs_in_coll + rr.num_rel_ret - rr.num_ret - rr.num_rel);
}

// Gains per relevance level: the level itself unless given as a parameter
// "level=gain" (trec_eval's setup_gains), sorted by increasing gain.
struct Gain {
  long level;
  long count;
  double gain;
};

bool valid_int(const std::string& s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::vector<Gain> setup_gains(const Measure& m, const RankedRels& rr) {
  std::vector<Gain> g;
  for (const auto& [name, value] : m.pairs)
    if (valid_int(name)) g.push_back({std::strtol(name.c_str(), nullptr, 10), 0, value});
  std::size_t given = g.size();
  for (long i = 0; i < rr.num_rel_levels; ++i) {
    std::size_t j = 0;
    while (j < given && g[j].level != i) ++j;
    if (j < given) g[j].count = rr.rel_levels[i];
    else g.push_back({i, rr.rel_levels[i], static_cast<double>(i)});
  }
  // trec_eval compares gains as (int)(a - b) with qsort (a merge sort in glibc).
  std::stable_sort(g.begin(), g.end(), [](const Gain& a, const Gain& b) { return static_cast<int>(a.gain - b.gain) < 0; });
  return g;
}

double get_gain(long level, const std::vector<Gain>& g) {
  for (const auto& x : g)
    if (x.level == level) return x.gain;
  return 0.0;
}

// Steps through the ideal ranking: the gain at the next rank.
struct Ideal {
  const std::vector<Gain>& g;
  long cur;
  long num_at_level = 0;
  double gain;
  explicit Ideal(const std::vector<Gain>& gains)
      : g(gains), cur(static_cast<long>(gains.size()) - 1), gain(cur >= 0 ? gains[cur].gain : 0.0) {}
  void next() {
    ++num_at_level;
    while (cur >= 0 && num_at_level > g[cur].count) {
      num_at_level = 1;
      --cur;
      gain = cur >= 0 ? g[cur].gain : 0.0;
    }
  }
};

void c_ndcg(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  auto g = setup_gains(m, rr);
  Ideal id(g);
  double dcg = 0, idcg = 0;
  long i = 0;
  for (; i < rr.num_ret && id.gain > 0.0; ++i) {
    double rg = get_gain(rr.rels[i], g);
    if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
    id.next();
    if (id.gain > 0.0) idcg += id.gain / std::log2(static_cast<double>(i + 2));
  }
  for (; i < rr.num_ret; ++i) {
    double rg = get_gain(rr.rels[i], g);
    if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
  }
  for (; id.gain > 0.0; ++i) {
    id.next();
    if (id.gain > 0.0) idcg += id.gain / std::log2(static_cast<double>(i + 2));
  }
  if (idcg > 0.0) v[0] = dcg / idcg;
}

void c_ndcg_rel(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  auto g = setup_gains(m, rr);
  Ideal id(g);
  double dcg = 0, idcg = 0, sum = 0;
  long num_rel_ret = 0, num_rel = 0, i = 0;
  for (; i < rr.num_ret && id.gain > 0.0; ++i) {
    double rg = get_gain(rr.rels[i], g);
    if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
    id.next();
    if (id.gain > 0.0) {
      ++num_rel;
      idcg += id.gain / std::log2(static_cast<double>(i + 2));
    }
    if (rg > 0) {
      sum += dcg / idcg;
      ++num_rel_ret;
    }
  }
  for (; i < rr.num_ret; ++i) {
    double rg = get_gain(rr.rels[i], g);
    if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
    if (rg > 0) {
      sum += dcg / idcg;
      ++num_rel_ret;
    }
  }
  for (; id.gain > 0.0; ++i) {
    id.next();
    if (id.gain > 0.0) {
      ++num_rel;
      idcg += id.gain / std::log2(static_cast<double>(i + 2));
    }
  }
  sum += static_cast<double>(num_rel - num_rel_ret) * dcg / idcg;
  if (sum > 0.0) v[0] = sum / static_cast<double>(num_rel);
}

void c_Rndcg(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  auto g = setup_gains(m, rr);
  if (rr.num_rel == 0) return;
  Ideal id(g);
  double dcg = 0, idcg = 0, sum = 0, old = id.gain;
  long changed = 0, i = 0;
  for (; i < rr.num_ret && id.gain > 0.0; ++i) {
    double rg = get_gain(rr.rels[i], g);
    id.next();
    if (old != id.gain) {
      if (idcg > 0.0) {
        sum += dcg / idcg;
        ++changed;
      }
      old = id.gain;
    }
    if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
    if (id.gain > 0.0) idcg += id.gain / std::log2(static_cast<double>(i + 2));
  }
  if (i < rr.num_ret) {
    for (; i < rr.num_ret; ++i) {
      double rg = get_gain(rr.rels[i], g);
      if (rg != 0) dcg += rg / std::log2(static_cast<double>(i + 2));
    }
    if (idcg > 0.0) {
      sum += dcg / idcg;
      ++changed;
    }
  }
  for (; id.gain > 0.0; ++i) {
    id.next();
    if (old != id.gain) {
      if (idcg > 0.0) {
        sum += dcg / idcg;
        ++changed;
      }
      old = id.gain;
    }
    if (id.gain > 0.0) idcg += id.gain / std::log2(static_cast<double>(i + 2));
  }
  v[0] = sum / static_cast<double>(changed);
}

void c_G(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  auto g = setup_gains(m, rr);
  Ideal id(g);
  double results_g = 0, sum_results = 0, sum_ideal = 0, sum_cost = 0;
  const double min_cost = 1.0;
  long i = 0;
  for (; i < rr.num_ret && id.gain > 0.0; ++i) {
    double rg = get_gain(rr.rels[i], g);
    sum_results += rg;
    id.next();
    if (id.gain > 0.0) sum_ideal += id.gain;
    sum_cost += id.gain >= min_cost ? id.gain : min_cost;
    if (rg != 0) results_g += rg / std::log2(2 + sum_cost - sum_results);
  }
  for (; i < rr.num_ret; ++i) {
    double rg = get_gain(rr.rels[i], g);
    sum_results += rg;
    sum_cost += min_cost;
    if (rg != 0) results_g += rg / std::log2(2 + sum_cost - sum_results);
  }
  while (id.gain > 0.0) {
    id.next();
    if (id.gain > 0.0) sum_ideal += id.gain;
  }
  if (sum_ideal > 0.0) v[0] = results_g / sum_ideal;
}

void c_binG(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long rel_so_far = 0;
  double sum = 0;
  for (long i = 0; i < rr.num_ret; ++i)
    if (is_rel(rr.rels[i], ep)) {
      ++rel_so_far;
      sum += 1.0 / std::log2(static_cast<double>(3 + i - rel_so_far));
    }
  if (rel_so_far) v[0] = sum / static_cast<double>(rr.num_rel);
}

void c_ndcg_cut(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  const auto& cut = m.long_cutoffs;
  std::size_t ci = 0, nc = cut.size();
  double sum = 0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (i == cut[ci]) {
      v[ci] = sum;
      if (++ci == nc) break;
    }
    double gain = static_cast<double>(rr.rels[i]);
    if (gain > 0) sum += gain / std::log2(static_cast<double>(i + 2));
  }
  for (; ci < nc; ++ci) v[ci] = sum;
  ci = 0;
  long cur = rr.num_rel_levels - 1, count = 0;
  double idcg = 0;
  for (long i = 0;; ++i) {
    ++count;
    while (cur > 0 && count > rr.rel_levels[cur]) {
      --cur;
      count = 1;
    }
    if (cur <= 0) break;
    if (i == cut[ci]) {
      if (idcg > 0.0) v[ci] /= idcg;
      if (++ci == nc) break;
    }
    idcg += static_cast<double>(cur) / std::log2(static_cast<double>(i + 2));
  }
  for (; ci < nc; ++ci)
    if (idcg > 0.0) v[ci] /= idcg;
}

void c_set_P(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  if (rr.num_ret) v[0] = static_cast<double>(rr.num_rel_ret) / static_cast<double>(rr.num_ret);
}
void c_set_relative_P(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  if (rr.num_ret && rr.num_rel)
    v[0] = static_cast<double>(rr.num_rel_ret) / static_cast<double>(std::min(rr.num_ret, rr.num_rel));
}
void c_set_recall(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  if (rr.num_rel) v[0] = static_cast<double>(rr.num_rel_ret) / static_cast<double>(rr.num_rel);
}
void c_set_map(const Measure&, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  if (rr.num_ret && rr.num_rel)
    v[0] = (static_cast<double>(rr.num_rel_ret) * static_cast<double>(rr.num_rel_ret)) /
           (static_cast<double>(rr.num_ret) * static_cast<double>(rr.num_rel));
}
void c_set_F(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  if (!rr.num_rel_ret) return;
  double P = static_cast<double>(rr.num_rel_ret) / static_cast<double>(rr.num_ret);
  double R = static_cast<double>(rr.num_rel_ret) / static_cast<double>(rr.num_rel);
  double x = m.double_params[0];
  v[0] = (x + 1.0) * P * R / (x * P + R);
}
void c_num_nonrel_judged_ret(const Measure&, const RankedRels& rr, const EvalParams& ep, double* v, std::string*) {
  long n = 0;
  for (long i = 0; i < rr.num_ret; ++i) n += rr.rels[i] >= 0 && rr.rels[i] < ep.min_rel;
  v[0] = static_cast<double>(n);
}

double rbp_p(const Measure& m) {
  double p = 0.9;
  for (const auto& [name, value] : m.pairs)
    if (name == "p") p = value;
  return p;
}

void c_rbp(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  double p = rbp_p(m);
  auto g = setup_gains(m, rr);
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (i == 0 || g[i].gain < lo) lo = g[i].gain;
    if (i == 0 || g[i].gain > hi) hi = g[i].gain;
  }
  if (lo < 0 || hi > 1)
    for (auto& x : g) x.gain = (x.gain - lo) / (hi - lo);
  double sum = 0, cur = 1.0;
  for (long i = 0; i < rr.num_ret; ++i) {
    double gain = get_gain(rr.rels[i], g);
    if (gain != 0) sum += gain * cur;
    cur *= p;
  }
  v[0] = (1.0 - p) * sum;
}

void c_rbp_resid(const Measure& m, const RankedRels& rr, const EvalParams&, double* v, std::string*) {
  double p = rbp_p(m);
  long unj = 0;
  double sum = 0, cur = 1.0;
  for (long i = 0; i < rr.num_ret; ++i) {
    if (rr.rels[i] < 0) {
      ++unj;
      sum += cur;
    }
    cur *= p;
  }
  if (unj) v[0] = cur + (1 - p) * sum;
}

constexpr const char* cutoffs9 = "5,10,15,20,30,100,200,500,1000";

// trec_eval's order: measures are computed and printed in this order.
const Family families[] = {
    {"runid", Shape::text, "", c_runid, Averaging::none, false, false, true},
    {"num_q", Shape::scalar, "", c_num_q, Averaging::count, true, false, true},
    {"num_ret", Shape::scalar, "", c_num_ret, Averaging::sum, true, true, true},
    {"num_rel", Shape::scalar, "", c_num_rel, Averaging::sum, true, true, true},
    {"num_rel_ret", Shape::scalar, "", c_num_rel_ret, Averaging::sum, true, true, true},
    {"map", Shape::scalar, "", c_map, Averaging::mean, false, true, true},
    {"gm_map", Shape::scalar, "", c_gm_map, Averaging::geometric, false, false, true},
    {"Rprec", Shape::scalar, "", c_Rprec, Averaging::mean, false, true, true},
    {"bpref", Shape::scalar, "", c_bpref, Averaging::mean, false, true, true},
    {"recip_rank", Shape::scalar, "", c_recip_rank, Averaging::mean, false, true, true},
    {"iprec_at_recall", Shape::cut_double, "0.0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0", c_iprec_at_recall,
     Averaging::mean, false, true, true},
    {"P", Shape::cut_long, cutoffs9, c_P, Averaging::mean, false, true, true},
    {"relstring", Shape::text, "10", c_relstring, Averaging::none, false, true, false},
    {"recall", Shape::cut_long, cutoffs9, c_recall, Averaging::mean, false, true, true},
    {"infAP", Shape::scalar, "", c_infAP, Averaging::mean, false, true, true},
    {"gm_bpref", Shape::scalar, "", c_gm_bpref, Averaging::geometric, false, false, true},
    {"Rprec_mult", Shape::cut_double, "0.2,0.4,0.6,0.8,1.0,1.2,1.4,1.6,1.8,2.0", c_Rprec_mult, Averaging::mean, false,
     true, true},
    {"utility", Shape::param_double, "1.0,-1.0,0.0,0.0", c_utility, Averaging::mean, false, true, true},
    {"11pt_avg", Shape::param_double, "0.0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0", c_11pt_avg, Averaging::mean,
     false, true, true},
    {"binG", Shape::scalar, "", c_binG, Averaging::mean, false, true, true},
    {"G", Shape::param_pair, "", c_G, Averaging::mean, false, true, true},
    {"ndcg", Shape::param_pair, "", c_ndcg, Averaging::mean, false, true, true},
    {"ndcg_rel", Shape::param_pair, "", c_ndcg_rel, Averaging::mean, false, true, true},
    {"Rndcg", Shape::param_pair, "", c_Rndcg, Averaging::mean, false, true, true},
    {"ndcg_cut", Shape::cut_long, cutoffs9, c_ndcg_cut, Averaging::mean, false, true, true},
    {"map_cut", Shape::cut_long, cutoffs9, c_map_cut, Averaging::mean, false, true, true},
    {"relative_P", Shape::cut_long, cutoffs9, c_relative_P, Averaging::mean, false, true, true},
    {"success", Shape::cut_long, "1,5,10", c_success, Averaging::mean, false, true, true},
    {"set_P", Shape::scalar, "", c_set_P, Averaging::mean, false, true, true},
    {"set_relative_P", Shape::scalar, "", c_set_relative_P, Averaging::mean, false, true, true},
    {"set_recall", Shape::scalar, "", c_set_recall, Averaging::mean, false, true, true},
    {"set_map", Shape::scalar, "", c_set_map, Averaging::mean, false, true, true},
    {"set_F", Shape::param_double, "1.0", c_set_F, Averaging::mean, false, true, true},
    {"num_nonrel_judged_ret", Shape::scalar, "", c_num_nonrel_judged_ret, Averaging::sum, true, true, true},
    {"rbp", Shape::param_pair, "", c_rbp, Averaging::mean, false, true, true},
    {"rbp_resid", Shape::param_pair, "", c_rbp_resid, Averaging::mean, false, true, true},
    {"unj", Shape::cut_long, "5,10,20", c_unj, Averaging::mean, false, true, true},
    // hewn's own, after trec_eval's (all_trec leaves them out):
    {"recip_rank_cut", Shape::cut_long, "10", c_recip_rank_cut, Averaging::mean, false, true, true},
};
// The first families are trec_eval's own (all_trec means these); hewn's
// own come after them.
constexpr std::size_t num_hewn_families = 1;
constexpr std::size_t num_families = sizeof(families) / sizeof(families[0]);

const char* const official[] = {"runid", "num_q", "num_ret", "num_rel",  "num_rel_ret",     "map",
                                "gm_map", "Rprec", "bpref",   "recip_rank", "iprec_at_recall", "P"};

struct Alias {
  const char* name;
  const char* family;
  bool cutoff;  // takes "@k"
};
// ir_measures names.
const Alias aliases[] = {
    {"AP", "map", false},       {"AP", "map_cut", true},         {"P", "P", true},
    {"R", "recall", true},      {"nDCG", "ndcg", false},         {"nDCG", "ndcg_cut", true},
    {"RR", "recip_rank", false}, {"RR", "recip_rank_cut", true}, {"Rprec", "Rprec", false},
    {"R-Prec", "Rprec", false},
    {"Bpref", "bpref", false},  {"Success", "success", true},    {"NumQ", "num_q", false},
    {"NumRet", "num_ret", false}, {"NumRel", "num_rel", false},  {"NumRelRet", "num_rel_ret", false},
    {"infAP", "infAP", false},  {"SetP", "set_P", false},        {"SetR", "set_recall", false},
    {"SetF", "set_F", false},   {"RBP", "rbp", false},
};

std::size_t family_index(std::string_view name) {
  for (std::size_t i = 0; i < num_families; ++i)
    if (name == families[i].name) return i;
  return num_families;
}

[[noreturn]] void unknown(std::string_view spec) {
  throw UsageError("unknown measure " + quoted(spec) + " (known: " + MeasureSet::known_names() + ")");
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == ',') {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::string fmt_double_name(const char* name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s_%3.2f", name, v);
  return buf;
}

}  // namespace

std::string_view Measure::family_name() const { return family->name; }

std::string MeasureSet::known_names() {
  std::string s = "official, all_trec, set";
  for (const auto& f : families) {
    s += ", ";
    s += f.name;
  }
  for (const auto& a : aliases) {
    s += ", ";
    s += a.name;
    if (a.cutoff) s += "@k";
  }
  return s;
}

void MeasureSet::add(std::string_view spec) {
  auto family = [&](const char* name, std::string params) {
    requests_.push_back({family_index(name), std::move(params)});
  };
  if (spec == "official") {
    for (auto n : official) family(n, "");
    return;
  }
  if (spec == "all_trec") {
    for (std::size_t i = 0; i + num_hewn_families < num_families; ++i) family(families[i].name, "");
    return;
  }
  if (spec == "set") {
    for (auto n : {"runid", "num_q", "num_ret", "num_rel", "num_rel_ret", "utility", "set_P", "set_recall",
                   "set_relative_P", "set_map", "set_F"})
      family(n, "");
    return;
  }
  // trec_eval: "name" or "name.params".
  std::size_t dot = spec.find('.');
  std::string_view base = spec.substr(0, dot);
  std::size_t fi = family_index(base);
  if (fi < num_families) {
    std::string params = dot == std::string_view::npos ? "" : std::string(spec.substr(dot + 1));
    if (dot != std::string_view::npos && params.empty()) throw UsageError("measure " + quoted(spec) + " has no parameters after '.'");
    requests_.push_back({fi, params});
    return;
  }
  // trec_eval output names: "P_5", "ndcg_cut_10".
  std::size_t us = spec.rfind('_');
  if (us != std::string_view::npos && us + 1 < spec.size()) {
    std::size_t fj = family_index(spec.substr(0, us));
    std::string_view k = spec.substr(us + 1);
    if (fj < num_families && families[fj].shape == Shape::cut_long &&
        k.find_first_not_of("0123456789") == std::string_view::npos) {
      requests_.push_back({fj, std::string(k)});
      return;
    }
  }
  // ir_measures: "nDCG@10", "RR".
  std::size_t at = spec.find('@');
  std::string_view name = spec.substr(0, at);
  for (const auto& a : aliases) {
    if (name != a.name || a.cutoff != (at != std::string_view::npos)) continue;
    std::string k = a.cutoff ? std::string(spec.substr(at + 1)) : "";
    if (a.cutoff && (k.empty() || k.find_first_not_of("0123456789") != std::string::npos))
      throw UsageError("measure " + quoted(spec) + ": the cutoff must be a positive integer");
    requests_.push_back({family_index(a.family), k});
    return;
  }
  unknown(spec);
}

void MeasureSet::finish() {
  if (requests_.empty()) add("official");
  measures_.clear();
  num_values_ = 0;
  for (std::size_t fi = 0; fi < num_families; ++fi) {
    const Family& f = families[fi];
    bool wanted = false;
    std::vector<std::string> given;
    for (const auto& r : requests_)
      if (r.family == fi) {
        wanted = true;
        if (!r.params.empty()) given.push_back(r.params);
      }
    if (!wanted) continue;
    Measure m;
    m.family = &f;
    m.integer = f.integer;
    m.text = f.shape == Shape::text;
    m.per_query = f.per_query;
    m.summary = f.summary;
    m.averaging = f.averaging;
    std::string params = given.empty() ? f.defaults : given.front();
    if (!given.empty()) m.printable = given.front();
    auto bad = [&](const std::string& what) {
      throw UsageError("measure " + quoted(f.name) + ": " + what);
    };
    switch (f.shape) {
      case Shape::scalar:
        if (!given.empty()) bad("takes no parameters");
        m.names.push_back(f.name);
        break;
      case Shape::text:
        if (std::string_view(f.name) == "runid") {
          if (!given.empty()) bad("takes no parameters");
          m.names.push_back(f.name);
        } else {
          m.double_params.push_back(std::atof(params.c_str()));
          m.names.push_back(given.empty() ? std::string(f.name) : std::string(f.name) + "_" + m.printable);
        }
        break;
      case Shape::cut_long: {
        // Cutoffs from several requests ("P@5", "P@10") are merged.
        std::vector<std::string> all = given.empty() ? std::vector<std::string>{params} : given;
        for (const auto& p : all)
          for (const auto& c : split_commas(p)) {
            char* end = nullptr;
            long v = std::strtol(c.c_str(), &end, 10);  // "23.4" reads as 23, like trec_eval
            if (end == c.c_str()) bad("cutoff " + quoted(c) + " is not a number");
            if (v <= 0) bad("cutoffs must be positive");
            m.long_cutoffs.push_back(v);
          }
        std::sort(m.long_cutoffs.begin(), m.long_cutoffs.end());
        if (given.size() <= 1) {
          if (std::adjacent_find(m.long_cutoffs.begin(), m.long_cutoffs.end()) != m.long_cutoffs.end())
            bad("duplicate cutoffs");
        } else {
          m.long_cutoffs.erase(std::unique(m.long_cutoffs.begin(), m.long_cutoffs.end()), m.long_cutoffs.end());
        }
        for (long c : m.long_cutoffs) m.names.push_back(std::string(f.name) + "_" + std::to_string(c));
        break;
      }
      case Shape::cut_double: {
        for (const auto& c : split_commas(params)) m.double_params.push_back(std::atof(c.c_str()));
        std::sort(m.double_params.begin(), m.double_params.end());
        if (std::adjacent_find(m.double_params.begin(), m.double_params.end()) != m.double_params.end())
          bad("duplicate cutoffs");
        for (double c : m.double_params) m.names.push_back(fmt_double_name(f.name, c));
        break;
      }
      case Shape::param_double:
        for (const auto& c : split_commas(params)) m.double_params.push_back(std::atof(c.c_str()));
        if (std::string_view(f.name) == "utility" && m.double_params.size() != 4) bad("needs 4 coefficients");
        m.names.push_back(given.empty() ? std::string(f.name) : std::string(f.name) + "_" + m.printable);
        break;
      case Shape::param_pair:
        if (!given.empty()) {
          for (const auto& c : split_commas(params)) {
            std::size_t eq = c.find('=');
            if (eq == std::string::npos || eq == 0) bad("malformed pair parameters in " + quoted(params));
            m.pairs.emplace_back(c.substr(0, eq), std::atof(c.c_str() + eq + 1));
            const auto& [key, value] = m.pairs.back();
            if (std::string_view(f.name).starts_with("rbp") && key == "p" && !(value > 0 && value < 1))
              bad("p must be within (0, 1), not " + c.substr(eq + 1));
          }
        }
        m.names.push_back(given.empty() ? std::string(f.name) : std::string(f.name) + "_" + m.printable);
        break;
    }
    num_values_ += m.names.size();
    measures_.push_back(std::move(m));
  }
}

std::size_t MeasureSet::first_requested_mean() const {
  for (const auto& r : requests_) {
    std::size_t vi = 0;
    for (const auto& m : measures_) {
      if (m.family != &families[r.family]) {
        vi += m.names.size();
        continue;
      }
      if (m.averaging != Averaging::mean || m.text) break;
      std::string first = r.params.substr(0, r.params.find(','));
      if (!first.empty() && m.family->shape == Shape::cut_long) {
        long c = std::strtol(first.c_str(), nullptr, 10);
        for (std::size_t k = 0; k < m.long_cutoffs.size(); ++k)
          if (m.long_cutoffs[k] == c) return vi + k;
      } else if (!first.empty() && m.family->shape == Shape::cut_double) {
        double c = std::atof(first.c_str());
        for (std::size_t k = 0; k < m.double_params.size(); ++k)
          if (m.double_params[k] == c) return vi + k;
      }
      return vi;
    }
  }
  return num_values_;
}

void MeasureSet::compute(const RankedRels& rr, const EvalParams& ep, double* values,
                         std::vector<std::string>& texts) const {
  std::size_t ti = 0;
  for (const auto& m : measures_) {
    std::fill(values, values + m.names.size(), 0.0);
    std::string* t = nullptr;
    if (m.text) {
      if (texts.size() <= ti) texts.resize(ti + 1);
      t = &texts[ti++];
    }
    m.family->compute(m, rr, ep, values, t);
    values += m.names.size();
  }
}

}  // namespace hewn::score
