// The grammars behind syntax::grammar: a code language's copy with dense
// parse tables parses to the same trees as the generated grammar, on the
// sample sources in every language, whole and cut short (syntax errors, so
// error recovery, which also reads the tables).
#include <doctest/doctest.h>
#include <tree_sitter/api.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chunk/syntax.hpp"
#include "core/error.hpp"

using namespace hewn::chunk;

namespace {

struct ParserOf {
  TSParser* p;
  explicit ParserOf(const TSLanguage* l) : p(ts_parser_new()) { REQUIRE(ts_parser_set_language(p, l)); }
  ~ParserOf() { ts_parser_delete(p); }
  TSTree* parse(const std::string& s, std::size_t n) const {
    return ts_parser_parse_string(p, nullptr, s.data(), static_cast<uint32_t>(n));
  }
};

// Every node, in order: symbol, span, field, missing/error flags; "" when equal,
// else where the trees part.
std::string difference(TSTree* a, TSTree* b) {
  TSTreeCursor x = ts_tree_cursor_new(ts_tree_root_node(a));
  TSTreeCursor y = ts_tree_cursor_new(ts_tree_root_node(b));
  std::string where;
  for (;;) {
    TSNode m = ts_tree_cursor_current_node(&x), n = ts_tree_cursor_current_node(&y);
    if (ts_node_symbol(m) != ts_node_symbol(n) || ts_node_start_byte(m) != ts_node_start_byte(n) ||
        ts_node_end_byte(m) != ts_node_end_byte(n) || ts_node_is_missing(m) != ts_node_is_missing(n) ||
        ts_node_has_error(m) != ts_node_has_error(n) ||
        ts_tree_cursor_current_field_id(&x) != ts_tree_cursor_current_field_id(&y)) {
      where = std::string(ts_node_type(m)) + " vs " + ts_node_type(n) + " at byte " +
              std::to_string(ts_node_start_byte(m));
      break;
    }
    bool down = ts_tree_cursor_goto_first_child(&x);
    if (down != ts_tree_cursor_goto_first_child(&y)) {
      where = std::string("children of ") + ts_node_type(m);
      break;
    }
    if (down) continue;
    bool done = false;
    for (;;) {
      bool next = ts_tree_cursor_goto_next_sibling(&x);
      if (next != ts_tree_cursor_goto_next_sibling(&y)) {
        where = std::string("siblings after ") + ts_node_type(m);
        done = true;
        break;
      }
      if (next) break;
      bool up = ts_tree_cursor_goto_parent(&x);
      ts_tree_cursor_goto_parent(&y);
      if (!up) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&x);
  ts_tree_cursor_delete(&y);
  return where;
}

}  // namespace

TEST_CASE("syntax: dense parse tables give the generated grammar's trees, errors included") {
  std::vector<std::string> samples;
  for (const auto& e : std::filesystem::directory_iterator(std::string(HEWN_SOURCE_DIR) + "/tests/data/code")) {
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    samples.push_back(ss.str());
  }
  REQUIRE(samples.size() >= 9);
  std::size_t parses = 0, with_errors = 0;
  for (const std::string& lang : syntax::code_languages()) {
    const TSLanguage* dense = syntax::grammar(lang);
    const TSLanguage* generated = syntax::generated_grammar(lang);
    CAPTURE(lang);
    // A copy, not the generated grammar itself, with the same symbols.
    CHECK(dense != generated);
    CHECK(ts_language_symbol_count(dense) == ts_language_symbol_count(generated));
    ParserOf a(generated), b(dense);
    // Every sample in every grammar: mostly foreign code, so many errors.
    for (const std::string& s : samples) {
      for (std::size_t n = s.size();; n = n > 173 ? n - 173 : 0) {
        TSTree* x = a.parse(s, n);
        TSTree* y = b.parse(s, n);
        REQUIRE((x && y));
        ++parses;
        with_errors += ts_node_has_error(ts_tree_root_node(x));
        std::string d = difference(x, y);
        CHECK_MESSAGE(d.empty(), lang << ", " << n << " bytes of " << s.substr(0, 40) << ": " << d);
        ts_tree_delete(x);
        ts_tree_delete(y);
        if (n == 0) break;
      }
    }
  }
  CHECK(with_errors > parses / 2);
}

TEST_CASE("syntax: markdown keeps the generated grammar; unknown names are refused") {
  CHECK(syntax::grammar("markdown") == syntax::generated_grammar("markdown"));
  CHECK(syntax::grammar("cpp") == syntax::grammar("cpp"));  // made once
  CHECK_THROWS_AS(syntax::generated_grammar("cobol"), hewn::UsageError);
  CHECK_THROWS_AS(syntax::grammar("cobol"), hewn::UsageError);
}
