// Boundary measures (score/segmentation.hpp): NLTK's Pk and WindowDiff on
// its own doctest examples, segeval's boundary similarity on its test cases,
// boundary precision/recall, and the mapping of chunk starts to units.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "score/segmentation.hpp"

using namespace hewn;
using namespace hewn::score;

namespace {

// "0100" -> labels.
std::vector<char> L(const std::string& s) {
  std::vector<char> v;
  for (char c : s) v.push_back(c == '1');
  return v;
}

std::string repeat(const std::string& s, int n) {
  std::string r;
  for (int i = 0; i < n; ++i) r += s;
  return r;
}

// Segment masses (segeval's format) -> labels.
std::vector<char> masses(std::initializer_list<int> m) {
  std::vector<char> v;
  for (int x : m) {
    for (int i = 0; i < x; ++i) v.push_back(0);
    v.back() = 1;
  }
  v.back() = 0;
  return v;
}

// Files under /tmp, removed when the test program ends.
std::string temp_file(const std::string& name, const std::string& text) {
  struct Cleanup {
    std::vector<std::string> paths;
    ~Cleanup() {
      for (const auto& p : paths) std::remove(p.c_str());
    }
  };
  static Cleanup cleanup;
  std::string path = "/tmp/hewn-segmentation-test-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path) << text;
  cleanup.paths.push_back(path);
  return path;
}

}  // namespace

TEST_CASE("pk and windowdiff: nltk's doctest values") {
  CHECK(pk(L(repeat("0100", 100)), L(repeat("1", 400)), 2) == doctest::Approx(0.50).epsilon(0.01));
  CHECK(pk(L(repeat("0100", 100)), L(repeat("0", 400)), 2) == doctest::Approx(0.50).epsilon(0.01));
  CHECK(pk(L(repeat("0100", 100)), L(repeat("0100", 100)), 2) == 0);
  auto s1 = L("000100000010"), s2 = L("000010000100"), s3 = L("100000010000");
  CHECK(windowdiff(s1, s1, 3) == 0);
  CHECK(windowdiff(s1, s2, 3) == doctest::Approx(0.3));
  CHECK(windowdiff(s2, s3, 3) == doctest::Approx(0.8));
  // nltk's default k: int(round(N / (2 * boundaries))), halves to even.
  CHECK(default_k(L("0001000000")) == 5);
  CHECK(default_k(L("01000")) == 2);  // round(2.5) == 2
  CHECK(default_k(L("0000000")) == 4);  // no boundary: as if one; round(3.5) == 4
}

TEST_CASE("boundary similarity: segeval's test cases") {
  CHECK(boundary_similarity(masses({2, 3, 6}), masses({5, 6})) == doctest::Approx(0.5));
  CHECK(boundary_similarity(masses({2, 3, 6}), masses({2, 3, 3, 3})) == doctest::Approx(2.0 / 3));
  CHECK(boundary_similarity(masses({2, 3, 6}), masses({2, 2, 7})) == doctest::Approx(0.75));
  CHECK(boundary_similarity(masses({2, 3, 6}), masses({1, 1, 3, 1, 5})) == doctest::Approx(0.5));
  CHECK(boundary_similarity(masses({11}), masses({5, 6})) == 0);
  CHECK(boundary_similarity(L("01001000000"), L("01010000000")) == doctest::Approx(0.75));
  CHECK(boundary_similarity(L("00000"), L("00000")) == 1);
}

TEST_CASE("boundary precision and recall within a tolerance") {
  auto ref = L("0100010000"), hyp = L("0010000100");
  BoundaryPR exact = boundary_pr(ref, hyp, 0);
  CHECK(exact.precision == 0);
  CHECK(exact.recall == 0);
  BoundaryPR near = boundary_pr(ref, hyp, 1);
  CHECK(near.precision == 0.5);
  CHECK(near.recall == 0.5);
  CHECK(near.f1 == 0.5);
  BoundaryPR wide = boundary_pr(ref, hyp, 2);
  CHECK(wide.f1 == 1);
  BoundaryPR none = boundary_pr(L("000"), L("000"), 0);
  CHECK(none.precision == 1);
  CHECK(none.recall == 1);
}

