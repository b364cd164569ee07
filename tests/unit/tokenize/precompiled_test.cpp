// SentencePiece's Precompiled normalizer: a charsmap built by
// tests/tokenize-ref/precompiled_ref.py (a darts-clone double array written
// in Python), in a tokenizer.json as Hugging Face converts XLM-R's
// (Precompiled, Replace " {2,}", Metaspace, Unigram): ids and byte offsets.
#include "common.hpp"

#include <cstdlib>

using namespace hewn::tokenize;

namespace {

// Writes the reference tokenizer.json (newer: the normalizer of newer
// conversions, Strip(right) then Replace " {2,}" -> U+2581); "" when
// /usr/bin/python3 is absent.
std::string reference_tokenizer(bool newer = false) {
  if (!std::filesystem::exists("/usr/bin/python3")) return "";
  std::string path = test::write_temp(newer ? "precompiled-newer.json" : "precompiled.json", "");
  std::string cmd = "/usr/bin/python3 " + std::string(HEWN_SOURCE_DIR) +
                    "/tests/tokenize-ref/precompiled_ref.py tokenizer " + path + (newer ? " newer" : "");
  REQUIRE(std::system(cmd.c_str()) == 0);
  return path;
}

struct Tok {
  std::uint32_t id, begin, end;
  bool operator==(const Tok&) const = default;
};

std::vector<Tok> toks(const Tokenizer& t, std::string_view text) {
  std::vector<Token> v;
  t.encode(text, v);
  std::vector<Tok> out;
  for (auto& k : v) out.push_back({k.id, static_cast<std::uint32_t>(k.begin), static_cast<std::uint32_t>(k.end)});
  return out;
}

std::string show(const std::vector<Tok>& v) {
  std::string s;
  for (auto& t : v) s += " " + std::to_string(t.id) + "@" + std::to_string(t.begin) + "-" + std::to_string(t.end);
  return s;
}

}  // namespace

TEST_CASE("Precompiled: compatibility mappings, graphemes, offsets into the source") {
  std::string path = reference_tokenizer();
  if (path.empty()) {
    MESSAGE("skipped: /usr/bin/python3 is absent");
    return;
  }
  auto t = make_tokenizer({path});
  // Full-width letters, a ligature, e + combining acute composed (one
  // grapheme), a circled digit, an ellipsis, an ideographic space, a tab,
  // two spaces collapsed, a soft hyphen removed, a square word expanded,
  // half-width katakana. Pieces: 4 ▁, 5 ▁A, 6 b, 8 ▁été, 9 ▁café, 10 1,
  // 11 ..., 12 ▁x, 13 x, 14 株式会社, 15 ▁カ, 16 ▁fi, 17 ▁the.
  std::string text = "\uFF21\uFF42 \uFB01 e\u0301te\u0301 \u2460\u2026\u3000x\tcafe\u0301  the\u00ADx \u337F \uFF76";
  std::vector<Tok> want = {{5, 0, 3},   {6, 3, 6},   {16, 6, 10},  {8, 10, 18},  {4, 18, 19},
                           {10, 19, 22}, {11, 22, 25}, {12, 25, 29}, {9, 29, 36},  {17, 36, 41},
                           {13, 43, 44}, {4, 44, 45},  {14, 45, 48}, {15, 48, 52}};
  auto got = toks(*t, text);
  CHECK_MESSAGE(got == want, show(got));
  CHECK(t->prefix() == std::vector<std::uint32_t>{0});
  CHECK(t->suffix() == std::vector<std::uint32_t>{2});
  // As Hugging Face tokenizers does: a grapheme under 6 bytes is replaced
  // whole by its first (shortest) match, so Ａ + combining acute is "A"; a
  // longer one goes character by character (ｶ + voiced mark: カ, then the
  // mark, an unknown piece).
  got = toks(*t, "\uFF21\u0301b");
  CHECK_MESSAGE(got == (std::vector<Tok>{{5, 0, 5}, {6, 5, 6}}), show(got));
  got = toks(*t, "\uFF76\u3099");
  CHECK_MESSAGE(got == (std::vector<Tok>{{15, 0, 3}, {3, 3, 6}}), show(got));
  // A character the map lacks (here LF) is copied: an unknown piece.
  got = toks(*t, "x\n\uFB01");
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 1}, {3, 1, 2}, {7, 2, 5}}), show(got));
  std::filesystem::remove(path);
}

