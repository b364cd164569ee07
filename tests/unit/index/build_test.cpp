#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <unistd.h>

#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"

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
