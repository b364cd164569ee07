// The code strategy (cAST) on the sample sources in tests/data/code.
#include <doctest/doctest.h>
#include <tree_sitter/api.h>

#include <fstream>
#include <sstream>

#include "chunk/chunker.hpp"
#include "chunk/syntax.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

using namespace hewn;
using namespace hewn::chunk;

namespace {

std::string sample(const std::string& name) {
  std::ifstream f(std::string(HEWN_SOURCE_DIR) + "/tests/data/code/" + name, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "missing sample " << name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<Chunk> run(const std::string& text, std::string_view path, std::uint64_t size,
                       std::string unit = "", std::string lang = "en", std::string_view doc_lang = {}) {
  Options o;
  o.strategy = "code";
  o.size = size;
  o.lang = lang;
  if (!unit.empty()) {
    o.unit.name = unit;
    o.unit_given = true;
  }
  ChunkerFactory f(o);
  auto c = f.make();
  Document d;
  d.id = "t";
  d.text = text;
  d.path = path;
  d.lang = doc_lang;
  d.source = path.empty() ? "in.jsonl" : path;
  std::vector<Chunk> out;
  c->split(d, out);
  return out;
}

std::string field(const Chunk& c, std::string_view key) {
  for (const auto& [k, v] : c.fields)
    if (k == key) return v;
  return "<none>";
}

bool ws(std::string_view s) {
  std::size_t b = 0, e = s.size();
  text::trim(s, b, e);
  return b == e;
}

std::uint64_t nws(std::string_view s) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < s.size();) n += !text::is_space(utf8::decode(s, i));
  return n;
}

std::size_t line_of(std::string_view s, std::size_t p) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < p; ++i) n += s[i] == '\n';
  return n;
}

// Every guarantee that holds for any input: exact ordered spans, full
// coverage (only whitespace between chunks), the size limit, line numbers.
void check_invariants(const std::string& text, const std::vector<Chunk>& chunks, std::uint64_t size,
                      bool by_nws) {
  std::size_t prev = 0;
  for (const Chunk& c : chunks) {
    REQUIRE(c.begin < c.end);
    REQUIRE(c.begin >= prev);
    CHECK(ws(std::string_view(text).substr(prev, c.begin - prev)));
    std::string_view t = std::string_view(text).substr(c.begin, c.end - c.begin);
    CHECK(!ws(t));
    CHECK(c.size <= size);
    CHECK(!c.oversize);
    CHECK(c.size == (by_nws ? nws(t) : utf8::count(t)));
    CHECK(field(c, "start_line") == std::to_string(line_of(text, c.begin)));
    CHECK(field(c, "end_line") == std::to_string(line_of(text, c.end - 1)));
    prev = c.end;
  }
  CHECK(ws(std::string_view(text).substr(prev)));
}

// True when p is where some syntax node starts.
bool node_start(TSNode root, std::size_t p) {
  TSNode n = ts_node_descendant_for_byte_range(root, p, p + 1);
  while (!ts_node_is_null(n)) {
    if (ts_node_start_byte(n) == p) return true;
    n = ts_node_parent(n);
  }
  return false;
}

// True when p is inside a leaf token (a long string or comment).
bool in_leaf(TSNode root, std::size_t p) {
  TSNode n = ts_node_descendant_for_byte_range(root, p, p + 1);
  return !ts_node_is_null(n) && ts_node_child_count(n) == 0 && ts_node_start_byte(n) < p;
}

struct Sample {
  const char* file;
  const char* lang;
};
const Sample samples[] = {{"inventory.py", "python"}, {"router.js", "javascript"}, {"shapes.ts", "typescript"},
                          {"TodoList.tsx", "tsx"},    {"Scheduler.java", "java"}, {"cache.go", "go"},
                          {"tokens.rs", "rust"},      {"ring.c", "c"},            {"matrix.hpp", "cpp"}};

// The chunk that holds needle, and its symbols.
std::string symbols_at(const std::string& text, const std::vector<Chunk>& chunks, std::string_view needle) {
  std::size_t p = text.find(needle);
  REQUIRE_MESSAGE(p != std::string::npos, needle);
  for (const Chunk& c : chunks)
    if (c.begin <= p && p + needle.size() <= c.end) return field(c, "symbols");
  return "<split>";
}

}  // namespace

