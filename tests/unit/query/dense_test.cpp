#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <unistd.h>

#include "index/builder.hpp"
#include "index/index.hpp"
#include "query/search.hpp"

using namespace hewn;
namespace fs = std::filesystem;

namespace {
// 600 chunks whose vectors take 6 values (duplicate passages): ties in
// blocks of 100.
std::string tied_index(const std::string& factory) {
  std::string name = "hewn-dense-";
  name += std::to_string(::getpid());
  name += factory.substr(0, 4);
  auto dir = (fs::temp_directory_path() / name).string();
  fs::remove_all(dir);
  index::BuildOptions o;
  o.dense.factory = factory;
  o.dense.metric = "l2";
  index::Builder b(dir, o);
  std::mt19937 rng(5);
  std::vector<std::vector<float>> values(6);
  for (auto& v : values)
    for (int i = 0; i < 8; ++i) v.push_back(std::uniform_real_distribution<float>(-1, 1)(rng));
  for (std::uint32_t d = 0; d < 600; ++d) {
    std::string id = std::to_string(d);
    id.insert(0, 1, 'c');
    index::ChunkEntry e;
    e.where = "t";
    e.id = id;
    e.doc = id;
    e.terms = {{"w", 1}};
    e.length = 1;
    e.record = "{}";
    e.embedding = values[d % 6];
    b.add(e);
  }
  b.commit();
  return dir;
}
}  // namespace

TEST_CASE("dense_ranked: ties at the cut go to the earlier chunk, whatever n") {
  for (std::string factory : {"Flat", "IVF4,Flat", "HNSW8"}) {
    CAPTURE(factory);
    std::string dir = tied_index(factory);
    {
      index::Index ix(dir);
      std::vector<float> q(ix.vector(2), ix.vector(2) + 8);  // the vector of chunks 2, 8, 14, ...
      std::vector<std::pair<std::uint32_t, float>> scratch;
      std::vector<query::Hit> prev, cur;
      query::dense_ranked(*ix.dense(), ix.size(), q.data(), 250, scratch, prev);
      // (HNSW cannot walk far from 100 identical vectors: it finds fewer.)
      REQUIRE(prev.size() >= (factory == "HNSW8" ? 100u : 250u));
      // The 100 exact matches first, in input order; then the next block.
      for (std::uint32_t i = 0; i < 100; ++i) CHECK(prev[i].chunk == 2 + 6 * i);
      for (std::size_t i = 1; i < prev.size(); ++i) CHECK(query::ranks_before(prev[i - 1], prev[i]));
      for (std::uint32_t n : {1u, 5u, 99u, 100u, 101u, 150u, 199u, 200u, 201u}) {
        if (n > prev.size()) continue;
        CAPTURE(n);
        query::dense_ranked(*ix.dense(), ix.size(), q.data(), n, scratch, cur);
        REQUIRE(cur.size() == n);
        for (std::uint32_t i = 0; i < n; ++i) CHECK(cur[i].chunk == prev[i].chunk);
      }
    }
    fs::remove_all(dir);
  }
}
