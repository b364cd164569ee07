#include "chunk/breakpoints.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace hewn::chunk::breakpoints {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  if (lo >= v.size() - 1) return v.back();
  double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[lo + 1] - v[lo]) * frac;
}

std::vector<double> gradient(const std::vector<double>& y) {
  std::size_t n = y.size();
  std::vector<double> g(n, 0.0);
  if (n < 2) return g;
  g[0] = y[1] - y[0];
  g[n - 1] = y[n - 1] - y[n - 2];
  for (std::size_t i = 1; i + 1 < n; ++i) g[i] = (y[i + 1] - y[i - 1]) / 2.0;
  return g;
}

bool parse_threshold(std::string_view name, Threshold& out) {
  if (name == "percentile") out = Threshold::percentile;
  else if (name == "stdev") out = Threshold::stdev;
  else if (name == "iqr") out = Threshold::iqr;
  else if (name == "gradient") out = Threshold::gradient;
  else return false;
  return true;
}

double default_amount(Threshold t) {
  switch (t) {
    case Threshold::stdev: return 3;
    case Threshold::iqr: return 1.5;
    default: return 95;
  }
}

std::vector<std::size_t> threshold_cuts(const std::vector<double>& d, Threshold t, double amount) {
  std::vector<std::size_t> cuts;
  if (d.empty()) return cuts;
  const std::vector<double>* score = &d;
  std::vector<double> g;
  double limit = 0;
  switch (t) {
    case Threshold::percentile:
      limit = percentile(d, amount);
      break;
    case Threshold::stdev:
    case Threshold::iqr: {
      double mean = std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(d.size());
      if (t == Threshold::stdev) {
        double var = 0;
        for (double x : d) var += (x - mean) * (x - mean);
        limit = mean + amount * std::sqrt(var / static_cast<double>(d.size()));
      } else {
        limit = mean + amount * (percentile(d, 75) - percentile(d, 25));
      }
      break;
    }
    case Threshold::gradient:
      g = gradient(d);
      score = &g;
      limit = percentile(g, amount);
      break;
  }
  for (std::size_t i = 0; i < score->size(); ++i)
    if ((*score)[i] > limit) cuts.push_back(i);
  return cuts;
}

std::vector<std::size_t> top_cuts(const std::vector<double>& s, std::size_t k) {
  std::vector<std::size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::min(k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(),
                    [&](std::size_t a, std::size_t b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

namespace {

// Coefficients c such that sum_j c[j] * y[j] is the value at position x
// (0-based within the window) of the least-squares polynomial of degree p
// through (j, y[j]), j < w: c = row x of V (V^T V)^-1 V^T.
std::vector<double> fit_weights(std::size_t w, std::size_t p, double x) {
  std::size_t m = p + 1;
  std::vector<double> a(m * m, 0.0);  // V^T V
  for (std::size_t j = 0; j < w; ++j) {
    double t = static_cast<double>(j) - static_cast<double>(w - 1) / 2;
    std::vector<double> pw(2 * m, 1.0);
    for (std::size_t k = 1; k < 2 * m; ++k) pw[k] = pw[k - 1] * t;
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t c = 0; c < m; ++c) a[r * m + c] += pw[r + c];
  }
  // Solve (V^T V) z = e(x), where e(x)_k = x^k, by Gauss-Jordan; then c_j = sum_k z_k t_j^k.
  double xc = x - static_cast<double>(w - 1) / 2;
  std::vector<double> rhs(m);
  for (std::size_t k = 0; k < m; ++k) rhs[k] = std::pow(xc, static_cast<double>(k));
  for (std::size_t col = 0; col < m; ++col) {
    std::size_t piv = col;
    for (std::size_t r = col + 1; r < m; ++r)
      if (std::fabs(a[r * m + col]) > std::fabs(a[piv * m + col])) piv = r;
    if (piv != col) {
      for (std::size_t c = 0; c < m; ++c) std::swap(a[col * m + c], a[piv * m + c]);
      std::swap(rhs[col], rhs[piv]);
    }
    double d = a[col * m + col];
    for (std::size_t r = 0; r < m; ++r) {
      if (r == col) continue;
      double f = a[r * m + col] / d;
      for (std::size_t c = 0; c < m; ++c) a[r * m + c] -= f * a[col * m + c];
      rhs[r] -= f * rhs[col];
    }
  }
  for (std::size_t k = 0; k < m; ++k) rhs[k] /= a[k * m + k];
  std::vector<double> c(w);
  for (std::size_t j = 0; j < w; ++j) {
    double t = static_cast<double>(j) - static_cast<double>(w - 1) / 2, v = 0, tk = 1;
    for (std::size_t k = 0; k < m; ++k, tk *= t) v += rhs[k] * tk;
    c[j] = v;
  }
  return c;
}

}  // namespace

std::vector<double> savgol(const std::vector<double>& y, std::size_t w, std::size_t p) {
  std::size_t n = y.size();
  if (n < w || w < 1) return y;
  std::vector<double> out(n);
  std::size_t h = w / 2;
  auto apply = [&](const std::vector<double>& c, std::size_t from) {
    double v = 0;
    for (std::size_t j = 0; j < w; ++j) v += c[j] * y[from + j];
    return v;
  };
  std::vector<double> mid = fit_weights(w, p, static_cast<double>(h));
  for (std::size_t i = h; i + h < n; ++i) out[i] = apply(mid, i - h);
  for (std::size_t i = 0; i < h; ++i) {
    out[i] = apply(fit_weights(w, p, static_cast<double>(i)), 0);
    out[n - 1 - i] = apply(fit_weights(w, p, static_cast<double>(w - 1 - i)), n - w);
  }
  return out;
}

std::vector<std::size_t> local_minima(const std::vector<double>& y, double threshold, std::size_t min_gap) {
  std::vector<std::size_t> out;
  for (std::size_t i = 1; i + 1 < y.size(); ++i) {
    if (!(y[i] < y[i - 1] && y[i] <= y[i + 1] && y[i] < threshold)) continue;
    if (!out.empty() && i - out.back() < min_gap) {
      if (y[i] < y[out.back()]) out.back() = i;
      continue;
    }
    out.push_back(i);
  }
  return out;
}

}  // namespace hewn::chunk::breakpoints
