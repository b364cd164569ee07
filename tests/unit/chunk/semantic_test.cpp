// The semantic strategies (chunk/semantic.hpp) and their parts: the
// breakpoint rules, Savitzky-Golay smoothing, the cluster DP and the
// cohesion segmenters, with a small deterministic encoder written here.
#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <string>

#include "chunk/breakpoints.hpp"
#include "chunk/chunker.hpp"
#include "chunk/cluster.hpp"
#include "chunk/cohesion.hpp"
#include "core/encoder.hpp"
#include "core/error.hpp"

using namespace hewn;
using namespace hewn::chunk;

namespace {

// Counts the words of a text by their first letter (a, b, c, d), plus a small
// constant: texts about one "topic" (words starting with one letter) point
// the same way.
class LetterEncoder final : public TextEncoder {
 public:
  const std::string& name() const override { return name_; }
  std::size_t dim() const override { return 4; }
  void encode(std::span<const std::string_view> texts, float* out) const override {
    ++calls;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      float* v = out + i * 4;
      for (int k = 0; k < 4; ++k) v[k] = 0.05f;
      bool start = true;
      for (char c : texts[i]) {
        if (start && c >= 'a' && c <= 'd') v[c - 'a'] += 1;
        start = c == ' ' || c == '\n';
      }
    }
  }
  mutable int calls = 0;

 private:
  std::string name_ = "letters";
};

// Three topics of six sentences each: "aa ab ac ad!" lines x 6, then b...,
// then c....
std::string three_topics() {
  std::string t;
  for (char topic : {'a', 'b', 'c'})
    for (int s = 0; s < 6; ++s) {
      for (int w = 0; w < 4; ++w) t += std::string{topic, static_cast<char>('a' + (s + w) % 4), ' '};
      t.back() = '!';
      t += '\n';
    }
  t.pop_back();
  return t;
}

std::vector<Chunk> run(Options o, const std::string& text) {
  ChunkerFactory f(o);
  auto c = f.make();
  Document d;
  d.id = "t";
  d.text = text;
  d.source = "test";
  d.line = 1;
  std::vector<Chunk> out;
  c->split(d, out);
  for (const Chunk& ch : out) {
    CHECK(ch.begin < ch.end);
    CHECK(ch.end <= text.size());
    if (!ch.oversize) CHECK(ch.size <= o.size);
  }
  for (std::size_t i = 1; i < out.size(); ++i) CHECK(out[i - 1].end <= out[i].begin);
  return out;
}

}  // namespace

TEST_CASE("breakpoints: percentile and gradient as NumPy computes them") {
  CHECK(breakpoints::percentile({4, 1, 3, 2}, 50) == doctest::Approx(2.5));
  CHECK(breakpoints::percentile({1, 2, 3, 4, 5}, 95) == doctest::Approx(4.8));
  CHECK(breakpoints::percentile({7}, 95) == 7);
  auto g = breakpoints::gradient({1, 2, 4, 7});
  REQUIRE(g.size() == 4);
  CHECK(g[0] == 1);
  CHECK(g[1] == 1.5);
  CHECK(g[2] == 2.5);
  CHECK(g[3] == 3);
}

TEST_CASE("breakpoints: LangChain's thresholds choose the gaps above them") {
  std::vector<double> d{0.1, 0.2, 0.9, 0.1, 0.2, 0.1, 0.8, 0.1};
  using T = breakpoints::Threshold;
  CHECK(breakpoints::threshold_cuts(d, T::percentile, 80) == std::vector<std::size_t>{2, 6});
  CHECK(breakpoints::threshold_cuts(d, T::percentile, 95) == std::vector<std::size_t>{2});
  CHECK(breakpoints::threshold_cuts(d, T::stdev, 1) == std::vector<std::size_t>{2, 6});
  CHECK(breakpoints::threshold_cuts(d, T::stdev, 3).empty());
  // mean 0.3125, Q3 - Q1 = 0.35 - 0.1: 0.3125 + 1.5 * 0.25 = 0.6875.
  CHECK(breakpoints::threshold_cuts(d, T::iqr, 1.5) == std::vector<std::size_t>{2, 6});
  CHECK(breakpoints::top_cuts({0.5, 0.9, 0.5, 0.9}, 3) == std::vector<std::size_t>{0, 1, 3});
}

