// The table of chunk strategies and the factory that validates options from
// it (chunk/registry.hpp).
#include "chunk/registry.hpp"

#include <algorithm>

#include "chunk/code.hpp"
#include "chunk/layout.hpp"
#include "chunk/llm.hpp"
#include "chunk/semantic.hpp"
#include "chunk/strategies.hpp"
#include "chunk/syntax.hpp"
#include "core/error.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {
namespace {

using namespace applies;

// Margin takes --window only with --margin-context chunk (its other prompt
// shows no chunk).
void check_margin(Options& o) {
  if (o.llm.window && !o.llm.margin_chunk)
    throw UsageError("--window applies only to the lumber, perplexity and margin --margin-context chunk strategies");
}

template <std::unique_ptr<Chunker> (*Make)(const Options&, const Unit&)>
std::unique_ptr<Chunker> in_unit(const Options& o, const Units& u) {
  return Make(o, u.unit);
}

const StrategySpec specs[] = {
    {"fixed", "", overlap, Needs::text, false, nullptr, in_unit<make_fixed_chunker>},
    {"recursive", "", overlap | separators, Needs::text, false, nullptr, in_unit<make_recursive_chunker>},
    {"sentence", "", overlap_sentences, Needs::text, false, nullptr, in_unit<make_sentence_chunker>},
    {"markdown", "", headings, Needs::text, false, nullptr, in_unit<make_markdown_chunker>},
    {"code", "cAST syntax trees", languages, Needs::text, true, nullptr,
     [](const Options& o, const Units& u) { return make_code_chunker(o, u.code); }},
    {"auto", "code for known source extensions or languages, markdown for .md, recursive otherwise",
     headings | languages, Needs::text, false, nullptr,
     [](const Options& o, const Units& u) { return make_auto_chunker(o, u.unit, u.code); }},
    {"semantic", "cut where the topic shifts", encoder, Needs::text, false, check_semantic_options,
     in_unit<make_semantic_chunker>},
    {"cluster", "Chroma's cluster DP; needs an encoder", encoder, Needs::encoder, false, check_cluster_options,
     in_unit<make_cluster_chunker>},
    {"lumber", "LumberChunker", window, Needs::llm, false, nullptr, in_unit<make_lumber_chunker>},
    {"perplexity", "", window | split_threshold, Needs::llm, false, nullptr, in_unit<make_perplexity_chunker>},
    {"margin", "Meta-Chunking", window | split_threshold, Needs::llm, false, check_margin,
     in_unit<make_margin_chunker>},
    {"intent", "", intents, Needs::llm, false, nullptr, in_unit<make_intent_chunker>},
    {"layout", "PDF text blocks by position and similarity, S2 Chunking", encoder | spatial, Needs::text, false,
     check_layout_options, in_unit<make_layout_chunker>},
};

// An option that applies to some strategies only: refused, naming the
// strategies it applies to (or, for "does not apply" rules, the one given).
struct Rule {
  unsigned option;
  std::string_view names;  // as the message starts
  bool plural;             // "apply" rather than "applies"
  bool (*given)(const Options&);
  std::string_view only = {};  // the strategies it applies to, when the table's list needs a qualifier
};

const Rule rules[] = {
    {overlap_sentences, "--overlap-sentences", false, [](const Options& o) { return o.overlap_sentences > 0; }},
    {spatial, "--spatial-weight", false, [](const Options& o) { return o.semantic.spatial_weight >= 0; }},
    {encoder,
     "--model, --backend, --breakpoints, --threshold, --buffer, --skip-window, --segments, --target, --piece-size "
     "and --chunk-vectors",
     true,
     [](const Options& o) {
       const SemanticOptions& so = o.semantic;
       return !so.breakpoints.empty() || so.threshold >= 0 || so.buffer >= 0 || so.skip_window || so.segments ||
              so.target || so.piece_size || so.chunk_vectors || so.encoder;
     }},
    {separators, "--separators", false, [](const Options& o) { return o.separators.has_value(); }},
    {headings, "--context headings", false, [](const Options& o) { return o.context == "headings"; }},
    {window, "--window", false, [](const Options& o) { return o.llm.window > 0; },
     "lumber, perplexity and margin --margin-context chunk"},
    {split_threshold, "--split-threshold", false, [](const Options& o) { return o.llm.threshold.has_value(); }},
    {intents, "--intents", false, [](const Options& o) { return !o.llm.intents.empty(); }},
};

// "a", "a and b", "a, b and c".
std::string and_list(const std::vector<std::string_view>& items) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i)
    s += std::string(i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + std::string(items[i]);
  return s;
}

