// The baseline strategies (fixed, recursive, sentence) and the factory.
#include <algorithm>

#include "chunk/chunker.hpp"
#include "chunk/code.hpp"
#include "chunk/emitter.hpp"
#include "chunk/semantic.hpp"
#include "chunk/layout.hpp"
#include "chunk/splitter.hpp"
#include "chunk/syntax.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace hewn::chunk {
namespace {

// Shared state: one measure and one emitter per chunker (per thread).
class Base : public Chunker {
 protected:
  explicit Base(const Options& o, const Unit& unit) : options_(o), measure_(unit.make_measure()), emitter_(options_, *measure_) {}
  void start(const Document& doc, std::vector<Chunk>& out) {
    measure_->reset(doc.text);
    emitter_.begin(doc.text, out);
  }
  Options options_;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
};

// Windows of --size units, each starting --size minus --overlap units after
// the previous one.
class Fixed final : public Base {
 public:
  Fixed(const Options& o, const Unit& u) : Base(o, u), splitter_({}, options_, *measure_, emitter_, o.overlap) {}
  void split(const Document& doc, std::vector<Chunk>& out) override {
    start(doc, out);
    splitter_.reset(doc.text);
    splitter_.split(0, doc.text.size(), 0);
    emitter_.end();
  }

 private:
  Splitter splitter_;
};

class Recursive final : public Base {
 public:
  Recursive(const Options& o, const Unit& u)
      : Base(o, u),
        splitter_(o.separators ? literal_levels(*o.separators) : default_levels(), options_, *measure_, emitter_,
                  o.overlap) {}
  void split(const Document& doc, std::vector<Chunk>& out) override {
    start(doc, out);
    splitter_.reset(doc.text);
    splitter_.split(0, doc.text.size());
    emitter_.end();
  }

 private:
  Splitter splitter_;
};

// ICU sentences packed up to --size; the next chunk repeats up to
// --overlap-sentences sentences of the previous one when they fit.
class Sentence final : public Base {
 public:
  Sentence(const Options& o, const Unit& u)
      : Base(o, u),
        sentences_(text::Boundary::sentence, o.lang),
        graphemes_(o.lang),
        below_({{Level::clause, {}}, {Level::word, {}}, {Level::grapheme, {}}}, options_, *measure_, emitter_, 0) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    start(doc, out);
    below_.reset(doc.text);
    pieces_.clear();
    sentences_.set_text(doc.text);
    graphemes_.reset(doc.text);
    std::size_t prev = sentences_.first();
    for (std::size_t b = sentences_.next(); b != text::done; b = sentences_.next()) {
      if (!graphemes_.is_cut(b)) continue;  // a sentence end inside a cluster (after a Prepend)
      pieces_.push_back({prev, b, measure_->size(prev, b)});
      prev = b;
    }
    const std::uint64_t max = options_.size;
    const std::size_t k = pieces_.size();
    std::size_t i = 0;
    while (i < k) {
      if (pieces_[i].size > max) {  // a sentence alone is too large
        below_.split(pieces_[i].b, pieces_[i].e, 0);
        ++i;
        continue;
      }
      std::size_t j = i;
      std::uint64_t total = 0;
      while (j < k && total + pieces_[j].size <= max) total += pieces_[j++].size;
      // Sentences over the limit together on their own (a token unit's
      // exact count) leave the last ones to the next chunk; one alone is
      // split by the levels below.
      while (j - i > 1 && !below_.fits_alone(pieces_[i].b, pieces_[j - 1].e)) --j;
      if (j - i == 1 && !below_.fits_alone(pieces_[i].b, pieces_[i].e)) {
        below_.split(pieces_[i].b, pieces_[i].e, 0);
        ++i;
        continue;
      }
      emitter_.add(pieces_[i].b, pieces_[j - 1].e);
      if (j == k) break;
      std::size_t next = j;
      if (options_.overlap_sentences > 0 && pieces_[j].size <= max) {
        std::size_t from = j > options_.overlap_sentences ? j - options_.overlap_sentences : 0;
        from = std::max(from, i + 1);
        std::uint64_t carried = 0;
        for (std::size_t t = from; t < j; ++t) carried += pieces_[t].size;
        while (from < j && carried + pieces_[j].size > max) carried -= pieces_[from++].size;
        next = from;
      }
      i = next;
    }
    emitter_.end();
  }

