#include "index/merge.hpp"

#include <memory>

#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"

namespace hewn::index {

Manifest merge(const std::string& out, const std::vector<std::string>& shards) {
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
  Builder builder(out, opt);
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> doc_terms;
  DocEntry d;
  for (std::size_t si = 0; si < in.size(); ++si) {
    const Index& ix = *in[si];
    doc_terms.assign(ix.size(), {});
    Cursor c;
    for (std::uint32_t t = 0; t < ix.terms(); ++t) {
      c.reset(ix, t);
      for (; c.doc() != no_doc; c.next()) doc_terms[c.doc()].emplace_back(t, c.tf());
    }
    std::string where;
    for (std::uint32_t i = 0; i < ix.size(); ++i) {
      DocInfo info = ix.info(i);
      where = shards[si] + ": chunk " + std::to_string(i + 1);
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
      d.embedding.clear();
      if (ix.manifest().dense.present) d.embedding.assign(ix.vector(i), ix.vector(i) + ix.manifest().dense.dim);
      builder.add(d);
    }
  }
  return builder.commit();
}

}  // namespace hewn::index
