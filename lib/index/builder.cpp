#include "index/builder.hpp"

#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "index/columns.hpp"
#include "index/dense.hpp"
#include "index/inverted.hpp"
#include "index/layout.hpp"
#include "index/publish.hpp"
#include "index/string_hash.hpp"

namespace hewn::index {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- builder

namespace {
struct TermAcc {
  std::string buf;  // varint (doc delta, tf) pairs
  std::uint32_t last = 0;
  std::uint32_t df = 0;
};
}  // namespace

struct Builder::Impl {
  std::string dir, tmp;
  BuildOptions opt;
  bool committed = false;
  std::unordered_map<std::string, TermAcc, SvHash, SvEq> terms;
  std::vector<std::uint32_t> lengths;
  std::uint64_t tokens = 0;
  std::string chunk_info;
  std::vector<std::uint64_t> chunk_info_off;
  std::unordered_set<std::string, SvHash, SvEq> ids;
  std::unordered_map<std::string, std::uint32_t, SvHash, SvEq> document_ids;
  std::vector<std::vector<std::pair<std::int64_t, std::uint32_t>>> documents;  // per document: (n, chunk)
  // document store
  std::unique_ptr<FileWriter> store;
  std::string block;
  std::uint32_t in_block = 0;
  std::vector<std::uint64_t> block_off{0};
  std::string zbuf;
  // dense
  int has_emb = -1;  // unknown, 0, 1
  std::uint32_t dim = 0;
  std::string seen_model;  // the "model" of the records' embeddings
  std::vector<float> vectors;
  ColumnsBuilder columns;  // query --where

  void flush_block() {
    if (in_block == 0) return;
    zbuf.resize(ZSTD_compressBound(block.size()));
    std::size_t z = ZSTD_compress(zbuf.data(), zbuf.size(), block.data(), block.size(), opt.zstd_level);
    if (ZSTD_isError(z)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(z));
    store->write(std::string_view(zbuf.data(), z));
    block_off.push_back(store->size());
    block.clear();
    in_block = 0;
  }
};

std::vector<std::string> parse_fields(const std::string& s) {
  std::vector<std::string> v;
  std::size_t b = 0;
  for (;;) {
    std::size_t e = s.find(',', b);
    std::string f = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (f.empty()) throw UsageError("--fields: empty field name in " + hewn::quoted(s));
    v.push_back(f);
    if (e == std::string::npos) return v;
    b = e + 1;
  }
}

std::string build_target(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  dir = io::resolve_links(dir);  // a link to an index: the index it points to is replaced, the link stays
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    bool ok = fs::is_directory(dir, ec) && (fs::exists(dir + "/manifest.json", ec) ||
                                            fs::exists(dir + "/levels.json", ec) || fs::is_empty(dir, ec));
    if (!ok) throw DataError(dir + ": exists and is not a hewn index (refusing to replace it)");
  }
  return dir;
}

Builder::Builder(std::string dir, BuildOptions options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (!options.nested) dir = build_target(std::move(dir));
  m.dir = dir;
  m.opt = std::move(options);
  if (!valid(m.opt.bm25))
    throw UsageError("BM25 parameters out of range: --k1 and --delta must be within [0, 1e6), --b within [0, 1]");
  if (m.opt.fields.empty()) m.opt.fields = {m.opt.text_field};
  if (m.opt.nested) {
    std::error_code ec;
    if (!fs::create_directory(dir, ec)) throw DataError(dir + ": cannot create: " + ec.message());
    m.tmp = dir;
  } else {
    m.tmp = make_temp_sibling(dir);
  }
  m.store = std::make_unique<FileWriter>(m.tmp, "docstore.bin");
}

Builder::~Builder() {
  if (!impl_->committed) {
    impl_->store.reset();
    std::error_code ec;
    fs::remove_all(impl_->tmp, ec);
  }
}

std::uint64_t Builder::count() const { return impl_->lengths.size(); }

