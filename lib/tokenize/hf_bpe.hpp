// Byte-level BPE tokenizer.json files (GPT-2 style: Qwen2/Qwen3, ModernBERT's
// OLMo tokenizer, RoBERTa): an optional NFC normalizer, Split (regex,
// "Isolated") and ByteLevel pre-tokenizers, then the model's merges applied
// in rank order within each piece (lowest rank first, leftmost among
// equals), as Hugging Face tokenizers' BPE model does.
#pragma once

#include <memory>
#include <string>

#include <simdjson.h>

#include "tokenize/hf_model.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::tokenize {

// The tokenizer of the tokenizer.json PATH whose "model" is {"type": "BPE"},
// from its normalizer, pre_tokenizer and model (JSON elements, already
// parsed by read_hf_tokenizer(), which reads the rest: added tokens, the
// post-processor's special tokens, truncation). With allow_special, special
// added tokens found in text are encoded as themselves (added tokens that
// are not special always are).
// Errors: DataError "PATH: $.JSON.PATH: ..." for a missing or mistyped
// field, an unsupported normalizer (NFC only) or pre-tokenizer (ByteLevel,
// Split with behavior Isolated, Sequence of them), a Split pattern that
// does not compile, a merge whose parts or result are not in the
// vocabulary, a byte without a token; "...: model.byte_fallback is not
// supported", "...: model.dropout is not supported".
std::shared_ptr<Tokenizer> make_hf_bpe(const std::string& path, simdjson::dom::element normalizer,
                                       simdjson::dom::element pre_tokenizer, simdjson::dom::element model,
                                       std::vector<AddedToken> added, std::vector<std::uint32_t> prefix,
                                       std::vector<std::uint32_t> suffix, std::optional<std::size_t> max_length,
                                       bool allow_special);

}  // namespace hewn::tokenize
