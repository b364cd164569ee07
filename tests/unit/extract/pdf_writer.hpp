// A minimal PDF writer for tests: pages of text lines in Helvetica at given
// positions, with a correct cross-reference table.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace test_pdf {

struct Line {
  double x, y;  // points from the bottom left, as PDF puts them
  double size;
  std::string text;  // ASCII; ( ) \ are escaped here
};

inline std::string write(const std::vector<std::vector<Line>>& pages) {
  std::vector<std::string> objects;  // object i + 1
  const std::size_t n = pages.size();
  // 1: catalog, 2: pages, 3: font, then per page: page, content.
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < n; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (std::size_t i = 0; i < n; ++i) {
    std::string content;
    for (const Line& l : pages[i]) {
      std::string esc;
      for (char c : l.text) {
        if (c == '(' || c == ')' || c == '\\') esc += '\\';
        esc += c;
      }
      char head[96];
      std::snprintf(head, sizeof head, "BT /F1 %g Tf %g %g Td (", l.size, l.x, l.y);
      content += head + esc + ") Tj ET\n";
    }
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                      "/Contents " + std::to_string(5 + 2 * i) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t o : offsets) {
    char e[24];
    std::snprintf(e, sizeof e, "%010zu 00000 n \n", o);
    out += e;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace test_pdf
