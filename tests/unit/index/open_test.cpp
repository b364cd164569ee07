// Opening an index maps its files: a Flat dense index searches vectors.bin
// in place with FAISS's own kernels (the hits, scores and ties of
// faiss::IndexFlat over the same vectors), the postings are checked per
// term as first read, and verify() checks every file's checksum.
#include <doctest/doctest.h>

#include <faiss/IndexFlat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"

using namespace hewn::index;
namespace fs = std::filesystem;

namespace {
std::string scratch(const char* name) {
  auto p = fs::temp_directory_path() / ("hewn-open-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  return p.string();
}

// n chunks of dim-dimensional vectors drawn from a few values, so that
// many scores tie; chunk i has the term "t<i % 7>".
std::vector<float> build(const std::string& dir, const char* metric, std::uint32_t n, std::uint32_t dim) {
  std::mt19937 rng(11);
  std::vector<float> all;
  BuildOptions o;
  o.dense.metric = metric;
  Builder b(dir, o);
  std::vector<std::string> terms = {"t0", "t1", "t2", "t3", "t4", "t5", "t6"};
  for (std::uint32_t i = 0; i < n; ++i) {
    ChunkEntry d;
    std::string id = "c" + std::to_string(i);  // d views it
    d.where = "test";
    d.id = id;
    d.doc = id;
    d.terms = {{terms[i % 7], 1}};
    d.length = 1;
    d.record = "{}";
    for (std::uint32_t k = 0; k < dim; ++k) d.embedding.push_back(static_cast<float>(int(rng() % 5) - 2) * 0.5f);
    all.insert(all.end(), d.embedding.begin(), d.embedding.end());
    b.add(d);
  }
  b.commit();
  return all;
}
}  // namespace

TEST_CASE("open: a Flat dense index is vectors.bin, searched as faiss::IndexFlat searches") {
  for (const char* metric : {"ip", "l2"}) {
    std::string dir = scratch(metric);
    const std::uint32_t n = 500, dim = 6;
    std::vector<float> v = build(dir, metric, n, dim);
    CHECK(!fs::exists(dir + "/dense.faiss"));  // each vector stored once
    Index ix(dir);
    faiss::IndexFlat ref(dim, std::string(metric) == "l2" ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT);
    ref.add(n, v.data());
    std::mt19937 rng(3);
    std::vector<std::pair<std::uint32_t, float>> got;
    for (int q = 0; q < 20; ++q) {
      std::vector<float> x(dim);
      for (auto& f : x) f = static_cast<float>(int(rng() % 5) - 2);
      for (std::uint32_t k : {1u, 10u, 100u, 600u}) {
        ix.dense()->search(x.data(), k, got);
        std::vector<float> dist(k);
        std::vector<faiss::Index::idx_t> lab(k);
        ref.search(1, x.data(), k, dist.data(), lab.data());
        std::size_t m = 0;
        while (m < k && lab[m] >= 0) ++m;
        REQUIRE(got.size() == m);
        for (std::size_t i = 0; i < m; ++i) {  // the same order, ties included, and the same bits
          CHECK(got[i].first == lab[i]);
          CHECK(got[i].second == (std::string(metric) == "l2" ? -dist[i] : dist[i]));
        }
      }
    }
    CHECK(std::equal(ix.vector(n - 1), ix.vector(n - 1) + dim, v.end() - dim));
    fs::remove_all(dir);
  }
}

TEST_CASE("open: postings are checked per term as first read; verify() checks checksums") {
  std::string dir = scratch("lazy");
  build(dir, "ip", 50, 2);
  verify(dir);
  {  // t0's postings (the first in postings.bin) made to decode to chunk 255 of 50
    std::fstream f(dir + "/postings.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put(static_cast<char>(0xff));
  }
  Index ix(dir);  // opens: sizes match, and the lexicon is intact
  Cursor c;
  c.reset(ix, *ix.find("t3"));
  CHECK(c.chunk() == 3);
  CHECK_THROWS_WITH_AS(c.reset(ix, *ix.find("t0")), (dir + "/postings.bin: truncated or corrupt").c_str(),
                       hewn::DataError);
  CHECK_THROWS_WITH_AS(ix.check(), (dir + "/postings.bin: truncated or corrupt").c_str(), hewn::DataError);
  CHECK_THROWS_WITH_AS(verify(dir), (dir + "/postings.bin: checksum mismatch (the index is corrupt)").c_str(),
                       hewn::DataError);
  fs::remove_all(dir);
}
