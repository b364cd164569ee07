// tiktoken BPE: ids, offsets, special tokens, rank file errors, and exact
// agreement with js-tiktoken (an independent implementation).
#include <cstdlib>

#include "common.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "tokenize/sha256.hpp"

using namespace hewn::tokenize;

TEST_CASE("sha256 of known strings") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex(std::string(1000, 'a')) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("cl100k_base and o200k_base ids") {
  if (!test::have_ranks()) return;
  auto cl = make_tokenizer({"cl100k_base"});
  auto o2 = make_tokenizer({"o200k_base"});
  CHECK(cl->name() == "cl100k_base");
  CHECK(test::ids(*cl, "hello world") == std::vector<std::uint32_t>{15339, 1917});
  CHECK(test::ids(*o2, "hello world") == std::vector<std::uint32_t>{24912, 2375});
  // Special tokens are plain text unless allowed.
  std::string s = "<|endoftext|> it's 12345";
  CHECK(test::ids(*cl, s) == std::vector<std::uint32_t>{27, 91, 8862, 728, 428, 91, 29, 433, 596, 220, 4513, 1774});
  CHECK(test::ids(*o2, s) == std::vector<std::uint32_t>{27, 91, 419, 1440, 919, 91, 29, 4275, 220, 7633, 2548});
  auto cls = make_tokenizer({"cl100k_base", true});
  CHECK(test::ids(*cls, s) == std::vector<std::uint32_t>{100257, 433, 596, 220, 4513, 1774});
  CHECK(cl->special("<|endoftext|>") == 100257u);
  CHECK(o2->special("<|endoftext|>") == 199999u);
  CHECK(cl->prefix().empty());
  CHECK(cl->vocab_size() == 100277);
}

TEST_CASE("offsets tile the input and decode inverts encode") {
  if (!test::have_ranks()) return;
  auto cl = make_tokenizer({"cl100k_base"});
  std::string text = "Grüße 🤷🏽‍♀️ 日本語のテキスト  \n\n x=1234567 can't" + std::string(3000, 'z');
  std::vector<Token> toks;
  cl->encode(text, toks);
  std::size_t pos = 0;
  std::vector<std::uint32_t> ids;
  for (auto& t : toks) {
    CHECK(t.begin == pos);
    CHECK(t.end > t.begin);
    pos = t.end;
    ids.push_back(t.id);
  }
  CHECK(pos == text.size());
  CHECK(cl->decode(ids) == text);
  CHECK(cl->count(text) == toks.size());
  CHECK_THROWS_AS(cl->decode({999999}), hewn::UsageError);
  CHECK_THROWS_WITH_AS(cl->count("\xff"), "text is not valid UTF-8", hewn::UsageError);
}

TEST_CASE("bad names and rank files") {
  CHECK(test::error_of({"cl200k"}) ==
        "unknown tokenizer \"cl200k\" (known: cl100k_base, o200k_base, a .tiktoken file, a tokenizer.json file)");
  std::string bad = test::write_temp("bad.tiktoken", "IQ== 0\nIg==1\n");
  CHECK(test::error_of({bad}) == bad + ":2: expected \"BASE64 RANK\"");
  std::string dup = test::write_temp("dup.tiktoken", "IQ== 0\nIQ== 1\n");
  CHECK(test::error_of({dup}) == dup + ":2: duplicate token or rank 1");
  std::string few = test::write_temp("few.tiktoken", "IQ== 0\n");
  CHECK(test::error_of({few}) == few + ": no rank for byte 0x00");
  // A file named after a known encoding must have its published hash.
  auto dir = std::filesystem::temp_directory_path() / ("hewn-tok-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "tiktoken");
  std::ofstream(dir / "tiktoken" / "cl100k_base.tiktoken") << "IQ== 0\n";
  std::string path = (dir / "tiktoken" / "cl100k_base.tiktoken").string();
  TokenizerOptions o{"cl100k_base"};
  o.data_dir = dir.string();
  CHECK(test::error_of(o) == path + ": SHA-256 is " + sha256_hex("IQ== 0\n") +
                                 ", expected 223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7 (cl100k_base)");
  o.name = "o200k_base";
  CHECK(test::error_of(o) == (dir / "tiktoken" / "o200k_base.tiktoken").string() +
                                 ": cannot open: no such file (run scripts/fetch/tiktoken DATA_DIR, or set HEWN_DATA)");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a custom .tiktoken file merges by rank") {
  // Bytes 0..255 at ranks 0..255, then "ab" (256) and "abc" (257), "bc" (258).
  std::string f;
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto enc = [&](std::string s) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
      unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8 | (unsigned char)s[i + 2];
      for (int k = 18; k >= 0; k -= 6) out += b64[(v >> k) & 63];
    }
    if (s.size() - i == 1) {
      unsigned v = (unsigned char)s[i] << 16;
      out += b64[(v >> 18) & 63];
      out += b64[(v >> 12) & 63];
      out += "==";
    } else if (s.size() - i == 2) {
      unsigned v = (unsigned char)s[i] << 16 | (unsigned char)s[i + 1] << 8;
      out += b64[(v >> 18) & 63];
      out += b64[(v >> 12) & 63];
      out += b64[(v >> 6) & 63];
      out += '=';
    }
    return out;
  };
  for (int c = 0; c < 256; ++c) f += enc(std::string(1, char(c))) + " " + std::to_string(c) + "\n";
  f += enc("bc") + " 256\n" + enc("ab") + " 257\n" + enc("abc") + " 258\n";
  auto t = make_tokenizer({test::write_temp("tiny.tiktoken", f)});
  CHECK(test::ids(*t, "abc") == std::vector<std::uint32_t>{258});  // a whole piece in the table
  // "bc" (256) merges before "ab" (257); then a + bc makes "abc".
  CHECK(test::ids(*t, "abcd") == std::vector<std::uint32_t>{258, 'd'});
  CHECK(test::ids(*t, "abd") == std::vector<std::uint32_t>{257, 'd'});
  // The long-piece path (heap) gives the same merges.
  std::string longw;
  std::vector<std::uint32_t> want;
  for (int i = 0; i < 100; ++i) longw += "abcd", want.insert(want.end(), {258, 'd'});
  CHECK(test::ids(*t, longw) == want);
}
