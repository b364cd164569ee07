// Helpers shared by the tokenize unit tests.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenize/tokenizer.hpp"

namespace test {

inline std::string data_dir() { return hewn::tokenize::data_dir({}); }

// The rank files scripts/setup fetched; a failed check when absent (setup
// must fetch them).
inline bool have_ranks() {
  bool ok = std::filesystem::exists(data_dir() + "/tiktoken/cl100k_base.tiktoken") &&
            std::filesystem::exists(data_dir() + "/tiktoken/o200k_base.tiktoken");
  if (!ok) FAIL_CHECK("rank files missing under " << data_dir() << "/tiktoken: run scripts/fetch/tiktoken " << data_dir());
  return ok;
}

inline std::string shared_dir() { return std::string(HEWN_SOURCE_DIR) + "/../shared"; }

inline std::vector<std::uint32_t> ids(const hewn::tokenize::Tokenizer& t, std::string_view text) {
  std::vector<hewn::tokenize::Token> toks;
  t.encode(text, toks);
  std::vector<std::uint32_t> out;
  for (auto& k : toks) out.push_back(k.id);
  return out;
}

inline std::string write_temp(const std::string& name, const std::string& content) {
  auto p = std::filesystem::temp_directory_path() / ("hewn-tokenize-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

inline std::string error_of(const hewn::tokenize::TokenizerOptions& o) {
  try {
    hewn::tokenize::make_tokenizer(o);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace test
