// LIBS: hewn_tokenize
// Fuzz target: every tokenizer family on arbitrary text. The first byte
// picks the tokenizer: tiktoken cl100k_base and o200k_base (rank files
// fetched by scripts/setup), a small WordPiece and a small Unigram
// tokenizer.json, and the real BERT-family tokenizer.json files of
// ../shared/models/tokenizers when present. Asserted inside: ill-formed
// UTF-8 is refused with UsageError; offsets are ordered and in range;
// tiktoken tokens tile the text exactly and decode back to it; WordPiece and
// Unigram tokens cover whole characters; count() equals encode()'s length;
// ids are below vocab_size().
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "tokenize/tokenizer.hpp"

namespace {

struct Kit {
  std::shared_ptr<const hewn::tokenize::Tokenizer> tok;
  bool bpe;
};

std::vector<Kit> make_kits() {
  using hewn::tokenize::make_tokenizer;
  std::vector<Kit> kits;
  for (const char* name : {"cl100k_base", "o200k_base"}) kits.push_back({make_tokenizer({name}), true});
  for (const char* f : {"wordpiece.json", "unigram.json"}) kits.push_back({make_tokenizer({fuzz::fixture(f)}), false});
  std::string shared = std::string(HEWN_SOURCE_DIR) + "/../shared/models/tokenizers";
  for (const char* f : {"all-MiniLM-L6-v2.tokenizer.json", "bge-small-en-v1.5.tokenizer.json", "e5-small-v2.tokenizer.json"})
    if (std::filesystem::exists(shared + "/" + f)) kits.push_back({make_tokenizer({shared + "/" + f}), false});
  return kits;
}

bool char_boundary(const std::string& s, std::size_t i) {
  return i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 1) return 0;
  static const std::vector<Kit> kits = make_kits();
  const Kit& kit = kits[data[0] % kits.size()];
  std::string text(fuzz::bytes_of(data + 1, size - 1));
  std::vector<tokenize::Token> toks;
  if (!utf8::valid(text)) {
    bool refused = false;
    try {
      kit.tok->encode(text, toks);
    } catch (const UsageError&) {
      refused = true;
    }
    FUZZ_REQUIRE(refused);
    return 0;
  }
  try {
    kit.tok->encode(text, toks);
  } catch (const DataError&) {
    return 0;  // a model without an unknown token meets an unknown character
  }
  FUZZ_REQUIRE(kit.tok->count(text) == toks.size());
  std::vector<std::uint32_t> ids;
  std::size_t prev = 0;
  for (const auto& t : toks) {
    FUZZ_REQUIRE(t.begin <= t.end && t.end <= text.size());
    FUZZ_REQUIRE(t.begin >= prev);
    FUZZ_REQUIRE(t.id < kit.tok->vocab_size());
    prev = t.begin;
    ids.push_back(t.id);
  }
  if (kit.bpe) {
    std::size_t at = 0;
    for (const auto& t : toks) {
      FUZZ_REQUIRE(t.begin == at);
      at = t.end;
    }
    FUZZ_REQUIRE(at == text.size());
    FUZZ_REQUIRE(kit.tok->decode(ids) == text);
  } else {
    for (const auto& t : toks) FUZZ_REQUIRE(char_boundary(text, t.begin) && char_boundary(text, t.end));
    (void)kit.tok->decode(ids);
  }
  return 0;
}