void Builder::add(const ChunkEntry& d) {
  auto& m = *impl_;
  if (m.lengths.size() >= 0xfffffff0u) throw DataError(std::string(d.where) + ": too many records for one index");
  if (!m.ids.emplace(d.id).second) throw DataError(std::string(d.where) + ": duplicate id " + hewn::quoted(d.id));
  int has = d.embedding.empty() ? 0 : 1;
  if (m.has_emb < 0) {
    m.has_emb = has;
    m.dim = static_cast<std::uint32_t>(d.embedding.size());
  } else if (has != m.has_emb) {
    throw DataError(std::string(d.where) + (has ? ": record has an embedding but earlier ones do not"
                                                : ": record has no " + hewn::quoted(m.opt.embedding_field) +
                                                      " but earlier ones do"));
  } else if (has && d.embedding.size() != m.dim) {
    throw DataError(std::string(d.where) + ": embedding has " + std::to_string(d.embedding.size()) +
                    " dimensions, expected " + std::to_string(m.dim));
  }
  if (has) {
    // The manifest names the model that made the vectors (--model, or the
    // records' "model"), so that query can embed queries the same way.
    if (!d.model.empty()) {
      const std::string& given = m.opt.dense.model.name;  // --model
      if (!given.empty() && d.model != given)
        throw DataError(std::string(d.where) + ": embedding made by model " + hewn::quoted(d.model) +
                        ", but --model names " + hewn::quoted(given));
      if (m.seen_model.empty()) {
        m.seen_model = d.model;
      } else if (d.model != m.seen_model) {
        throw DataError(std::string(d.where) + ": embedding made by model " + hewn::quoted(d.model) +
                        ", earlier ones by " + hewn::quoted(m.seen_model));
      }
    }
    m.vectors.insert(m.vectors.end(), d.embedding.begin(), d.embedding.end());
  }

  std::uint32_t id = static_cast<std::uint32_t>(m.lengths.size());
  m.lengths.push_back(d.length);
  m.tokens += d.length;
  for (auto& [t, tf] : d.terms) {
    auto it = m.terms.find(t);
    if (it == m.terms.end()) it = m.terms.emplace(std::string(t), TermAcc{}).first;
    TermAcc& a = it->second;
    put_varint(a.buf, a.df == 0 ? id : id - a.last);
    put_varint(a.buf, tf);
    a.last = id;
    ++a.df;
  }
  m.chunk_info_off.push_back(m.chunk_info.size());
  put_varint(m.chunk_info, d.id.size());
  m.chunk_info.append(d.id);
  put_varint(m.chunk_info, d.doc.size());
  m.chunk_info.append(d.doc);
  put_varint(m.chunk_info, d.start);
  put_varint(m.chunk_info, d.end);
  put_varint(m.chunk_info, static_cast<std::uint64_t>(d.n + 1));
  auto g = m.document_ids.find(d.doc);
  if (g == m.document_ids.end()) {
    g = m.document_ids.emplace(std::string(d.doc), static_cast<std::uint32_t>(m.documents.size())).first;
    m.documents.emplace_back();
  }
  m.documents[g->second].emplace_back(d.n, id);

  m.columns.add(d.columns);
  m.block.append(d.record);
  m.block.push_back('\n');
  if (++m.in_block == records_per_block) m.flush_block();
}

namespace {

template <class Terms>
Inverted invert(const Terms& terms, const Bm25Params& bm25, const std::vector<float>& norms) {
  std::vector<const typename Terms::value_type*> order;
  order.reserve(terms.size());
  for (auto& kv : terms) order.push_back(&kv);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  InvertedWriter w(bm25, norms);
  std::vector<std::uint32_t> chunks, tfs;
  for (auto* kv : order) {
    const TermAcc& a = kv->second;
    chunks.clear();
    tfs.clear();
    const auto* p = reinterpret_cast<const std::uint8_t*>(a.buf.data());
    std::uint32_t chunk = 0;
    for (std::uint32_t i = 0; i < a.df; ++i) {
      chunk = i == 0 ? static_cast<std::uint32_t>(get_varint(p)) : chunk + static_cast<std::uint32_t>(get_varint(p));
      chunks.push_back(chunk);
      tfs.push_back(static_cast<std::uint32_t>(get_varint(p)));
    }
    w.add(kv->first, chunks, tfs);
  }
  return w.finish();
}

}  // namespace

