#include "index/manifest.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"

namespace hewn::index {

namespace {
std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s.push_back(sep);
    s += v[i];
  }
  return s;
}
std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> v;
  if (s.empty()) return v;
  std::size_t b = 0;
  for (;;) {
    std::size_t e = s.find(sep, b);
    v.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return v;
}
}  // namespace

std::string Manifest::analyzer_json() const {
  std::string o = "{";
  json::append_key(o, "segmenter", true);
  json::append_string(o, "icu-word");
  json::append_key(o, "locale");
  json::append_string(o, analyzer.locale);
  json::append_key(o, "case");
  json::append_string(o, "icu-fold");
  json::append_key(o, "possessive");
  o += "true";
  json::append_key(o, "stem");
  json::append_string(o, analyzer.stem);
  json::append_key(o, "stopwords");
  json::append_string(o, join(analyzer.stopwords, ' '));
  json::append_key(o, "max_term_bytes");
  json::append_uint(o, analyzer.max_term_bytes);
  json::append_key(o, "fields");
  json::append_string(o, join(fields, ','));
  o += "}";
  return o;
}

std::string Manifest::bm25_json() const {
  std::string o = "{";
  json::append_key(o, "variant", true);
  json::append_string(o, variant_name(bm25.variant));
  json::append_key(o, "k1");
  json::append_float(o, bm25.k1);
  json::append_key(o, "b");
  json::append_float(o, bm25.b);
  json::append_key(o, "delta");
  json::append_float(o, bm25.delta);
  json::append_key(o, "block_size");
  json::append_uint(o, block_size);
  o += "}";
  return o;
}

std::string Manifest::dense_json() const {
  if (!dense.present) return "null";
  std::string o = "{";
  json::append_key(o, "factory", true);
  json::append_string(o, dense.factory);
  json::append_key(o, "metric");
  json::append_string(o, dense.metric);
  json::append_key(o, "model");
  o += dense.model.to_json();
  json::append_key(o, "dim");
  json::append_uint(o, dense.dim);
  if (dense.nprobe) {
    json::append_key(o, "nprobe");
    json::append_uint(o, dense.nprobe);
  }
  if (dense.ef_search) {
    json::append_key(o, "ef_search");
    json::append_uint(o, dense.ef_search);
  }
  o += "}";
  return o;
}

std::string ModelRecord::to_json() const {
  if (!known()) return "null";
  std::string o = "{";
  json::append_key(o, "name", true);
  json::append_string(o, name);
  auto add = [&](const char* key, const std::string& v) {
    if (v.empty()) return;
    json::append_key(o, key);
    json::append_string(o, v);
  };
  add("backend", backend);
  add("path", path);
  add("sha256", sha256);
  o += "}";
  return o;
}

std::string Manifest::shard_name() const {
  if (shard.count == 0) return "";
  std::string s = std::to_string(shard.index) + "/" + std::to_string(shard.count);
  if (!shard.set.empty()) s += " of set " + hewn::quoted(shard.set);
  return s;
}

std::string Manifest::to_json() const {
  std::string o = "{";
  json::append_key(o, "format", true);
  json::append_string(o, "hewn-index");
  json::append_key(o, "version");
  json::append_uint(o, static_cast<std::uint64_t>(version));
  json::append_key(o, "documents");
  json::append_uint(o, chunks);
  json::append_key(o, "groups");
  json::append_uint(o, documents);
  json::append_key(o, "tokens");
  json::append_uint(o, tokens);
  json::append_key(o, "terms");
  json::append_uint(o, terms);
  json::append_key(o, "postings");
  json::append_uint(o, postings);
  json::append_key(o, "avgdl");
  json::append_double(o, avgdl);
  json::append_key(o, "analyzer");
  o += analyzer_json();
  json::append_key(o, "bm25");
  o += bm25_json();
  json::append_key(o, "docstore");
  o += "{\"codec\":\"zstd\",\"records_per_block\":";
  json::append_uint(o, records_per_block);
  o += "}";
  json::append_key(o, "dense");
  o += dense_json();
  if (shard.count) {
    json::append_key(o, "shard");
    o += "{\"index\":";
    json::append_uint(o, shard.index);
    o += ",\"count\":";
    json::append_uint(o, shard.count);
    o += ",\"set\":";
    json::append_string(o, shard.set);
    o += "}";
  }
  if (missing_of) {
    json::append_key(o, "missing_shards");
    o += "{\"of\":";
    json::append_uint(o, missing_of);
    o += ",\"shards\":[";
    for (std::size_t i = 0; i < missing_shards.size(); ++i) {
      if (i) o += ',';
      json::append_uint(o, missing_shards[i]);
    }
    o += "]}";
  }
  if (!segments.empty()) {
    json::append_key(o, "segments");
    o += "{";
    for (std::size_t i = 0; i < segments.size(); ++i) {
      json::append_key(o, segments[i].name, i == 0);
      o += "{\"documents\":";
      json::append_uint(o, segments[i].chunks);
      o += ",\"sha256\":";
      json::append_string(o, segments[i].sha256);
      o += "}";
    }
    o += "}";
  }
  if (deleted) {
    json::append_key(o, "deleted");
    json::append_uint(o, deleted);
  }
  json::append_key(o, "files");
  o += "{";
  for (std::size_t i = 0; i < files.size(); ++i) {
    json::append_key(o, files[i].name, i == 0);
    o += "{\"bytes\":";
    json::append_uint(o, files[i].bytes);
    o += ",\"sha256\":";
    json::append_string(o, files[i].sha256);
    o += "}";
  }
  o += "}}";
  return o;
}

