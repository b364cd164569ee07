// The hand-written pre-tokenizers and the piece cache against the reference
// path (the encodings' patterns run by PCRE2, tiktoken's plain merge loop):
// identical ids and offsets on random text over characters of every class
// the patterns tell apart, on random code points from all of Unicode, and on
// adversarial runs; and count() of spans of a document kept by
// encode_document() against count() of the span on its own.
#include <algorithm>
#include <random>

#include "common.hpp"
#include "core/utf8.hpp"
#include "tokenize/bpe.hpp"

using namespace hewn::tokenize;

namespace {

struct Pair {
  std::shared_ptr<Tokenizer> fast, reference;
};

Pair load(const std::string& name) {
  std::string path = test::data_dir() + "/tiktoken/" + name + ".tiktoken";
  return {make_bpe(read_tiktoken(path), *known_encoding(name), false),
          make_bpe(read_tiktoken(path), *known_encoding(name), false, true)};
}

std::string encoded(const Tokenizer& t, std::string_view text) {
  std::vector<Token> toks;
  t.encode(text, toks);
  std::string out;
  for (auto& k : toks) out += std::to_string(k.id) + "@" + std::to_string(k.begin) + "-" + std::to_string(k.end) + " ";
  return out;
}

// Characters of each class the patterns distinguish, ASCII and not.
const std::vector<std::string> alphabet = {
    " ", " ", " ", "\t", "\n", "\r", "\x0b", "\x0c", "'", "'", "s", "S", "t", "T", "l", "L", "e", "E", "r", "R",
    "v", "m", "d", "D", "a", "Z", "x", "0", "7", ".", "/", ",", "!", "-", "\"",
    "\u00e9", "\u00c9", "\u01c5", "\u02b0", "\u4e2d", "\u05d0",  // Ll Lu Lt Lm Lo Lo
    "\u0301", "\u0903", "\u20dd", "\u0e31",                      // Mn Mc Me Mn
    "\u0663", "\u2167", "\u00bd", "\U0001d7ce",                  // Nd Nl No Nd
    "\u00a0", "\u0085", "\u2028", "\u2029", "\u3000", "\u1680", "\u2009", "\u202f",  // white space
    "\u2014", "\u20ac", "\U0001f600", "\u200d", "\ufeff", "\u00ad", "\U0001f3fd",   // other
};

std::string random_code_point(std::mt19937& rng) {
  std::uniform_int_distribution<std::uint32_t> any(1, 0x10FFFF), bmp(0x80, 0xFFFF);
  std::uint32_t c;
  do c = rng() % 2 ? any(rng) : bmp(rng);
  while (c >= 0xD800 && c < 0xE000);
  std::string s;
  hewn::utf8::append(s, c);
  return s;
}

std::string random_text(std::mt19937& rng, std::size_t chars) {
  std::string s;
  for (std::size_t i = 0; i < chars; ++i) {
    unsigned r = rng() % 16;
    if (r == 0) s += random_code_point(rng);
    else if (r == 1) s += std::string(1 + rng() % 20, " \t\n0a'"[rng() % 6]);  // long runs
    else s += alphabet[rng() % alphabet.size()];
  }
  return s;
}

}  // namespace

TEST_CASE("hand-written pre-tokenizers match the patterns run by PCRE2") {
  if (!test::have_ranks()) return;
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    Pair t = load(name);
    std::mt19937 rng(12345);
    int bad = 0;
    for (int i = 0; i < 40000 && bad < 5; ++i) {
      std::string s = random_text(rng, 1 + rng() % 24);
      std::string want = encoded(*t.reference, s), got = encoded(*t.fast, s);
      if (got != want) ++bad;
      CHECK_MESSAGE(got == want, name << " on \"" << s << "\"");
    }
    // Every code point of the Basic Multilingual Plane and a sample beyond,
    // alone and next to each kind of neighbour.
    std::string all;
    for (std::uint32_t c = 0x80; c < 0x30000; c += c < 0x10000 ? 1 : 7) {
      if (c >= 0xD800 && c < 0xE000) continue;
      std::string ch;
      hewn::utf8::append(ch, c);
      all += ch + " " + ch + "a" + ch + ch + "'s1" + ch + "\u0301A" + ch + "\u3000 ";
    }
    CHECK(encoded(*t.fast, all) == encoded(*t.reference, all));
    for (std::string s : {std::string(5000, ' ') + "x", std::string(3000, '\n') + "  \n ", std::string(1000, '9'),
                          std::string("\u3000\u3000 \u00a0\n\u2028 x  \u0085y"), std::string(200, '\'') + "ll",
                          std::string("ABC\u01c5DEF\u02b0ghi\u0301JK'LL"), std::string("  \r\n\r\n\t  ")}) {
      CHECK_MESSAGE(encoded(*t.fast, s) == encoded(*t.reference, s), name << " on a run");
    }
  }
}

