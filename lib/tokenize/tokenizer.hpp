// Tokenizers: the family behind `--unit tokens --tokenizer NAME_OR_PATH` in
// chunk, and the text-to-ids step of embed and score. Built from a name by
// make_tokenizer(). Implementations must be exact (ids identical to the
// reference implementation) and thread-safe for concurrent const calls.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::tokenize {

struct Token {
  std::uint32_t id;
  std::size_t begin, end;  // byte offsets of the token's source text in the input
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::string_view name() const = 0;
  // Appends the tokens of text (valid UTF-8), without special tokens such as
  // [CLS]/[SEP]. Offsets are byte offsets into text.
  virtual void encode(std::string_view text, std::vector<Token>& out) const = 0;
  // Number of tokens encode() would give.
  virtual std::size_t count(std::string_view text) const;
  // The text of ids (special tokens skipped).
  virtual std::string decode(const std::vector<std::uint32_t>& ids) const = 0;
  // The id of a special token by its text ("[CLS]", "<|endoftext|>"), if any.
  virtual std::optional<std::uint32_t> special(std::string_view text) const = 0;
};

struct TokenizerOptions {
  std::string name;            // cl100k_base, o200k_base, a .tiktoken path, or a tokenizer.json path
  bool allow_special = false;  // BPE: special tokens in text are special, not plain text
};

// Errors: UsageError for an unknown name; DataError naming the file (and the
// line or JSON path) for a missing or malformed rank file or tokenizer.json,
// a wrong hash, or an unsupported model type.
std::shared_ptr<const Tokenizer> make_tokenizer(const TokenizerOptions& options);

}  // namespace hewn::tokenize