TEST_CASE("savgol: a polynomial of the fit's degree comes back unchanged, ends included") {
  std::vector<double> y;
  for (int i = 0; i < 12; ++i) y.push_back(0.5 * i * i * i - 2 * i * i + i - 3);
  auto s = breakpoints::savgol(y, 5, 3);
  REQUIRE(s.size() == y.size());
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(s[i] == doctest::Approx(y[i]).epsilon(1e-9));
  // An impulse gives the classic window-5 quadratic weights (-3 12 17 12 -3)/35.
  std::vector<double> impulse(9, 0.0);
  impulse[4] = 35;
  auto q = breakpoints::savgol(impulse, 5, 2);
  CHECK(q[2] == doctest::Approx(-3));
  CHECK(q[3] == doctest::Approx(12));
  CHECK(q[4] == doctest::Approx(17));
  CHECK(breakpoints::local_minima({3, 1, 2, 0.5, 0.6, 3}, 2, 1) == std::vector<std::size_t>{1, 3});
  CHECK(breakpoints::local_minima({3, 1, 2, 0.5, 0.6, 3}, 0.8, 1) == std::vector<std::size_t>{3});
  CHECK(breakpoints::local_minima({3, 1, 2, 0.5, 0.6, 3}, 2, 3) == std::vector<std::size_t>{3});
}

TEST_CASE("cluster DP: groups of similar pieces, within the size and piece bounds") {
  // Pieces 0-2 point one way, 3-5 another.
  std::vector<float> v{1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1};
  auto all = [](std::size_t, std::size_t) { return true; };
  CHECK(cluster_groups(v.data(), 6, 2, all, 10) == std::vector<std::size_t>{0, 3});
  CHECK(cluster_groups(v.data(), 6, 2, all, 2) == std::vector<std::size_t>{0, 2, 3, 5});
  auto two = [](std::size_t s, std::size_t i) { return i - s < 2; };
  CHECK(cluster_groups(v.data(), 6, 2, two, 10) == std::vector<std::size_t>{0, 2, 3, 5});
  CHECK(cluster_groups(v.data(), 1, 2, all, 10) == std::vector<std::size_t>{0});
  CHECK(cluster_groups(v.data(), 0, 2, all, 10).empty());
}

TEST_CASE("cohesion: U00 and C99 find the shifts between vocabularies") {
  std::vector<TermVector> s;
  for (int t = 0; t < 3; ++t)
    for (int i = 0; i < 8; ++i) {
      std::uint32_t base = static_cast<std::uint32_t>(t * 10);
      s.push_back({{base + static_cast<std::uint32_t>(i % 3), 1}, {base + 5, 1}, {base + 6 + static_cast<std::uint32_t>(i % 2), 2}});
    }
  CHECK(u00_segment(s, 0, 0) == std::vector<std::size_t>{8, 16});
  CHECK(u00_segment(s, 3, 0) == std::vector<std::size_t>{8, 16});
  CHECK(u00_segment(s, 2, 0).size() == 1);
  C99 c99;
  CHECK(c99.segment(s, {3, 1.2, 11}) == std::vector<std::size_t>{8, 16});
  CHECK(u00_segment({}, 0, 0).empty());
}

TEST_CASE("TermCounter: lower case, stop words out, stems shared") {
  TermCounter tc("en");
  TermVector a, b;
  tc.terms("The Cats were running", a);
  tc.terms("a cat runs", b);
  REQUIRE(a.size() == 2);  // cat, run ("the", "were" are stop words)
  REQUIRE(b.size() == 2);
  CHECK(a == b);
}

