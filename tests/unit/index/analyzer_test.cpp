#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "index/analyzer.hpp"
#include "index/bm25.hpp"

using namespace hewn::index;

TEST_CASE("analyzer: ICU words, folding, possessives, stopwords, stemming") {
  AnalyzerOptions o;
  o.stem = "porter";
  o.set_stopwords("english");
  Analyzer a(o);
  std::vector<std::string> t;
  a.analyze("The Running dogs' owner's CAFÉ, STRASSE-Ähnlichkeit (3.14)!", t);
  std::vector<std::string> want{"run", "dog", "owner", "café", "strass", "ähnlichkeit", "3.14"};
  CHECK(t == want);
}

TEST_CASE("analyzer: case folding is ICU full folding") {
  AnalyzerOptions o;
  o.stem = "none";
  Analyzer a(o);
  std::vector<std::string> t;
  a.analyze("Straße ΣΊΣΥΦΟΣ", t);
  REQUIRE(t.size() == 2);
  CHECK(t[0] == "strasse");
  CHECK(t[1] == "σίσυφοσ");
}

TEST_CASE("analyzer: no stemming and no stopwords keep every word") {
  AnalyzerOptions o;
  o.stem = "none";
  Analyzer a(o);
  std::vector<std::string> t;
  a.analyze("the cats", t);
  CHECK(t == std::vector<std::string>{"the", "cats"});
}

TEST_CASE("analyzer: unknown stemmer is a usage error") {
  AnalyzerOptions o;
  o.stem = "klingon";
  CHECK_THROWS_AS(Analyzer{o}, hewn::UsageError);
}

TEST_CASE("analyzer: snowball languages from libstemmer") {
  AnalyzerOptions o;
  o.stem = "french";
  Analyzer a(o);
  std::vector<std::string> t;
  a.analyze("continuellement", t);
  CHECK(t == std::vector<std::string>{"continuel"});
}

TEST_CASE("bm25: Lucene's one-byte lengths") {
  for (std::uint32_t i = 0; i < 24; ++i) CHECK(byte4_to_length(length_to_byte4(i)) == i);
  // Lossy above 24, never larger than the length, monotone.
  std::uint32_t prev = 0;
  for (std::uint32_t i = 24; i < 100000; ++i) {
    std::uint32_t d = byte4_to_length(length_to_byte4(i));
    CHECK(d <= i);
    CHECK(d >= prev);
    prev = d;
  }
  CHECK(byte4_to_length(length_to_byte4(161)) == 152);
  CHECK(length_to_byte4(0x7fffffff) == 255);
}

TEST_CASE("bm25: idf variants") {
  Bm25Params p;
  CHECK(idf(p, 100, 10) == doctest::Approx(std::log(1 + 90.5 / 10.5)));
  p.variant = Variant::robertson;
  CHECK(idf(p, 100, 90) == 0.0f);  // clamped
  p.variant = Variant::bm25plus;
  CHECK(idf(p, 100, 10) == doctest::Approx(std::log(101.0 / 10)));
  CHECK_THROWS_AS(parse_variant("bm26"), hewn::UsageError);
}