[[noreturn]] void refuse(const Rule& r) {
  std::vector<std::string_view> to;
  for (const StrategySpec& s : specs)
    if (s.options & r.option) to.push_back(s.name);
  std::string list = r.only.empty() ? and_list(to) : std::string(r.only);
  const bool many = !r.only.empty() || to.size() > 1;
  throw UsageError(std::string(r.names) + (r.plural ? " apply" : " applies") + " only to the " + list +
                   (many ? " strategies" : " strategy"));
}

}  // namespace

std::span<const StrategySpec> strategy_specs() { return specs; }

const StrategySpec* find_strategy(std::string_view name) {
  for (const StrategySpec& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

std::string strategy_help() {
  std::string out;
  const std::size_t n = std::size(specs);
  std::size_t last_llm = n;
  for (std::size_t i = 0; i < n; ++i)
    if (specs[i].needs == Needs::llm) last_llm = i;
  for (std::size_t i = 0; i < n; ++i) {
    const bool llm = specs[i].needs == Needs::llm;
    if (i > 0) {
      const bool prev = specs[i - 1].needs == Needs::llm;
      out += llm && !prev ? "; with an LLM: " : !llm && prev ? "; " : llm && i == last_llm ? " or " : ", ";
    }
    out += specs[i].name;
    if (!specs[i].help.empty()) out += " (" + std::string(specs[i].help) + ")";
  }
  return out;
}

ChunkerFactory::ChunkerFactory(Options o) : options_(std::move(o)) {
  spec_ = find_strategy(options_.strategy);
  if (!spec_) {
    std::string list;
    for (const StrategySpec& s : specs) list += (list.empty() ? "" : ", ") + std::string(s.name);
    throw UsageError("unknown strategy " + quoted(options_.strategy) + " (known: " + list + ")");
  }
  const StrategySpec& spec = *spec_;
  if (options_.size == 0) throw UsageError("--size must be at least 1");
  if (options_.overlap >= options_.size) throw UsageError("--overlap must be smaller than --size");
  if (options_.min_size > options_.size) throw UsageError("--min-size must not exceed --size");
  // Merging a small chunk into a neighbour that shares units with it would
  // repeat them: --min-size applies only without overlap.
  if (options_.min_size > 0 && options_.overlap > 0)
    throw UsageError("--min-size does not apply with --overlap (chunks that share units are not merged)");
  if (options_.min_size > 0 && options_.overlap_sentences > 0)
    throw UsageError("--min-size does not apply with --overlap-sentences (chunks that share sentences are not merged)");
  if (options_.overlap > 0 && !(spec.options & overlap))
    throw UsageError("--overlap does not apply to the " + options_.strategy + " strategy" +
                     (spec.options & overlap_sentences ? " (use --overlap-sentences)" : ""));
  if (!options_.context.empty() && options_.context != "headings" && options_.context != "llm")
    throw UsageError("unknown --context " + quoted(options_.context) + " (known: headings, llm)");
  for (const Rule& r : rules)
    if (r.given(options_) && !(spec.options & r.option)) refuse(r);
  options_.llm.context = options_.context == "llm";
  if (spec.needs == Needs::llm && !options_.llm.model)
    throw UsageError("-s " + options_.strategy + " needs an LLM (--llm-model NAME)");
  if (spec.needs == Needs::encoder && !options_.semantic.encoder)
    throw UsageError("-s " + options_.strategy + " needs an encoder (--model or --backend)");
  if ((options_.llm.context || options_.llm.questions) && !options_.llm.model)
    throw UsageError(std::string(options_.llm.context ? "--context llm" : "--questions") +
                     " needs an LLM (--llm-model NAME)");
  if (spec.check) spec.check(options_);
  const bool code = spec.options & languages;
  if (code) {
    // --lang names a programming language or an ICU locale.
    std::string_view c = syntax::canonical(options_.lang);
    if (!c.empty() && c != "markdown") {
      options_.code_lang = c;
      options_.lang = "en";
    } else {
      try {
        text::check_locale(options_.lang);
      } catch (const UsageError&) {
        throw UsageError("unknown --lang " + quoted(options_.lang) + ": neither a programming language (known: " +
                         syntax::code_language_list() + ") nor an ICU locale");
      }
    }
  }
  options_.lang = text::check_locale(options_.lang);
  options_.unit.lang = options_.lang;
  unit_ = make_unit(options_.unit);
  if (code && !options_.unit_given) {
    UnitOptions nws = options_.unit;
    nws.name = "nws";
    code_unit_ = make_unit(nws);
    if (spec.code_sized) unit_ = code_unit_;
  } else {
    code_unit_ = unit_;
  }
}

std::unique_ptr<Chunker> ChunkerFactory::make() const {
  auto chunker = spec_->make(options_, Units{*unit_, *code_unit_});
  if (options_.llm.context || options_.llm.questions) return make_enricher(std::move(chunker), options_, *unit_);
  return chunker;
}

}  // namespace hewn::chunk
