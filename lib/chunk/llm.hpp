// The LLM-driven chunkers and enrichers (chunk(1) LLM STRATEGIES):
//   lumber      LumberChunker: numbered paragraphs in a window; the model
//               names the first paragraph where the content changes.
//   perplexity  Meta-Chunking's PPL chunking: per-sentence perplexity from
//               the token log-probabilities; cuts after perplexity minima.
//   margin      Meta-Chunking's margin sampling: P("2", keep) - P("1",
//               split) for each pair of adjacent sentences (or the chunk
//               so far and the next sentence); cuts where it falls to the
//               threshold.
//   intent      Intent-driven chunking: intents (a query log, or asked per
//               document) located in the sentences; a dynamic programme
//               picks the cuts that keep the most intents whole in one chunk.
// and the enrichers: --context llm (Anthropic's contextual retrieval: a
// "context" field per chunk) and --questions N (doc2query: a "questions"
// field). The model comes through the port of core/llm.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/llm.hpp"

namespace hewn::chunk {

class Chunker;
struct Options;
class Unit;

// What the model did that the transport does not count.
struct LlmCounters {
  std::atomic<std::uint64_t> asked_again{0};  // unusable answers asked again
  std::atomic<std::uint64_t> fallbacks{0};    // unusable after every attempt: the documented fallback taken
};

struct LlmOptions {
  std::shared_ptr<const Completer> model;  // null: no LLM (the strategies below are then usage errors)
  std::uint64_t window = 0;                // lumber: 550 estimated tokens; perplexity, margin chunk: 1024 (0: those)
  std::optional<double> threshold;         // perplexity: 0; margin: none (the mean of the last 5 margins)
  bool margin_chunk = false;               // margin: the first text is the chunk so far, not the sentence before
  unsigned reask = 2;                      // attempts after an unusable answer
  std::map<std::string, std::string, std::less<>> prompts;  // name -> template (default: the shipped one)
  bool context = false;                    // --context llm
  unsigned questions = 0;                  // --questions N
  std::vector<std::string> intents;        // --intents FILE: for every document
  unsigned intent_count = 8;               // intents asked per document without --intents
  std::shared_ptr<LlmCounters> counters = std::make_shared<LlmCounters>();
};

// The prompt names: lumber, margin, context, questions, intents.
std::vector<std::string_view> prompt_names();
// The shipped template (data/prompts/NAME.txt, built in). Errors: none ("" for an unknown name).
std::string_view default_prompt(std::string_view name);
// The template of name: --prompt's, else the shipped one.
std::string_view prompt_of(const LlmOptions& o, std::string_view name);
// Checks a template for name (its placeholders).
// Errors: UsageError "--prompt NAME: unknown prompt (known: ...)", those of check_template().
void check_prompt(std::string_view name, std::string_view tmpl, std::string_view source);

// The strategies of this file (their rows in chunk/registry.cpp).
// Errors: UsageError "-s lumber needs an LLM (--llm-model NAME)".
std::unique_ptr<Chunker> make_lumber_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_perplexity_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_margin_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_intent_chunker(const Options& options, const Unit& unit);
// A chunker that adds the --context llm and --questions fields to inner's
// chunks (unit must outlive it). Errors: as make_lumber_chunker().
std::unique_ptr<Chunker> make_enricher(std::unique_ptr<Chunker> inner, const Options& options, const Unit& unit);

// Parses a list answer (questions, intents): one item a line, leading
// numbering ("1.", "2)", "-", "*") and white space removed, empty and
// repeated lines dropped, at most n. Errors: none.
std::vector<std::string> parse_list(std::string_view answer, std::size_t n);
// The paragraph ID of a LumberChunker answer ("... Answer: ID 12"); none
// when absent. Errors: none.
std::optional<std::size_t> parse_lumber_answer(std::string_view answer);
// Meta-Chunking's find_minima: indices i (0 < i < n-1) with v[i] below
// v[i-1] and below v[i+1] where one of the two drops is >= threshold, or
// below v[i-1] by >= threshold and equal to v[i+1]. Errors: none.
std::vector<std::size_t> perplexity_minima(const std::vector<double>& v, double threshold);

}  // namespace hewn::chunk
