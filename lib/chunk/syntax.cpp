#include "chunk/syntax.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <mutex>

#include "core/error.hpp"
#include "core/input.hpp"

extern "C" {
const TSLanguage* tree_sitter_python();
const TSLanguage* tree_sitter_javascript();
const TSLanguage* tree_sitter_typescript();
const TSLanguage* tree_sitter_tsx();
const TSLanguage* tree_sitter_java();
const TSLanguage* tree_sitter_go();
const TSLanguage* tree_sitter_rust();
const TSLanguage* tree_sitter_c();
const TSLanguage* tree_sitter_cpp();
const TSLanguage* tree_sitter_markdown();
// parse_table.c: a copy of a language with every parse state dense, or null.
const TSLanguage* hewn_dense_language(const TSLanguage* language);
}

namespace hewn::chunk::syntax {
namespace {

// One row per language: its name, the other names --lang and "lang" take,
// its file extensions (without the dot; names and extensions are matched
// case-insensitively), its generated grammar. The code languages come
// first, in the order help texts list them; markdown last.
struct LanguageSpec {
  std::string_view name;
  std::string_view aliases;     // space-separated
  std::string_view extensions;  // space-separated
  const TSLanguage* (*grammar)();
};
const LanguageSpec languages[] = {
    {"python", "py", "py pyi", tree_sitter_python},
    {"javascript", "js", "js mjs cjs jsx", tree_sitter_javascript},
    {"typescript", "ts", "ts mts cts", tree_sitter_typescript},
    {"tsx", "", "tsx", tree_sitter_tsx},
    {"java", "", "java", tree_sitter_java},
    {"go", "golang", "go", tree_sitter_go},
    {"rust", "rs", "rs", tree_sitter_rust},
    {"c", "", "c h", tree_sitter_c},
    {"cpp", "c++ cxx", "cc cpp cxx c++ hh hpp hxx h++ ipp", tree_sitter_cpp},
    {"markdown", "md", "md markdown", tree_sitter_markdown},
};
constexpr std::size_t num_code_languages = std::size(languages) - 1;

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

// True when name is one of the space-separated words of list (any case).
bool listed(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    std::size_t sp = list.find(' ');
    if (iequal(list.substr(0, sp), name)) return true;
    if (sp == std::string_view::npos) break;
    list.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

const std::vector<std::string>& code_languages() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < num_code_languages; ++i) out.emplace_back(languages[i].name);
    return out;
  }();
  return v;
}

std::string code_language_list() {
  std::string s;
  for (const auto& l : code_languages()) s += (s.empty() ? "" : ", ") + l;
  return s;
}

std::string_view canonical(std::string_view name) {
  for (const LanguageSpec& l : languages)
    if (iequal(l.name, name) || listed(l.aliases, name)) return l.name;
  return {};
}

std::string_view language_of_path(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  base = io::without_compression_suffix(base);
  std::size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view ext = base.substr(dot + 1);
  for (const LanguageSpec& l : languages)
    if (listed(l.extensions, ext)) return l.name;
  return {};
}

const TSLanguage* generated_grammar(std::string_view lang) {
  for (const LanguageSpec& l : languages)
    if (l.name == lang) return l.grammar();
  throw UsageError("unknown language " + quoted(lang) + " (known: " + code_language_list() + ", markdown)");
}

const TSLanguage* grammar(std::string_view lang) {
  const TSLanguage* generated = generated_grammar(lang);
  // Code languages: the copy with dense tables (parse_table.c), made on
  // first use and kept for the process (at most 9.3 MB, cpp); the generated
  // grammar where that fails. Same trees, parsed 3-40% faster.
  static std::once_flag once[num_code_languages];
  static const TSLanguage* dense[num_code_languages];
  const auto& langs = code_languages();
  std::size_t i = std::find(langs.begin(), langs.end(), lang) - langs.begin();
  if (i >= std::size(once)) return generated;  // markdown
  std::call_once(once[i], [&] {
    const TSLanguage* d = hewn_dense_language(generated);
    dense[i] = d ? d : generated;
  });
  return dense[i];
}

void TreeDeleter::operator()(TSTree* t) const { ts_tree_delete(t); }

Parser::Parser() : parser_(ts_parser_new()) {}
Parser::~Parser() { ts_parser_delete(parser_); }

Tree Parser::parse(std::string_view lang, std::string_view text) {
  if (text.size() >= UINT32_MAX) throw DataError("document of 4 GiB or more is too large to parse");
  if (!ts_parser_set_language(parser_, grammar(lang)))
    throw UsageError("grammar " + quoted(lang) + " does not match the tree-sitter runtime");
  TSTree* t = ts_parser_parse_string(parser_, nullptr, text.data(), static_cast<uint32_t>(text.size()));
  if (!t) throw DataError("tree-sitter could not parse the document");
  return Tree(t);
}

}  // namespace hewn::chunk::syntax
