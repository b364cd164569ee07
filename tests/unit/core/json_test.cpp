#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/json.hpp"

using namespace hewn;

static std::string padded(std::string s) { return s + std::string(64, '\0'); }

TEST_CASE("record fields keep their raw text") {
  json::Parser p;
  std::string line = padded(R"({"id": 7, "text":"a\"b", "m": {"x": [1, 2.50]}})");
  auto& r = p.parse(std::string_view(line).substr(0, line.size() - 64), "in", 3);
  REQUIRE(r.fields().size() == 3);
  CHECK(r.fields()[0].raw == "7");
  CHECK(r.fields()[2].raw == R"({"x": [1, 2.50]})");
  CHECK(*r.string("text") == "a\"b");
  CHECK(*r.id("id") == "7");
}

TEST_CASE("strict parse rejects what on-demand accepted") {
  json::Parser p;
  for (std::string bad : {R"({"a":tru})", R"({"a":1,})", R"([1,2])", R"({"a":1,"a":2})", "{\"a\":\"\xff\"}"}) {
    std::string line = padded(bad);
    CHECK_THROWS_AS(p.parse(std::string_view(line).substr(0, bad.size()), "in", 1), DataError);
  }
}

TEST_CASE("errors name the source and line") {
  json::Parser p;
  std::string line = padded(R"({"text":3})");
  auto& r = p.parse(std::string_view(line).substr(0, 10), "docs.jsonl", 17);
  try {
    r.require_string("text");
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == "docs.jsonl:17: field \"text\" is not a string");
  }
}

TEST_CASE("strings are escaped for JSON") {
  std::string out;
  json::append_string(out, std::string("a\"\\\n\x01\0z", 7));
  CHECK(out == "\"a\\\"\\\\\\n\\u0001\\u0000z\"");
  out.clear();
  json::append_double(out, 0.1);
  CHECK(out == "0.1");
}
