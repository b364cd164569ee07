// The baseline strategies (fixed, recursive, sentence, auto), and the
// parsers of --separators and --levels.
#include "chunk/strategies.hpp"

#include <algorithm>

#include "chunk/code.hpp"
#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "text/segment.hpp"

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

std::unique_ptr<Chunker> make_fixed_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Fixed>(o, unit);
}

std::unique_ptr<Chunker> make_recursive_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Recursive>(o, unit);
}

std::unique_ptr<Chunker> make_sentence_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Sentence>(o, unit);
}

std::unique_ptr<Chunker> make_auto_chunker(const Options& o, const Unit& unit, const Unit& code_unit) {
  return std::make_unique<Auto>(o, unit, code_unit);
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
