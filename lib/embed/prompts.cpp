// Prompts of sentence-transformers models (config_sentence_transformers.json).
#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "embed/embedder.hpp"

namespace hewn::embed {

std::string model_prompt(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/config_sentence_transformers.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    if (name.empty()) return "";
    throw DataError(path + ": cannot open: No such file or directory (--prompt needs the model's prompts)");
  }
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) throw DataError(path + ": cannot open: " + std::strerror(errno));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root)) throw DataError(path + ": invalid JSON: " + simdjson::error_message(err));
  std::string want = name;
  if (want.empty()) {
    std::string_view d;
    if (root["default_prompt_name"].get(d)) return "";  // absent or null: no prompt
    want = std::string(d);
  }
  simdjson::dom::object prompts;
  std::string known;
  if (!root["prompts"].get(prompts)) {
    for (auto [k, v] : prompts) {
      std::string_view p;
      if (k == want && !v.get(p)) return std::string(p);
      known += (known.empty() ? "" : ", ") + std::string(k);
    }
  }
  if (name.empty()) throw DataError(path + ": default_prompt_name " + hewn::quoted(want) + " is not in \"prompts\"");
  throw UsageError("--prompt " + name + ": the model's prompts are " + (known.empty() ? "none" : known));
}

}  // namespace hewn::embed
