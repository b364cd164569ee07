// The tokenizer factory: names and paths to tokenizers.
#include "tokenize/tokenizer.hpp"

#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "tokenize/bpe.hpp"
#include "tokenize/hf.hpp"

#ifndef HEWN_DEFAULT_DATA_DIR
#define HEWN_DEFAULT_DATA_DIR ""
#endif

namespace hewn::tokenize {

std::size_t Tokenizer::count(std::string_view text) const {
  static thread_local std::vector<Token> tokens;
  tokens.clear();
  encode(text, tokens);
  return tokens.size() + (count_special_ ? prefix_.size() + suffix_.size() : 0);
}

std::string data_dir(const TokenizerOptions& options) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (const char* env = std::getenv("HEWN_DATA"); env && *env) return env;
  // An installed tool: PREFIX/bin/TOOL finds PREFIX/share/hewn.
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "hewn";
    if (std::filesystem::is_directory(installed / "tiktoken", ec)) return installed.string();
  }
  return HEWN_DEFAULT_DATA_DIR;
}

std::shared_ptr<const Tokenizer> make_tokenizer(const TokenizerOptions& o) {
  namespace fs = std::filesystem;
  std::shared_ptr<Tokenizer> t;
  if (const BpeEncoding* enc = known_encoding(o.name)) {
    std::string path = data_dir(o) + "/tiktoken/" + o.name + ".tiktoken";
    if (!fs::exists(path))
      throw DataError(path + ": cannot open: no such file (run scripts/fetch/tiktoken DATA_DIR, or set HEWN_DATA)");
    t = make_bpe(read_tiktoken(path, known_sha256(o.name), o.name), *enc, o.allow_special);
  } else {
    std::error_code ec;
    bool file = fs::is_regular_file(o.name, ec);
    std::string ext = fs::path(o.name).extension().string();
    if (ext == ".tiktoken") {
      if (!file) throw DataError(o.name + ": cannot open: no such file");
      // A file named after a known encoding gets its pattern, special tokens
      // and hash check; any other uses cl100k_base's pattern and no specials.
      std::string stem = fs::path(o.name).stem().string();
      const BpeEncoding* known = known_encoding(stem);
      BpeEncoding custom{stem, known_encoding("cl100k_base")->pattern, {}};
      t = make_bpe(read_tiktoken(o.name, known ? known_sha256(stem) : std::string(), stem), known ? *known : custom,
                   o.allow_special);
    } else if (ext == ".json") {
      if (!file) throw DataError(o.name + ": cannot open: no such file");
      t = read_hf_tokenizer(o.name, o.allow_special);
    } else {
      throw UsageError("unknown tokenizer " + hewn::quoted(o.name) +
                       " (known: cl100k_base, o200k_base, a .tiktoken file, a tokenizer.json file)");
    }
  }
  t->set_count_special(o.count_special);
  return t;
}

}  // namespace hewn::tokenize
