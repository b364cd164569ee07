// Properties every strategy keeps, over generated Unicode-heavy documents:
// exact spans on code point boundaries, the size limit (only a lone grapheme
// cluster may exceed it, flagged), no whitespace-only chunks, trimmed ends,
// full coverage without overlap, and ordered starts.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "chunk/chunker.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

using namespace hewn;

namespace {

// Pieces that stress segmentation: emoji ZWJ sequences and flags, combining
// marks, CJK, Thai, Arabic (RTL), Devanagari, CRLF, NUL, tabs, long words.
const std::vector<std::string> kPieces = {
    "Hello", "world", " ", "  ", "\n", "\n\n", "\r\n", "\t", ".", ". ", "? ", "! ", ", ", "; ", ": ",
    "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",  // family ZWJ
    "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7",                                          // flag FR
    "e\xCC\x81\xCC\x82",                                                         // e + 2 combining marks
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",                                     // 日本語
    "\xE3\x80\x82",                                                              // 。
    "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA\xE0\xB8\x94\xE0\xB8\xB5",  // สวัสดี
    "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7",                                  // مرحبا
    "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87",  // नमस्ते
    "\xE0\xA5\xA4",                                                              // ।
    std::string("\0", 1), "x", "123", "Supercalifragilisticexpialidocious",
    "\xC2\xA0",  // no-break space (White_Space)
};

std::string make_doc(std::mt19937& rng, std::size_t pieces) {
  std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
  std::string doc;
  for (std::size_t i = 0; i < pieces; ++i) doc += kPieces[pick(rng)];
  return doc;
}

bool all_space(std::string_view s) {
  std::size_t b = 0, e = s.size();
  text::trim(s, b, e);
  return b == e;
}

bool single_cluster(std::string_view doc, std::size_t b, std::size_t e) {
  text::Segmenter g(text::Boundary::grapheme, "en");
  g.set_text(doc);
  return g.following(b) == e;
}

void check(const chunk::Options& o, const std::string& doc) {
  chunk::ChunkerFactory f(o);
  auto c = f.make();
  auto measure = f.unit().make_measure();
  measure->reset(doc);
  std::vector<chunk::Chunk> out;
  c->split({"d", doc, "", "", "", 0}, out);
  std::string where = o.strategy + "/" + o.unit.name + " size " + std::to_string(o.size) + " overlap " +
                      std::to_string(o.overlap) + (o.trim ? "" : " no-trim");
  CAPTURE(where);
  std::size_t prev_begin = 0, covered = 0;
  for (const auto& ch : out) {
    REQUIRE(ch.begin < ch.end);
    REQUIRE(ch.end <= doc.size());
    CHECK(utf8::is_boundary(doc, ch.begin));
    CHECK(utf8::is_boundary(doc, ch.end));
    std::string_view t(doc.data() + ch.begin, ch.end - ch.begin);
    CHECK_FALSE(all_space(t));
    CHECK(ch.size == measure->size(ch.begin, ch.end));
    if (ch.size > o.size) {
      CHECK(ch.oversize);
      CHECK(single_cluster(doc, ch.begin, ch.end));
    } else {
      CHECK_FALSE(ch.oversize);
    }
    if (o.trim) {
      std::size_t b = 0, e = t.size();
      text::trim(t, b, e);
      CHECK(b == 0);
      CHECK(e == t.size());
    }
    CHECK(ch.begin >= prev_begin);
    prev_begin = ch.begin;
    if (o.overlap == 0 && o.overlap_sentences == 0) {
      // No overlap: chunks are disjoint and in order, and what lies between
      // them is whitespace only.
      CHECK(ch.begin >= covered);
      CHECK(all_space(std::string_view(doc).substr(covered, ch.begin - covered)));
      covered = ch.end;
    }
  }
  if (o.overlap == 0 && o.overlap_sentences == 0) CHECK(all_space(std::string_view(doc).substr(covered)));
}

}  // namespace

TEST_CASE("every strategy keeps its guarantees on Unicode-heavy documents") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 60; ++round) {
    std::string doc = make_doc(rng, 5 + rng() % 200);
    for (std::string strategy : {"fixed", "recursive", "sentence"}) {
      for (std::string unit : {"chars", "bytes", "words"}) {
        for (std::uint64_t size : {1, 2, 7, 40, 300}) {
          chunk::Options o;
          o.strategy = strategy;
          o.unit.name = unit;
          o.size = size;
          o.trim = round % 3 != 0;
          if (strategy == "sentence") o.overlap_sentences = round % 2;
          else o.overlap = (round % 2 && size > 1) ? size / 3 + (size > 3) : 0;
          check(o, doc);
        }
      }
    }
  }
}

TEST_CASE("custom separators, including LangChain's default list") {
  std::mt19937 rng(99);
  for (int round = 0; round < 40; ++round) {
    std::string doc = make_doc(rng, 5 + rng() % 300);
    chunk::Options o;
    o.strategy = "recursive";
    o.separators = std::vector<std::string>{"\n\n", "\n", " ", ""};
    o.size = 1 + rng() % 60;
    o.overlap = round % 2 ? o.size / 2 : 0;
    check(o, doc);
    o.separators = std::vector<std::string>{". ", "日本"};
    check(o, doc);
  }
}

TEST_CASE("without trim and overlap, chunks tile the document") {
  std::string doc = "First paragraph here.\n\nSecond one, longer than the limit by far.\nThird line.";
  chunk::Options o;
  o.size = 20;
  o.trim = false;
  chunk::ChunkerFactory f(o);
  auto c = f.make();
  std::vector<chunk::Chunk> out;
  c->split({"d", doc, "", "", "", 0}, out);
  std::string joined;
  for (auto& ch : out) joined += doc.substr(ch.begin, ch.end - ch.begin);
  CHECK(joined == doc);
}

TEST_CASE("min-size merges a tiny tail into its neighbour") {
  std::string doc = "aaaa bbbb cccc dd";
  chunk::Options o;
  o.strategy = "fixed";
  o.size = 15;
  chunk::ChunkerFactory plain(o);
  std::vector<chunk::Chunk> out;
  plain.make()->split({"d", doc, "", "", "", 0}, out);
  REQUIRE(out.size() == 2);
  CHECK(doc.substr(out[1].begin, out[1].end - out[1].begin) == "dd");
  o.min_size = 3;
  o.size = 17;
  chunk::ChunkerFactory merging(o);
  out.clear();
  merging.make()->split({"d", doc, "", "", "", 0}, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].size == 17);
}

TEST_CASE("bad options are usage errors") {
  chunk::Options o;
  o.size = 0;
  CHECK_THROWS_AS(chunk::ChunkerFactory{o}, UsageError);
  o.size = 10;
  o.overlap = 10;
  CHECK_THROWS_AS(chunk::ChunkerFactory{o}, UsageError);
  o.overlap = 0;
  o.strategy = "nope";
  CHECK_THROWS_AS(chunk::ChunkerFactory{o}, UsageError);
  o.strategy = "sentence";
  o.lang = "qq";
  CHECK_THROWS_AS(chunk::ChunkerFactory{o}, UsageError);
  o.lang = "en";
  o.unit.name = "furlongs";
  CHECK_THROWS_AS(chunk::ChunkerFactory{o}, UsageError);
}
