// Hugging Face tokenizer.json files: WordPiece and Unigram models with their
// normalizer, pre-tokenizer and post-processor.
#pragma once

#include <memory>
#include <string>

#include "tokenize/tokenizer.hpp"

namespace hewn::tokenize {

// Reads a tokenizer.json. With allow_special, the file's special added
// tokens ("[CLS]", "<s>") found in text are encoded as themselves.
// Errors: DataError "PATH: cannot open: ..."; "PATH: invalid JSON: ...";
// "PATH: JSON.PATH: expected ..." for a missing or mistyped field;
// "PATH: model.type: unsupported model "BPE" (supported: WordPiece,
// Unigram)"; likewise for normalizer, pre_tokenizer and post_processor types.
std::shared_ptr<Tokenizer> read_hf_tokenizer(const std::string& path, bool allow_special = false);

}  // namespace hewn::tokenize
