#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "index/columns.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"
#include "index/segments.hpp"

using namespace hewn::index;
namespace fs = std::filesystem;

namespace {
std::string scratch(const char* name) {
  auto p = fs::temp_directory_path() / ("hewn-unit-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p.string();
}

ChunkEntry entry(const std::string& id, std::vector<std::pair<std::string_view, std::uint32_t>> terms) {
  ChunkEntry d;
  d.where = "test";
  d.id = id;
  d.doc = id;
  d.terms = std::move(terms);
  for (auto& t : d.terms) d.length += t.second;
  d.record = "{}";
  return d;
}
}  // namespace

TEST_CASE("build: postings, blocks and cursors round-trip") {
  std::string dir = scratch("roundtrip");
  std::mt19937 rng(7);
  const std::uint32_t n = 1000;
  std::vector<std::vector<std::uint32_t>> tf(3, std::vector<std::uint32_t>(n));
  std::vector<std::string> ids(n);
  {
    Builder b(dir, BuildOptions{});
    for (std::uint32_t i = 0; i < n; ++i) {
      ids[i] = "c" + std::to_string(i);
      std::vector<std::pair<std::string_view, std::uint32_t>> terms;
      static const char* names[] = {"alpha", "beta", "gamma"};
      for (int t = 0; t < 3; ++t) {
        if (rng() % (t + 2) == 0) {
          tf[t][i] = 1 + rng() % 5;
          terms.emplace_back(names[t], tf[t][i]);
        }
      }
      b.add(entry(ids[i], terms));
    }
    b.commit();
  }
  Index ix(dir);
  CHECK(ix.size() == n);
  CHECK(ix.terms() == 3);
  CHECK(ix.term(0) == "alpha");
  CHECK(!ix.find("delta"));
  for (std::uint32_t t = 0; t < 3; ++t) {
    Cursor c;
    c.reset(ix, t);
    std::uint32_t df = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!tf[t][i]) continue;
      ++df;
      REQUIRE(c.chunk() == i);
      CHECK(c.tf() == tf[t][i]);
      CHECK(tf_part(ix.manifest().bm25, c.tf(), ix.norm(i)) <= c.block_max_at(i));
      c.next();
    }
    CHECK(c.chunk() == no_chunk);
    CHECK(ix.df(t) == df);
    // next_geq lands on the first posting at or after the target
    for (std::uint32_t target = 0; target < n; target += 37) {
      Cursor s;
      s.reset(ix, t);
      s.next_geq(target);
      std::uint32_t want = target;
      while (want < n && !tf[t][want]) ++want;
      CHECK(s.chunk() == (want < n ? want : no_chunk));
    }
  }
  CHECK(ix.info(5).id == "c5");
  CHECK(ix.record(999) == "{}");
  fs::remove_all(dir);
}

TEST_CASE("build: duplicate ids are refused and leave no directory") {
  std::string dir = scratch("dup");
  {
    Builder b(dir, BuildOptions{});
    b.add(entry("x", {{"a", 1}}));
    CHECK_THROWS_WITH_AS(b.add(entry("x", {{"a", 1}})), "test: duplicate id \"x\"", hewn::DataError);
  }
  CHECK(!fs::exists(dir));
  for (auto& e : fs::directory_iterator(fs::temp_directory_path()))
    CHECK(e.path().filename().string().find(".hewn-unit-" + std::to_string(::getpid()) + "-dup.tmp") ==
          std::string::npos);
}

TEST_CASE("build: refuses to replace a directory that is not an index") {
  std::string dir = scratch("notindex");
  fs::create_directory(dir);
  { std::FILE* f = std::fopen((dir + "/precious").c_str(), "w"); std::fclose(f); }
  CHECK_THROWS_AS(Builder(dir, BuildOptions{}), hewn::DataError);
  CHECK(fs::exists(dir + "/precious"));
  fs::remove_all(dir);
}

namespace {
std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A random chunk: terms from a small vocabulary, a 3-dimensional vector.
struct Chunk {
  std::string id, doc, record;
  std::int64_t n;
  std::vector<std::string> names;
  std::vector<std::uint32_t> tfs;
  std::vector<float> vec;
};

std::vector<Chunk> corpus(std::uint32_t count) {
  std::mt19937 rng(11);
  std::vector<Chunk> v(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    Chunk& c = v[i];
    c.id = "c" + std::to_string(i);
    c.doc = "d" + std::to_string(i / 4);
    c.n = 3 - i % 4;  // stored out of order within the document
    c.record = "{\"id\":\"" + c.id + "\"}";
    for (int t = 0; t < 40; ++t)
      if (rng() % (t + 3) == 0) {
        c.names.push_back("t" + std::to_string(100 + t));
        c.tfs.push_back(1 + rng() % 4);
      }
    c.vec = {float(rng() % 97) / 7, float(rng() % 89) / 5, float(i % 13)};
  }
  return v;
}

template <class Sink>
void feed(Sink& sink, const std::vector<Chunk>& v, std::size_t from, std::size_t to, const std::vector<bool>* skip) {
  for (std::size_t i = from; i < to; ++i) {
    if (skip && (*skip)[i]) continue;
    const Chunk& c = v[i];
    ChunkEntry d;
    d.where = "test";
    d.id = c.id;
    d.doc = c.doc;
    d.n = c.n;
    d.start = i;
    d.end = i + 1;
    for (std::size_t k = 0; k < c.names.size(); ++k) {
      d.terms.emplace_back(c.names[k], c.tfs[k]);
      d.length += c.tfs[k];
    }
    std::sort(d.terms.begin(), d.terms.end());
    d.record = c.record;
    // The stored fields' columns, as index build's chunk records take them.
    std::string padded = c.record;
    padded.append(hewn::io::line_padding, ' ');
    hewn::json::Parser parser;
    std::string cols;
    hewn::index::encode_columns(parser.parse(std::string_view(padded).substr(0, c.record.size()), "test", i + 1),
                                std::vector<std::string>{"text"}, cols);
    d.columns = cols;
    d.embedding = c.vec;
    sink.add(d);
  }
}
}  // namespace