TEST_CASE("Precompiled, Strip(right), Replace \" {2,}\" by U+2581: trailing spaces go, runs count once") {
  std::string path = reference_tokenizer(true);
  if (path.empty()) {
    MESSAGE("skipped: /usr/bin/python3 is absent");
    return;
  }
  auto t = make_tokenizer({path});
  // The map turns the ideographic space and the tabs into spaces:
  // "x  the  x   ". Strip(right) drops the last three; each run of two
  // becomes one U+2581 covering the run (bytes 1-3, and 6-10: the
  // ideographic space and the tab). Pieces: 4 ▁, 12 ▁x, 17 ▁the.
  std::string text = "x  the\u3000\tx  \t";
  auto got = toks(*t, text);
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 1}, {17, 1, 6}, {12, 6, 11}}), show(got));
  // Strip(left) is false: leading spaces stay, a run of them as one U+2581,
  // so nothing is prepended; one space is Metaspace's own U+2581.
  got = toks(*t, "  x");
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 3}}), show(got));
  got = toks(*t, " x ");
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 2}}), show(got));
  got = toks(*t, " \t ");
  CHECK(got.empty());

  // The other order: Replace first, then Strip(right). A trailing run of
  // two spaces or more is U+2581 by then, not white space: it stays (bytes
  // 11-14); a single trailing space still goes.
  std::ifstream in(path);
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string strip = R"({"type": "Strip", "strip_left": false, "strip_right": true})";
  const std::string replace = "{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" {2,}\"}, \"content\": \"\u2581\"}";
  auto at = json.find(strip + ", " + replace);
  REQUIRE(at != std::string::npos);
  json.replace(at, strip.size() + 2 + replace.size(), replace + ", " + strip);
  std::string swapped = test::write_temp("precompiled-swapped.json", json);
  auto u = make_tokenizer({swapped});
  got = toks(*u, text);
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 1}, {17, 1, 6}, {12, 6, 11}, {4, 11, 14}}), show(got));
  got = toks(*u, "x ");
  CHECK_MESSAGE(got == (std::vector<Tok>{{12, 0, 1}}), show(got));
  std::filesystem::remove(path);
  std::filesystem::remove(swapped);
}

TEST_CASE("Precompiled: errors name the file and the JSON path") {
  auto norm = [](const std::string& n) {
    return test::write_temp("bad-precompiled.json",
                            "{\"normalizer\":" + n +
                                ",\"pre_tokenizer\":{\"type\":\"Metaspace\"},\"model\":{\"type\":\"Unigram\","
                                "\"unk_id\":0,\"vocab\":[[\"<unk>\",0.0]]}}");
  };
  std::string p = norm(R"({"type":"Precompiled","precompiled_charsmap":"@@@@"})");
  CHECK(test::error_of({p}).find("$.normalizer.precompiled_charsmap: invalid base64") != std::string::npos);
  p = norm(R"({"type":"Precompiled","precompiled_charsmap":"/////w=="})");
  CHECK(test::error_of({p}).find("trie size 4294967295 is not a multiple of 4 within the map") != std::string::npos);
  p = norm(R"({"type":"Sequence","normalizers":[{"type":"Lowercase"},{"type":"Precompiled","precompiled_charsmap":""}]})");
  CHECK(test::error_of({p}).find("Precompiled must come first") != std::string::npos);
  p = norm(R"({"type":"Sequence","normalizers":[{"type":"Strip","strip_left":false,"strip_right":true},{"type":"Lowercase"}]})");
  CHECK(test::error_of({p}).find("$.normalizer.normalizers[1].type: normalizer Lowercase after Strip is not supported") !=
        std::string::npos);
  p = norm(R"({"type":"Replace","pattern":{"Regex":" +"},"content":"\u2581"})");
  CHECK(test::error_of({p}).find("only the Regex") != std::string::npos);
  // U+2581 for runs of spaces needs a Metaspace pre-tokenizer of that replacement.
  p = test::write_temp("bad-precompiled.json",
                       R"({"normalizer":{"type":"Replace","pattern":{"Regex":" {2,}"},"content":"\u2581"},)"
                       R"("pre_tokenizer":{"type":"WhitespaceSplit"},"model":{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0.0]]}})");
  CHECK(test::error_of({p}).find("$.pre_tokenizer: a Replace of spaces by") != std::string::npos);
  std::filesystem::remove(p);
}
