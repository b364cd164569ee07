#include "score/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

#include "core/error.hpp"

namespace hewn::score {

Correction parse_correction(std::string_view name) {
  if (name == "none") return Correction::none;
  if (name == "bonferroni") return Correction::bonferroni;
  if (name == "holm") return Correction::holm;
  throw UsageError("unknown correction " + quoted(name) + " (none, bonferroni, holm)");
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Continued fraction of the regularized incomplete beta function (modified
// Lentz's method).
double beta_cf(double a, double b, double x) {
  const double tiny = 1e-300, eps = 1e-15;
  double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < eps) break;
  }
  return h;
}

// Regularized incomplete beta I_x(a, b).
double inc_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  double lbt = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  double bt = std::exp(lbt);
  if (x < (a + 1) / (a + b + 2)) return bt * beta_cf(a, b, x) / a;
  return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

void correct(std::vector<double*>& ps, Correction c) {
  if (c == Correction::none) return;
  std::vector<double*> valid;
  for (double* p : ps)
    if (!std::isnan(*p)) valid.push_back(p);
  double m = static_cast<double>(valid.size());
  if (c == Correction::bonferroni) {
    for (double* p : valid) *p = std::min(1.0, *p * m);
    return;
  }
  std::stable_sort(valid.begin(), valid.end(), [](double* a, double* b) { return *a < *b; });
  double running = 0;
  for (std::size_t i = 0; i < valid.size(); ++i) {
    double adj = std::min(1.0, *valid[i] * (m - static_cast<double>(i)));
    running = std::max(running, adj);  // Holm's step-down keeps adjusted p-values monotone
    *valid[i] = running;
  }
}

}  // namespace

double student_t_two_sided(double t, double df) {
  if (std::isnan(t)) return nan;
  if (std::isinf(t)) return 0;
  return inc_beta(df / 2, 0.5, df / (df + t * t));
}

double paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t n = a.size();
  if (n < 2) return nan;
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) mean += b[i] - a[i];
  mean /= static_cast<double>(n);
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double d = b[i] - a[i] - mean;
    ss += d * d;
  }
  double sd = std::sqrt(ss / static_cast<double>(n - 1));
  if (sd == 0) return mean == 0 ? 1.0 : 0.0;
  double t = mean / (sd / std::sqrt(static_cast<double>(n)));
  return student_t_two_sided(t, static_cast<double>(n - 1));
}

double randomization_test(const std::vector<double>& a, const std::vector<double>& b, unsigned permutations,
                          std::uint64_t seed) {
  std::size_t n = a.size();
  if (n == 0) return nan;
  std::vector<double> d(n);
  double observed = 0;
  for (std::size_t i = 0; i < n; ++i) observed += d[i] = b[i] - a[i];
  observed = std::fabs(observed);
  // Sums that differ only by rounding count as equal.
  double tol = 1e-12 * std::max(1.0, observed);
  std::mt19937_64 rng(seed);
  unsigned hits = 0;
  for (unsigned p = 0; p < permutations; ++p) {
    double s = 0;
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 64 == 0) bits = rng();
      s += (bits & 1) ? d[i] : -d[i];
      bits >>= 1;
    }
    hits += std::fabs(s) >= observed - tol;
  }
  return (hits + 1.0) / (permutations + 1.0);
}

std::vector<Comparison> compare(const std::vector<Evaluation>& evs, const MeasureSet& ms, const CompareOptions& o) {
  std::vector<Comparison> out;
  if (evs.size() < 2) return out;
  std::size_t nv = ms.num_values();
  std::vector<bool> tested(nv, false);
  {
    std::size_t vi = 0;
    for (const auto& m : ms.measures())
      for (std::size_t k = 0; k < m.names.size(); ++k, ++vi)
        tested[vi] = !m.text && m.averaging == Averaging::mean;
  }
  const Evaluation& base = evs[0];
  std::unordered_map<std::string_view, std::size_t> base_index;
  for (std::size_t i = 0; i < base.topics.size(); ++i) base_index.emplace(base.topics[i].qid, i);
  std::vector<double*> all_t, all_rand;
  out.resize(evs.size() - 1);
  for (std::size_t r = 1; r < evs.size(); ++r) {
    Comparison& c = out[r - 1];
    c.delta.assign(nv, nan);
    c.p_t.assign(nv, nan);
    c.p_rand.assign(nv, nan);
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (baseline topic, run topic)
    for (std::size_t i = 0; i < evs[r].topics.size(); ++i) {
      auto it = base_index.find(evs[r].topics[i].qid);
      if (it != base_index.end()) pairs.emplace_back(it->second, i);
    }
    c.paired_topics = pairs.size();
    std::vector<double> a(pairs.size()), b(pairs.size());
    for (std::size_t v = 0; v < nv; ++v) {
      c.delta[v] = evs[r].summary[v] - base.summary[v];
      if (!tested[v]) continue;
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        a[k] = base.topics[pairs[k].first].values[v];
        b[k] = evs[r].topics[pairs[k].second].values[v];
      }
      c.p_t[v] = paired_t_test(a, b);
      c.p_rand[v] = randomization_test(a, b, o.permutations, o.seed);
    }
  }
  for (auto& c : out)
    for (std::size_t v = 0; v < nv; ++v) {
      all_t.push_back(&c.p_t[v]);
      all_rand.push_back(&c.p_rand[v]);
    }
  correct(all_t, o.correction);
  correct(all_rand, o.correction);
  return out;
}

std::vector<Comparison> compare_spans(const std::vector<SpanEvaluation>& evs, const CompareOptions& o) {
  std::vector<Comparison> out;
  if (evs.size() < 2) return out;
  const SpanEvaluation& base = evs[0];
  std::size_t nv = base.names.size(), nq = base.queries.size();
  auto value = [](const SpanQuery& q, std::size_t v) { return q.values[v]; };
  std::vector<double*> all_t, all_rand;
  out.resize(evs.size() - 1);
  std::vector<double> a(nq), b(nq);
  for (std::size_t r = 1; r < evs.size(); ++r) {
    Comparison& c = out[r - 1];
    c.paired_topics = nq;
    c.delta.assign(nv, nan);
    c.p_t.assign(nv, nan);
    c.p_rand.assign(nv, nan);
    for (std::size_t v = 0; v < nv; ++v) {
      c.delta[v] = evs[r].mean[v] - base.mean[v];
      for (std::size_t k = 0; k < nq; ++k) {
        a[k] = value(base.queries[k], v);
        b[k] = value(evs[r].queries[k], v);
      }
      c.p_t[v] = paired_t_test(a, b);
      c.p_rand[v] = randomization_test(a, b, o.permutations, o.seed);
    }
  }
  for (auto& c : out)
    for (std::size_t v = 0; v < nv; ++v) {
      all_t.push_back(&c.p_t[v]);
      all_rand.push_back(&c.p_rand[v]);
    }
  correct(all_t, o.correction);
  correct(all_rand, o.correction);
  return out;
}

}  // namespace hewn::score
