#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "extract/html.hpp"

using namespace hewn;
using extract::extract_html;

namespace {

extract::Extracted html(const std::string& s, std::string enc = "") {
  return extract_html(s, "page.html", {std::move(enc)});
}

// The source bytes a span of the extracted text maps to.
std::string source_of(const std::string& src, const extract::Extracted& x, std::string_view needle) {
  std::size_t b = x.text.find(needle);
  REQUIRE(b != std::string::npos);
  std::size_t e = b + needle.size();
  return src.substr(x.map.start(b), x.map.end(e) - x.map.start(b));
}

}  // namespace

TEST_CASE("html: block structure, collapsed white space, entities") {
  std::string src =
      "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>\n"
      "<h1>Guide</h1>\n<p>Fish &amp; chips,\n   caf&eacute; &lt;b&gt; &#x41;&#66;</p>\n"
      "<script>var x = '<p>no</p>';</script><p hidden>secret</p><div style=\"display: none\">gone</div>"
      "<span aria-hidden=\"true\">icon</span>"
      "<ul><li>one<li>two<ol start=3><li>three<li>four</ol></ul>"
      "<table><tr><th>A<th>B<tr><td>1<td>2</table>"
      "<pre>  a\n    b</pre><p>x<br>y</body></html>";
  auto x = html(src);
  CHECK(x.text ==
        "Guide\n\nFish & chips, café <b> AB\n\n- one\n- two\n  3. three\n  4. four\n\nA | B\n1 | 2\n\n  a\n    b\n\nx\ny");
  CHECK(source_of(src, x, "Fish & chips") == "Fish &amp; chips");
  CHECK(source_of(src, x, "café") == "caf&eacute;");
  CHECK(source_of(src, x, "AB") == "&#x41;&#66;");
  CHECK(source_of(src, x, "chips, café") == "chips,\n   caf&eacute;");
  CHECK(source_of(src, x, "three") == "three");
}

TEST_CASE("html: heading sections and their path") {
  auto x = html("<p>intro</p><h1>A</h1><p>a</p><h3>B  <em>b</em></h3><p>b</p><h2>C</h2><p>c</p>");
  REQUIRE(x.sections.size() == 4);
  CHECK(x.text.substr(x.sections[0].begin, x.sections[0].end - x.sections[0].begin) == "intro\n\n");
  CHECK(x.sections[0].fields[0].second == "[]");
  CHECK(x.text.substr(x.sections[1].begin, 1) == "A");
  CHECK(x.sections[2].fields[0].second == "[\"A\",\"B b\"]");
  CHECK(x.sections[3].fields[0].second == "[\"A\",\"C\"]");
  CHECK(x.sections[3].end == x.text.size());
  for (std::size_t i = 1; i < x.sections.size(); ++i) CHECK(x.sections[i].begin == x.sections[i - 1].end);
}

TEST_CASE("html: broken markup is repaired as browsers do") {
  std::string src = "<p>one<p>two <b>bold <i>both</b> italic</i> &zzz; &not; &copy2024 <div>tail";
  auto x = html(src);
  CHECK(x.text == "one\n\ntwo bold both italic &zzz; ¬ ©2024\n\ntail");
  CHECK(source_of(src, x, "&zzz; ¬") == "&zzz; &not;");
  CHECK(source_of(src, x, "©") == "&copy");
}

TEST_CASE("html: CR LF line ends map back") {
  std::string src = "<pre>a\r\nb</pre>";
  auto x = html(src);
  CHECK(x.text == "a\nb");
  CHECK(source_of(src, x, "b") == "b");
  CHECK(x.map.end(x.text.size()) == src.find("</pre>"));
}

TEST_CASE("html: charsets") {
  std::string latin = "<meta charset=\"iso-8859-1\"><p>caf\xE9 \x80</p>";
  auto x = html(latin);
  CHECK(x.text == "café €");  // ISO-8859-1 reads as windows-1252, as browsers do
  CHECK(x.map.start(x.text.find("é")) == latin.find('\xE9'));
  CHECK(x.map.end(x.text.size()) == latin.find("</p>"));
  auto y = html("<p>caf\xE9</p>", "latin1");
  CHECK(y.text == "café");
  std::string u16 = std::string("\xFF\xFE<\0p\0>\0\xE9\0", 10);
  CHECK(html(u16).text == "é");
  CHECK_THROWS_WITH_AS(html("<p>ok</p>\n<p>caf\xE9</p>"), "page.html:2: not valid UTF-8 (byte 0xE9) and no charset declared",
                       DataError);
  CHECK_THROWS_WITH_AS(html("<meta charset=klingon><p>x"), "page.html: unknown charset \"klingon\"", DataError);
  CHECK_THROWS_WITH_AS(html("<meta charset=shift_jis>\n<p>\x82</p>"), "page.html:2: not valid shift_jis (byte 0x82)",
                       DataError);
}

TEST_CASE("html: deep nesting is parsed up to 1024 open elements, refused beyond") {
  std::string src;
  for (int i = 0; i < 1000; ++i) src += "<div>";
  src += "deep";
  CHECK(html(src).text == "deep");
  for (int i = 0; i < 9000; ++i) src += "<div>";
  CHECK_THROWS_WITH_AS(html("\n" + src), "page.html:2: HTML nested deeper than 1024 elements", DataError);
  // Closed elements, unclosed paragraphs and list items do not add up.
  std::string flat;
  for (int i = 0; i < 5000; ++i) flat += "<div><b>x</b></div><p>para<li>item";
  CHECK_NOTHROW(html(flat));
}
