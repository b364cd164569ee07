// Structure-aware strategies: source code by syntax tree (cAST) and Markdown
// by block structure, both on tree-sitter grammars (chunk/syntax.hpp), and
// `auto`, which picks one of them (or recursive) per document.
#pragma once

#include <memory>
#include <string_view>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// The programming language of a document for the code strategy: --lang when
// it names one (options.code_lang), else the document's "lang" field, else
// its file extension; "markdown" for Markdown; "" when none applies.
std::string_view document_language(const Options& options, const Document& doc);

// cAST: parse, split nodes larger than --size into their children, merge
// adjacent siblings greedily up to --size; an oversize leaf goes by lines,
// then grapheme clusters. Chunks carry lang, symbols, node_types,
// start_line, end_line and parse_errors.
// Errors (from split): DataError "source:line: ..." for a document with NUL
// bytes (binary) or with no language.
std::unique_ptr<Chunker> make_code_chunker(const Options& options, const Unit& unit);

// Markdown blocks: a heading starts a chunk; code blocks and tables stay
// whole unless one alone exceeds --size (then code splits at lines, tables
// at rows with the header row in "context"). Chunks carry headings (and
// context with --context headings).
// Errors (from split): DataError "source:line: ..." for a document with NUL
// bytes, or nested deeper than the grammar's scanner can hold (more than 200
// block quotes, list markers and half-columns of indentation on a line).
std::unique_ptr<Chunker> make_markdown_chunker(const Options& options, const Unit& unit);

// Throws DataError "source:line: binary data (NUL byte) is not <what>" when
// text holds a NUL byte (line of the first one).
void reject_binary(const Document& doc, std::string_view what);

}  // namespace hewn::chunk
