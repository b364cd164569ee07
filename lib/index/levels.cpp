#include "index/levels.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "index/format.hpp"
#include "index/publish.hpp"

namespace hewn::index {

namespace fs = std::filesystem;

namespace {

std::string level_name(std::size_t l) { return "level-" + std::to_string(l); }

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open: " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes links.bin and levels.json into tmp (whose level-L directories are
// complete), then publishes tmp as dir.
void publish_levels(const std::string& tmp, const std::string& dir, const std::vector<std::uint64_t>& counts,
                    const std::vector<std::vector<std::uint32_t>>& parents) {
  std::string links;
  put<std::uint64_t>(links, counts.size());
  for (auto n : counts) put<std::uint64_t>(links, n);
  for (std::size_t l = 1; l < parents.size(); ++l)
    for (auto p : parents[l]) put<std::uint32_t>(links, p);
  FileEntry e = write_file(tmp, "links.bin", links);
  std::string o = "{";
  json::append_key(o, "format", true);
  json::append_string(o, "hewn-levels");
  json::append_key(o, "version");
  json::append_uint(o, 1);
  json::append_key(o, "levels");
  o += "[";
  for (std::size_t l = 0; l < counts.size(); ++l) {
    if (l) o += ",";
    json::append_string(o, level_name(l));
  }
  o += "]";
  json::append_key(o, "manifests");
  o += "[";
  for (std::size_t l = 0; l < counts.size(); ++l) {
    if (l) o += ",";
    json::append_string(o, sha256_hex(read_text(tmp + "/" + level_name(l) + "/manifest.json")));
  }
  o += "]";
  json::append_key(o, "links_bytes");
  json::append_uint(o, e.bytes);
  json::append_key(o, "links_sha256");
  json::append_string(o, e.sha256);
  o += "}\n";
  write_file(tmp, "levels.json", o);
  publish(tmp, dir);
}

// Removes a temporary directory unless released.
struct TempDir {
  std::string path;
  bool keep = false;
  ~TempDir() {
    if (keep || path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

bool is_levelled(const std::string& dir) {
  std::error_code ec;
  return fs::exists(dir + "/levels.json", ec);
}

// ---------------------------------------------------------------- building

struct LevelBuilder::Impl {
  std::string dir;
  BuildOptions opt;
  int mode = -1;  // unknown, 0 plain, 1 levelled
  std::unique_ptr<Builder> plain;
  TempDir tmp;
  std::vector<std::unique_ptr<Builder>> levels;
  struct Span {
    std::uint64_t start, end;
    std::uint32_t doc;
  };
  std::vector<std::vector<Span>> spans;
  std::vector<std::vector<std::uint32_t>> parents;  // per level: each chunk's parent
  std::unordered_map<std::string, std::pair<std::uint32_t, std::uint32_t>> ids;  // id -> level, chunk
  std::unordered_map<std::string, std::uint32_t> docs;
};

LevelBuilder::LevelBuilder(std::string dir, BuildOptions options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.dir = build_target(std::move(dir));
  m.opt = std::move(options);
  m.plain = std::make_unique<Builder>(m.dir, m.opt);
}

LevelBuilder::~LevelBuilder() { impl_->levels.clear(); }

void LevelBuilder::add(const ChunkEntry& d) {
  auto& m = *impl_;
  const std::string where(d.where);
  if (m.mode < 0) {
    m.mode = d.level >= 0 ? 1 : 0;
    if (m.mode == 1) {
      m.plain.reset();
      m.tmp.path = make_temp_sibling(m.dir);
    }
  }
  if (m.mode == 0) {
    if (d.level >= 0) throw DataError(where + ": record has a \"level\" but earlier ones do not");
    return m.plain->add(d);
  }
  if (d.level < 0) throw DataError(where + ": record has no \"level\" but earlier ones do");
  const auto L = static_cast<std::size_t>(d.level);
  std::uint32_t parent = 0;
  if (L == 0 && !d.parent.empty()) throw DataError(where + ": a chunk of level 0 has no parent");
  auto doc = m.docs.try_emplace(std::string(d.doc), static_cast<std::uint32_t>(m.docs.size())).first->second;
  if (L > 0) {
    if (d.parent.empty()) throw DataError(where + ": chunk of level " + std::to_string(L) + " has no \"parent\"");
    auto it = m.ids.find(std::string(d.parent));
    if (it == m.ids.end() || it->second.first != L - 1)
      throw DataError(where + ": parent " + hewn::quoted(d.parent) + " is not a chunk of level " +
                      std::to_string(L - 1) + " read before it");
    parent = it->second.second;
    const Impl::Span& ps = m.spans[L - 1][parent];
    if (ps.doc != doc) throw DataError(where + ": parent " + hewn::quoted(d.parent) + " is of another document");
    if (d.start < ps.start || d.end > ps.end)
      throw DataError(where + ": span [" + std::to_string(d.start) + ", " + std::to_string(d.end) +
                      ") is not inside its parent's [" + std::to_string(ps.start) + ", " + std::to_string(ps.end) +
                      ")");
  }
  if (L == m.levels.size()) {
    BuildOptions o = m.opt;
    o.nested = true;
    m.levels.push_back(std::make_unique<Builder>(m.tmp.path + "/" + level_name(L), o));
    m.spans.emplace_back();
    m.parents.emplace_back();
  }
  const auto chunk = static_cast<std::uint32_t>(m.spans[L].size());
  if (!m.ids.try_emplace(std::string(d.id), static_cast<std::uint32_t>(L), chunk).second)
    throw DataError(where + ": duplicate id " + hewn::quoted(d.id));
  m.levels[L]->add(d);
  m.spans[L].push_back({d.start, d.end, doc});
  if (L > 0) m.parents[L].push_back(parent);
}

void LevelBuilder::commit() {
  auto& m = *impl_;
  if (m.mode != 1) {
    m.plain->commit();
    return;
  }
  std::vector<std::uint64_t> counts;
  for (std::size_t l = 0; l < m.levels.size(); ++l) {
    m.levels[l]->commit();
    counts.push_back(m.spans[l].size());
  }
  publish_levels(m.tmp.path, m.dir, counts, m.parents);
  m.tmp.keep = true;
}

// ---------------------------------------------------------------- reading

Levels::Levels(const std::string& dir) : dir_(dir) {
  const std::string path = dir + "/levels.json";
  std::string text = read_text(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::size_t n = text.size();
  text.append(io::line_padding, ' ');
  json::Parser parser;
  const json::Record& r = parser.parse(std::string_view(text).substr(0, n), path, 1);
  if (r.string("format").value_or("") != "hewn-levels") r.fail("not a hewn levelled index");
  if (r.require_whole("version") > 1) r.fail("format version is newer than this hewn reads (1)");
  std::vector<std::string_view> names, shas;
  if (!r.strings("levels", names) || !r.strings("manifests", shas) || names.size() != shas.size() || names.empty())
    r.fail("missing or mismatched \"levels\" and \"manifests\"");
  for (std::size_t l = 0; l < names.size(); ++l) {
    if (names[l] != level_name(l)) r.fail("level " + std::to_string(l) + " is not named " + level_name(l));
    names_.emplace_back(names[l]);
    manifests_.emplace_back(shas[l]);
  }
  FileEntry e{"links.bin", r.require_whole("links_bytes"), std::string(r.require_string("links_sha256"))};
  const std::string links = read_verified(dir, e);
  const std::string bad = dir + "/links.bin: truncated or corrupt";
  std::size_t at = 0;
  auto get = [&](auto v) {
    if (links.size() - at < sizeof v) throw DataError(bad);
    std::memcpy(&v, links.data() + at, sizeof v);
    at += sizeof v;
    return v;
  };
  const std::size_t L = names_.size();
  if (get(std::uint64_t{}) != L) throw DataError(bad);
  std::vector<std::uint64_t>& counts = counts_;
  for (std::size_t l = 0; l < L; ++l) {
    counts.push_back(get(std::uint64_t{}));
    if (counts.back() > 0xfffffff0u) throw DataError(bad);
  }
  links_.resize(L);
  children_.resize(L);
  for (std::size_t l = 0; l < L; ++l) children_[l].assign(l + 1 < L ? counts[l] : 0, 0);
  for (std::size_t l = 1; l < L; ++l) {
    if ((links.size() - at) / 4 < counts[l]) throw DataError(bad);
    links_[l].resize(counts[l]);
    for (auto& p : links_[l]) {
      p = get(std::uint32_t{});
      if (p >= counts[l - 1]) throw DataError(bad);
      ++children_[l - 1][p];
    }
  }
  if (at != links.size()) throw DataError(bad);
  open_.resize(L);
}

Levels::~Levels() = default;

const Index& Levels::level(std::size_t l) const {
  if (!open_[l]) {
    const std::string sub = dir_ + "/" + names_[l];
    if (sha256_hex(read_text(sub + "/manifest.json")) != manifests_[l])
      throw DataError(sub + "/manifest.json: does not match levels.json (the index is corrupt)");
    auto ix = std::make_unique<Index>(sub);
    if (ix->size() != counts_[l])
      throw DataError(dir_ + "/links.bin: does not match " + names_[l] + " (the index is corrupt)");
    open_[l] = std::move(ix);
  }
  return *open_[l];
}

std::uint32_t Levels::ancestor(std::size_t from, std::uint32_t c, std::size_t to) const {
  for (std::size_t l = from; l > to; --l) c = links_[l][c];
  return c;
}

std::string Levels::stats_json() const {
  std::string o = "{";
  json::append_key(o, "dir", true);
  json::append_string(o, dir_);
  json::append_key(o, "levels");
  o += "[";
  for (std::size_t l = 0; l < count(); ++l) {
    const Index& ix = level(l);
    std::string s = ix.manifest().stats_json(ix.dir());
    while (!s.empty() && s.back() == '\n') s.pop_back();
    if (l) o += ",";
    o += s;
  }
  o += "]}\n";
  return o;
}

// ---------------------------------------------------------------- merging

void merge_levels(const std::string& out_dir, const std::vector<std::string>& shards, const MergeOptions& options) {
  std::vector<std::unique_ptr<Levels>> in;
  for (const auto& s : shards) {
    if (!is_levelled(s))
      throw DataError(s + ": not a levelled index, " + shards.front() + " is (cannot merge)");
    in.push_back(std::make_unique<Levels>(s));
    if (in.back()->count() != in.front()->count())
      throw DataError(s + ": has " + std::to_string(in.back()->count()) + " levels, " + shards.front() + " has " +
                      std::to_string(in.front()->count()) + " (cannot merge)");
  }
  const std::string out = build_target(out_dir);
  TempDir tmp{make_temp_sibling(out)};
  const std::size_t L = in.front()->count();
  MergeOptions mo = options;
  mo.nested = true;
  for (std::size_t l = 0; l < L; ++l) {
    std::vector<std::string> parts;
    for (const auto& s : shards) parts.push_back(s + "/" + level_name(l));
    merge(tmp.path + "/" + level_name(l), parts, mo);
  }
  // The links, renumbered through the chunks' ids.
  std::vector<std::uint64_t> counts;
  std::vector<std::vector<std::uint32_t>> parents(L);
  std::unordered_map<std::string_view, std::uint32_t> above, here;
  std::unique_ptr<Index> prev;
  for (std::size_t l = 0; l < L; ++l) {
    auto cur = std::make_unique<Index>(tmp.path + "/" + level_name(l));
    counts.push_back(cur->size());
    here.clear();
    for (std::uint32_t i = 0; i < cur->size(); ++i) here.emplace(cur->info(i).id, i);
    if (l > 0) {
      parents[l].assign(cur->size(), 0);
      for (const auto& shard : in) {
        const Index& child = shard->level(l);
        const Index& parent = shard->level(l - 1);
        for (std::uint32_t c = 0; c < child.size(); ++c) {
          auto ci = here.find(child.info(c).id);
          auto pi = above.find(parent.info(shard->parent(l, c)).id);
          if (ci == here.end() || pi == above.end())
            throw DataError(shard->dir() + ": chunk " + hewn::quoted(child.info(c).id) +
                            " or its parent is missing from the merged levels");
          parents[l][ci->second] = pi->second;
        }
      }
    }
    prev = std::move(cur);
    above.swap(here);
  }
  prev.reset();
  publish_levels(tmp.path, out, counts, parents);
  tmp.keep = true;
}

}  // namespace hewn::index
