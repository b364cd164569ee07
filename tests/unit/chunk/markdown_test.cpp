// The markdown strategy: heading paths, intact blocks, split tables.
#include <doctest/doctest.h>

#include "chunk/chunker.hpp"
#include "core/error.hpp"
#include "text/segment.hpp"

using namespace hewn;
using namespace hewn::chunk;

namespace {

struct Out {
  std::string text;
  std::vector<Chunk> chunks;
  std::string at(std::size_t i) const { return text.substr(chunks[i].begin, chunks[i].end - chunks[i].begin); }
  std::string get(std::size_t i, std::string_view key) const {
    for (const auto& [k, v] : chunks[i].fields)
      if (k == key) return v;
    return "<none>";
  }
  // The chunk holding needle whole, or -1.
  int find(std::string_view needle) const {
    std::size_t p = text.find(needle);
    REQUIRE_MESSAGE(p != std::string::npos, needle);
    for (std::size_t i = 0; i < chunks.size(); ++i)
      if (chunks[i].begin <= p && p + needle.size() <= chunks[i].end) return static_cast<int>(i);
    return -1;
  }
};

Out md(std::string text, std::uint64_t size, std::string context = "") {
  Options o;
  o.strategy = "markdown";
  o.size = size;
  o.context = context;
  ChunkerFactory f(o);
  auto c = f.make();
  Out out{std::move(text), {}};
  Document d;
  d.id = "t";
  d.text = out.text;
  c->split(d, out.chunks);
  // Always: ordered exact spans, nothing but whitespace left out, the limit.
  std::size_t prev = 0;
  for (const Chunk& ch : out.chunks) {
    REQUIRE(ch.begin >= prev);
    std::size_t b = prev, e = ch.begin;
    text::trim(out.text, b, e);
    CHECK(b == e);
    CHECK(ch.size <= size);
    prev = ch.end;
  }
  return out;
}

// The DataError message for text, or "" when it chunks.
std::string md_error(const std::string& text, std::string_view source) {
  Options o;
  o.strategy = "markdown";
  ChunkerFactory f(o);
  auto c = f.make();
  Document d;
  d.text = text;
  d.source = source;
  std::vector<Chunk> out;
  try {
    c->split(d, out);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("markdown: headings start chunks and carry their path") {
  auto o = md(
      "Intro.\n\n# Install\n\nGet it.\n\n## From source\n\nRun make.\n\n### Linux\n\napt.\n\n## Binary\n\nDownload.\n\n"
      "Usage\n=====\n\nRun it.\n",
      1000);
  REQUIRE(o.chunks.size() == 6);
  CHECK(o.at(0) == "Intro.");
  CHECK(o.get(0, "headings") == "[]");
  CHECK(o.at(1) == "# Install\n\nGet it.");
  CHECK(o.get(1, "headings") == R"(["Install"])");
  CHECK(o.get(2, "headings") == R"(["Install","From source"])");
  CHECK(o.get(3, "headings") == R"(["Install","From source","Linux"])");
  CHECK(o.get(4, "headings") == R"(["Install","Binary"])");
  CHECK(o.at(5) == "Usage\n=====\n\nRun it.");
  CHECK(o.get(5, "headings") == R"(["Usage"])");  // a setext h1 closes "Install"
  CHECK(o.get(1, "context") == "<none>");
}

TEST_CASE("markdown: --context headings writes the path joined by >") {
  auto o = md("# Install\n\n## From source\n\nRun make.\n", 1000, "headings");
  REQUIRE(o.chunks.size() == 2);
  CHECK(o.get(1, "context") == "\"Install > From source\"");
  CHECK(o.at(1) == "## From source\n\nRun make.");
}

TEST_CASE("markdown: setext heading versus thematic break") {
  // "---" under a paragraph makes it a heading; after a blank line it is a
  // thematic break; "***" is always a break.
  auto o = md("# Top\n\nTitle\n---\n\nBody.\n\n---\n\nAfter break.\n\n***\n\nEnd.\n", 1000);
  REQUIRE(o.chunks.size() == 2);
  CHECK(o.at(1) == "Title\n---\n\nBody.\n\n---\n\nAfter break.\n\n***\n\nEnd.");
  CHECK(o.get(1, "headings") == R"(["Top","Title"])");
}

TEST_CASE("markdown: fenced code inside a list item and nested lists stay whole") {
  std::string text =
      "# Steps\n\n"
      "1. Configure:\n\n"
      "   ```sh\n   ./configure --prefix=/usr\n   make -j4\n   ```\n\n"
      "2. Install\n"
      "   - as root\n"
      "     - with sudo\n"
      "     - or su\n"
      "   - as a user\n\n"
      "Done.\n";
  for (std::uint64_t size : {60, 80, 200}) {
    CAPTURE(size);
    auto o = md(text, size);
    CHECK(o.find("```sh\n   ./configure --prefix=/usr\n   make -j4\n   ```") >= 0);
    CHECK(o.find("- with sudo\n     - or su") >= 0);
    for (std::size_t i = 0; i < o.chunks.size(); ++i) CHECK(o.get(i, "headings") == R"(["Steps"])");
  }
  // Cut between the items of the outer list when it does not fit.
  auto o = md(text, 60);
  CHECK(o.at(o.find("2. Install")).rfind("2. Install", 0) == 0);
}

TEST_CASE("markdown: a code block alone over --size splits at lines") {
  std::string text = "# Code\n\n```\n";
  for (int i = 0; i < 30; ++i) text += "line number " + std::to_string(i) + "\n";
  text += "```\n\nAfter.\n";
  auto o = md(text, 60);
  std::size_t fence = text.find("```");
  int inside = 0;
  for (std::size_t i = 0; i < o.chunks.size(); ++i) {
    if (o.chunks[i].begin > fence && o.chunks[i].begin < text.rfind("```")) {
      ++inside;
      CHECK(text[o.chunks[i].begin - 1] == '\n');
    }
  }
  CHECK(inside >= 5);
  CHECK(o.at(o.chunks.size() - 1) == "After.");
}

TEST_CASE("markdown: a huge table splits at rows with its header row in context") {
  std::string text = "# Data\n\nThe table:\n\n| id | name | score |\n|----|------|-------|\n";
  for (int i = 0; i < 50; ++i) text += "| " + std::to_string(i) + " | item " + std::to_string(i) + " | " + std::to_string(i * 7 % 100) + " |\n";
  text += "\nAfter the table.\n";
  auto o = md(text, 120, "headings");
  std::size_t table = text.find("| id |");
  int continued = 0;
  for (std::size_t i = 0; i < o.chunks.size(); ++i) {
    const Chunk& c = o.chunks[i];
    if (c.begin > table && c.begin < text.find("\nAfter")) {
      ++continued;
      CHECK(text[c.begin] == '|');
      CHECK(text[c.begin - 1] == '\n');
      CHECK(text[c.end - 1] == '|');
      CHECK(o.get(i, "context") == "\"Data\\n| id | name | score |\"");
    }
  }
  CHECK(continued >= 10);
  int first = o.find("| id | name | score |\n|----|");
  REQUIRE(first >= 0);
  CHECK(o.get(first, "context") == "\"Data\"");
  // Without --context, split rows still get the header row.
  auto plain = md(text, 120);
  CHECK(plain.get(plain.find("| 30 | item 30"), "context") == "\"| id | name | score |\"");
  // A table that fits is one block, never cut.
  auto whole = md(text, 100000);
  CHECK(whole.chunks.size() == 1);
}

TEST_CASE("markdown: block quotes, HTML blocks and indented code are blocks") {
  std::string text =
      "# A\n\n> quoted line one\n> quoted line two\n\n<div class=\"x\">\n<p>html</p>\n</div>\n\n"
      "    indented code\n    more code\n\nText.\n";
  auto o = md(text, 40);
  CHECK(o.find("> quoted line one\n> quoted line two") >= 0);
  CHECK(o.find("<div class=\"x\">\n<p>html</p>\n</div>") >= 0);
  CHECK(o.find("indented code\n    more code") >= 0);
}

TEST_CASE("markdown: NUL bytes are refused") {
  CHECK(md_error(std::string("# a\n\0", 5), "x.md") == "x.md:2: binary data (NUL byte) is not Markdown");
}

TEST_CASE("markdown: nesting beyond the grammar's state buffer is a data error, not a crash") {
  std::string ok, deep;
  for (int i = 1; i < 100; ++i) ok += std::string(i, '>') + " text\n";
  auto o = md(ok, 50);
  CHECK(!o.chunks.empty());
  for (int i = 1; i < 300; ++i) deep += std::string(i, '>') + " text\n";
  CHECK(md_error(deep, "deep.md") ==
        "deep.md:201: Markdown nested deeper than 200 block quotes, list items or indentation levels");
}

TEST_CASE("markdown: an ATX closing sequence is not part of the heading") {
  auto o = md("## Usage ##\n\ntext\n\n# C# #\n\nmore\n", 1000);
  REQUIRE(o.chunks.size() == 2);
  CHECK(o.get(0, "headings") == R"(["Usage"])");
  CHECK(o.get(1, "headings") == R"(["C#"])");
}
