// The tree-sitter grammars compiled into hewn (chunk --strategy code and
// markdown): which languages exist, how a file name or a "lang" value names
// one (one table of languages, syntax.cpp), and a parser that turns a
// document into a syntax tree.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct TSLanguage;
struct TSParser;
struct TSTree;

namespace hewn::chunk::syntax {

// Programming languages with a grammar, in the order help texts list them:
// python, javascript, typescript, tsx, java, go, rust, c, cpp.
const std::vector<std::string>& code_languages();
// "python, javascript, ..." for messages.
std::string code_language_list();

// The canonical name for a language name or alias ("py", "js", "ts", "c++",
// "golang", "rs", ...; case-insensitive), or "" when it names none.
std::string_view canonical(std::string_view name);
// The language of a file name by its extension (".py", ".tsx", ".hpp", ...;
// case-insensitive), "markdown" for .md and .markdown, or "".
std::string_view language_of_path(std::string_view path);

// The grammar of a canonical language name ("markdown" is the block grammar).
// A code language's grammar is a copy of the generated one with dense parse
// tables, made on first use: the same trees, found faster.
// Errors: UsageError for a name canonical() does not return.
const TSLanguage* grammar(std::string_view lang);
// The grammar as generated (for comparison with grammar()).
// Errors: UsageError for a name canonical() does not return.
const TSLanguage* generated_grammar(std::string_view lang);

struct TreeDeleter {
  void operator()(TSTree* t) const;
};
using Tree = std::unique_ptr<TSTree, TreeDeleter>;

// One parser per thread, reused across documents.
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  // Parses UTF-8 text (under 4 GiB) with the grammar of a canonical name.
  // Errors: DataError (without a place; the caller adds it) when the text is
  // 4 GiB or more; UsageError for an unknown language.
  Tree parse(std::string_view lang, std::string_view text);

 private:
  TSParser* parser_;
};

}  // namespace hewn::chunk::syntax
