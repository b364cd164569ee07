// The models of tokenizer.json files (WordPiece, Unigram) behind one
// Tokenizer that runs the normalizer and pre-tokenizer pipeline.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tokenize/bpe.hpp"
#include "tokenize/normalize.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::tokenize {

// Turns one pre-tokenized word into tokens.
class WordModel {
 public:
  virtual ~WordModel() = default;
  // Appends the tokens of w (offsets from w.begin / w.end).
  virtual void tokenize(const Word& w, std::vector<Token>& out) const = 0;
  // Token text by id (empty when the id is unknown).
  virtual std::string_view piece(std::uint32_t id) const = 0;
  virtual std::optional<std::uint32_t> id_of(std::string_view piece) const = 0;
  virtual std::size_t size() const = 0;
  // Joins decoded pieces into text.
  virtual std::string join(const std::vector<std::string_view>& pieces) const = 0;
};

struct WordPieceConfig {
  std::vector<std::pair<std::string, std::uint32_t>> vocab;
  std::string unk_token = "[UNK]";
  std::string prefix = "##";
  std::size_t max_chars = 100;
};
// Errors: DataError(source + ": model.unk_token: ...") when unk_token is not in the vocabulary.
std::unique_ptr<WordModel> make_wordpiece(const WordPieceConfig& c, const std::string& source);

struct UnigramConfig {
  std::vector<std::pair<std::string, double>> vocab;  // by id
  std::optional<std::uint32_t> unk_id;
  std::string replacement = "\xE2\x96\x81";
};
std::unique_ptr<WordModel> make_unigram(const UnigramConfig& c);

struct AddedToken {
  std::string content;
  std::uint32_t id;
  bool special;
};

std::shared_ptr<Tokenizer> make_hf_tokenizer(std::string name, NormalizerConfig n, PreTokenizerConfig p,
                                             std::unique_ptr<WordModel> model, std::vector<AddedToken> added,
                                             std::vector<std::uint32_t> prefix, std::vector<std::uint32_t> suffix,
                                             std::optional<std::size_t> max_length, bool allow_special);

}  // namespace hewn::tokenize
