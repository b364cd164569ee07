// Chunking documents that extraction gave (HTML pages, PDFs): section by
// section, with the sections' fields and the span in the source file.
#pragma once

#include <vector>

#include "chunk/chunker.hpp"
#include "extract/document.hpp"

namespace hewn::chunk {

// Splits doc (whose text is x.text) with chunker, each section of x on its
// own, so that no chunk crosses a heading of an HTML page or a page of a
// PDF; chunks get the section's fields (in place of a strategy's field of
// the same name) and, when x has a source map, "source_start" and
// "source_end": the byte span in the source file the chunk's text came
// from.
// Errors: those of chunker.split().
void split_extracted(Chunker& chunker, const Document& doc, const extract::Extracted& x, std::vector<Chunk>& out);

}  // namespace hewn::chunk
