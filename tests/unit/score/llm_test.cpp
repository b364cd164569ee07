#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "score/evalset.hpp"
#include "score/moc.hpp"

using namespace hewn;
using namespace hewn::score;

TEST_CASE("moc_loss: the mean negative log-probability of q's tokens after its first") {
  // Tokens at code points 0, 4 (context), then q from 10: 10, 14, 18.
  std::vector<TokenScore> t = {{0, std::nullopt}, {4, -1.0}, {10, -5.0}, {14, -2.0}, {18, -4.0}};
  auto l = moc_loss(t, 10);
  REQUIRE(l);
  CHECK(*l == doctest::Approx(3.0));
  // Alone: the first token has no score and is skipped either way.
  std::vector<TokenScore> a = {{0, std::nullopt}, {4, -1.0}, {8, -3.0}};
  CHECK(*moc_loss(a, 0) == doctest::Approx(2.0));
  // One token: no loss.
  CHECK(!moc_loss({{0, std::nullopt}}, 0));
  CHECK(!moc_loss(t, 19));
}

TEST_CASE("structural_entropy: degrees' entropy in bits, 0 without edges") {
  CHECK(structural_entropy(3, {}) == 0.0);
  // One edge: two nodes of degree 1: 1 bit.
  CHECK(structural_entropy(3, {{0, 1}}) == doctest::Approx(1.0));
  // A triangle, each pair both ways: 3 nodes of equal degree: log2 3.
  CHECK(structural_entropy(3, {{0, 1}, {1, 0}, {0, 2}, {2, 0}, {1, 2}, {2, 1}}) == doctest::Approx(std::log2(3.0)));
  // A star 0-1, 0-2: degrees 2, 1, 1 of 4.
  CHECK(structural_entropy(3, {{0, 1}, {0, 2}}) == doctest::Approx(1.5));
}

TEST_CASE("parse_evalset_answer: the JSON object between the first { and the last }") {
  auto a = parse_evalset_answer("Sure:\n```json\n{\"question\": \" Why? \", \"excerpts\": [\" a b \", \"c\"]}\n```");
  REQUIRE(a);
  CHECK(a->first == "Why?");
  CHECK(a->second == std::vector<std::string>{"a b", "c"});
  CHECK(!parse_evalset_answer("no object"));
  CHECK(!parse_evalset_answer("{\"question\": \"Why?\"}"));
  CHECK(!parse_evalset_answer("{\"question\": \"Why?\", \"excerpts\": []}"));
  CHECK(!parse_evalset_answer("{\"question\": \"Why?\", \"excerpts\": [\"  \"]}"));
  CHECK(!parse_evalset_answer("{\"question\": \"\", \"excerpts\": [\"a\"]}"));
  CHECK(!parse_evalset_answer("{\"question\": 3, \"excerpts\": [\"a\"]}"));
  CHECK(!parse_evalset_answer("{\"question\": \"Why?\", \"excerpts\": [\"a\"]"));
}

TEST_CASE("question_key: lower-cased words joined by one space") {
  CHECK(question_key("What is  said about Cats?") == "what is said about cats");
  CHECK(question_key("what IS said, about cats") == "what is said about cats");
  CHECK(question_key("Où est-il?") == "o\xc3\xb9 est il");
}

TEST_CASE("evalset_window: the whole text, or windows spread over it on code point boundaries") {
  CHECK(evalset_window("abcdef", 1, 3, 10) == std::pair<std::size_t, std::size_t>{0, 6});
  // 10 bytes, windows of 4: starts 0, 3, 6.
  CHECK(evalset_window("0123456789", 0, 3, 4) == std::pair<std::size_t, std::size_t>{0, 4});
  CHECK(evalset_window("0123456789", 1, 3, 4) == std::pair<std::size_t, std::size_t>{3, 4});
  CHECK(evalset_window("0123456789", 2, 3, 4) == std::pair<std::size_t, std::size_t>{6, 4});
  CHECK(evalset_window("0123456789", 0, 1, 4) == std::pair<std::size_t, std::size_t>{0, 4});
  // "aé" + "bcdé": a start inside é moves forward, an end inside é back.
  std::string t = "a\xc3\xa9" "bcd\xc3\xa9";  // 8 bytes
  CHECK(evalset_window(t, 1, 2, 2) == std::pair<std::size_t, std::size_t>{6, 2});
  CHECK(evalset_window(t, 0, 2, 2) == std::pair<std::size_t, std::size_t>{0, 1});
}
