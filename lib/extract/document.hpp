// What extraction gives: the text of a document that is not plain UTF-8
// (HTML, PDF, a legacy encoding), with the structure that chunking keeps
// (sections that chunks never cross, each with its record fields; text
// blocks with their boxes) and a map from the text back to the source bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hewn::extract {

// What a raw file holds.
enum class Format { text, html, pdf };

// The format of a raw file by its name (.html .htm .xhtml, .pdf; a .gz,
// .zst, .xz or .bz2 suffix is looked through), else by its first bytes
// ("%PDF-"; "<!DOCTYPE html" or "<html", case-insensitive, after a byte
// order mark and white space), else text.
// Errors: none.
Format detect(std::string_view name, std::string_view head);

// Byte offsets in the extracted text -> byte offsets in the source file.
// Built from segments in text order that cover the text: a copied run maps
// byte for byte; text decoded from an entity, collapsed white space or added
// by the extractor (list bullets, line ends between blocks) maps to its
// whole source span (empty for added text).
class SourceMap {
 public:
  // Appends a segment: text bytes [text_begin, text_begin + text_len) came
  // from source bytes [src_begin, src_end); copied: byte for byte (then
  // text_len == src_end - src_begin).
  void add(std::size_t text_begin, std::size_t text_len, std::size_t src_begin, std::size_t src_end, bool copied);
  // The source offset where the text at byte b starts (b < text size), or
  // where the text ends when b is the text's size.
  std::size_t start(std::size_t b) const;
  // The source offset just after the text byte before e (e > 0).
  std::size_t end(std::size_t e) const;
  bool empty() const { return segs_.empty(); }
  // Offsets found in the segments' source are then read through via:
  // via[i] is the file offset of byte i of a transcoded source (one more
  // entry for its end).
  void through(std::vector<std::uint32_t> via) { via_ = std::move(via); }
  // Offsets found in the segments' source are then shifted by n (a byte
  // order mark left out of the parsed source).
  void shift(std::size_t n) { shift_ = n; }

 private:
  struct Seg {
    std::size_t text_b, text_e, src_b, src_e;
    bool copied;
  };
  std::size_t out(std::size_t i) const { return via_.empty() ? i + shift_ : i < via_.size() ? via_[i] : via_.back(); }
  std::vector<Seg> segs_;
  std::vector<std::uint32_t> via_;
  std::size_t shift_ = 0;
};

// A rectangle on a page in PDF points, origin at the top left, y downward.
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  void unite(const Box& b);
};

// A span of the text that chunks do not cross (an HTML heading's section, a
// PDF page), with the record fields (key, JSON value) its chunks get.
struct Section {
  std::size_t begin = 0, end = 0;
  std::vector<std::pair<std::string, std::string>> fields;
};

// A PDF text block (a paragraph, a heading, a column's run of lines) or one
// of its words, with its box on its page.
struct Block {
  std::size_t begin = 0, end = 0;
  Box box;
};

struct Extracted {
  std::string text;               // valid UTF-8
  SourceMap map;                  // empty when offsets in text are offsets in the source
  std::vector<Section> sections;  // in order, covering the text; may be empty
  std::vector<Block> blocks;      // PDF: text blocks, in reading order
  std::vector<Block> words;       // PDF: words, in reading order
};

}  // namespace hewn::extract
