// Benchmark driver for scripts/bench/tokenize: encodes or counts each line of
// a text file (one document per line) and prints "MBPS TOKENS", MB/s
// measured in process CPU time (the machine is shared; wall time is noisy).
// Usage: tokenize_driver TOKENIZER FILE encode|count
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenize/tokenizer.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tokenize_driver TOKENIZER FILE encode|count\n");
    return 2;
  }
  try {
    auto tok = hewn::tokenize::make_tokenizer({argv[1]});
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::vector<std::string_view> docs;
    for (std::size_t p = 0; p < text.size();) {
      std::size_t e = text.find('\n', p);
      if (e == std::string::npos) e = text.size();
      docs.emplace_back(text.data() + p, e - p);
      p = e + 1;
    }
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