namespace {
// A parser for one JSON object text (the manifest or one of its objects).
struct Obj {
  std::string text;
  json::Parser parser;
  const json::Record* rec;
  std::string name;
  Obj(std::string_view t, const std::string& source) : text(t), name(source) {
    text.append(io::line_padding, ' ');
    rec = &parser.parse(std::string_view(text).substr(0, t.size()), name, 0);
  }
  [[noreturn]] void bad(const std::string& what) const { throw DataError(name + ": " + what); }
  std::string_view raw(const char* key) const {
    auto* f = rec->find(key);
    if (!f) bad(std::string("missing field ") + hewn::quoted(key));
    return f->raw;
  }
  std::uint64_t uint(const char* key) const {
    auto v = rec->number(key);
    if (!v) bad(std::string("missing field ") + hewn::quoted(key));
    if (*v < 0) bad(std::string("field ") + hewn::quoted(key) + " is negative");
    // 2^64 and beyond (or a fraction) has no uint64 value: casting it is undefined.
    if (!(*v < 18446744073709551616.0) || *v != std::floor(*v))
      bad(std::string("field ") + hewn::quoted(key) + " is not an unsigned 64-bit integer");
    return static_cast<std::uint64_t>(*v);
  }
  double num(const char* key) const {
    auto v = rec->number(key);
    if (!v) bad(std::string("missing field ") + hewn::quoted(key));
    return *v;
  }
  std::string str(const char* key) const {
    auto v = rec->string(key);
    if (!v) bad(std::string("missing field ") + hewn::quoted(key));
    return std::string(*v);
  }
};
}  // namespace

