#include "index/builder.hpp"

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "index/dense.hpp"

namespace hewn::index {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- builder

namespace {
struct TermAcc {
  std::string buf;  // varint (doc delta, tf) pairs
  std::uint32_t last = 0;
  std::uint32_t df = 0;
};

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct SvEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
}  // namespace

struct Builder::Impl {
  std::string dir, tmp;
  BuildOptions opt;
  bool committed = false;
  std::unordered_map<std::string, TermAcc, SvHash, SvEq> terms;
  std::vector<std::uint32_t> lengths;
  std::uint64_t tokens = 0;
  std::string docinfo;
  std::vector<std::uint64_t> docinfo_off;
  std::unordered_set<std::string, SvHash, SvEq> ids;
  std::unordered_map<std::string, std::uint32_t, SvHash, SvEq> group_ids;
  std::vector<std::vector<std::pair<std::int64_t, std::uint32_t>>> groups;  // (n, internal id)
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

namespace {

// Temporary siblings are ".NAME.tmp-HOST-PID": the host and process that
// own one tell whether it is stale.
std::string host_name() {
  char h[256] = {};
  if (::gethostname(h, sizeof h - 1) != 0 || !h[0]) return "localhost";
  return h;
}

std::string temp_prefix(const fs::path& dir) { return "." + dir.filename().string() + ".tmp-" + host_name() + "-"; }

// Removes the temporary siblings that builds on this host left when they
// were killed (their process is gone).
void remove_stale(const fs::path& dir) {
  fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  std::string prefix = temp_prefix(dir);
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = name.substr(prefix.size());
    char* stop = nullptr;
    long pid = std::strtol(rest.c_str(), &stop, 10);
    if (pid <= 0 || (*stop && std::strcmp(stop, ".old") != 0)) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Builder::Builder(std::string dir, BuildOptions options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  dir = io::resolve_links(dir);  // a link to an index: the index it points to is replaced, the link stays
  m.dir = dir;
  m.opt = std::move(options);
  if (!valid(m.opt.bm25))
    throw UsageError("BM25 parameters out of range: --k1 and --delta must be within [0, 1e6), --b within [0, 1]");
  if (m.opt.fields.empty()) m.opt.fields = {m.opt.text_field};
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    bool ok = fs::is_directory(dir, ec) && (fs::exists(dir + "/manifest.json", ec) || fs::is_empty(dir, ec));
    if (!ok) throw DataError(dir + ": exists and is not a hewn index (refusing to replace it)");
  }
  fs::path p(dir);
  fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  m.tmp = (parent / temp_prefix(p) ).string() + std::to_string(::getpid());
  fs::remove_all(m.tmp, ec);
  if (!fs::create_directory(m.tmp, ec)) throw DataError(m.tmp + ": cannot create: " + ec.message());
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

void Builder::add(const DocEntry& d) {
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
  m.docinfo_off.push_back(m.docinfo.size());
  put_varint(m.docinfo, d.id.size());
  m.docinfo.append(d.id);
  put_varint(m.docinfo, d.doc.size());
  m.docinfo.append(d.doc);
  put_varint(m.docinfo, d.start);
  put_varint(m.docinfo, d.end);
  put_varint(m.docinfo, static_cast<std::uint64_t>(d.n + 1));
  auto g = m.group_ids.find(d.doc);
  if (g == m.group_ids.end()) {
    g = m.group_ids.emplace(std::string(d.doc), static_cast<std::uint32_t>(m.groups.size())).first;
    m.groups.emplace_back();
  }
  m.groups[g->second].emplace_back(d.n, id);

  m.block.append(d.record);
  m.block.push_back('\n');
  if (++m.in_block == records_per_block) m.flush_block();
}

Manifest Builder::commit() {
  auto& m = *impl_;
  std::uint64_t N = m.lengths.size();
  if (N == 0) throw DataError(m.dir + ": no records to index");
  Manifest man;
  man.documents = N;
  man.groups = m.groups.size();
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

  // document store
  m.flush_block();
  man.files.push_back(m.store->finish());
  m.store.reset();
  {
    std::string idx;
    put<std::uint64_t>(idx, m.block_off.size() - 1);
    put_array(idx, m.block_off);
    man.files.push_back(write_file(m.tmp, "docstore.idx", idx));
  }

  // postings, blocks and lexicon, terms in byte order
  std::vector<float> norms = document_norms(m.opt.bm25, m.lengths, man.avgdl);
  std::vector<const std::pair<const std::string, TermAcc>*> order;
  order.reserve(m.terms.size());
  for (auto& kv : m.terms) order.push_back(&kv);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string postings, blob;
  std::vector<std::uint64_t> term_off{0}, first_block;
  std::vector<std::uint32_t> dfs, blk_last;
  std::vector<std::uint64_t> blk_off;
  std::vector<float> term_max, blk_max;
  std::vector<std::uint32_t> docs, tfs;
  std::uint64_t npost = 0;
  for (auto* kv : order) {
    const TermAcc& a = kv->second;
    blob.append(kv->first);
    term_off.push_back(blob.size());
    dfs.push_back(a.df);
    first_block.push_back(blk_last.size());
    docs.clear();
    tfs.clear();
    const auto* p = reinterpret_cast<const std::uint8_t*>(a.buf.data());
    std::uint32_t doc = 0;
    for (std::uint32_t i = 0; i < a.df; ++i) {
      doc = i == 0 ? static_cast<std::uint32_t>(get_varint(p)) : doc + static_cast<std::uint32_t>(get_varint(p));
      docs.push_back(doc);
      tfs.push_back(static_cast<std::uint32_t>(get_varint(p)));
    }
    npost += a.df;
    float tmax = 0;
    for (std::uint32_t b = 0; b < a.df; b += block_size) {
      std::uint32_t e = std::min(a.df, b + block_size);
      blk_off.push_back(postings.size());
      std::uint32_t base = b == 0 ? 0 : docs[b - 1];
      float bmax = 0;
      for (std::uint32_t i = b; i < e; ++i) {
        put_varint(postings, docs[i] - base);
        base = docs[i];
        bmax = std::max(bmax, tf_part(m.opt.bm25, tfs[i], norms[docs[i]]));
      }
      for (std::uint32_t i = b; i < e; ++i) put_varint(postings, tfs[i]);
      blk_last.push_back(docs[e - 1]);
      blk_max.push_back(bmax);
      tmax = std::max(tmax, bmax);
    }
    term_max.push_back(tmax);
  }
  blk_off.push_back(postings.size());
  first_block.push_back(blk_last.size());
  man.postings = npost;
  m.terms.clear();
  {
    std::string lex;
    put<std::uint64_t>(lex, order.size());
    put_array(lex, term_off);
    put_array(lex, dfs);
    put_array(lex, first_block);
    put_array(lex, term_max);
    lex.append(blob);
    man.files.push_back(write_file(m.tmp, "lexicon.bin", lex));
    std::string blk;
    put<std::uint64_t>(blk, blk_last.size());
    put_array(blk, blk_last);
    put_array(blk, blk_max);
    put_array(blk, blk_off);
    man.files.push_back(write_file(m.tmp, "blocks.bin", blk));
    man.files.push_back(write_file(m.tmp, "postings.bin", postings));
  }
  {
    std::string len;
    put<std::uint64_t>(len, N);
    put_array(len, m.lengths);
    man.files.push_back(write_file(m.tmp, "lengths.bin", len));
    std::string info;
    put<std::uint64_t>(info, N);
    m.docinfo_off.push_back(m.docinfo.size());
    put_array(info, m.docinfo_off);
    info.append(m.docinfo);
    man.files.push_back(write_file(m.tmp, "docinfo.bin", info));
  }
  {
    // groups: chunks of each document ordered by "n" (then input order).
    std::string g;
    put<std::uint64_t>(g, m.groups.size());
    std::vector<std::uint64_t> off{0};
    std::vector<std::uint32_t> members, group_of(N), pos_of(N);
    for (std::size_t gi = 0; gi < m.groups.size(); ++gi) {
      auto& v = m.groups[gi];
      std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first < b.first; });
      for (std::size_t k = 0; k < v.size(); ++k) {
        group_of[v[k].second] = static_cast<std::uint32_t>(gi);
        pos_of[v[k].second] = static_cast<std::uint32_t>(k);
        members.push_back(v[k].second);
      }
      off.push_back(members.size());
    }
    put_array(g, off);
    put_array(g, members);
    put_array(g, group_of);
    put_array(g, pos_of);
    man.files.push_back(write_file(m.tmp, "groups.bin", g));
  }
  if (m.has_emb == 1) {
    man.dense = m.opt.dense;
    if (!man.dense.model.known()) man.dense.model.name = m.seen_model;
    // A remote model's name is its URL (BASE#model=NAME, embed -b openai).
    std::string_view name = man.dense.model.name;
    if (man.dense.model.backend.empty() && (name.starts_with("http://") || name.starts_with("https://")))
      man.dense.model.backend = "openai";
    man.dense.present = true;
    man.dense.dim = m.dim;
    std::string raw;
    put<std::uint64_t>(raw, N);
    put<std::uint32_t>(raw, m.dim);
    put_array(raw, m.vectors);
    man.files.push_back(write_file(m.tmp, "vectors.bin", raw));
    man.files.push_back(build_dense(m.tmp, "dense.faiss", man.dense, m.vectors, N));
  }
  std::string mj = man.to_json();
  mj.push_back('\n');
  write_file(m.tmp, "manifest.json", mj);
  write_file(m.tmp, "manifest.sha256", sha256_hex(mj) + "\n");  // the manifest's own check

  // into place
  sync_dir(m.tmp);
  std::error_code ec;
  if (fs::exists(m.dir, ec)) {
    if (::renameat2(AT_FDCWD, m.tmp.c_str(), AT_FDCWD, m.dir.c_str(), RENAME_EXCHANGE) != 0) {
      std::string old = m.tmp + ".old";
      if (std::rename(m.dir.c_str(), old.c_str()) != 0 || std::rename(m.tmp.c_str(), m.dir.c_str()) != 0)
        throw DataError(m.dir + ": cannot rename into place: " + std::strerror(errno));
      fs::remove_all(old, ec);
    }
    fs::remove_all(m.tmp, ec);  // now the old index
  } else if (std::rename(m.tmp.c_str(), m.dir.c_str()) != 0) {
    throw DataError(m.dir + ": cannot rename into place: " + std::strerror(errno));
  }
  m.committed = true;
  fs::path published(m.dir);
  sync_dir(published.parent_path().empty() ? "." : published.parent_path().string());
  remove_stale(published);
  return man;
}

}  // namespace hewn::index