TEST_CASE("code: exact spans, coverage, size and node boundaries in every language") {
  syntax::Parser parser;
  for (const Sample& s : samples) {
    std::string text = sample(s.file);
    syntax::Tree tree = parser.parse(s.lang, text);
    TSNode root = ts_tree_root_node(tree.get());
    CHECK_MESSAGE(!ts_node_has_error(root), s.file);
    for (std::uint64_t size : {30, 60, 100, 200, 400, 100000}) {
      std::string file = s.file;
      CAPTURE(file);
      CAPTURE(size);
      auto chunks = run(text, s.file, size);
      check_invariants(text, chunks, size, true);
      for (const Chunk& c : chunks) {
        CHECK(field(c, "lang") == "\"" + std::string(s.lang) + "\"");
        CHECK(field(c, "parse_errors") == "false");
        CHECK(field(c, "node_types").front() == '[');
        // Cuts fall where a node starts, except inside a leaf (a long string
        // or comment) too large alone, which is cut at line starts.
        bool line_start = c.begin > 0 && text[c.begin - 1] == '\n';
        if (size >= 100) CHECK_MESSAGE(node_start(root, c.begin), text.substr(c.begin, 40));
        else CHECK((node_start(root, c.begin) || line_start || in_leaf(root, c.begin)));
      }
      if (size == 100000) CHECK(chunks.size() == 1);
      // Neighbours merge: no two adjacent chunks of one parent would fit
      // together at the largest size.
      if (size >= 200) CHECK(chunks.size() < text.size() / size + 12);
    }
    auto by_chars = run(text, s.file, 150, "chars");
    check_invariants(text, by_chars, 150, false);
  }
}

TEST_CASE("code: symbols name the enclosing definitions in every language") {
  auto at = [](const char* file, std::uint64_t size, std::string_view needle) {
    std::string text = sample(file);
    return symbols_at(text, run(text, file, size), needle);
  };
  CHECK(at("inventory.py", 60, "return f\"{self.sku} {sign}") ==
        R"(["class Inventory","class Change","def describe"])");
  CHECK(at("inventory.py", 60, "print(f\"{prefix}: calling") == R"(["def logged","def wrap","def inner"])");
  CHECK(at("inventory.py", 100, "return sum(i.quantity") == R"(["class Inventory","def total"])");
  CHECK(at("inventory.py", 60, "lines.append(json.dumps(summary") == R"(["class Inventory","def report"])");
  CHECK(at("router.js", 60, "params[key] = decodeURIComponent") == R"(["class Route","method match"])");
  CHECK(at("router.js", 100, "console.log(`${req.method}") == R"(["function logRequests"])");
  CHECK(at("router.js", 40, "count = start;\n    }") == R"(["function makeCounter","method reset"])");
  CHECK(at("shapes.ts", 60, "for (const s of list) total") ==
        R"(["namespace Geometry","class Registry","method totalArea"])");
  CHECK(at("shapes.ts", 60, "return Math.PI * this.radius * this.radius") == R"(["class Circle","method area"])");
  CHECK(at("TodoList.tsx", 60, "setDraft('');") == R"(["function TodoList","function add"])");
  CHECK(at("Scheduler.java", 60, "return Long.compare(due, other.due);") ==
        R"(["class Scheduler","class Entry","method compareTo"])");
  CHECK(at("Scheduler.java", 60, "Thread.currentThread().interrupt();") == R"(["class Scheduler","method run"])");
  CHECK(at("cache.go", 60, "c.ll.MoveToFront(el)\n\t\treturn el.Value") == R"(["func Cache.Get"])");
  CHECK(at("cache.go", 40, "v := f(key)") == R"(["func Memo"])");
  CHECK(at("tokens.rs", 60, "s.parse().unwrap_or(0.0)") == R"(["impl Lexer<'a>","fn tokens"])");
  CHECK(at("tokens.rs", 60, "Token::Number(n) => write!") == R"(["impl fmt::Display for Token","fn fmt"])");
  CHECK(at("tokens.rs", 60, "let toks = Lexer::new") == R"(["mod tests","fn lexes_words"])");
  CHECK(at("ring.c", 60, "*depth = atoi(p + 6);") == R"(["function parse_config"])");
  CHECK(at("ring.c", 60, "r->data[r->tail] = c;") == R"(["function ring_push"])");
  CHECK(at("matrix.hpp", 60, "for (std::size_t k = 0; k < C; ++k)") ==
        R"(["namespace linalg","class Matrix","function operator*"])");
  CHECK(at("matrix.hpp", 60, "T& operator[](std::size_t c)") == R"(["namespace linalg","class Matrix","class Row"])");
  CHECK(at("matrix.hpp", 60, "os << '\\n';") == R"(["namespace linalg","namespace detail","function print_row"])");
}

TEST_CASE("code: a whole small file is one chunk whose symbols are empty") {
  std::string text = "def f():\n    return 1\n\n\ndef g():\n    return 2\n";
  auto chunks = run(text, "x.py", 100);
  REQUIRE(chunks.size() == 1);
  CHECK(field(chunks[0], "symbols") == "[]");
  CHECK(field(chunks[0], "node_types") == R"(["function_definition"])");
  CHECK(chunks[0].size == 28);  // non-whitespace characters
}

TEST_CASE("code: siblings merge up to the size and cut between definitions") {
  std::string text = "def a():\n    return 1\n\ndef b():\n    return 2\n\ndef c():\n    return 3\n";
  auto chunks = run(text, "x.py", 27);  // each def is 14 nws: two do not fit
  REQUIRE(chunks.size() == 3);
  CHECK(text.substr(chunks[1].begin, chunks[1].end - chunks[1].begin) == "def b():\n    return 2");
  CHECK(field(chunks[1], "symbols") == R"(["def b"])");
  auto two = run(text, "x.py", 28);
  REQUIRE(two.size() == 2);
  CHECK(text.substr(two[0].begin, two[0].end - two[0].begin) == "def a():\n    return 1\n\ndef b():\n    return 2");
}

TEST_CASE("code: an oversize leaf is cut at lines, then characters, never dropped") {
  std::string big(3000, 'x');
  std::string text = "s = \"" + big + "\"\n# " + std::string(50, 'y') + "\n" + "doc = \"\"\"\n";
  for (int i = 0; i < 40; ++i) text += "line " + std::to_string(i) + " of a long docstring\n";
  text += "\"\"\"\n";
  auto chunks = run(text, "x.py", 100);
  check_invariants(text, chunks, 100, true);
  std::size_t total = 0;
  for (const Chunk& c : chunks) total += c.size;
  CHECK(total == nws(text));
  // The docstring went by lines: every chunk inside it starts a line.
  std::size_t doc = text.find("doc = ");
  for (const Chunk& c : chunks)
    if (c.begin > doc + 10) CHECK(text[c.begin - 1] == '\n');
}

TEST_CASE("code: syntax errors still chunk, flagged") {
  std::string text = sample("broken.py");
  for (std::uint64_t size : {20, 50, 1000}) {
    auto chunks = run(text, "broken.py", size);
    check_invariants(text, chunks, size, true);
    for (const Chunk& c : chunks) CHECK(field(c, "parse_errors") == "true");
  }
  auto small = run(text, "broken.py", 20);
  CHECK(symbols_at(text, small, "return a + b") == R"(["def fine"])");
}

TEST_CASE("code: language from --lang, then the lang field, then the extension") {
  std::string text = "fn main() {}\n";
  CHECK(field(run(text, "a.rs", 100)[0], "lang") == "\"rust\"");
  CHECK(field(run(text, "", 100, "", "en", "rs")[0], "lang") == "\"rust\"");
  CHECK(field(run(text, "a.txt", 100, "", "rust")[0], "lang") == "\"rust\"");
  CHECK(field(run(text, "a.py", 100, "", "rust")[0], "lang") == "\"rust\"");
  CHECK(field(run("int x;\n", "a.H", 100)[0], "lang") == "\"c\"");
  CHECK(field(run("int x;\n", "a.cc", 100)[0], "lang") == "\"cpp\"");
  CHECK(syntax::language_of_path("docs/README.md") == "markdown");
  CHECK(syntax::language_of_path("x.tsx") == "tsx");
  CHECK(syntax::language_of_path("Makefile").empty());
  CHECK(syntax::canonical("C++") == "cpp");
  CHECK(syntax::canonical("en").empty());
}

TEST_CASE("code: bad input") {
  try {
    run("x = 1\n", "notes.txt", 100);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) ==
          "notes.txt: no programming language for the document; give --lang, a \"lang\" field or a known file "
          "extension (supported: python, javascript, typescript, tsx, java, go, rust, c, cpp)");
  }
  try {
    run(std::string("ab\ncd\0ef", 8), "x.c", 100);
    FAIL("no error");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == "x.c:2: binary data (NUL byte) is not code");
  }
  Options o;
  o.strategy = "code";
  o.lang = "cobol";
  try {
    ChunkerFactory f(o);
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()) ==
          "unknown --lang \"cobol\": neither a programming language (known: python, javascript, typescript, tsx, "
          "java, go, rust, c, cpp) nor an ICU locale");
  }
}