TEST_CASE("semantic: model-free cohesion cuts at the topic shifts, exact spans") {
  Options o;
  o.strategy = "semantic";
  o.size = 1000;
  std::string text = three_topics();
  auto out = run(o, text);
  REQUIRE(out.size() == 3);
  CHECK(text.substr(out[1].begin, 2) == "ba");
  CHECK(text.substr(out[2].begin, 2) == "ca");
}

TEST_CASE("semantic: breakpoints with an encoder, --segments, chunk vectors, --size enforced") {
  LetterEncoder enc;
  Options o;
  o.strategy = "semantic";
  o.size = 1000;
  o.semantic.encoder = &enc;
  o.semantic.buffer = 0;
  o.semantic.segments = 3;
  o.semantic.chunk_vectors = true;
  std::string text = three_topics();
  auto out = run(o, text);
  REQUIRE(out.size() == 3);
  CHECK(text.substr(out[1].begin, 2) == "ba");
  CHECK(text.substr(out[2].begin, 2) == "ca");
  REQUIRE(out[0].fields.size() == 4);
  CHECK(out[0].fields[0].first == "embedding");
  CHECK(out[0].fields[2].second == "\"letters\"");
  CHECK(out[0].fields[3].second == "\"sentences\"");
  // Percentile: two gaps stand out of 17, the 90th percentile keeps them.
  o.semantic.segments = 0;
  o.semantic.chunk_vectors = false;
  o.semantic.breakpoints = "percentile";
  o.semantic.threshold = 85;
  CHECK(run(o, text).size() == 3);
  // A group larger than --size is split by the recursive levels.
  o.size = 40;
  for (const Chunk& c : run(o, text)) CHECK(c.size <= 40);
}

TEST_CASE("semantic: target, chonkie and cluster stay exact and within --size") {
  LetterEncoder enc;
  std::string text = three_topics();
  Options o;
  o.strategy = "semantic";
  o.size = 200;
  o.semantic.encoder = &enc;
  o.semantic.breakpoints = "target";
  o.semantic.target = 60;
  auto t = run(o, text);
  CHECK(t.size() >= 3);
  o.semantic = {};
  o.semantic.encoder = &enc;
  o.semantic.breakpoints = "chonkie";
  o.semantic.buffer = 2;
  o.semantic.threshold = 0.9;
  o.semantic.skip_window = 1;
  run(o, text);
  Options c;
  c.strategy = "cluster";
  c.size = 70;
  c.semantic.encoder = &enc;
  c.semantic.piece_size = 12;
  auto a = run(c, text), b = run(c, text);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].begin == b[i].begin);
  CHECK(enc.calls > 0);
}

TEST_CASE("semantic: options are checked") {
  LetterEncoder enc;
  Options o;
  o.strategy = "cluster";
  CHECK_THROWS_AS(ChunkerFactory{o}, UsageError);
  o.strategy = "semantic";
  o.semantic.encoder = &enc;
  o.semantic.breakpoints = "cohesion";
  CHECK_THROWS_AS(ChunkerFactory{o}, UsageError);
  o.semantic.breakpoints = "chonkie";
  o.semantic.segments = 2;
  CHECK_THROWS_AS(ChunkerFactory{o}, UsageError);
  o.semantic.segments = 0;
  o.semantic.breakpoints = "nope";
  CHECK_THROWS_AS(ChunkerFactory{o}, UsageError);
  Options r;
  r.semantic.segments = 2;
  CHECK_THROWS_AS(ChunkerFactory{r}, UsageError);  // recursive takes no semantic option
  Options p;
  p.strategy = "semantic";
  p.semantic.breakpoints = "percentile";
  CHECK_THROWS_AS(ChunkerFactory{p}, UsageError);  // needs an encoder
}