// Words of ASCII letters, 1 to 20 long, in mixed case, between the
// characters that end a word or continue it (spaces, punctuation, digits,
// contractions, non-ASCII letters and marks, line breaks): the pre-tokenizers'
// 16-byte fast paths meet every way a word can end inside and at the edge of
// their window.
std::string random_words(std::mt19937& rng, std::size_t bytes) {
  const std::vector<std::string> after = {" ",  " ",  " ",  ", ", ". ", "'s ", "'LL", "'t", "'", "\n", "  ", "1",
                                          "\u00e9", "\u0301", "\u00c9x", "\u4e2d", "-", "/", "\u00a0", "\u3000", ""};
  std::string s;
  while (s.size() < bytes) {
    std::size_t n = 1 + rng() % (rng() % 4 ? 10 : 20);
    int kase = static_cast<int>(rng() % 4);  // lower, Capital, UPPER, mIxEd
    for (std::size_t k = 0; k < n; ++k) {
      bool up = kase == 2 || (kase == 1 && k == 0) || (kase == 3 && rng() % 2);
      s += static_cast<char>((up ? 'A' : 'a') + rng() % 26);
    }
    s += after[rng() % after.size()];
  }
  return s;
}

TEST_CASE("the pre-tokenizers' fast paths match the patterns run by PCRE2 on long text") {
  if (!test::have_ranks()) return;
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    Pair t = load(name);
    std::mt19937 rng(777);
    int bad = 0;
    for (int i = 0; i < 300 && bad < 3; ++i) {
      std::string s = random_words(rng, 200 + rng() % 3000);
      bool same = encoded(*t.fast, s) == encoded(*t.reference, s);
      if (!same) ++bad;
      CHECK_MESSAGE(same, name << " on \"" << s << "\"");
    }
  }
}

TEST_CASE("counts of spans of a kept document equal counts of the span alone") {
  if (!test::have_ranks()) return;
  for (const char* name : {"cl100k_base", "o200k_base"}) {
    Pair t = load(name);
    std::mt19937 rng(777);
    int bad = 0;
    for (int d = 0; d < 300 && bad < 5; ++d) {
      std::string doc = random_text(rng, 50 + rng() % 400);
      std::vector<Token> toks;
      t.fast->encode_document(doc, toks);
      CHECK(encoded(*t.fast, doc) == encoded(*t.reference, doc));
      std::vector<std::size_t> cuts = {0, doc.size()};
      for (auto& k : toks) cuts.push_back(k.begin);
      for (int q = 0; q < 40; ++q) {
        std::size_t b = cuts[rng() % cuts.size()], e = cuts[rng() % cuts.size()];
        while (b < doc.size() && !hewn::utf8::is_boundary(doc, b)) ++b;
        while (e < doc.size() && !hewn::utf8::is_boundary(doc, e)) ++e;
        if (b > e) std::swap(b, e);
        std::string_view span = std::string_view(doc).substr(b, e - b);
        std::string alone(span);  // a copy: counted afresh
        std::size_t got = t.fast->count(span), want = t.reference->count(alone);
        if (got != want) ++bad;
        CHECK_MESSAGE(got == want, name << " span [" << b << ", " << e << ") of \"" << doc << "\"");
      }
      // The same text elsewhere, or changed in place, is counted afresh.
      std::string copy = doc;
      CHECK(t.fast->count(copy) == toks.size());
      std::fill(doc.begin(), doc.end(), 'z');
      CHECK(t.fast->count(doc) == t.reference->count(std::string(doc)));
    }
  }
}