TEST_CASE("segments: base + add + delete reads as a rebuild of the live chunks; compact writes it") {
  auto v = corpus(300);
  std::string ref = scratch("seg-ref"), dir = scratch("seg-idx");
  std::vector<bool> gone(v.size(), false);
  for (std::size_t i = 0; i < v.size(); ++i)
    gone[i] = v[i].doc == "d5" || v[i].doc == "d60" || v[i].id == "c101" || v[i].id == "c250";
  {
    Builder b(ref, BuildOptions{});
    feed(b, v, 0, v.size(), &gone);
    b.commit();
  }
  {
    Builder b(dir, BuildOptions{});
    feed(b, v, 0, 220, nullptr);
    b.commit();
  }
  {
    Adder a(dir, BuildOptions{});
    feed(a, v, 220, v.size(), nullptr);
    a.commit();
  }
  CHECK(delete_chunks(dir, {"d5", "d60"}, false) == 8);
  CHECK(delete_chunks(dir, {"c101", "c250", "c101"}, true) == 2);
  CHECK_THROWS_AS(delete_chunks(dir, {"c101"}, true), hewn::DataError);  // already deleted
  {
    Adder a(dir, BuildOptions{});  // refused: nothing written
    std::vector<Chunk> dup(v.begin() + 10, v.begin() + 11);
    CHECK_THROWS_AS(feed(a, dup, 0, 1, nullptr), hewn::DataError);
  }
  Index a(ref), b(dir);
  REQUIRE(a.size() == b.size());
  CHECK(a.size() == 290);
  CHECK(b.manifest().deleted == 10);
  CHECK(a.manifest().avgdl == b.manifest().avgdl);
  CHECK(a.manifest().postings == b.manifest().postings);
  REQUIRE(a.terms() == b.terms());
  Cursor ca, cb;
  for (std::uint32_t t = 0; t < a.terms(); ++t) {
    CHECK(a.term(t) == b.term(t));
    CHECK(a.df(t) == b.df(t));
    CHECK(a.idf(t) == b.idf(t));
    CHECK(a.max_tf_part(t) == b.max_tf_part(t));
    ca.reset(a, t);
    cb.reset(b, t);
    for (; ca.chunk() != no_chunk; ca.next(), cb.next()) {
      CHECK(ca.chunk() == cb.chunk());
      CHECK(ca.tf() == cb.tf());
    }
    CHECK(cb.chunk() == no_chunk);
  }
  REQUIRE(a.documents() == b.documents());
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    CHECK(a.norm(i) == b.norm(i));
    CHECK(a.info(i).id == b.info(i).id);
    CHECK(a.info(i).doc == b.info(i).doc);
    CHECK(a.info(i).n == b.info(i).n);
    CHECK(a.document_of(i) == b.document_of(i));
    CHECK(a.position(i) == b.position(i));
    CHECK(a.record(i) == b.record(i));
    CHECK(std::equal(a.vector(i), a.vector(i) + 3, b.vector(i)));
  }
  std::vector<std::pair<std::uint32_t, float>> ha, hb;
  for (float q : {0.5f, 2.0f, 7.0f}) {
    float qv[3] = {q, 1.0f, -q};
    for (std::uint32_t k : {1u, 10u, 290u}) {
      a.dense()->search(qv, k, ha);
      b.dense()->search(qv, k, hb);
      // FAISS orders ties as it likes (query's dense_ranked() ranks them by
      // chunk): the same scores, and with every chunk asked for the same hits.
      auto rank = [](auto& h) {
        std::sort(h.begin(), h.end(),
                  [](auto& x, auto& y) { return x.second > y.second || (x.second == y.second && x.first < y.first); });
      };
      rank(ha);
      rank(hb);
      REQUIRE(ha.size() == hb.size());
      for (std::size_t i = 0; i < ha.size(); ++i) CHECK(ha[i].second == hb[i].second);
      if (k == 290) CHECK(ha == hb);
    }
  }
  compact(dir);
  for (const char* f : {"manifest.json", "lexicon.bin", "blocks.bin", "postings.bin", "lengths.bin", "docinfo.bin",
                        "groups.bin", "docstore.bin", "vectors.bin"})
    CHECK_MESSAGE(slurp(ref + "/" + f) == slurp(dir + "/" + f), f);
  CHECK(!fs::exists(dir + "/segment-000001"));
  fs::remove_all(ref);
  fs::remove_all(dir);
}
