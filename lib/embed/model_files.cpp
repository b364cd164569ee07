#include "embed/model_files.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/error.hpp"

namespace hewn::embed {

std::string model_file(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path + ": cannot open: No such file or directory");
  return path;
}

std::string model_name(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  auto slash = d.rfind('/');
  std::string last = slash == std::string::npos ? d : d.substr(slash + 1);
  // A Hugging Face cache snapshot, HUB/models--ORG--NAME/snapshots/REV: NAME.
  if (auto snap = d.rfind("/snapshots/"); snap != std::string::npos && snap + 11 == slash + 1) {
    std::string repo = d.substr(0, snap);
    repo = repo.substr(repo.rfind('/') + 1);
    auto sep = repo.find("--", 8);
    if (repo.starts_with("models--") && sep != std::string::npos && sep + 2 < repo.size()) return repo.substr(sep + 2);
  }
  if (last == "." || last == "..") {  // "-m ." names the current directory
    std::error_code ec;
    std::string real = std::filesystem::weakly_canonical(d, ec).filename().string();
    if (!ec && !real.empty()) return real;
  }
  return last;
}

TokenizerFacts read_tokenizer_facts(const std::string& path) {
  TokenizerFacts f;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) throw DataError(path + ": cannot open: " + std::strerror(errno));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root)) throw DataError(path + ": invalid JSON: " + simdjson::error_message(err));
  simdjson::dom::element model;
  if (root["model"].get(model)) return f;
  std::vector<std::size_t> lens;
  simdjson::dom::object vocab_obj;
  simdjson::dom::array vocab_arr;
  std::string_view unk;
  bool has_unk = !model["unk_token"].get(unk);
  if (!model["vocab"].get(vocab_obj)) {  // WordPiece: {"token": id}
    for (auto [k, v] : vocab_obj) {
      lens.push_back(k.size());
      std::uint64_t id;
      if (has_unk && k == unk && !v.get(id)) f.unk_id = static_cast<std::uint32_t>(id);
    }
  } else if (!model["vocab"].get(vocab_arr)) {  // Unigram: [["piece", score]]
    for (auto item : vocab_arr) {
      std::string_view piece;
      if (!item.at(0).get(piece)) lens.push_back(piece.size());
    }
    std::uint64_t id;
    if (!model["unk_id"].get(id)) f.unk_id = static_cast<std::uint32_t>(id);
  }
  if (!lens.empty()) {
    std::sort(lens.begin(), lens.end());
    f.median_token_bytes = std::max<std::size_t>(1, lens[lens.size() / 2]);
  }
  return f;
}

std::shared_ptr<const tokenize::Tokenizer> load_tokenizer(const std::string& dir) {
  tokenize::TokenizerOptions o;
  o.name = model_file(dir, "tokenizer.json");
  return tokenize::make_tokenizer(o);
}

}  // namespace hewn::embed
