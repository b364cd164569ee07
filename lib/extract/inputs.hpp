// The documents a command line names: files as given, directories walked
// (core/walk.hpp), binary files found by walking left out and counted, and
// each raw file's bytes turned into text by its format (plain UTF-8, a
// legacy encoding, HTML, PDF).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/walk.hpp"
#include "extract/document.hpp"

namespace hewn::extract {

struct Listed {
  std::vector<std::string> paths;
  std::uint64_t binary = 0;  // files found by walking with a NUL byte, left out
  std::uint64_t loops = 0;   // symbolic links back into the walk, left out
};

// Expands inputs: a directory (or, with recursive and no inputs, ".") is
// walked in sorted order; other names are kept as given. A walked file
// whose first 64 KiB (decompressed) hold a NUL byte is binary (ripgrep's
// rule) and left out, unless it is a PDF.
// Errors: DataError for a directory that cannot be read.
Listed list_inputs(const std::vector<std::string>& inputs, bool recursive, const io::WalkOptions& walk);

struct RawOptions {
  // "auto" (by name, then by content: see detect()), "raw" (plain text),
  // "html" or "pdf".
  std::string format = "auto";
  std::string encoding;  // legacy text and HTML: the encoding; "" for UTF-8
};

// A raw file's bytes as a document's text: plain text (a byte order mark
// left out; decoded from options.encoding when given), or the text of an
// HTML page or a PDF (see html.hpp, pdf.hpp).
// Errors: DataError "source:line: invalid UTF-8" for plain text that is not
// UTF-8, and those of decode(), extract_html() and extract_pdf().
Extracted read_raw(std::string_view bytes, std::string_view source, const RawOptions& options);

}  // namespace hewn::extract
