// Chunkers split one document into spans. The family is built from a name by
// ChunkerFactory, from the table of chunk/registry.hpp; every member shares
// the guarantees in hewn(7): exact spans, --size as a hard maximum (but for
// a single grapheme cluster, flagged oversize), no whitespace-only chunks,
// trimmed spans unless trim is off.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chunk/semantic_options.hpp"
#include "chunk/llm.hpp"
#include "chunk/unit.hpp"

namespace hewn::extract {
struct Block;
}

namespace hewn::chunk {

struct Document {
  std::string_view id;
  std::string_view text;  // valid UTF-8
  std::string_view lang;  // a "lang" field or a file extension hint; may be empty
  std::string_view path;  // raw file path when the document came from a file
  std::string_view source;  // input name and line, for messages (line 0: a raw file)
  std::uint64_t line = 0;
  // Extracted documents (PDF): text blocks and words with their boxes, with
  // offsets into the whole extracted text, of which text starts at offset.
  const std::vector<extract::Block>* blocks = nullptr;
  const std::vector<extract::Block>* words = nullptr;
  std::size_t offset = 0;
};

struct Chunk {
  std::size_t begin = 0, end = 0;  // byte offsets into Document::text
  std::uint64_t size = 0;          // in the unit
  bool oversize = false;           // a single cluster larger than the limit
  // Strategy-specific record fields (key, JSON value), e.g. "headings".
  std::vector<std::pair<std::string, std::string>> fields;
};

struct Options {
  std::string strategy = "recursive";
  std::uint64_t size = 512;
  std::uint64_t overlap = 0;            // fixed, recursive: in units
  std::uint64_t overlap_sentences = 0;  // sentence
  std::uint64_t min_size = 0;
  bool trim = true;
  std::optional<std::vector<std::string>> separators;  // recursive
  std::string lang = "en";
  UnitOptions unit;
  bool unit_given = false;  // --unit was given (else code counts "nws")
  std::string context;      // markdown: "headings" writes a "context" field; "llm": see chunk/llm.hpp
  std::string code_lang;    // code, auto: the language --lang names (set by the factory)
  SemanticOptions semantic; // semantic, cluster (chunk/semantic.hpp)
  LlmOptions llm;           // lumber, perplexity, margin, intent; --context llm, --questions (chunk/llm.hpp)
};

class Chunker {
 public:
  virtual ~Chunker() = default;
  // Appends the chunks of doc to out, in order of their start.
  // Errors: DataError for a document the strategy cannot take.
  virtual void split(const Document& doc, std::vector<Chunk>& out) = 0;
  // Splits every document of docs as split() does, docs[i]'s chunks to
  // out[i] (out is resized to docs.size()), or sets errors[i] to the message
  // of the DataError that rejects docs[i] ("" for the others). The strategies
  // that embed (embeds()) embed the texts of all the documents together, in
  // encoder calls of --batch texts; the others split them one by one.
  // Errors: none for a document; what escapes other than DataError.
  virtual void split_all(std::span<const Document> docs, std::vector<std::vector<Chunk>>& out,
                         std::vector<std::string>& errors);
  // True when split_all() embeds across documents (semantic or cluster with
  // an encoder that batches): worth handing it a whole batch of records.
  virtual bool embeds() const { return false; }
};

// Parses --separators: a JSON array of strings, e.g. ["\n\n", "\n", " ", ""].
// Errors: UsageError "--separators: ..." when it is not one.
std::vector<std::string> parse_separators(std::string_view json);

// Parses --levels S1,S2,...: one or more sizes, each at least 1, strictly
// decreasing. Errors: UsageError "--levels: ..." when it is not that.
std::vector<std::uint64_t> parse_levels(std::string_view list);

struct StrategySpec;

// Validates options once against the strategy's row (chunk/registry.hpp) and
// makes chunkers (one per thread).
class ChunkerFactory {
 public:
  // Errors: UsageError for an unknown strategy, unit or locale, size 0,
  // overlap >= size, min_size > size, min_size with overlap or
  // overlap_sentences, an option that does not apply to the strategy, a
  // strategy without what it needs (an LLM, an encoder), those of the
  // strategy's own check.
  explicit ChunkerFactory(Options options);
  std::unique_ptr<Chunker> make() const;
  const Options& options() const { return options_; }
  const StrategySpec& spec() const { return *spec_; }
  const Unit& unit() const { return *unit_; }
  // The unit code is measured in: nws unless --unit was given.
  const Unit& code_unit() const { return *code_unit_; }

 private:
  Options options_;
  const StrategySpec* spec_ = nullptr;
  std::shared_ptr<const Unit> unit_, code_unit_;
};

}  // namespace hewn::chunk
