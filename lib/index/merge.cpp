#include "index/merge.hpp"

#include <algorithm>
#include <memory>
#include <numeric>

#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/columns.hpp"
#include "index/index.hpp"

namespace hewn::index {

namespace {

std::string list(const std::vector<std::uint32_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

// Checks that the inputs are all shards of one set (or none is a shard) and
// puts shard sets in shard order; fills the missing shards into opt.
void check_shards(std::vector<std::string>& names, std::vector<std::unique_ptr<Index>>& in, BuildOptions& opt,
                  const MergeOptions& options) {
  const Manifest& first = in.front()->manifest();
  for (std::size_t i = 1; i < in.size(); ++i) {
    const Manifest& m = in[i]->manifest();
    if ((m.shard.count == 0) != (first.shard.count == 0)) {
      if (m.shard.count == 0)
        throw DataError(names[i] + ": not a shard (built without --shard) but " + names[0] + " is shard " +
                        first.shard_name() + " (cannot merge)");
      throw DataError(names[i] + ": shard " + m.shard_name() + " but " + names[0] +
                      " is not a shard (built without --shard) (cannot merge)");
    }
    if (m.shard.count != first.shard.count || m.shard.set != first.shard.set)
      throw DataError(names[i] + ": shard " + m.shard_name() + " does not belong with " + names[0] + "'s shard " +
                      first.shard_name() + " (different sets)");
  }
  if (first.shard.count == 0) {  // plain indexes, perhaps earlier partial merges
    std::uint32_t of = 0;
    std::vector<std::uint32_t> missing;
    for (std::size_t i = 0; i < in.size(); ++i) {
      const Manifest& m = in[i]->manifest();
      if (!m.missing_of) continue;
      if (!options.allow_partial)
        throw DataError(names[i] + ": partial merge (shards " + list(m.missing_shards) + " of " +
                        std::to_string(m.missing_of) + " missing; --allow-partial merges it anyway)");
      if (of && of != m.missing_of) throw DataError(names[i] + ": partial merges of different shard sets");
      of = m.missing_of;
      missing.insert(missing.end(), m.missing_shards.begin(), m.missing_shards.end());
    }
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    opt.missing_of = of;
    opt.missing_shards = missing;
    return;
  }
  std::uint32_t n = first.shard.count;
  std::vector<std::size_t> order(in.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return in[a]->manifest().shard.index < in[b]->manifest().shard.index;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const Manifest& a = in[order[k - 1]]->manifest();
    const Manifest& b = in[order[k]]->manifest();
    if (a.shard.index == b.shard.index) {
      std::size_t x = std::min(order[k - 1], order[k]), y = std::max(order[k - 1], order[k]);
      throw DataError(names[y] + ": shard " + b.shard_name() + " given twice (also " + names[x] + ")");
    }
  }
  std::vector<std::uint32_t> missing;
  std::size_t k = 0;
  for (std::uint32_t s = 0; s < n; ++s) {
    if (k < order.size() && in[order[k]]->manifest().shard.index == s) ++k;
    else missing.push_back(s);
  }
  if (!missing.empty() && !options.allow_partial) {
    std::string set = first.shard.set.empty() ? "" : " (set " + hewn::quoted(first.shard.set) + ")";
    throw DataError("incomplete set of " + std::to_string(n) + " shards" + set + ": " + list(missing) +
                    " missing (--allow-partial merges the others)");
  }
  if (!missing.empty()) {
    opt.missing_of = n;
    opt.missing_shards = missing;
  }
  std::vector<std::string> names2;
  std::vector<std::unique_ptr<Index>> in2;
  for (std::size_t i : order) {
    names2.push_back(names[i]);
    in2.push_back(std::move(in[i]));
  }
  names = std::move(names2);
  in = std::move(in2);
}

}  // namespace

Manifest merge(const std::string& out, std::vector<std::string> shards, const MergeOptions& options) {
  if (shards.empty()) throw UsageError("merge needs at least one shard");
  std::vector<std::unique_ptr<Index>> in;
  for (auto& s : shards) {
    in.push_back(std::make_unique<Index>(s));
    const Manifest& a = in.front()->manifest();
    const Manifest& b = in.back()->manifest();
    if (a.analyzer_json() != b.analyzer_json())
      throw DataError(s + ": analyzer differs from " + shards.front() + " (cannot merge)");
    if (a.bm25_json() != b.bm25_json())
      throw DataError(s + ": BM25 settings differ from " + shards.front() + " (cannot merge)");
    if (a.dense_json() != b.dense_json() &&
        (a.dense.present != b.dense.present || a.dense.dim != b.dense.dim || a.dense.factory != b.dense.factory ||
         a.dense.metric != b.dense.metric))
      throw DataError(s + ": dense settings differ from " + shards.front() + " (cannot merge)");
  }
  const Manifest& first = in.front()->manifest();
  BuildOptions opt;
  opt.analyzer = first.analyzer;
  opt.fields = first.fields;
  opt.bm25 = first.bm25;
  opt.dense = first.dense;
  check_shards(shards, in, opt, options);
  opt.nested = options.nested;
  Builder builder(out, opt);
  for (std::size_t si = 0; si < in.size(); ++si) add_index(builder, *in[si], shards[si]);
  return builder.commit();
}

void add_index(Builder& builder, const Index& ix, const std::string& name) {
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> doc_terms(ix.size());
  Cursor c;
  for (std::uint32_t t = 0; t < ix.terms(); ++t) {
    c.reset(ix, t);
    for (; c.chunk() != no_chunk; c.next()) doc_terms[c.chunk()].emplace_back(t, c.tf());
  }
  ChunkEntry d;
  std::string where, cols;
  for (std::uint32_t i = 0; i < ix.size(); ++i) {
    ChunkInfo info = ix.info(i);
    where = name + ": chunk " + std::to_string(i + 1);
    d.where = where;
    d.id = info.id;
    d.doc = info.doc;
    d.start = info.start;
    d.end = info.end;
    d.n = info.n;
    d.length = ix.length(i);
    d.terms.clear();
    for (auto& [t, tf] : doc_terms[i]) d.terms.emplace_back(ix.term(t), tf);
    std::string rec = ix.record(i);
    d.record = rec;
    encode_columns(ix.columns(), i, cols);
    d.columns = cols;
    d.embedding.clear();
    if (ix.manifest().dense.present) d.embedding.assign(ix.vector(i), ix.vector(i) + ix.manifest().dense.dim);
    builder.add(d);
  }
}

}  // namespace hewn::index