 private:
  struct Piece {
    std::size_t b, e;
    std::uint64_t size;
  };
  text::Segmenter sentences_;
  text::GraphemeCuts graphemes_;
  Splitter below_;
  std::vector<Piece> pieces_;
};

// Per document: code for a known programming language, markdown for
// Markdown, recursive for the rest.
class Auto final : public Chunker {
 public:
  Auto(const Options& o, const Unit& u, const Unit& code_unit)
      : options_(o),
        code_(make_code_chunker(o, code_unit)),
        markdown_(make_markdown_chunker(o, u)),
        recursive_(std::make_unique<Recursive>(o, u)) {}
  void split(const Document& doc, std::vector<Chunk>& out) override {
    std::string_view lang = document_language(options_, doc);
    if (lang == "markdown") markdown_->split(doc, out);
    else if (!lang.empty()) code_->split(doc, out);
    else recursive_->split(doc, out);
  }

 private:
  Options options_;
  std::unique_ptr<Chunker> code_, markdown_, recursive_;
};

}  // namespace

void Chunker::split_all(std::span<const Document> docs, std::vector<std::vector<Chunk>>& out,
                        std::vector<std::string>& errors) {
  out.resize(docs.size());
  errors.assign(docs.size(), std::string());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    out[i].clear();
    try {
      split(docs[i], out[i]);
    } catch (const DataError& e) {
      errors[i] = e.what();
    }
  }
}

std::vector<std::string> strategy_names() {
  return {"fixed",     "recursive", "sentence", "markdown", "code",  "auto",
          "semantic",  "cluster",   "lumber",   "perplexity", "margin", "intent",
          "layout"};
}

ChunkerFactory::ChunkerFactory(Options o) : options_(std::move(o)) {
  const auto names = strategy_names();
  if (std::find(names.begin(), names.end(), options_.strategy) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw UsageError("unknown strategy " + quoted(options_.strategy) + " (known: " + list + ")");
  }
  if (options_.size == 0) throw UsageError("--size must be at least 1");
  if (options_.overlap >= options_.size) throw UsageError("--overlap must be smaller than --size");
  if (options_.min_size > options_.size) throw UsageError("--min-size must not exceed --size");
  // Merging a small chunk into a neighbour that shares units with it would
  // repeat them: --min-size applies only without overlap.
  if (options_.min_size > 0 && options_.overlap > 0)
    throw UsageError("--min-size does not apply with --overlap (chunks that share units are not merged)");
  if (options_.min_size > 0 && options_.overlap_sentences > 0)
    throw UsageError("--min-size does not apply with --overlap-sentences (chunks that share sentences are not merged)");
  if (options_.overlap > 0 && options_.strategy == "sentence")
    throw UsageError("--overlap does not apply to the sentence strategy (use --overlap-sentences)");
  if (options_.overlap_sentences > 0 && options_.strategy != "sentence")
    throw UsageError("--overlap-sentences applies only to the sentence strategy");
  if (options_.overlap > 0 && (options_.strategy == "code" || options_.strategy == "markdown" ||
                               options_.strategy == "auto" || options_.strategy == "layout"))
    throw UsageError("--overlap does not apply to the " + options_.strategy + " strategy");
  check_semantic_options(options_);
  if (options_.separators && options_.strategy != "recursive")
    throw UsageError("--separators applies only to the recursive strategy");
  if (!options_.context.empty() && options_.context != "headings" && options_.context != "llm")
    throw UsageError("unknown --context " + quoted(options_.context) + " (known: headings, llm)");
  if (options_.context == "headings" && options_.strategy != "markdown" && options_.strategy != "auto")
    throw UsageError("--context headings applies only to the markdown and auto strategies");
  options_.llm.context = options_.context == "llm";
  if (is_llm_strategy(options_.strategy) && !options_.llm.model)
    throw UsageError("-s " + options_.strategy + " needs an LLM (--llm-model NAME)");
  if ((options_.llm.context || options_.llm.questions) && !options_.llm.model)
    throw UsageError(std::string(options_.llm.context ? "--context llm" : "--questions") +
                     " needs an LLM (--llm-model NAME)");
  if (options_.llm.window && options_.strategy != "lumber" && options_.strategy != "perplexity" &&
      !(options_.strategy == "margin" && options_.llm.margin_chunk))
    throw UsageError("--window applies only to the lumber, perplexity and margin --margin-context chunk strategies");
  if (options_.llm.threshold && options_.strategy != "perplexity" && options_.strategy != "margin")
    throw UsageError("--split-threshold applies only to the perplexity and margin strategies");
  if (!options_.llm.intents.empty() && options_.strategy != "intent")
    throw UsageError("--intents applies only to the intent strategy");
  if (is_llm_strategy(options_.strategy) && options_.overlap > 0)
    throw UsageError("--overlap does not apply to the " + options_.strategy + " strategy");
  const bool code = options_.strategy == "code" || options_.strategy == "auto";
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
        throw UsageError("unknown --lang " + quoted(options_.lang) +
                         ": neither a programming language (known: " + syntax::code_language_list() +
                         ") nor an ICU locale");
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
    if (options_.strategy == "code") unit_ = code_unit_;
  } else {
    code_unit_ = unit_;
  }
}