Manifest Manifest::load(const std::string& dir) {
  std::string path = dir + "/manifest.json";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT) {
      if (std::filesystem::exists(dir + "/levels.json"))
        throw DataError(dir + ": a levelled index (levels.json): open one of its levels, " + dir + "/level-N");
      throw DataError(dir + ": not a hewn index (no manifest.json)");
    }
    throw DataError(path + ": cannot open: " + std::strerror(errno));
  }
  std::string text;
  char buf[1 << 14];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  // The manifest's own checksum (indexes written before it have none): a
  // changed number in it would silently change every score.
  if (std::FILE* c = std::fopen((dir + "/manifest.sha256").c_str(), "rb")) {
    char hex[65] = {};
    std::size_t got = std::fread(hex, 1, 64, c);
    std::fclose(c);
    if (got != 64 || std::string_view(hex, 64) != sha256_hex(text))
      throw DataError(path + ": checksum mismatch with manifest.sha256 (the index is corrupt)");
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Manifest m;
  try {
    Obj top(text, path);
    if (top.str("format") != "hewn-index") top.bad("not a hewn index manifest");
    std::uint64_t v = top.uint("version");
    if (v > static_cast<std::uint64_t>(format_version))
      throw DataError(path + ": format version " + std::to_string(v) + " is newer than this hewn reads (" +
                      std::to_string(format_version) + ")");
    m.version = static_cast<int>(v);
    m.chunks = top.uint("documents");
    m.documents = top.uint("groups");
    m.tokens = top.uint("tokens");
    m.terms = top.uint("terms");
    m.postings = top.uint("postings");
    m.avgdl = top.num("avgdl");
    Obj an(top.raw("analyzer"), path);
    m.analyzer.locale = an.str("locale");
    m.analyzer.stem = an.str("stem");
    m.analyzer.stopwords = split(an.str("stopwords"), ' ');
    m.analyzer.max_term_bytes = an.uint("max_term_bytes");
    m.fields = split(an.str("fields"), ',');
    Obj bm(top.raw("bm25"), path);
    m.bm25.variant = parse_variant(bm.str("variant"));
    m.bm25.k1 = static_cast<float>(bm.num("k1"));
    m.bm25.b = static_cast<float>(bm.num("b"));
    m.bm25.delta = static_cast<float>(bm.num("delta"));
    if (bm.uint("block_size") != block_size) bm.bad("unsupported block size");
    // NaN fails every comparison, so each test is written to fail on it.
    if (!(m.avgdl >= 0 && m.avgdl < 1e18)) top.bad("avgdl out of range");
    if (!valid(m.bm25)) bm.bad("k1, b or delta out of range");
    if (m.chunks > 0xfffffffeu) top.bad("too many documents");
    Obj ds(top.raw("docstore"), path);
    m.records_per_block = static_cast<std::uint32_t>(ds.uint("records_per_block"));
    if (m.records_per_block == 0) ds.bad("records_per_block is 0");
    std::string_view dr = top.raw("dense");
    if (dr != "null") {
      Obj d(dr, path);
      m.dense.present = true;
      m.dense.factory = d.str("factory");
      m.dense.metric = d.str("metric");
      // "model": an object; a plain name in indexes built before it was one.
      std::string_view mr = d.raw("model");
      if (d.rec->find("model")->type == json::Type::string) {
        m.dense.model.name = d.str("model");
      } else if (mr != "null") {
        Obj mo(mr, path);
        m.dense.model.name = mo.str("name");
        m.dense.model.backend = std::string(mo.rec->string("backend").value_or(""));
        m.dense.model.path = std::string(mo.rec->string("path").value_or(""));
        m.dense.model.sha256 = std::string(mo.rec->string("sha256").value_or(""));
      }
      std::uint64_t dim = d.uint("dim");
      if (dim == 0 || dim > 1u << 20) d.bad("dim out of range");
      m.dense.dim = static_cast<std::uint32_t>(dim);
      auto param = [&](const char* key) -> std::uint32_t {
        if (!d.rec->find(key)) return 0;
        std::uint64_t v = d.uint(key);
        if (v == 0 || v > 1u << 20) d.bad(std::string(key) + " out of range");
        return static_cast<std::uint32_t>(v);
      };
      m.dense.nprobe = param("nprobe");
      m.dense.ef_search = param("ef_search");
    }
    if (auto* f = top.rec->find("shard")) {
      Obj sh(f->raw, path);
      std::uint64_t i = sh.uint("index"), c = sh.uint("count");
      if (c == 0 || c > 1u << 20 || i >= c) sh.bad("shard index or count out of range");
      m.shard.index = static_cast<std::uint32_t>(i);
      m.shard.count = static_cast<std::uint32_t>(c);
      m.shard.set = sh.str("set");
    }
    if (auto* f = top.rec->find("missing_shards")) {
      Obj ms(f->raw, path);
      std::uint64_t of = ms.uint("of");
      if (of == 0 || of > 1u << 20) ms.bad("missing_shards: \"of\" out of range");
      m.missing_of = static_cast<std::uint32_t>(of);
      std::vector<float> list;
      if (!ms.rec->floats("shards", list)) ms.bad("missing field \"shards\"");
      for (float v : list) {
        if (!(v >= 0 && v < static_cast<float>(of)) || v != static_cast<float>(static_cast<std::uint32_t>(v)))
          ms.bad("missing_shards: shard out of range");
        m.missing_shards.push_back(static_cast<std::uint32_t>(v));
      }
    }
    Obj fs(top.raw("files"), path);
    for (auto& fld : fs.rec->fields()) {
      Obj e(fld.raw, path);
      m.files.push_back({std::string(fld.key), e.uint("bytes"), e.str("sha256")});
    }
    if (auto* f = top.rec->find("segments")) {
      Obj sg(f->raw, path);
      for (auto& fld : sg.rec->fields()) {
        Obj e(fld.raw, path);
        std::string name(fld.key);
        // A segment is a subdirectory of the index: a plain name only.
        if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos) sg.bad("bad segment name");
        m.segments.push_back({name, e.uint("documents"), e.str("sha256")});
      }
    }
    if (top.rec->find("deleted")) m.deleted = top.uint("deleted");
    if ((!m.segments.empty() || m.deleted) && m.version < 2) top.bad("segments in a version 1 manifest");
  } catch (const UsageError& e) {
    throw DataError(path + ": " + e.what());
  }
  return m;
}

namespace {
std::string file_sha256(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot read: " + std::strerror(errno));
  Sha256 sha;
  static thread_local char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) sha.update(std::string_view(buf, n));
  bool bad = std::ferror(f);
  std::fclose(f);
  if (bad) throw DataError(path + ": cannot read: read error");
  return sha.hex();
}
}  // namespace