Manifest Builder::commit() {
  auto& m = *impl_;
  std::uint64_t N = m.lengths.size();
  if (N == 0) throw DataError(m.dir + ": no records to index");
  Manifest man;
  man.chunks = N;
  man.documents = m.documents.size();
  man.tokens = m.tokens;
  man.terms = m.terms.size();
  man.avgdl = static_cast<double>(m.tokens) / static_cast<double>(N);
  man.analyzer = m.opt.analyzer;
  man.fields = m.opt.fields;
  man.bm25 = m.opt.bm25;
  man.records_per_block = records_per_block;
  man.shard = m.opt.shard;
  man.missing_shards = m.opt.missing_shards;
  man.missing_of = m.opt.missing_of;

  m.flush_block();
  man.files.push_back(m.store->finish());
  m.store.reset();
  man.files.push_back(layout::write_store_index(m.tmp, m.block_off));
  {
    Inverted inv = invert(m.terms, m.opt.bm25, document_norms(m.opt.bm25, m.lengths, man.avgdl));
    m.terms.clear();
    man.postings = inv.count;
    man.files.push_back(layout::write_lexicon(m.tmp, inv.lexicon));
    man.files.push_back(layout::write_blocks(m.tmp, inv.blocks));
    man.files.push_back(layout::write_postings(m.tmp, inv.postings));
  }
  man.files.push_back(layout::write_lengths(m.tmp, m.lengths));
  m.chunk_info_off.push_back(m.chunk_info.size());
  man.files.push_back(layout::write_chunk_info(m.tmp, m.chunk_info_off, m.chunk_info));
  man.files.push_back(layout::write_documents(m.tmp, order_documents(m.documents, N)));
  man.files.push_back(layout::write_columns(m.tmp, m.columns.finish(), static_cast<std::uint32_t>(N)));
  if (m.has_emb == 1) {
    man.dense = m.opt.dense;
    if (!man.dense.model.known()) man.dense.model.name = m.seen_model;
    // A remote model's name is its URL (BASE#model=NAME, embed -b openai).
    std::string_view name = man.dense.model.name;
    if (man.dense.model.backend.empty() && (name.starts_with("http://") || name.starts_with("https://")))
      man.dense.model.backend = "openai";
    man.dense.present = true;
    man.dense.dim = m.dim;
    man.files.push_back(layout::write_vectors(m.tmp, N, m.dim, m.vectors));
    if (auto f = build_dense(m.tmp, "dense.faiss", man.dense, m.vectors, N)) man.files.push_back(*f);
  }
  layout::write_manifest(m.tmp, man);
  if (!m.opt.nested) publish(m.tmp, m.dir);
  m.committed = true;
  return man;
}


void InvertedWriter::add(std::string_view term, const std::vector<std::uint32_t>& chunks,
                         const std::vector<std::uint32_t>& tfs) {
  layout::Lexicon& lex = inv_.lexicon;
  layout::Blocks& blk = inv_.blocks;
  const auto df = static_cast<std::uint32_t>(chunks.size());
  lex.blob.append(term);
  lex.term_off.push_back(lex.blob.size());
  lex.df.push_back(df);
  lex.first_block.push_back(blk.last.size());
  inv_.count += df;
  float tmax = 0;
  for (std::uint32_t b = 0; b < df; b += block_size) {
    std::uint32_t e = std::min(df, b + block_size);
    blk.offset.push_back(inv_.postings.size());
    std::uint32_t base = b == 0 ? 0 : chunks[b - 1];
    float bmax = 0;
    for (std::uint32_t i = b; i < e; ++i) {
      put_varint(inv_.postings, chunks[i] - base);
      base = chunks[i];
      bmax = std::max(bmax, tf_part(bm25_, tfs[i], norms_[chunks[i]]));
    }
    for (std::uint32_t i = b; i < e; ++i) put_varint(inv_.postings, tfs[i]);
    blk.last.push_back(chunks[e - 1]);
    blk.max.push_back(bmax);
    tmax = std::max(tmax, bmax);
  }
  lex.term_max.push_back(tmax);
}

Inverted InvertedWriter::finish() {
  inv_.blocks.offset.push_back(inv_.postings.size());
  inv_.lexicon.first_block.push_back(inv_.blocks.last.size());
  return std::move(inv_);
}

layout::Documents order_documents(std::vector<std::vector<std::pair<std::int64_t, std::uint32_t>>>& documents,
                                  std::uint64_t n) {
  layout::Documents d;
  d.document_of.resize(n);
  d.position.resize(n);
  for (std::size_t gi = 0; gi < documents.size(); ++gi) {
    auto& v = documents[gi];
    std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < v.size(); ++k) {
      d.document_of[v[k].second] = static_cast<std::uint32_t>(gi);
      d.position[v[k].second] = static_cast<std::uint32_t>(k);
      d.members.push_back(v[k].second);
    }
    d.offset.push_back(d.members.size());
  }
  return d;
}

}  // namespace hewn::index
