#include "query/topk.hpp"

#include <algorithm>
#include <limits>

namespace hewn::query {

using index::Cursor;
using index::no_chunk;

std::vector<QueryTerm> weigh(const index::Index& ix, const std::vector<std::string>& terms) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;  // term, count
  for (auto& t : terms) {
    auto id = ix.find(t);
    if (!id) continue;
    auto it = std::find_if(seen.begin(), seen.end(), [&](auto& p) { return p.first == *id; });
    if (it == seen.end())
      seen.emplace_back(*id, 1);
    else
      ++it->second;
  }
  std::vector<QueryTerm> q;
  for (auto& [t, n] : seen) q.push_back({t, static_cast<float>(n) * ix.idf(t)});
  return q;
}

namespace {
inline double term_score(const index::Index& ix, float weight, std::uint32_t tf, std::uint32_t doc) {
  return static_cast<double>(weight * index::tf_part(ix.manifest().bm25, tf, ix.norm(doc)));
}
// Bounds are sums in a different order than scores: allow for rounding.
inline double loose(double bound) { return bound + std::abs(bound) * 1e-9 + 1e-12; }

struct Worse {  // heap order: the worst hit on top
  bool operator()(const Hit& a, const Hit& b) const { return ranks_before(a, b); }
};
}  // namespace

void TopK::search(const std::vector<QueryTerm>& q, std::uint32_t k, std::vector<Hit>& out,
                  const index::ChunkSet* allow) {
  out.clear();
  std::size_t n = q.size();
  if (n == 0 || k == 0) return;
  if (cursors_.size() < n) cursors_.resize(n);
  // Cursors in ascending order of their upper bounds; canon[j] is the
  // position of cursor j's term in the query (the order of canonical sums).
  std::vector<double> ub(n), prefix(n), contrib(n, 0.0);
  std::vector<std::size_t> canon(n);
  std::vector<float> weight(n);
  for (std::size_t i = 0; i < n; ++i) {
    ub[i] = static_cast<double>(q[i].weight * ix_.max_tf_part(q[i].term));
    canon[i] = i;
  }
  std::stable_sort(canon.begin(), canon.end(), [&](std::size_t a, std::size_t b) { return ub[a] < ub[b]; });
  std::sort(ub.begin(), ub.end());
  double run = 0;
  for (std::size_t j = 0; j < n; ++j) {
    cursors_[j].reset(ix_, q[canon[j]].term);
    weight[j] = q[canon[j]].weight;
    prefix[j] = run += ub[j];
  }
  Cursor* cur = cursors_.data();

  std::vector<Hit>& heap = out;
  heap.reserve(k + 1);
  double theta = -std::numeric_limits<double>::infinity();
  bool full = false;
  std::size_t fe = 0;  // cursors [fe, n) are the essential ones
  std::uint32_t next_d = no_chunk;  // the smallest doc of the essential cursors
  for (std::size_t j = 0; j < n; ++j) next_d = std::min(next_d, cur[j].chunk());
  for (;;) {
    if (full && fe < n && loose(prefix[fe]) <= theta) {
      while (fe < n && loose(prefix[fe]) <= theta) ++fe;
      next_d = no_chunk;
      for (std::size_t j = fe; j < n; ++j) next_d = std::min(next_d, cur[j].chunk());
    }
    if (fe == n) break;
    std::uint32_t d = next_d;
    if (d == no_chunk) break;
    if (allow && !allow->has(d)) {
      // Filtered out: the essential cursors jump to the next chunk allowed.
      std::uint32_t to = allow->next(d);
      if (to == no_chunk) break;
      next_d = no_chunk;
      for (std::size_t j = fe; j < n; ++j) {
        cur[j].next_geq(to);
        next_d = std::min(next_d, cur[j].chunk());
      }
      continue;
    }
    double s = 0;
    next_d = no_chunk;
    for (std::size_t j = fe; j < n; ++j) {
      if (cur[j].chunk() == d) {
        double v = term_score(ix_, weight[j], cur[j].tf(), d);
        contrib[canon[j]] = v;
        s += v;
        cur[j].next();
      }
      next_d = std::min(next_d, cur[j].chunk());
    }
    bool pruned = false;
    if (fe > 0 && full) {
      double bm = s;
      for (std::size_t j = 0; j < fe; ++j) bm += static_cast<double>(weight[j] * cur[j].block_max_at(d));
      pruned = loose(bm) <= theta;
    }
    for (std::size_t j = fe; !pruned && j-- > 0;) {
      if (full && loose(s + prefix[j]) <= theta) {
        pruned = true;
        break;
      }
      cur[j].next_geq(d);
      if (cur[j].chunk() == d) {
        double v = term_score(ix_, weight[j], cur[j].tf(), d);
        contrib[canon[j]] = v;
        s += v;
      }
    }
    // s is the score summed in another order: only a hit that may enter
    // the top k gets its canonical sum.
    if (!pruned && !(full && loose(s) < theta)) {
      double score = 0;
      for (std::size_t i = 0; i < n; ++i) score += contrib[i];
      Hit h{d, score};
      if (!full) {
        heap.push_back(h);
        std::push_heap(heap.begin(), heap.end(), Worse{});
        if (heap.size() == k) {
          full = true;
          theta = heap.front().score;
        }
      } else if (ranks_before(h, heap.front())) {
        std::pop_heap(heap.begin(), heap.end(), Worse{});
        heap.back() = h;
        std::push_heap(heap.begin(), heap.end(), Worse{});
        theta = heap.front().score;
      }
    }
    std::fill(contrib.begin(), contrib.end(), 0.0);
  }
  std::sort(heap.begin(), heap.end(), ranks_before);
}

void TopK::exhaustive(const std::vector<QueryTerm>& q, std::uint32_t k, std::vector<Hit>& out,
                      const index::ChunkSet* allow) {
  out.clear();
  if (acc_.size() < ix_.size()) acc_.assign(ix_.size(), 0.0);
  touched_.clear();
  std::vector<char> seen(ix_.size(), 0);
  Cursor c;
  for (auto& t : q) {
    c.reset(ix_, t.term);
    for (; c.chunk() != no_chunk; c.next()) {
      std::uint32_t d = c.chunk();
      if (allow && !allow->has(d)) continue;
      if (!seen[d]) {
        seen[d] = 1;
        touched_.push_back(d);
      }
      acc_[d] += term_score(ix_, t.weight, c.tf(), d);
    }
  }
  for (auto d : touched_) {
    out.push_back({d, acc_[d]});
    acc_[d] = 0;
  }
  std::size_t m = std::min<std::size_t>(k, out.size());
  std::partial_sort(out.begin(), out.begin() + m, out.end(), ranks_before);
  out.resize(m);
}

}  // namespace hewn::query
