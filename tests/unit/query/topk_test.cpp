#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <unistd.h>

#include "index/builder.hpp"
#include "index/index.hpp"
#include "query/search.hpp"
#include "query/topk.hpp"

using namespace hewn;
namespace fs = std::filesystem;

namespace {
// A random corpus with a Zipf-like vocabulary; lengths vary so that scores
// differ, and a few duplicated documents make exact ties.
std::string random_index(index::Variant variant, std::uint32_t seed) {
  auto dir = (fs::temp_directory_path() / ("hewn-topk-" + std::to_string(::getpid()) + "-" + std::to_string(seed)))
                 .string();
  fs::remove_all(dir);
  std::mt19937 rng(seed);
  index::BuildOptions o;
  o.bm25.variant = variant;
  index::Builder b(dir, o);
  std::vector<std::string> vocab;
  for (int i = 0; i < 300; ++i) vocab.push_back("t" + std::to_string(i));
  std::vector<std::vector<std::pair<std::string_view, std::uint32_t>>> prev;
  for (std::uint32_t d = 0; d < 3000; ++d) {
    std::vector<std::pair<std::string_view, std::uint32_t>> terms;
    if (d % 50 == 49) {
      terms = prev[rng() % prev.size()];  // an exact duplicate: tied scores
    } else {
      std::map<int, std::uint32_t> tf;
      int len = 1 + rng() % 60;
      for (int i = 0; i < len; ++i) {
        double u = std::uniform_real_distribution<double>(0, 1)(rng);
        ++tf[static_cast<int>(std::pow(u, 2.5) * vocab.size())];
      }
      for (auto& [t, f] : tf) terms.emplace_back(vocab[t], f);
    }
    prev.push_back(terms);
    index::ChunkEntry e;
    std::string id = "d" + std::to_string(d);
    e.where = "t";
    e.id = id;
    e.doc = id;
    e.terms = terms;
    for (auto& t : terms) e.length += t.second;
    e.record = "{}";
    b.add(e);
  }
  b.commit();
  return dir;
}
}  // namespace

TEST_CASE("top-k: MaxScore with block-max bounds equals exhaustive scoring") {
  for (auto variant : {index::Variant::lucene, index::Variant::robertson, index::Variant::bm25plus}) {
    std::string dir = random_index(variant, 11 + static_cast<int>(variant));
    index::Index ix(dir);
    query::TopK topk(ix);
    std::mt19937 rng(3);
    std::vector<query::Hit> fast, slow;
    int compared = 0;
    for (int qn = 0; qn < 300; ++qn) {
      std::vector<std::string> terms;
      int len = 1 + rng() % 12;
      for (int i = 0; i < len; ++i) terms.push_back("t" + std::to_string(rng() % 320));  // some unknown
      auto q = query::weigh(ix, terms);
      for (std::uint32_t k : {1u, 3u, 10u, 100u, 5000u}) {
        topk.search(q, k, fast);
        topk.exhaustive(q, k, slow);
        REQUIRE(fast.size() == slow.size());
        for (std::size_t i = 0; i < fast.size(); ++i) {
          REQUIRE(fast[i].chunk == slow[i].chunk);
          REQUIRE(fast[i].score == slow[i].score);
        }
        ++compared;
      }
    }
    CHECK(compared == 1500);
    fs::remove_all(dir);
  }
}

TEST_CASE("top-k: ties rank by input order") {
  std::string dir = random_index(index::Variant::lucene, 5);
  index::Index ix(dir);
  query::TopK topk(ix);
  std::vector<query::Hit> hits;
  topk.search(query::weigh(ix, {"t0"}), 3000, hits);
  std::size_t ties = 0;
  for (std::size_t i = 1; i < hits.size(); ++i) {
    CHECK(hits[i - 1].score >= hits[i].score);
    if (hits[i - 1].score == hits[i].score) {
      CHECK(hits[i - 1].chunk < hits[i].chunk);
      ++ties;
    }
  }
  CHECK(ties > 0);
  fs::remove_all(dir);
}

TEST_CASE("adaptive cut-off: the largest relative drop within bounds") {
  CHECK(query::adaptive_cut({10, 9.5, 9, 3, 2.9}, 1, 5) == 3);
  CHECK(query::adaptive_cut({10, 2, 1.9, 1.8}, 2, 4) == 3);  // the drop after 1 is below --min-k
  CHECK(query::adaptive_cut({5, 5, 5}, 1, 3) == 3);
  CHECK(query::adaptive_cut({10, 9, 1}, 1, 2) == 1);
}
