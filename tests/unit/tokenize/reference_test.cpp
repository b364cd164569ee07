// Exact BPE ids against js-tiktoken on SciFact and on generated hard cases.
#include <cstdlib>

#include "common.hpp"
#include "core/error.hpp"

using namespace hewn::tokenize;

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += char(c);
  }
  return out + "\"";
}

std::vector<std::string> hard_cases() {
  std::vector<std::string> v = {
      "👩‍👩‍👧‍👦 family 🏳️‍🌈 flag 👍🏽 and 🧑🏿‍🚀",
      "中文分词测试，日本語のテキスト、한국어 문장입니다。",
      "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
      "العربية: مرحبا بالعالم، كيف حالك؟",
      "e\u0301 a\u0308\u0323 Z\u0351\u0352\u0353\u0354 ñ n\u0303 हिन्दी देवनागरी",
      "1234567890123456789012345678901234567890 3.14159 1,000,000 ٣٤٥٦ ⅷ",
      "   leading\t\ttabs   and    spaces   \n\n\n  \r\n\r\n trailing   ",
      "It's they're we've I'm you'll he'd IT'S THEY'RE WE'VE I'M YOU'LL HE'D 's's",
      std::string(2500, 'x'),  // js-tiktoken is quadratic in word length: 10k chars take 15 s
      "supercalifragilistic" + std::string(2500, 'a') + "expialidocious",
      "\xef\xbf\xbd replacement \xc2\xa0 nbsp \xe2\x80\x8b zwsp \xe2\x80\xa8 line sep \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf max",
      "<|endoftext|> <|fim_prefix|> <|endofprompt|> special-looking text",
      "CamelCaseWords HTTPServer iPhone XMLHttpRequest ÀÉÎÕÜ àéîõü ǅǈǋ",
      "path/to/file.txt https://example.org/a?b=c&d=e#frag ./x ../y //z",
      "code: for (int i = 0; i < n; ++i) { x[i] += y[i] * 2; }\n\tif (a != b) return;\n",
      "mixed\u00a0spaces\u2003em\u3000ideographic \u200d zwj \ufeff bom",
      // ASCII corners of the patterns (hewn matches ASCII without the regex engine).
      "'sword ((word a\x01b \x0b\x0c x  123 1234567 'LL 'Re 'x ' s HTTPServerX ABCdef abcDEF don't DON'T",
      "a.../b ==>\n\n/x //\r\n;; ?!\r\r\n  \n  \n  x \t\tend\n   ",
      "trailing spaces   ",
      " ",
      "\n",
      "x",
      "é'sÉ'S ü123 ñ. A\u00e9B \u00c9cole l'\u00e9t\u00e9 (\u00e9) 1\u0663 \u00a0x",
  };
  std::string mix;
  for (int i = 0; i < 500; ++i) mix += "ab1 ÿ\n"[i % 6] == '\n' ? "\n" : std::string(1, "ab1 \t"[i % 5]);
  v.push_back(mix);
  return v;
}

