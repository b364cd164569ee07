// The recursive split-then-merge engine: a hierarchy of levels (separators),
// each splitting a span that is too large into pieces; pieces that fit are
// merged greedily up to the size limit (with overlap), pieces that do not go
// down to the next level. Below the last level, spans are cut into windows at
// grapheme cluster (or unit) boundaries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chunk/emitter.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {

struct Level {
  enum Kind { literal, paragraph, line, sentence, clause, word, grapheme } kind;
  std::string text;  // for literal
};

// The default hierarchy: paragraph, line, sentence, clause, word, grapheme.
std::vector<Level> default_levels();
// A user list of literal separators; "" stands for grapheme clusters.
std::vector<Level> literal_levels(const std::vector<std::string>& separators);

class Splitter {
 public:
  Splitter(std::vector<Level> levels, const Options& options, Measure& measure, Emitter& emitter,
           std::uint64_t overlap);
  // Starts on a document (after measure.reset and emitter.begin).
  void reset(std::string_view doc) {
    doc_ = doc;
    graphemes_.reset(doc);
  }
  // Splits [b, e) from level `from` on, emitting chunks.
  void split(std::size_t b, std::size_t e, std::size_t from = 0);
  // True when [b, e), trimmed as the emitter trims it, is within --size
  // measured on its own (Measure::exact; a token unit's count can exceed
  // the document's tokens in the span by the context lost at the cut).
  bool fits_alone(std::size_t b, std::size_t e);

 private:
  struct Piece {
    std::size_t b, e;
    std::uint64_t size;
  };
  void cuts(const Level& level, std::size_t b, std::size_t e, std::vector<std::size_t>& out);
  // Merges the pieces that fit of level lvl.
  void merge(const std::vector<Piece>& pieces, std::size_t lvl);
  // The largest unit start k in (b, c] with [b, k) fitting alone; c when
  // [b, c) fits or no start does.
  std::size_t fit_alone(std::size_t b, std::size_t c);
  void windows(std::size_t b, std::size_t e);

  std::vector<Level> levels_;
  const Options& options_;
  Measure& measure_;
  Emitter& emitter_;
  std::uint64_t overlap_;
  std::string_view doc_;
  std::vector<std::vector<std::size_t>> cuts_;  // per level, reused
  std::vector<std::vector<Piece>> good_;        // per level, reused
  std::unique_ptr<text::Segmenter> sentences_, words_;
  // Cuts of every level are kept only on grapheme cluster boundaries (ICU's
  // word and sentence rules, a literal separator or a clause mark can fall
  // inside a cluster, e.g. before a combining mark or after a Prepend).
  text::GraphemeCuts graphemes_;
};

}  // namespace hewn::chunk
