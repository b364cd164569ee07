#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <unistd.h>

#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/columns.hpp"
#include "index/index.hpp"
#include "query/filter.hpp"
#include "query/search.hpp"
#include "query/topk.hpp"

using namespace hewn;
namespace fs = std::filesystem;

TEST_CASE("parse_condition: operators, sets, quotes and literals") {
  auto c = query::parse_condition(" year >= 2020 ");
  CHECK(c.field == "year");
  CHECK(c.op == query::Condition::Op::ge);
  REQUIRE(c.values.size() == 1);
  CHECK(c.values[0].number == 2020.0);
  CHECK(!c.values[0].instant);
  c = query::parse_condition("lang in ( en ,\"d e\", 'x\\'y')");
  CHECK(c.op == query::Condition::Op::in);
  REQUIRE(c.values.size() == 3);
  CHECK(c.values[0].text == "en");
  CHECK(c.values[1].text == "d e");
  CHECK(c.values[1].quoted);
  CHECK(c.values[2].text == "x'y");
  c = query::parse_condition("lang not in(fr)");
  CHECK(c.op == query::Condition::Op::not_in);
  c = query::parse_condition("title=Hello World");
  CHECK(c.values[0].text == "Hello World");
  c = query::parse_condition("n=\"7\"");
  CHECK(!c.values[0].number);
  c = query::parse_condition("date<2024-06-01");
  CHECK(c.op == query::Condition::Op::lt);
  CHECK(c.values[0].instant == 1717200000.0);
  CHECK(!c.values[0].number);
  for (const char* bad : {"", "lang", "=x", "lang=", "lang in x", "lang in (a", "lang in (a,)", "a=\"b", "a<(b)",
                          "a in (b) c", "a not b"})
    CHECK_THROWS_AS(query::parse_condition(bad), UsageError);
}

TEST_CASE("parse_instant: dates and date-times, offsets, invalid days") {
  CHECK(query::parse_instant("1970-01-01") == 0.0);
  CHECK(query::parse_instant("1970-01-02T00:00:01Z") == 86401.0);
  CHECK(query::parse_instant("1970-01-01T02:00+02:00") == 0.0);
  CHECK(query::parse_instant("2024-02-29") == 1709164800.0);
  CHECK(query::parse_instant("1969-12-31") == -86400.0);
  CHECK(query::parse_instant("2024-01-01T00:00:00.5") == 1704067200.5);
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "2024", "2024-01-01T", "2024-01-01T25:00",
                          "2024-01-01Tx", "2024-01-01T00:00+2", "yesterday"})
    CHECK(!query::parse_instant(bad));
}

namespace {
struct Tmp {
  std::string dir;
  explicit Tmp(const char* tag) {
    dir = (fs::temp_directory_path() / ("hewn-filter-" + std::to_string(::getpid()) + tag)).string();
    fs::remove_all(dir);
  }
  ~Tmp() { fs::remove_all(dir); }
};
}  // namespace

TEST_CASE("columns: written, read back, and select() agrees with passes()") {
  Tmp t("cols");
  {
    index::BuildOptions o;
    index::Builder b(t.dir, o);
    json::Parser p;
    std::vector<std::string> recs = {
        R"({"id":"a","text":"x y","lang":"en","year":2020,"ok":true,"meta":{"p":1}})",
        R"({"id":"b","text":"y","lang":"de","year":2019.5,"ok":false,"date":"2024-05-31T23:00:00-02:00"})",
        R"({"id":"c","text":"x","year":"2021","date":"2024-06-01"})",
        R"({"id":"d","text":"x x","lang":"en","date":"soon"})",
    };
    std::string enc;
    for (auto& r : recs) {
      std::string padded = r + std::string(64, ' ');
      const json::Record& rec = p.parse(std::string_view(padded).substr(0, r.size()), "t", 1);
      index::encode_columns(rec, {"text"}, enc);
      index::ChunkEntry e;
      e.where = "t";
      e.id = *rec.string("id");
      e.doc = e.id;
      e.terms = {{"x", 1}};
      e.length = 1;
      e.record = r;
      e.columns = enc;
      b.add(e);
    }
    b.commit();
  }
  index::Index ix(t.dir);
  const index::Columns& cols = ix.columns();
  REQUIRE(cols.find("lang"));
  CHECK(!cols.find("text"));
  CHECK(!cols.find("meta"));
  CHECK(cols.find("lang")->size() == 2);
  auto ids = [&](std::vector<std::string> exprs) {
    std::vector<query::Condition> conds;
    for (auto& e : exprs) conds.push_back(query::parse_condition(e));
    index::ChunkSet s = query::select(ix, conds);
    std::string out;
    for (std::uint32_t c = s.next(0); c != 0xffffffffu; c = s.next(c + 1)) out += ix.info(c).id;
    // Each chunk by itself, through passes(), gives the same.
    std::string one;
    for (std::uint32_t c = 0; c < ix.size(); ++c) {
      bool all = true;
      for (auto& cond : conds) {
        const index::Column* col = cols.find(cond.field);
        all = all && col && query::passes(cond, *col, c);
      }
      if (all) one += ix.info(c).id;
    }
    CHECK(one == out);
    CHECK(s.count() == out.size());
    return out;
  };
  CHECK(ids({"lang=en"}) == "ad");
  CHECK(ids({"lang!=en"}) == "b");
  CHECK(ids({"year>=2020"}) == "a");       // "2021" is a string: numbers compare with numbers
  CHECK(ids({"year<2020"}) == "b");
  CHECK(ids({"year=2021"}) == "c");        // equality on a string compares its text
  CHECK(ids({"date<2024-06-01"}) == "");   // b is 2024-06-01T01:00Z
  CHECK(ids({"date<=2024-06-01T01:00Z"}) == "bc");
  CHECK(ids({"date>\"r\""}) == "d");       // a quoted value: byte order
  CHECK(ids({"ok=true"}) == "a");
  CHECK(ids({"ok=\"true\""}) == "");
  CHECK(ids({"lang in (de,en)", "ok=false"}) == "b");
  CHECK(ids({"nope=1"}) == "");
  CHECK(ids({"meta=1"}) == "");

  // BM25 under a filter: the exhaustive scorer restricted to the set.
  query::TopK topk(ix);
  auto q = query::weigh(ix, {"x"});
  index::ChunkSet s = query::select(ix, {query::parse_condition("id in (c,d,b)")});
  std::vector<query::Hit> fast, slow;
  topk.search(q, 2, fast, &s);
  topk.exhaustive(q, 2, slow, &s);
  REQUIRE(fast.size() == 2);
  CHECK(ix.info(fast[0].chunk).id == "b");  // equal scores: input order
  CHECK(ix.info(fast[1].chunk).id == "c");
  CHECK(fast[0].score == slow[0].score);
  CHECK(fast[1].chunk == slow[1].chunk);
}

