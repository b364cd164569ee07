// The tokens unit: sizes in the tokens of a tokenizer (see tokenize/).
#pragma once

#include <memory>

#include "chunk/unit.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::chunk {

// Each document is tokenized once; a token counts in the span where its
// start lies, where a start is the token's first byte past its leading ASCII
// whitespace (a token of whitespace only starts at its first byte), moved
// back to the first byte of its character when it falls inside a multi-byte
// character (byte-level BPE). Cuts fall on those starts.
std::shared_ptr<const Unit> make_token_unit(std::shared_ptr<const tokenize::Tokenizer> tokenizer);

}  // namespace hewn::chunk