std::unique_ptr<Chunker> ChunkerFactory::make() const {
  auto plain = [this]() -> std::unique_ptr<Chunker> {
    const std::string& s = options_.strategy;
    if (s == "fixed") return std::make_unique<Fixed>(options_, *unit_);
    if (s == "sentence") return std::make_unique<Sentence>(options_, *unit_);
    if (s == "code") return make_code_chunker(options_, *code_unit_);
    if (s == "markdown") return make_markdown_chunker(options_, *unit_);
    if (s == "auto") return std::make_unique<Auto>(options_, *unit_, *code_unit_);
    if (s == "semantic") return make_semantic_chunker(options_, *unit_);
    if (s == "cluster") return make_cluster_chunker(options_, *unit_);
    if (is_llm_strategy(s)) return make_llm_chunker(options_, *unit_);
    if (s == "layout") return make_layout_chunker(options_, *unit_);
    return std::make_unique<Recursive>(options_, *unit_);
  };
  if (options_.llm.context || options_.llm.questions) return make_enricher(plain(), options_, *unit_);
  return plain();
}

}  // namespace hewn::chunk

namespace hewn::chunk {

std::vector<std::string> parse_separators(std::string_view text) {
  // Reuse the strict record parser on {"s": <text>}.
  std::string line = "{\"s\":" + std::string(text) + "}";
  std::size_t n = line.size();
  line.append(64, '\0');
  json::Parser parser;
  std::vector<std::string> out;
  try {
    const json::Record& r = parser.parse(std::string_view(line).substr(0, n), "--separators", 0);
    std::vector<std::string_view> items;
    if (!r.strings("s", items)) throw DataError("");
    for (auto s : items) out.emplace_back(s);
  } catch (const DataError&) {
    throw UsageError("--separators must be a JSON array of strings, e.g. [\"\\n\\n\", \"\\n\", \" \", \"\"]");
  }
  if (out.empty()) throw UsageError("--separators must not be empty");
  return out;
}

}  // namespace hewn::chunk

namespace hewn::chunk {

std::vector<std::uint64_t> parse_levels(std::string_view list) {
  std::vector<std::uint64_t> out;
  const std::string given = hewn::quoted(list);
  for (std::size_t b = 0;;) {
    std::size_t e = list.find(',', b);
    std::string_view s = list.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b);
    std::uint64_t v = 0;
    if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string_view::npos)
      throw UsageError("--levels: expected sizes S1,S2,... (whole numbers), got " + given);
    for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v == 0) throw UsageError("--levels: sizes must be at least 1, got " + given);
    if (!out.empty() && v >= out.back())
      throw UsageError("--levels: sizes must decrease strictly, coarsest first, got " + given);
    out.push_back(v);
    if (e == std::string_view::npos) return out;
    b = e + 1;
  }
}

}  // namespace hewn::chunk