TEST_CASE("TopK::search under random filters equals the exhaustive scorer") {
  Tmp t("topk");
  std::mt19937 rng(11);
  {
    index::BuildOptions o;
    index::Builder b(t.dir, o);
    std::vector<std::string> words = {"a", "b", "c", "d", "e", "f", "g", "h"};
    std::vector<std::string> ids(3000);
    for (std::uint32_t d = 0; d < 3000; ++d) {
      ids[d] = "c" + std::to_string(d);
      index::ChunkEntry e;
      e.where = "t";
      e.id = ids[d];
      e.doc = ids[d];
      for (std::size_t w = 0; w < words.size(); ++w)
        if (rng() % (w + 2) == 0) e.terms.emplace_back(words[w], 1 + rng() % 4);
      e.length = 1 + rng() % 40;
      e.record = "{}";
      b.add(e);
    }
    b.commit();
  }
  index::Index ix(t.dir);
  query::TopK topk(ix);
  for (int round = 0; round < 60; ++round) {
    index::ChunkSet s(ix.size());
    std::uint32_t every = 1 + rng() % 200;
    for (std::uint32_t c = 0; c < ix.size(); ++c)
      if (rng() % every == 0) s.insert(c);
    std::vector<std::string> terms = {std::string(1, char('a' + rng() % 8)), std::string(1, char('a' + rng() % 8)),
                                      std::string(1, char('a' + rng() % 8))};
    auto q = query::weigh(ix, terms);
    std::uint32_t k = 1 + rng() % 30;
    std::vector<query::Hit> fast, slow;
    topk.search(q, k, fast, &s);
    topk.exhaustive(q, k, slow, &s);
    REQUIRE(fast.size() == slow.size());
    for (std::size_t i = 0; i < fast.size(); ++i) {
      CHECK(fast[i].chunk == slow[i].chunk);
      CHECK(fast[i].score == slow[i].score);
      CHECK(s.has(fast[i].chunk));
    }
  }
}

TEST_CASE("dense_ranked under a filter: Flat's selector equals the exact scan; approximate indexes return all that pass") {
  std::mt19937 rng(3);
  std::vector<std::vector<float>> vecs(800);
  for (auto& v : vecs)
    for (int i = 0; i < 8; ++i) v.push_back(static_cast<float>(static_cast<int>(rng() % 5) - 2));  // ties
  for (std::string factory : {"Flat", "IVF8,Flat", "HNSW8"}) {
    Tmp t(factory.substr(0, 3).c_str());
    {
      index::BuildOptions o;
      o.dense.factory = factory;
      if (factory[0] == 'I') o.dense.nprobe = 1;
      index::Builder b(t.dir, o);
      for (std::uint32_t d = 0; d < vecs.size(); ++d) {
        std::string id = "c" + std::to_string(d);
        index::ChunkEntry e;
        e.where = "t";
        e.id = id;
        e.doc = id;
        e.terms = {{"w", 1}};
        e.length = 1;
        e.record = "{}";
        e.embedding = vecs[d];
        b.add(e);
      }
      b.commit();
    }
    index::Index ix(t.dir);
    std::vector<std::pair<std::uint32_t, float>> scratch, exact;
    std::vector<query::Hit> hits;
    for (std::uint32_t every : {1u, 3u, 50u, 400u}) {
      index::ChunkSet s(ix.size());
      for (std::uint32_t c = 0; c < ix.size(); ++c)
        if (rng() % every == 0) s.insert(c);
      const float* q = vecs[rng() % vecs.size()].data();
      for (std::uint32_t n : {1u, 10u, 40u}) {
        query::dense_ranked(*ix.dense(), s.count(), q, n, scratch, hits, &s, &ix);
        CHECK(hits.size() == std::min(n, s.count()));
        for (auto& h : hits) CHECK(s.has(h.chunk));
        if (factory != "Flat") continue;
        ix.dense()->scan([&ix](std::uint32_t c) { return ix.vector(c); }, q, s, n, exact);
        REQUIRE(exact.size() == hits.size());
        for (std::size_t i = 0; i < hits.size(); ++i) {
          CHECK(exact[i].first == hits[i].chunk);
          CHECK(static_cast<double>(exact[i].second) == hits[i].score);
        }
      }
    }
  }
}
