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

struct Alias {
  std::string_view name, lang;
};
// Names and extensions (without the dot) -> canonical language.
constexpr Alias names[] = {
    {"python", "python"}, {"py", "python"},         {"javascript", "javascript"}, {"js", "javascript"},
    {"typescript", "typescript"}, {"ts", "typescript"}, {"tsx", "tsx"},          {"java", "java"},
    {"go", "go"},         {"golang", "go"},         {"rust", "rust"},             {"rs", "rust"},
    {"c", "c"},           {"cpp", "cpp"},           {"c++", "cpp"},               {"cxx", "cpp"},
    {"markdown", "markdown"}, {"md", "markdown"},
};
constexpr Alias extensions[] = {
    {"py", "python"},     {"pyi", "python"},     {"js", "javascript"}, {"mjs", "javascript"},
    {"cjs", "javascript"}, {"jsx", "javascript"}, {"ts", "typescript"}, {"mts", "typescript"},
    {"cts", "typescript"}, {"tsx", "tsx"},        {"java", "java"},     {"go", "go"},
    {"rs", "rust"},       {"c", "c"},            {"h", "c"},           {"cc", "cpp"},
    {"cpp", "cpp"},       {"cxx", "cpp"},        {"c++", "cpp"},       {"hh", "cpp"},
    {"hpp", "cpp"},       {"hxx", "cpp"},        {"h++", "cpp"},       {"ipp", "cpp"},
    {"md", "markdown"},   {"markdown", "markdown"},
};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

}  // namespace

const std::vector<std::string>& code_languages() {
  static const std::vector<std::string> v = {"python", "javascript", "typescript", "tsx", "java",
                                             "go",     "rust",       "c",          "cpp"};
  return v;
}

std::string code_language_list() {
  std::string s;
  for (const auto& l : code_languages()) s += (s.empty() ? "" : ", ") + l;
  return s;
}

std::string_view canonical(std::string_view name) {
  for (const auto& a : names)
    if (iequal(a.name, name)) return a.lang;
  return {};
}

std::string_view language_of_path(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  base = io::without_compression_suffix(base);
  std::size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string_view ext = base.substr(dot + 1);
  for (const auto& a : extensions)
    if (iequal(a.name, ext)) return a.lang;
  return {};
}

const TSLanguage* generated_grammar(std::string_view lang) {
  if (lang == "python") return tree_sitter_python();
  if (lang == "javascript") return tree_sitter_javascript();
  if (lang == "typescript") return tree_sitter_typescript();
  if (lang == "tsx") return tree_sitter_tsx();
  if (lang == "java") return tree_sitter_java();
  if (lang == "go") return tree_sitter_go();
  if (lang == "rust") return tree_sitter_rust();
  if (lang == "c") return tree_sitter_c();
  if (lang == "cpp") return tree_sitter_cpp();
  if (lang == "markdown") return tree_sitter_markdown();
  throw UsageError("unknown language " + quoted(lang) + " (known: " + code_language_list() + ", markdown)");
}

const TSLanguage* grammar(std::string_view lang) {
  const TSLanguage* generated = generated_grammar(lang);
  // Code languages: the copy with dense tables (parse_table.c), made on
  // first use and kept for the process (at most 9.3 MB, cpp); the generated
  // grammar where that fails. Same trees, parsed 3-40% faster.
  static std::once_flag once[9];
  static const TSLanguage* dense[9];
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
