#include <doctest/doctest.h>

#include "core/error.hpp"
#include "extract/document.hpp"
#include "extract/encoding.hpp"

using namespace hewn;

TEST_CASE("encoding: legacy text to UTF-8 with offsets") {
  auto d = extract::decode("caf\xE9\n\x93q\x94", "windows-1252", "a.txt", true);
  CHECK(d.text == "café\n“q”");
  REQUIRE(d.offsets.size() == d.text.size() + 1);
  CHECK(d.offsets[3] == 3);  // é: two bytes from one
  CHECK(d.offsets[4] == 3);
  CHECK(d.offsets[5] == 4);
  CHECK(d.offsets.back() == 8);
  CHECK(extract::decode("\x83\x6e\x83\x8d\x81\x5b", "Shift_JIS", "j.txt", false).text == "ハロー");
  CHECK(extract::decode("\xEF\xBB\xBFok", "latin1", "b.txt", false).text == "ok");  // a BOM wins
  CHECK_THROWS_WITH_AS(extract::decode("a\nb\xFF", "Shift_JIS", "w.txt", false),
                       "w.txt:2: not valid Shift_JIS (byte 0xFF)", DataError);
  CHECK_THROWS_AS(extract::check_encoding("no-such-thing"), UsageError);
  extract::check_encoding("latin1");
}

TEST_CASE("encoding: an HTML page's declared charset") {
  CHECK(extract::html_charset("<meta charset=\"Shift_JIS\">") == "shift_jis");
  CHECK(extract::html_charset("<!-- <meta charset=koi8-r> --><meta http-equiv=Content-Type content='text/html; charset=euc-jp'>") == "euc-jp");
  CHECK(extract::html_charset("<META CHARSET=latin1>") == "windows-1252");
  CHECK(extract::html_charset("<meta charset=utf-16>") == "utf-8");
  CHECK(extract::html_charset("<p>none</p>") == "");
}

TEST_CASE("detect: by name, then by magic") {
  using extract::Format;
  CHECK(extract::detect("a/b.HTM", "") == Format::html);
  CHECK(extract::detect("x.pdf.gz", "") == Format::pdf);
  CHECK(extract::detect("noext", "%PDF-1.7") == Format::pdf);
  CHECK(extract::detect("noext", "\xEF\xBB\xBF \n<!doctype HTML>") == Format::html);
  CHECK(extract::detect("notes.txt", "<p>hi") == Format::text);
}

TEST_CASE("source map: copied runs, whole spans, added text") {
  extract::SourceMap m;
  m.add(0, 3, 10, 13, true);   // "abc" copied
  m.add(3, 1, 13, 18, false);  // "&amp;" -> "&"
  m.add(4, 2, 18, 18, false);  // "\n\n" added
  m.add(6, 2, 20, 22, true);
  CHECK(m.start(1) == 11);
  CHECK(m.end(2) == 12);
  CHECK(m.start(3) == 13);
  CHECK(m.end(4) == 18);
  CHECK(m.start(4) == 18);
  CHECK(m.start(6) == 20);
  CHECK(m.end(8) == 22);
  CHECK(m.start(8) == 22);
}
