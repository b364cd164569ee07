// Benchmark driver for scripts/bench/tokenize.
// Usage: tokenize_driver TOKENIZER FILE encode|count
//          encodes or counts each line of FILE (one document per line) and
//          prints "MBPS TOKENS", MB/s in process CPU time (the machine is
//          shared; wall time is noisy).
//        tokenize_driver parity ENCODING lines|whole FILE...
//          ids and offsets of each line (or each whole file) by the fast path
//          against the reference path (the encoding's pattern run by PCRE2,
//          tiktoken's plain merge loop); prints "DOCS TOKENS MISMATCHES" and
//          exits 1 on a mismatch.
//        tokenize_driver generate unicode|runs MB SEED
//          writes MB of adversarial text, one document per line: words of
//          many scripts, marks, digits, emoji sequences and random code
//          points (unicode); long runs of white space, digits, apostrophes
//          and line breaks (runs).
#include <ctime>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/utf8.hpp"
#include "tokenize/bpe.hpp"
#include "tokenize/tokenizer.hpp"

namespace {

std::vector<std::string_view> lines(const std::string& text) {
  std::vector<std::string_view> docs;
  for (std::size_t p = 0; p < text.size();) {
    std::size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    docs.emplace_back(text.data() + p, e - p);
    p = e + 1;
  }
  return docs;
}

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int generate(const std::string& kind, double mb, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  // Script ranges (first, count) of letters, marks and digits.
  const std::pair<char32_t, unsigned> scripts[] = {
      {U'a', 26},     {U'A', 26},     {0xC0, 64},     {0x100, 128},  {0x391, 25},   {0x3B1, 25},  {0x410, 64},
      {0x5D0, 27},    {0x627, 20},    {0x905, 40},    {0x93E, 15},   {0xE01, 46},   {0xE31, 10},  {0x10A0, 38},
      {0x3041, 80},   {0x30A1, 80},   {0x4E00, 2000}, {0xAC00, 500}, {0x300, 40},   {0x660, 10},  {0x966, 10},
      {0xFF10, 10},   {0x2160, 16},   {0x1D400, 50},  {0x1F600, 60}, {0x1F3FB, 5},  {0x2000, 11}, {0x3000, 1},
      {0x1E900, 60},  {0x2C00, 60},   {0xA0, 1},      {0x85, 1},     {0x2028, 2},   {0x200D, 1},  {0xFE0F, 1}};
  std::string out, doc;
  while (out.size() < mb * 1e6) {
    doc.clear();
    std::size_t words = 5 + pick(200);
    for (std::size_t w = 0; w < words; ++w) {
      if (kind == "runs") {
        const char* fill[] = {" ", "\t", "\r", " \r", "0", "9", "'", "  x", "\u3000", "\u00a0", "1 ", "\u2028"};
        std::string f = fill[pick(sizeof fill / sizeof *fill)];
        for (std::size_t k = 1 + pick(pick(4) == 0 ? 3000 : 40); k-- > 0;) doc += f;
        doc += pick(2) ? "word" : "'s";
        continue;
      }
      if (pick(3) == 0) doc += ' ';
      auto [first, n] = scripts[pick(sizeof scripts / sizeof *scripts)];
      for (std::size_t k = 1 + pick(8); k-- > 0;) {
        char32_t c = pick(40) == 0 ? static_cast<char32_t>(1 + pick(0x10FFFF)) : first + static_cast<char32_t>(pick(n));
        if ((c >= 0xD800 && c < 0xE000) || c == '\n' || c == '\r') c = U'x';
        hewn::utf8::append(doc, c);
      }
      const char* sep[] = {" ", " ", " ", ", ", ". ", "'", "'S ", "-", "/", "\t", "  ", "\u3002", "!! "};
      doc += sep[pick(sizeof sep / sizeof *sep)];
    }
    out += doc;
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int parity(const std::string& name, bool whole, char** paths, int npaths) {
  std::string file = hewn::tokenize::data_dir({}) + "/tiktoken/" + name + ".tiktoken";
  auto fast = hewn::tokenize::make_tokenizer({name});
  auto ref = hewn::tokenize::make_bpe(hewn::tokenize::read_tiktoken(file), *hewn::tokenize::known_encoding(name),
                                      false, true);
  std::vector<hewn::tokenize::Token> a, b;
  std::size_t docs = 0, tokens = 0, bad = 0;
  for (int f = 0; f < npaths; ++f) {
    const char* path = paths[f];
    std::string text = slurp(path);
    std::vector<std::string_view> ds = whole ? std::vector<std::string_view>{text} : lines(text);
    for (auto d : ds) {
    a.clear();
    b.clear();
    fast->encode(d, a);
    ref->encode(d, b);
    ++docs;
    tokens += b.size();
    bool same = a.size() == b.size();
    for (std::size_t i = 0; same && i < a.size(); ++i)
      same = a[i].id == b[i].id && a[i].begin == b[i].begin && a[i].end == b[i].end;
    if (!same && ++bad <= 3) std::fprintf(stderr, "parity: %s: document %zu differs\n", path, docs);
    }
  }
  std::printf("%zu %zu %zu\n", docs, tokens, bad);
  return bad ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string a1 = argc > 1 ? argv[1] : "";
    if (a1 == "generate" && argc == 5) return generate(argv[2], std::stod(argv[3]), std::stoul(argv[4]));
    if (a1 == "parity" && argc >= 5) return parity(argv[2], std::string(argv[3]) == "whole", argv + 4, argc - 4);
    if (argc != 4) {
      std::fprintf(stderr, "usage: tokenize_driver TOKENIZER FILE encode|count | parity ENCODING lines|whole FILE... | generate "
                           "unicode|runs MB SEED\n");
      return 2;
    }
    auto tok = hewn::tokenize::make_tokenizer({argv[1]});
    std::string text = slurp(argv[2]);
    auto docs = lines(text);
    bool encode = std::string(argv[3]) == "encode";
    std::vector<hewn::tokenize::Token> out;
    std::size_t tokens = 0;
    std::clock_t c0 = std::clock();
    for (auto d : docs) {
      if (encode) {
        out.clear();
        tok->encode(d, out);
        tokens += out.size();
      } else {
        tokens += tok->count(d);
      }
    }
    double s = double(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("%.2f %zu\n", text.size() / 1e6 / s, tokens);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tokenize_driver: %s\n", e.what());
    return 1;
  }
}
