// LIBS: hewn_chunk
// Fuzz target: random text and options through every strategy and unit; the
// invariants of hewn(7) are asserted inside: exact spans on code point
// boundaries, the size limit (only a single grapheme cluster may exceed it,
// flagged), no whitespace-only chunk, ordered starts, no overlap when none
// was asked for.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chunk/chunker.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

#define REQUIRE(c) \
  do {             \
    if (!(c)) std::abort(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 4) return 0;
  static const char* strategies[] = {"fixed", "recursive", "sentence", "semantic"};
  static const char* units[] = {"chars", "bytes", "words"};
  chunk::Options o;
  o.strategy = strategies[data[0] % 4];
  o.unit.name = units[(data[0] / 4) % 3];
  o.size = 1 + data[1] % 64;
  o.trim = data[0] & 0x80;
  if (o.strategy == "sentence") o.overlap_sentences = data[2] % 3;
  else if (o.strategy == "semantic") o.semantic.breakpoints = data[2] & 1 ? "c99" : "cohesion";  // model-free
  else o.overlap = data[2] % o.size;
  if (data[3] & 1 && o.strategy == "recursive") o.separators = std::vector<std::string>{"\n\n", "\n", " ", ""};
  // --min-size with overlap is a usage error.
  o.min_size = data[3] % 4 == 2 && o.overlap == 0 && o.overlap_sentences == 0 ? o.size / 2 : 0;
  std::string text(reinterpret_cast<const char*>(data + 4), size - 4);
  if (!utf8::valid(text)) return 0;

  // Chunkers load ICU rules: keep one per option set.
  struct Kit {
    std::unique_ptr<chunk::ChunkerFactory> factory;
    std::unique_ptr<chunk::Chunker> chunker;
    std::unique_ptr<chunk::Measure> measure;
  };
  static std::map<std::string, Kit> kits;
  std::string key(reinterpret_cast<const char*>(data), 4);
  auto it = kits.find(key);
  if (it == kits.end()) {
    if (kits.size() >= 256) kits.clear();  // bound memory
    Kit k;
    k.factory = std::make_unique<chunk::ChunkerFactory>(o);
    k.chunker = k.factory->make();
    k.measure = k.factory->unit().make_measure();
    it = kits.emplace(key, std::move(k)).first;
  }
  chunk::Measure& measure_ref = *it->second.measure;
  chunk::Measure* measure = &measure_ref;
  measure->reset(text);
  std::vector<chunk::Chunk> out;
  it->second.chunker->split({"d", text, "", "", "", 0}, out);
  static text::Segmenter graphemes(text::Boundary::grapheme, "en");
  graphemes.set_text(text);
  std::size_t prev_begin = 0, prev_end = 0;
  bool overlap = o.overlap > 0 || o.overlap_sentences > 0;
  for (const auto& c : out) {
    REQUIRE(c.begin < c.end && c.end <= text.size());
    REQUIRE(utf8::is_boundary(text, c.begin) && utf8::is_boundary(text, c.end));
    REQUIRE(c.size == measure->size(c.begin, c.end));
    // Oversize: no cluster boundary inside (trimming may have dropped a
    // space that belonged to the cluster, after a Prepend or before a mark).
    if (c.size > o.size) REQUIRE(c.oversize && graphemes.following(c.begin) >= c.end);
    if (c.size > o.size && !o.trim) REQUIRE(graphemes.is_boundary(c.begin) && graphemes.is_boundary(c.end));
    std::size_t b = c.begin, e = c.end;
    text::trim(text, b, e);
    REQUIRE(b < e);
    if (o.trim) REQUIRE(b == c.begin && e == c.end);
    REQUIRE(c.begin >= prev_begin);
    if (!overlap) REQUIRE(c.begin >= prev_end);
    prev_begin = c.begin;
    prev_end = c.end;
  }
  return 0;
}
