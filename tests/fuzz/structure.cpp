// LIBS: hewn_chunk
// Fuzz target: random text through the markdown and code strategies (every
// grammar, units nws/chars/bytes), asserting exact ordered spans on code
// point boundaries, the size limit (only a single grapheme cluster may exceed
// it, flagged), full coverage (only whitespace between chunks) and no
// whitespace-only chunk. DataError (NUL bytes, too deep nesting) is allowed.
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

#define REQUIRE(c)          \
  do {                      \
    if (!(c)) std::abort(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 3) return 0;
  static const char* langs[] = {"markdown", "python", "javascript", "typescript", "tsx",
                                "java",     "go",     "rust",       "c",          "cpp"};
  static const char* units[] = {"nws", "chars", "bytes"};
  chunk::Options o;
  const char* lang = langs[data[0] % 10];
  o.strategy = data[0] % 10 == 0 ? "markdown" : "code";
  if (o.strategy == "code") o.lang = lang;
  o.unit.name = units[(data[0] / 10) % 3];
  o.unit_given = true;
  o.size = 1 + data[1] % 200;
  o.trim = !(data[2] & 1);
  o.min_size = data[2] & 2 ? o.size / 2 : 0;
  if (o.strategy == "markdown" && (data[2] & 4)) o.context = "headings";
  std::string text(reinterpret_cast<const char*>(data + 3), size - 3);
  if (!utf8::valid(text)) return 0;

  struct Kit {
    std::unique_ptr<chunk::ChunkerFactory> factory;
    std::unique_ptr<chunk::Chunker> chunker;
    std::unique_ptr<chunk::Measure> measure;
  };
  static std::map<std::string, Kit> kits;
  std::string key(reinterpret_cast<const char*>(data), 3);
  auto it = kits.find(key);
  if (it == kits.end()) {
    if (kits.size() >= 256) kits.clear();
    Kit k;
    k.factory = std::make_unique<chunk::ChunkerFactory>(o);
    k.chunker = k.factory->make();
    k.measure = (o.strategy == "code" ? k.factory->code_unit() : k.factory->unit()).make_measure();
    it = kits.emplace(key, std::move(k)).first;
  }
  chunk::Measure& measure = *it->second.measure;
  measure.reset(text);
  std::vector<chunk::Chunk> out;
  chunk::Document doc;
  doc.id = "d";
  doc.text = text;
  doc.source = "fuzz";
  try {
    it->second.chunker->split(doc, out);
  } catch (const DataError&) {
    return 0;
  }
  static text::Segmenter graphemes(text::Boundary::grapheme, "en");
  graphemes.set_text(text);
  std::size_t prev = 0;
  for (const auto& c : out) {
    REQUIRE(c.begin < c.end && c.end <= text.size());
    REQUIRE(utf8::is_boundary(text, c.begin) && utf8::is_boundary(text, c.end));
    REQUIRE(c.begin >= prev);
    std::size_t gb = prev, ge = c.begin;  // the gap holds only whitespace
    text::trim(text, gb, ge);
    REQUIRE(gb == ge);
    REQUIRE(c.size == measure.size(c.begin, c.end));
    if (c.size > o.size) REQUIRE(c.oversize && graphemes.following(c.begin) == c.end);
    std::size_t b = c.begin, e = c.end;
    text::trim(text, b, e);
    REQUIRE(b < e);
    if (o.trim) REQUIRE(b == c.begin && e == c.end);
    prev = c.end;
  }
  std::size_t gb = prev, ge = text.size();
  text::trim(text, gb, ge);
  REQUIRE(gb == ge);
  return 0;
}
