#include <doctest/doctest.h>

#include "core/error.hpp"
#include "extract/pdf.hpp"
#include "pdf_writer.hpp"

using namespace hewn;

TEST_CASE("pdf: pages, lines and blocks") {
  std::string pdf = test_pdf::write({
      {{72, 720, 18, "Introduction"}, {72, 690, 11, "First line of text."}, {72, 676, 11, "Second line here."},
       {72, 640, 11, "A new paragraph."}},
      {},  // a page without text
      {{72, 720, 11, "Third page."}},
  });
  auto x = extract::extract_pdf(pdf, "doc.pdf");
  CHECK(x.text == "Introduction\n\nFirst line of text.\nSecond line here.\n\nA new paragraph.\fThird page.");
  REQUIRE(x.sections.size() == 2);
  CHECK(x.sections[0].fields[0] == std::pair<std::string, std::string>("page", "1"));
  CHECK(x.sections[1].fields[0].second == "3");
  CHECK(x.text.substr(x.sections[1].begin, x.sections[1].end - x.sections[1].begin) == "Third page.");
  REQUIRE(x.blocks.size() == 4);
  CHECK(x.text.substr(x.blocks[1].begin, x.blocks[1].end - x.blocks[1].begin) ==
        "First line of text.\nSecond line here.");
  // Boxes are in points from the top left: the heading is above the body.
  CHECK(x.blocks[0].box.y1 <= x.blocks[1].box.y0);
  CHECK(x.blocks[1].box.x0 == doctest::Approx(72).epsilon(0.01));
  CHECK(x.words.size() == 13);
}

TEST_CASE("pdf: errors") {
  CHECK_THROWS_WITH_AS(extract::extract_pdf("%PDF-1.4\ngarbage", "bad.pdf"), "bad.pdf: not a PDF or damaged", DataError);
  std::string blank = test_pdf::write({{}, {}});
  CHECK_THROWS_WITH_AS(extract::extract_pdf(blank, "scan.pdf"), "scan.pdf: no text layer (2 pages; scanned? run OCR first)",
                       DataError);
}
