// What every strategy does with its raw spans: trim them, drop the
// whitespace-only ones, measure and flag them, and merge chunks smaller than
// --min-size into a neighbour.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

class Emitter {
 public:
  Emitter(const Options& options, Measure& measure) : options_(options), measure_(measure) {}

  void begin(std::string_view doc, std::vector<Chunk>& out) {
    doc_ = doc;
    out_ = &out;
    first_ = out.size();
    space_b_ = space_e_ = 0;
  }
  // Adds span [b, e) whose size is at most options.size unless it is a single
  // grapheme cluster, with strategy-specific record fields.
  void add(std::size_t b, std::size_t e, std::vector<std::pair<std::string, std::string>> fields = {});
  // The same, when the caller knows size(b, e) already.
  void add_sized(std::size_t b, std::size_t e, std::uint64_t size);
  // Applies --min-size (when there is no overlap).
  void end();
  // Called by end() when --min-size merges two neighbours, first and second
  // (in document order, before their spans change), into `into` (one of
  // them): a strategy sets the merged chunk's fields. Without it, `into`
  // keeps its own.
  std::function<void(const Chunk& first, const Chunk& second, Chunk& into)> merge_fields;

 private:
  // Without trim, whitespace-only spans join a neighbour so chunks tile.
  void absorb_space(std::size_t b, std::size_t e);
  void push(std::size_t b, std::size_t e, std::uint64_t size, std::vector<std::pair<std::string, std::string>> fields);
  std::size_t space_b_ = 0, space_e_ = 0;  // pending whitespace (no trim)

 public:

 private:
  const Options& options_;
  Measure& measure_;
  std::string_view doc_;
  std::vector<Chunk>* out_ = nullptr;
  std::size_t first_ = 0;
};

}  // namespace hewn::chunk
