#include "index/segments.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/paths.hpp"
#include "index/index.hpp"
#include "index/inverted.hpp"
#include "index/layout.hpp"
#include "index/merge.hpp"
#include "index/publish.hpp"
#include "index/string_hash.hpp"

namespace hewn::index {

namespace fs = std::filesystem;

namespace {

constexpr const char* deleted_name = "deleted.bin";

std::string trimmed(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// Levels are linked chunk by chunk (links.bin): a segment or a deletion in
// one level, or a renumbering by compact, would break those links, so a
// levelled index, or one of its levels, is refused whole.
// Errors: DataError "DIR: a levelled index (levels.json): index VERB takes
// a single-level index; rebuild ..." (also for DIR/level-N).
void refuse_levelled(const std::string& dir, const char* verb) {
  fs::path p(dir);
  std::string top;
  if (fs::exists(p / "levels.json")) top = dir;
  else if (p.filename().string().rfind("level-", 0) == 0 && fs::exists(p.parent_path() / "levels.json"))
    top = p.parent_path().string();
  if (top.empty()) return;
  throw DataError((top == dir ? dir : dir + ": a level of " + top) + ": a levelled index (levels.json): index " + verb +
                  " takes a single-level index; rebuild a levelled one with index build over all its chunks");
}

std::string read_whole(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open: " + std::strerror(errno));
  std::string text;
  char buf[1 << 14];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

// An index's parts: the base (DIR itself) and each segment, their
// manifests, and the chunks deleted in each (ascending).
struct Parts {
  Manifest top;
  std::vector<std::string> dirs;
  std::vector<Manifest> manifests;
  std::vector<std::vector<std::uint32_t>> deleted;
};

// deleted.bin: u64 S (parts), u64 offset[S+1], u32 chunk[offset[S]]: each
// part's deleted chunks, ascending.
FileEntry write_deleted(const std::string& dir, const std::vector<std::vector<std::uint32_t>>& del) {
  std::string out;
  put<std::uint64_t>(out, del.size());
  std::uint64_t off = 0;
  put<std::uint64_t>(out, off);
  for (auto& d : del) put<std::uint64_t>(out, off += d.size());
  for (auto& d : del) put_array(out, d);
  return write_file(dir, deleted_name, out);
}

// Lists del (one list per part of top, to which an empty one is added for
// a segment top has beyond them) in dir/deleted.bin and in top, when any.
void replace_deleted(const std::string& dir, Manifest& top, std::vector<std::vector<std::uint32_t>> del) {
  top.files.erase(std::remove_if(top.files.begin(), top.files.end(), [](auto& f) { return f.name == deleted_name; }),
                  top.files.end());
  del.resize(top.segments.size() + 1);
  top.deleted = 0;
  for (auto& d : del) top.deleted += d.size();
  if (top.deleted) top.files.push_back(write_deleted(dir, del));
}

// Errors: DataError "DIR/SEG/manifest.json: checksum differs from
// DIR/manifest.json", "DIR/SEG/manifest.json: settings differ from
// DIR/manifest.json", "DIR/deleted.bin: truncated or corrupt", those of
// Manifest::load() and read_verified().
Parts open_parts(const std::string& dir, const Manifest& top) {
  Parts p;
  p.top = top;
  Manifest base = top;
  base.segments.clear();
  base.deleted = 0;
  base.version = plain_format_version;
  p.dirs.push_back(dir);
  p.manifests.push_back(base);
  for (auto& s : top.segments) {
    std::string sd = dir + "/" + s.name;
    if (sha256_hex(read_whole(sd + "/manifest.json")) != s.sha256)
      throw DataError(sd + "/manifest.json: checksum differs from " + dir + "/manifest.json (the index is corrupt)");
    Manifest m = Manifest::load(sd);
    if (!m.segments.empty() || m.deleted || m.chunks != s.chunks || m.analyzer_json() != base.analyzer_json() ||
        m.bm25_json() != base.bm25_json() || m.dense.present != base.dense.present || m.dense.dim != base.dense.dim ||
        m.dense.metric != base.dense.metric)
      throw DataError(sd + "/manifest.json: settings differ from " + dir + "/manifest.json (the index is corrupt)");
    p.dirs.push_back(sd);
    p.manifests.push_back(std::move(m));
  }
  p.deleted.resize(p.dirs.size());
  if (top.deleted) {
    std::string bytes = read_verified(dir, top.file(dir, deleted_name));
    BinReader r(bytes, dir + "/" + deleted_name);
    if (r.get<std::uint64_t>() != p.dirs.size()) r.fail();
    std::vector<std::uint64_t> off;
    r.get_array(off, p.dirs.size() + 1);
    if (off.front() != 0 || off.back() != top.deleted || !std::is_sorted(off.begin(), off.end())) r.fail();
    for (std::size_t s = 0; s < p.dirs.size(); ++s) {
      r.get_array(p.deleted[s], off[s + 1] - off[s]);
      auto& d = p.deleted[s];
      for (std::size_t i = 0; i < d.size(); ++i)
        if (d[i] >= p.manifests[s].chunks || (i && d[i] <= d[i - 1])) r.fail();
    }
    if (r.remaining()) r.fail();
  }
  return p;
}

// Calls fn(chunk, id, doc) for each chunk of the index part in DIR.
// Errors: those of read_verified(), DataError "DIR/docinfo.bin: truncated or corrupt".
template <class Fn>
void for_each_chunk(const std::string& dir, const Manifest& m, Fn fn) {
  auto n = static_cast<std::uint32_t>(m.chunks);
  layout::ChunkInfoTable t = layout::read_chunk_info(dir, m, n);
  const auto* base = reinterpret_cast<const std::uint8_t*>(t.bytes.data());
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint8_t *p = base + t.offset[i], *end = base + t.offset[i + 1];
    std::string_view f[2];
    for (auto& v : f) {
      std::uint64_t len;
      if (p > end || !get_varint_checked(p, end, len) || len > static_cast<std::uint64_t>(end - p))
        BinReader(std::string_view(), dir + "/docinfo.bin").fail();
      v = std::string_view(reinterpret_cast<const char*>(p), len);
      p += len;
    }
    fn(i, f[0], f[1]);
  }
}

// Fills tmp (a temporary sibling of dir) with links to the files of dir's
// parts, but for manifest.json, manifest.sha256 and deleted.bin (which
// names the parts: written anew). Errors: DataError "PATH: cannot create:
// <reason>".
void link_parts(const Parts& p, const std::string& tmp) {
  auto link = [&](const std::string& from, const std::string& to) {
    std::error_code ec;
    fs::create_hard_link(from, to, ec);
    if (ec) {
      ec.clear();
      fs::copy_file(from, to, ec);
      if (ec) throw DataError(to + ": cannot create: " + ec.message());
    }
  };
  for (auto& f : p.top.files)
    if (f.name != deleted_name) link(p.dirs[0] + "/" + f.name, tmp + "/" + f.name);
  for (std::size_t s = 1; s < p.dirs.size(); ++s) {
    std::string to = tmp + "/" + p.top.segments[s - 1].name;
    std::error_code ec;
    if (!fs::create_directory(to, ec)) throw DataError(to + ": cannot create: " + ec.message());
    for (fs::directory_iterator it(p.dirs[s], ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file()) link(it->path().string(), to + "/" + it->path().filename().string());
    if (ec) throw DataError(p.dirs[s] + ": cannot read: " + ec.message());
  }
}
using NameSet = std::unordered_set<std::string, SvHash, SvEq>;

}  // namespace

// ------------------------------------------------------------ reading

void Index::open_segments() {
  Parts p = open_parts(dir_, m_);
  const std::size_t S = p.dirs.size();
  segs_.push_back(std::unique_ptr<Index>(new Index(dir_, p.manifests[0], PlainTag{})));
  for (std::size_t s = 1; s < S; ++s)
    segs_.push_back(std::unique_ptr<Index>(new Index(p.dirs[s], p.manifests[s], PlainTag{})));
  // The live chunks, numbered in order.
  live_of_.resize(S);
  std::uint64_t tokens = 0;
  for (std::size_t s = 0; s < S; ++s) {
    const Index& x = *segs_[s];
    live_of_[s].assign(x.size(), 0);
    for (auto d : p.deleted[s]) live_of_[s][d] = no_chunk;
    for (std::uint32_t i = 0; i < x.size(); ++i) {
      if (live_of_[s][i] == no_chunk) continue;
      live_of_[s][i] = static_cast<std::uint32_t>(where_.size());
      where_.emplace_back(static_cast<std::uint32_t>(s), i);
      lengths_.push_back(x.lengths_[i]);
      tokens += x.lengths_[i];
    }
  }
  n_ = static_cast<std::uint32_t>(where_.size());
  if (n_ == 0) throw DataError(dir_ + "/" + deleted_name + ": every chunk is deleted (the index is corrupt)");
  m_.chunks = n_;
  m_.tokens = tokens;
  m_.avgdl = static_cast<double>(tokens) / static_cast<double>(n_);  // as Builder::commit()
  norms_ = document_norms(m_.bm25, lengths_, m_.avgdl);
  // The lexicon: the segments' terms merged in byte order, each with its
  // live postings (a term none of them has is left out, as in a rebuild).
  {
    InvertedWriter w(m_.bm25, norms_);
    std::vector<std::uint32_t> next(S, 0), chunks, tfs;
    Cursor c;
    for (;;) {
      std::string_view t;
      bool any = false;
      for (std::size_t s = 0; s < S; ++s)
        if (next[s] < segs_[s]->terms() && (!any || segs_[s]->term(next[s]) < t)) {
          t = segs_[s]->term(next[s]);
          any = true;
        }
      if (!any) break;
      chunks.clear();
      tfs.clear();
      for (std::size_t s = 0; s < S; ++s) {
        if (next[s] >= segs_[s]->terms() || segs_[s]->term(next[s]) != t) continue;
        for (c.reset(*segs_[s], next[s]); c.chunk() != no_chunk; c.next()) {
          std::uint32_t g = live_of_[s][c.chunk()];
          if (g == no_chunk) continue;
          chunks.push_back(g);
          tfs.push_back(c.tf());
        }
      }
      std::string term(t);  // t views a segment's lexicon, advanced below
      for (std::size_t s = 0; s < S; ++s)
        if (next[s] < segs_[s]->terms() && segs_[s]->term(next[s]) == term) ++next[s];
      if (!chunks.empty()) w.add(term, chunks, tfs);
    }
    Inverted inv = w.finish();
    m_.terms = inv.lexicon.terms();
    m_.postings = inv.count;
    term_off_ = std::move(inv.lexicon.term_off);
    df_ = std::move(inv.lexicon.df);
    first_block_ = std::move(inv.lexicon.first_block);
    term_max_ = std::move(inv.lexicon.term_max);
    blob_ = std::move(inv.lexicon.blob);
    blk_last_ = std::move(inv.blocks.last);
    blk_max_ = std::move(inv.blocks.max);
    blk_off_ = std::move(inv.blocks.offset);
    postings_ = std::move(inv.postings);
    postings_.append(16, '\0');  // slack for varint decoding, as read_postings()
  }
  // Chunk info, then documents in order of first appearance.
  chunk_info_off_.reserve(n_ + 1);
  for (auto [s, i] : where_) {
    const Index& x = *segs_[s];
    chunk_info_off_.push_back(chunk_info_.size());
    chunk_info_.append(x.chunk_info_, x.chunk_info_off_[i], x.chunk_info_off_[i + 1] - x.chunk_info_off_[i]);
  }
  chunk_info_off_.push_back(chunk_info_.size());
  {
    std::unordered_map<std::string_view, std::uint32_t> ids;
    std::vector<std::vector<std::pair<std::int64_t, std::uint32_t>>> docs;
    for (std::uint32_t g = 0; g < n_; ++g) {
      ChunkInfo ci = info(g);
      auto [it, fresh] = ids.emplace(ci.doc, static_cast<std::uint32_t>(docs.size()));
      if (fresh) docs.emplace_back();
      docs[it->second].emplace_back(ci.n, g);
    }
    m_.documents = docs.size();
    layout::Documents d = order_documents(docs, n_);
    document_off_ = std::move(d.offset);
    members_ = std::move(d.members);
    document_of_ = std::move(d.document_of);
    pos_of_ = std::move(d.position);
  }
  // The segments keep what record(), vector() and dense() read.
  for (auto& x : segs_) {
    std::string().swap(x->blob_);
    std::string().swap(x->postings_);
    std::string().swap(x->chunk_info_);
    for (auto* v : {&x->term_off_, &x->first_block_, &x->blk_off_, &x->chunk_info_off_, &x->document_off_})
      std::vector<std::uint64_t>().swap(*v);
    for (auto* v : {&x->df_, &x->blk_last_, &x->lengths_, &x->members_, &x->document_of_, &x->pos_of_})
      std::vector<std::uint32_t>().swap(*v);
    for (auto* v : {&x->term_max_, &x->blk_max_, &x->norms_}) std::vector<float>().swap(*v);
  }
}

// ------------------------------------------------------------ adding

struct Adder::Impl {
  std::string dir, tmp;
  Parts parts;
  NameSet ids, docs;  // of live chunks
  std::unique_ptr<Builder> builder;
  std::string segment;
  bool committed = false;
};

Adder::Adder(std::string dir, const BuildOptions& opt) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  dir = io::resolve_links(trimmed(dir));
  m.dir = dir;
  refuse_levelled(dir, "add");
  Manifest top = Manifest::load(dir);
  m.parts = open_parts(dir, top);
  for (std::size_t s = 0; s < m.parts.dirs.size(); ++s) {
    const auto& del = m.parts.deleted[s];
    for_each_chunk(m.parts.dirs[s], m.parts.manifests[s], [&](std::uint32_t i, std::string_view id, std::string_view doc) {
      if (std::binary_search(del.begin(), del.end(), i)) return;
      m.ids.emplace(id);
      m.docs.emplace(doc);
    });
  }
  opt_ = opt;
  opt_.analyzer = top.analyzer;
  opt_.fields = top.fields;
  opt_.bm25 = top.bm25;
  opt_.dense = DenseSettings{};
  opt_.dense.metric = top.dense.metric;
  opt_.dense.model = top.dense.model;  // so Builder checks the records' "model" against it
  opt_.shard = ShardInfo{};
  // Segments are searched exhaustively (Flat); index compact rebuilds the
  // base's FAISS index over every live vector.
  opt_.dense.factory = "Flat";
  std::uint32_t last = 0;
  for (auto& s : top.segments) {
    unsigned v = 0;
    if (std::sscanf(s.name.c_str(), "segment-%u", &v) == 1) last = std::max<std::uint32_t>(last, v);
  }
  char name[32];
  std::snprintf(name, sizeof name, "segment-%06u", last + 1);
  m.segment = name;
  m.tmp = make_temp_sibling(dir);
  try {
    link_parts(m.parts, m.tmp);
    m.builder = std::make_unique<Builder>(m.tmp + "/" + m.segment, opt_);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(m.tmp, ec);
    throw;
  }
}

Adder::~Adder() {
  impl_->builder.reset();
  if (!impl_->committed) {
    std::error_code ec;
    fs::remove_all(impl_->tmp, ec);
  }
}

void Adder::add(const ChunkEntry& d) {
  auto& m = *impl_;
  const Manifest& top = m.parts.top;
  std::string where(d.where);
  if (m.ids.count(d.id)) throw DataError(where + ": duplicate id " + hewn::quoted(d.id) + " (already in " + m.dir + ")");
  if (m.docs.count(d.doc))
    throw DataError(where + ": document " + hewn::quoted(d.doc) + " is already in " + m.dir +
                    " (index delete it first)");
  if (top.dense.present && d.embedding.empty())
    throw DataError(where + ": record has no " + hewn::quoted(opt_.embedding_field) + " but " + m.dir +
                    " has vectors");
  if (!top.dense.present && !d.embedding.empty())
    throw DataError(where + ": record has an embedding but " + m.dir + " has no vectors");
  if (top.dense.present && d.embedding.size() != top.dense.dim)
    throw DataError(where + ": embedding has " + std::to_string(d.embedding.size()) + " dimensions, " + m.dir +
                    " has " + std::to_string(top.dense.dim));
  if (!d.model.empty() && top.dense.model.known() && d.model != top.dense.model.name)
    throw DataError(where + ": embedding made by model " + hewn::quoted(d.model) + ", " + m.dir + " by " +
                    hewn::quoted(top.dense.model.name));
  m.builder->add(d);
}

Manifest Adder::commit() {
  auto& m = *impl_;
  if (m.builder->count() == 0) throw DataError(m.dir + ": no records to add");
  Manifest seg = m.builder->commit();
  std::string sd = m.tmp + "/" + m.segment;
  Manifest top = m.parts.top;
  top.version = format_version;
  top.segments.push_back({m.segment, seg.chunks, sha256_hex(read_whole(sd + "/manifest.json"))});
  replace_deleted(m.tmp, top, m.parts.deleted);
  layout::write_manifest(m.tmp, top);
  publish(m.tmp, m.dir);
  m.committed = true;
  return seg;
}

// ------------------------------------------------------------ deleting

std::uint64_t delete_chunks(const std::string& dir_in, const std::vector<std::string>& ids, bool by_chunk) {
  std::string dir = io::resolve_links(trimmed(dir_in));
  refuse_levelled(dir, "delete");
  Manifest top = Manifest::load(dir);
  Parts p = open_parts(dir, top);
  std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, std::uint32_t>>, SvHash, SvEq> named;
  for (auto& id : ids) named.emplace(id, std::vector<std::pair<std::uint32_t, std::uint32_t>>{});
  std::uint64_t live = 0;
  for (std::size_t s = 0; s < p.dirs.size(); ++s) {
    const auto& del = p.deleted[s];
    for_each_chunk(p.dirs[s], p.manifests[s], [&](std::uint32_t i, std::string_view id, std::string_view doc) {
      if (std::binary_search(del.begin(), del.end(), i)) return;
      ++live;
      auto it = named.find(by_chunk ? id : doc);
      if (it != named.end()) it->second.emplace_back(static_cast<std::uint32_t>(s), i);
    });
  }
  std::uint64_t count = 0;
  NameSet done;  // an id given twice counts once
  for (auto& id : ids) {  // in the order given, for the first unknown one
    if (!done.insert(id).second) continue;
    auto& v = named.at(id);
    if (v.empty()) throw DataError(dir + ": no " + (by_chunk ? "chunk " : "document ") + hewn::quoted(id));
    for (auto [s, i] : v) p.deleted[s].push_back(i);
    count += v.size();
  }
  for (auto& d : p.deleted) std::sort(d.begin(), d.end());
  if (count == live) throw DataError(dir + ": deleting every chunk would leave the index empty (build it anew)");
  std::string tmp = make_temp_sibling(dir);
  try {
    link_parts(p, tmp);
    replace_deleted(tmp, top, p.deleted);
    top.version = format_version;
    layout::write_manifest(tmp, top);
    publish(tmp, dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  return count;
}

// ------------------------------------------------------------ compacting

Manifest compact(const std::string& dir, unsigned threads) {
  refuse_levelled(trimmed(dir), "compact");
  Index ix(dir);
  const Manifest& m = ix.manifest();
  BuildOptions opt;
  opt.analyzer = m.analyzer;
  opt.fields = m.fields;
  opt.bm25 = m.bm25;
  opt.dense = m.dense;
  opt.dense.threads = threads;
  opt.shard = m.shard;
  opt.missing_shards = m.missing_shards;
  opt.missing_of = m.missing_of;
  Builder builder(ix.dir(), opt);
  add_index(builder, ix, ix.dir());
  return builder.commit();
}

}  // namespace hewn::index