TEST_CASE("evaluate_boundaries: chunk starts on the nearest sentence, per document and averaged") {
  // Sentences start at 0, 10, 20, 30, 40; gold segments [0, 20) [20, 50).
  std::string gold = temp_file("gold.jsonl",
                               "{\"id\":\"d\",\"segments\":[[0,20],[20,50]],\"sentences\":[[0,10],[10,20],[20,30],"
                               "[30,40],[40,50]]}\n{\"id\":\"e\",\"boundaries\":[3],\"length\":6}\n");
  // d: chunks start at 0 and 19 (nearest sentence start: 20); e: one chunk.
  std::string chunks = temp_file("chunks.jsonl",
                                 "{\"id\":\"d#1\",\"doc\":\"d\",\"start\":19,\"end\":50}\n"
                                 "{\"id\":\"d#0\",\"doc\":\"d\",\"start\":0,\"end\":18}\n"
                                 "{\"id\":\"e#0\",\"doc\":\"e\",\"start\":0,\"end\":6}\n");
  Gold g = Gold::read(gold);
  REQUIRE(g.docs.size() == 2);
  BoundaryOptions o;
  o.unit = BoundaryUnit::sentence;
  CHECK_THROWS_AS(evaluate_boundaries(g, Chunks::read(chunks, false, false), nullptr, o), UsageError);
  o.unit = BoundaryUnit::character;
  auto ev = evaluate_boundaries(g, Chunks::read(chunks, false, false), nullptr, o);
  REQUIRE(ev.queries.size() == 2);
  CHECK(ev.names[0] == "pk");
  // e: no hypothesis boundary against one: recall 0.
  CHECK(ev.queries[1].values[4] == 0);
  // d in characters: one boundary off by one.
  CHECK(ev.queries[0].values[4] == 0);
  o.tolerance = 1;
  ev = evaluate_boundaries(g, Chunks::read(chunks, false, false), nullptr, o);
  CHECK(ev.queries[0].values[4] == 1);
  CHECK(ev.mean[4] == 0.5);
  // Sentences of the first document only: it needs them, so drop e.
  std::string gold_d = temp_file("gold-d.jsonl",
                                 "{\"id\":\"d\",\"segments\":[[0,20],[20,50]],\"sentences\":[[0,10],[10,20],[20,30],"
                                 "[30,40],[40,50]]}\n");
  o = {};
  ev = evaluate_boundaries(Gold::read(gold_d), Chunks::read(chunks, false, false), nullptr, o);
  CHECK(ev.queries[0].values[0] == 0);  // pk: the chunk start 19 is the sentence at 20
  CHECK(ev.queries[0].values[2] == 1);  // B
}

TEST_CASE("Gold::read: malformed segmentations are data errors") {
  CHECK_THROWS_AS(Gold::read(temp_file("bad1.jsonl", "{\"id\":\"d\",\"segments\":[[0,5],[3,9]]}\n")), DataError);
  CHECK_THROWS_AS(Gold::read(temp_file("bad2.jsonl", "{\"id\":\"d\",\"segments\":[0,5]}\n")), DataError);
  CHECK_THROWS_AS(Gold::read(temp_file("bad3.jsonl", "{\"id\":\"d\"}\n")), DataError);
  CHECK_THROWS_AS(Gold::read(temp_file("bad4.jsonl", "{\"id\":\"d\",\"boundaries\":[9],\"length\":5}\n")), DataError);
  CHECK_THROWS_AS(Gold::read(temp_file("bad5.jsonl", "{\"id\":\"d\",\"segments\":[[0,5]]}\n{\"id\":\"d\",\"segments\":[[0,5]]}\n")),
                  DataError);
}
