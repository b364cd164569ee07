// HTML to text with gumbo, a parser of the WHATWG HTML5 specification (the
// tree browsers build, whatever the markup's errors), keeping block
// structure: paragraphs, headings and tables apart by a blank line, list
// items and table rows by a line end (items with "- " or "N. ", nested lists
// indented by two spaces a level), table cells by " | ", <pre> as written;
// other white space collapsed to one space. Script, style, template,
// noscript, head, svg, canvas, iframe and object content, and elements that
// are hidden (the hidden attribute, aria-hidden="true", an inline style with
// display:none or visibility:hidden) are dropped; entities are decoded.
#pragma once

#include <string>
#include <string_view>

#include "extract/document.hpp"

namespace hewn::extract {

struct HtmlOptions {
  // The charset to read the page in when it has no byte order mark (as a
  // server's Content-Type would give it); empty: the page's <meta> charset,
  // else UTF-8.
  std::string encoding;
};

// Extracts the text of an HTML page. Sections: one per heading (h1 to h6),
// from the heading to the next, and one before the first heading when text
// comes before it; each has the field "headings", the heading path (by
// level, as in Markdown: an h2 closes the h3 before it) as a JSON array of
// the headings' texts (white space collapsed). The map gives source byte
// offsets into the file as given (before any transcoding).
// Errors: DataError "source:line: not valid UTF-8 (byte 0xNN)" for a page
// without a declared charset that is not UTF-8 (and for one declared UTF-8
// that is not), "source:line: not valid CHARSET (byte 0xNN)", "source:
// unknown charset NAME", "source:line: HTML nested deeper than 1024
// elements" (a linear pre-scan refuses such a page before gumbo, whose tree
// building is quadratic in the nesting, sees it).
Extracted extract_html(std::string_view bytes, std::string_view source, const HtmlOptions& options);

}  // namespace hewn::extract
