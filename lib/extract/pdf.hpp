// PDF to text with poppler: the words of each page in poppler's reading
// order (its text layout analysis, as pdftotext), joined into lines and
// blocks by their boxes, pages joined by a form feed.
#pragma once

#include <string_view>

#include "extract/document.hpp"

namespace hewn::extract {

// Extracts a PDF's text layer. Within a page, words on one line are joined
// by a space (none where poppler saw no gap), lines by a line end, and
// blocks by a blank line; a new block starts where a line is further below
// the previous one than half a line's height, starts above it (a new
// column), or has a font height a quarter larger or smaller. Each page's
// text is followed by "\f" but the last. Sections: one per page with text,
// with the field "page" (from 1); blocks and words carry their boxes. The
// map is empty (offsets are into the extracted text).
// Errors: DataError "source: not a PDF or damaged", "source: encrypted (a
// password is needed)", "source: no text layer (N pages; scanned? run OCR
// first)", "source: too large for poppler (2 GiB at most)".
Extracted extract_pdf(std::string_view bytes, std::string_view source);

}  // namespace hewn::extract
