#include "chunk/cluster.hpp"

#include <limits>

namespace hewn::chunk {

std::vector<std::size_t> cluster_groups(const float* v, std::size_t n, std::size_t dim,
                                        const std::function<bool(std::size_t, std::size_t)>& fits,
                                        std::size_t max_pieces) {
  std::vector<std::size_t> starts;
  if (n == 0) return starts;
  // Mean similarity over all pairs i < j, in O(n dim):
  // sum_{i<j} v_i.v_j = (|sum v|^2 - sum |v_i|^2) / 2.
  double mean = 0;
  if (n > 1) {
    std::vector<double> total(dim, 0.0);
    double self = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < dim; ++k) {
        double x = v[i * dim + k];
        total[k] += x;
        self += x * x;
      }
    double all = 0;
    for (double t : total) all += t * t;
    mean = (all - self) / (static_cast<double>(n) * static_cast<double>(n - 1));
  }
  const double minus_inf = -std::numeric_limits<double>::infinity();
  std::vector<double> best(n + 1, minus_inf);  // best[i]: pieces [0, i)
  std::vector<std::size_t> from(n + 1, 0);
  best[0] = 0;
  std::vector<double> window(dim);  // sum of the vectors of pieces s+1..i
  for (std::size_t i = 0; i < n; ++i) {
    std::fill(window.begin(), window.end(), 0.0);
    double reward = 0;  // of the group s..i
    for (std::size_t s = i + 1; s-- > 0;) {
      std::size_t count = i - s + 1;
      if (count > 1) {
        if (count > max_pieces || !fits(s, i)) break;
        const float* vs = v + s * dim;
        double dot = 0;
        for (std::size_t k = 0; k < dim; ++k) dot += vs[k] * window[k];
        reward += 2 * (dot - mean * static_cast<double>(count - 1));
      }
      double total = best[s] + reward;
      if (total > best[i + 1]) {
        best[i + 1] = total;
        from[i + 1] = s;
      }
      const float* vs = v + s * dim;
      for (std::size_t k = 0; k < dim; ++k) window[k] += vs[k];
    }
  }
  for (std::size_t i = n; i > 0; i = from[i]) starts.push_back(from[i]);
  return {starts.rbegin(), starts.rend()};
}

}  // namespace hewn::chunk