TEST_CASE("nws unit counts non-whitespace code points") {
  UnitOptions uo;
  uo.name = "nws";
  auto u = make_unit(uo);
  auto m = u->make_measure();
  std::string s = "a b\t\nc\u00a0d\u00e9 ";
  m->reset(s);
  CHECK(m->size(0, s.size()) == 5);
  std::size_t c = m->fit(0, s.size(), 2);  // "a b\t\n" then c would be the 3rd
  CHECK(s.substr(0, c) == "a b\t\n");
}

TEST_CASE("code: with --no-trim the chunks tile the file and keep their symbols") {
  std::string text = sample("inventory.py");
  Options o;
  o.strategy = "code";
  o.size = 100;
  o.trim = false;
  ChunkerFactory f(o);
  auto c = f.make();
  Document d;
  d.text = text;
  d.path = "inventory.py";
  std::vector<Chunk> chunks;
  c->split(d, chunks);
  std::string joined;
  for (const Chunk& ch : chunks) {
    joined += text.substr(ch.begin, ch.end - ch.begin);
    CHECK(ch.size <= 100);
  }
  CHECK(joined == text);
  CHECK(symbols_at(text, chunks, "return f\"{self.sku} {sign}") ==
        R"(["class Inventory","class Change","def describe"])");
}

TEST_CASE("code: --overlap does not apply") {
  Options o;
  o.strategy = "code";
  o.overlap = 5;
  CHECK_THROWS_WITH_AS(ChunkerFactory{o}, "--overlap does not apply to the code strategy", UsageError);
}
