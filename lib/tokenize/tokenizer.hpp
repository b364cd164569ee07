// Tokenizers: the family behind `--unit tokens --tokenizer NAME_OR_PATH` in
// chunk, and the text-to-ids step of embed and score. Built from a name by
// make_tokenizer(). Implementations must be exact (ids identical to the
// reference implementation) and thread-safe for concurrent const calls.
//
// Members: tiktoken BPE ("cl100k_base", "o200k_base", or a path to a
// .tiktoken rank file), and Hugging Face tokenizer.json files whose model is
// WordPiece or Unigram (see hewn(7), TOKENIZERS).
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
  // [CLS]/[SEP]. Offsets are byte offsets into text, in order; begin <= end.
  // BPE tokens may start or end inside a multi-byte character (byte-level
  // tokens); WordPiece and Unigram tokens cover whole characters, and a
  // [UNK] token covers its whole word.
  // Errors: UsageError "text is not valid UTF-8" for ill-formed input;
  // DataError "no token for U+XXXX (the model has no unknown token)"
  // from a Unigram model without unk_id.
  virtual void encode(std::string_view text, std::vector<Token>& out) const = 0;
  // Number of tokens encode() would give, plus prefix().size() +
  // suffix().size() when the tokenizer was made with count_special.
  // Errors: as encode().
  virtual std::size_t count(std::string_view text) const;
  // encode() of a document whose spans count() will be asked about next on
  // this thread (chunk sizes): a tokenizer may keep what makes that fast
  // (BPE keeps a copy of doc and its pieces, and counts a span of it by
  // reusing the pieces the span's own tokenization shares with the
  // document's). Results are those of encode() and count() either way.
  // Errors: as encode().
  virtual void encode_document(std::string_view doc, std::vector<Token>& out) const { encode(doc, out); }
  // The text of ids (special tokens skipped; WordPiece joins "##" pieces and
  // puts a space between words; Unigram turns U+2581 into spaces).
  // Errors: UsageError "unknown token id N".
  virtual std::string decode(const std::vector<std::uint32_t>& ids) const = 0;
  // The id of a special token by its text ("[CLS]", "<|endoftext|>"), if any.
  virtual std::optional<std::uint32_t> special(std::string_view text) const = 0;

  // Added (compatible) API:
  // Ids the model's post-processor puts before and after one sequence
  // ([CLS] and [SEP] for BERT; empty for tiktoken encodings).
  const std::vector<std::uint32_t>& prefix() const { return prefix_; }
  const std::vector<std::uint32_t>& suffix() const { return suffix_; }
  // The truncation length the tokenizer.json asks for (its
  // "truncation.max_length"), if any; it counts prefix and suffix.
  std::optional<std::size_t> max_length() const { return max_length_; }
  // Number of ids (the largest id + 1, special tokens included).
  virtual std::size_t vocab_size() const = 0;
  // True when count() includes prefix and suffix.
  bool count_special() const { return count_special_; }
  // Sets count_special (before the tokenizer is shared between threads).
  void set_count_special(bool on) { count_special_ = on; }

 protected:
  std::vector<std::uint32_t> prefix_, suffix_;
  std::optional<std::size_t> max_length_;
  bool count_special_ = false;
};

struct TokenizerOptions {
  std::string name;            // cl100k_base, o200k_base, a .tiktoken path, or a tokenizer.json path
  bool allow_special = false;  // BPE: special tokens in text are special, not plain text
  bool count_special = false;  // count() includes the post-processor's special tokens
  // Where "cl100k_base" and "o200k_base" are looked up (DIR/tiktoken/NAME.tiktoken);
  // empty: the environment variable HEWN_DATA, else the build's data dir.
  std::string data_dir = {};
};

// The data dir used for named encodings: options.data_dir, else $HEWN_DATA,
// else the directory scripts/fetch/tiktoken filled at build time.
std::string data_dir(const TokenizerOptions& options);

// Errors: UsageError for an unknown name (neither a known encoding nor an
// existing file); DataError naming the file (and the line or JSON path) for a
// missing or malformed rank file or tokenizer.json, a wrong hash, or an
// unsupported model, normalizer, pre-tokenizer or post-processor type.
std::shared_ptr<const Tokenizer> make_tokenizer(const TokenizerOptions& options);

}  // namespace hewn::tokenize
