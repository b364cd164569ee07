// The chunk strategies as a table: one row per strategy (its name, its words
// in --help, the options that apply to it, what it needs, its own checks and
// its constructor). ChunkerFactory validates options from it and chunk's
// --help lists it, so a new strategy is one file (its Chunker and make
// function) plus one row in registry.cpp.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// Options that apply to some strategies only (StrategySpec::options). Each
// is refused, before anything is read, by a strategy whose row lacks it.
namespace applies {
enum : unsigned {
  overlap = 1u << 0,            // --overlap
  overlap_sentences = 1u << 1,  // --overlap-sentences
  separators = 1u << 2,         // --separators
  headings = 1u << 3,           // --context headings
  encoder = 1u << 4,            // the semantic options: --model, --backend, --breakpoints, ... --chunk-vectors
  spatial = 1u << 5,            // --spatial-weight
  window = 1u << 6,             // --window
  split_threshold = 1u << 7,    // --split-threshold
  intents = 1u << 8,            // --intents
  languages = 1u << 9,          // --lang may name a programming language (code is then sized in nws)
};
}  // namespace applies

// What a strategy needs beyond text (besides what its options ask for).
enum class Needs { text, encoder, llm };

// The units a strategy's chunker measures in: unit (--unit), code (the unit
// of source code: nws unless --unit was given).
struct Units {
  const Unit& unit;
  const Unit& code;
};

struct StrategySpec {
  std::string_view name;
  std::string_view help;  // the words after the name in --help ("" none)
  unsigned options;       // applies::* bits
  Needs needs;
  bool code_sized;  // sized in Units::code (the code strategy)
  // The strategy's own checks and defaults, after the table's; may be null.
  // Errors: UsageError.
  void (*check)(Options&);
  // A chunker (one per thread); options and units outlive it.
  std::unique_ptr<Chunker> (*make)(const Options&, const Units&);
};

// Every strategy, in the order --help lists them.
std::span<const StrategySpec> strategy_specs();
// The row of a strategy name, or nullptr.
const StrategySpec* find_strategy(std::string_view name);
// The strategies for -s's --help: "fixed, ..., code (cAST syntax trees),
// ...; with an LLM: lumber (LumberChunker), ... or intent; layout (...)".
std::string strategy_help();

}  // namespace hewn::chunk
