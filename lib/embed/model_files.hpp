// Model directory helpers shared by the model2vec and bert backends.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tokenize/tokenizer.hpp"

namespace hewn::embed {

// The file DIR/NAME, which must exist.
// Errors: DataError "DIR/NAME: cannot open: No such file or directory".
std::string model_file(const std::string& dir, const std::string& name);

// The directory's last component ("models/bge-small/" -> "bge-small"; for
// "." or "..", that of the directory they name; for a Hugging Face cache
// snapshot ".../models--BAAI--bge-small/snapshots/REV", "bge-small").
// Errors: none.
std::string model_name(const std::string& dir);

// Facts about a tokenizer.json the tokenizer object does not expose.
struct TokenizerFacts {
  std::optional<std::uint32_t> unk_id;  // id of model.unk_token (WordPiece) or model.unk_id (Unigram)
  std::size_t median_token_bytes = 1;   // median byte length of model.vocab's tokens (upper median)
};
// Errors: DataError "PATH: cannot open: ..." or "PATH: invalid JSON: ...".
TokenizerFacts read_tokenizer_facts(const std::string& path);

// Loads DIR/tokenizer.json. Errors: those of model_file() and make_tokenizer().
std::shared_ptr<const tokenize::Tokenizer> load_tokenizer(const std::string& dir);

}  // namespace hewn::embed