std::string model_checksum(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec), end;
  if (ec) throw DataError(dir + ": cannot read: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw DataError(dir + ": cannot read: " + ec.message());
    std::string leaf = it->path().filename().string();
    if (!leaf.empty() && leaf[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), dir).generic_string());
  }
  if (ec) throw DataError(dir + ": cannot read: " + ec.message());
  std::sort(files.begin(), files.end());
  Sha256 all;
  for (const std::string& f : files) all.update(file_sha256(dir + "/" + f) + "  " + f + "\n");
  return all.hex();
}

ModelRecord describe_model_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  ModelRecord m;
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec).lexically_normal();
  if (ec) throw DataError(dir + ": cannot read: " + ec.message());
  std::string p = abs.string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  m.path = p;
  // The name embed writes in records (embed/model_files.cpp, model_name):
  // the folder's own name, "." and ".." resolved.
  m.name = fs::path(p).filename().string();
  m.sha256 = model_checksum(p);
  // The backend, as config.json's "model_type" names it (informative: a
  // directory that hewn cannot load fails when query loads it).
  std::FILE* f = std::fopen((p + "/config.json").c_str(), "rb");
  if (f) {
    std::string text;
    char buf[1 << 14];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    try {
      Obj c(text, p + "/config.json");
      if (auto* t = c.rec->find("model_type"); t && t->type == json::Type::string) m.backend = c.str("model_type");
    } catch (const Error&) {
    }
  }
  return m;
}

const FileEntry& Manifest::file(const std::string& dir, const std::string& name) const {
  for (auto& f : files)
    if (f.name == name) return f;
  throw DataError(dir + "/manifest.json: no file " + name + " listed");
}

std::string Manifest::stats_json(const std::string& dir) const {
  const Manifest& m = *this;
  std::string o = "{";
  json::append_key(o, "dir", true);
  json::append_string(o, dir);
  json::append_key(o, "version");
  json::append_uint(o, m.version);
  json::append_key(o, "documents");
  json::append_uint(o, m.chunks);
  json::append_key(o, "groups");
  json::append_uint(o, m.documents);
  json::append_key(o, "tokens");
  json::append_uint(o, m.tokens);
  json::append_key(o, "terms");
  json::append_uint(o, m.terms);
  json::append_key(o, "postings");
  json::append_uint(o, m.postings);
  json::append_key(o, "avgdl");
  json::append_double(o, m.avgdl);
  if (!m.segments.empty() || m.deleted) {
    json::append_key(o, "segments");
    json::append_uint(o, m.segments.size() + 1);
    json::append_key(o, "deleted");
    json::append_uint(o, m.deleted);
  }
  std::uint64_t total = 0;
  if (m.shard.count) {
    json::append_key(o, "shard");
    json::append_string(o, std::to_string(m.shard.index) + "/" + std::to_string(m.shard.count));
    json::append_key(o, "shard_set");
    json::append_string(o, m.shard.set);
  }
  if (m.missing_of) {
    json::append_key(o, "missing_shards");
    o += "[";
    for (std::size_t i = 0; i < m.missing_shards.size(); ++i) {
      if (i) o += ",";
      json::append_uint(o, m.missing_shards[i]);
    }
    o += "]";
    json::append_key(o, "shards_of");
    json::append_uint(o, m.missing_of);
  }
  json::append_key(o, "files");
  o += "{";
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    json::append_key(o, m.files[i].name, i == 0);
    json::append_uint(o, m.files[i].bytes);
    total += m.files[i].bytes;
  }
  o += "}";
  json::append_key(o, "bytes");
  json::append_uint(o, total);
  json::append_key(o, "analyzer");
  o += m.analyzer_json();
  json::append_key(o, "bm25");
  o += m.bm25_json();
  json::append_key(o, "dense");
  o += m.dense_json();
  o += "}\n";
  return o;
}

ShardInfo parse_shard(const std::string& s, const std::string& set) {
  ShardInfo sh;
  auto slash = s.find('/');
  auto number = [&](std::string_view t, std::uint32_t& v) {
    if (t.empty() || t.size() > 7) return false;
    v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return true;
  };
  std::string_view v(s);
  if (slash == std::string::npos || !number(v.substr(0, slash), sh.index) || !number(v.substr(slash + 1), sh.count) ||
      sh.count == 0 || sh.index >= sh.count)
    throw UsageError("--shard: expected I/N with 0 <= I < N (e.g. 0/4), got " + hewn::quoted(s));
  sh.set = set;
  return sh;
}

ModelRecord model_record(const std::string& dir_or_name) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir_or_name, ec)) return describe_model_dir(dir_or_name);
  ModelRecord m;
  m.name = dir_or_name;
  return m;
}

}  // namespace hewn::index