// Our ids against js-tiktoken's for each record of a JSON Lines file.
void compare(const std::string& lib, const std::string& encoding, const std::string& input, int max_records) {
  std::string modules = test::data_dir() + "/tiktoken/node/node_modules";
  if (!std::filesystem::exists(modules + "/" + lib)) {
    FAIL_CHECK(lib << " missing under " << modules << ": run scripts/fetch/tiktoken " << test::data_dir());
    return;
  }
  std::string out = test::write_temp(encoding + ".ids", "");
  std::string cmd = "node " + std::string(HEWN_SOURCE_DIR) + "/tests/unit/tokenize/tiktoken_ref.js '" + modules +
                    "' " + lib + " " + encoding + " '" + input + "' " + std::to_string(max_records) + " > '" + out + "'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, cmd);
  auto tok = make_tokenizer({encoding});
  std::ifstream in(input), ref(out);
  std::string line, want;
  int n = 0, bad = 0;
  while (n < max_records && std::getline(in, line) && std::getline(ref, want)) {
    // The text field of our own JSON Lines (the reference parses the same line).
    std::string text;
    {
      // Minimal JSON string decoding of "text": enough for \uXXXX and escapes.
      std::size_t k = line.find("\"text\": \"");
      std::size_t skip = 9;
      if (k == std::string::npos) k = line.find("\"text\":\""), skip = 8;
      REQUIRE(k != std::string::npos);
      for (std::size_t i = k + skip; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] != '\\') {
          text += line[i];
          continue;
        }
        char e = line[++i];
        if (e == 'n') text += '\n';
        else if (e == 't') text += '\t';
        else if (e == 'r') text += '\r';
        else if (e == 'b') text += '\b';
        else if (e == 'f') text += '\f';
        else if (e == 'u') {
          unsigned cp = std::stoul(line.substr(i + 1, 4), nullptr, 16);
          i += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && line.compare(i + 1, 2, "\\u") == 0) {
            unsigned lo = std::stoul(line.substr(i + 3, 4), nullptr, 16);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
          std::string u;
          if (cp < 0x80) u += char(cp);
          else if (cp < 0x800) u += char(0xC0 | cp >> 6), u += char(0x80 | (cp & 63));
          else if (cp < 0x10000)
            u += char(0xE0 | cp >> 12), u += char(0x80 | ((cp >> 6) & 63)), u += char(0x80 | (cp & 63));
          else
            u += char(0xF0 | cp >> 18), u += char(0x80 | ((cp >> 12) & 63)), u += char(0x80 | ((cp >> 6) & 63)),
                u += char(0x80 | (cp & 63));
          text += u;
        } else text += e;
      }
    }
    std::string got;
    for (auto id : test::ids(*tok, text)) got += (got.empty() ? "" : " ") + std::to_string(id);
    if (got != want && ++bad <= 3) CHECK_MESSAGE(got == want, lib << " " << encoding << " record " << n + 1 << " of " << input);
    ++n;
  }
  CHECK(bad == 0);
  CHECK(n == max_records);
  std::filesystem::remove(out);
}

}  // namespace

TEST_CASE("hard cases match js-tiktoken") {
  if (!test::have_ranks()) return;
  std::string jsonl;
  auto cases = hard_cases();
  for (const auto& c : cases) jsonl += "{\"text\":" + json_string(c) + "}\n";
  std::string path = test::write_temp("hard.jsonl", jsonl);
  for (const char* lib : {"js-tiktoken", "gpt-tokenizer"}) {
    compare(lib, "cl100k_base", path, static_cast<int>(cases.size()));
    compare(lib, "o200k_base", path, static_cast<int>(cases.size()));
  }
  std::filesystem::remove(path);
}

TEST_CASE("10k-character words match gpt-tokenizer") {
  if (!test::have_ranks()) return;
  std::vector<std::string> cases = {std::string(10000, 'x'),
                                    "supercalifragilistic" + std::string(10000, 'a') + "expialidocious",
                                    [] {  // 10k letters of mixed scripts, one piece
                                      std::string w;
                                      while (w.size() < 10000) w += "zebraÄquïvalentЖурнал";
                                      return w;
                                    }()};
  std::string jsonl;
  for (const auto& c : cases) jsonl += "{\"text\":" + json_string(c) + "}\n";
  std::string path = test::write_temp("long.jsonl", jsonl);
  compare("gpt-tokenizer", "cl100k_base", path, static_cast<int>(cases.size()));
  compare("gpt-tokenizer", "o200k_base", path, static_cast<int>(cases.size()));
  std::filesystem::remove(path);
}

TEST_CASE("SciFact matches js-tiktoken") {
  std::string corpus = test::shared_dir() + "/data/scifact/corpus.jsonl";
  if (!std::filesystem::exists(corpus)) {
    MESSAGE("skipped: " << corpus << " is absent");
    return;
  }
  if (!test::have_ranks()) return;
  compare("js-tiktoken", "cl100k_base", corpus, 1000);
  compare("js-tiktoken", "o200k_base", corpus, 1000);
}
