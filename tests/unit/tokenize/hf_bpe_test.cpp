// Byte-level BPE tokenizer.json files (Qwen2/Qwen3, ModernBERT) and an
// XLM-RoBERTa-style Unigram file, on hand-made vocabularies whose expected
// ids are worked out by hand below.
#include <string>
#include <vector>

#include "common.hpp"
#include "core/error.hpp"
#include "tokenize/tokenizer.hpp"

using namespace hewn::tokenize;

namespace {

// Byte-level characters: bytes '!'..'~' are themselves, ' ' is U+0120 (Ġ),
// '\n' U+010A (Ċ), 0xC3 'Ã' and 0xA9 '©' (kept as they are).
const char* vocab = R"({"a": 0, "b": 1, "c": 2, "\u0120": 3, "'": 4, "s": 5, "1": 6, "2": 7, "3": 8, "\u00c3": 9,
  "\u00a9": 10, "\u010a": 11, "i": 12, "t": 13, "ab": 14, "bc": 15, "abc": 16, "\u0120a": 17, "\u0120ab": 18,
  "12": 19, "it": 20, "'s": 21, "\u00c3\u00a9": 22, "ac": 24})";
const char* merges = R"(["b c", "a b", "a bc", "\u0120 a", "\u0120a b", "\u0120 ab", "1 2", "i t", "' s", "\u00c3 \u00a9"])";

const char* qwen_pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+)";

std::string qwen_json(bool ignore_merges = false) {
  return std::string(R"({"added_tokens": [{"id": 23, "content": "<|endoftext|>", "special": true}],
    "normalizer": {"type": "NFC"},
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": ")") +
         qwen_pattern + R"("}, "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
    "post_processor": {"type": "TemplateProcessing",
      "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
      "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [23], "tokens": ["<|endoftext|>"]}}},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "ignore_merges": )" +
         (ignore_merges ? "true" : "false") + R"(, "vocab": )" + vocab + R"(, "merges": )" + merges + "}}";
}

std::string gpt2_json(bool add_prefix_space) {
  return std::string(R"({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": )") +
         (add_prefix_space ? "true" : "false") + R"(, "trim_offsets": true, "use_regex": true},
    "post_processor": {"type": "TemplateProcessing",
      "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
      "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [30], "tokens": ["[CLS]"]},
                         "[SEP]": {"id": "[SEP]", "ids": [31], "tokens": ["[SEP]"]}}},
    "model": {"type": "BPE", "vocab": )" + vocab + R"(, "merges": )" + merges + "}}";
}

std::vector<std::pair<std::size_t, std::size_t>> spans(const Tokenizer& t, std::string_view text) {
  std::vector<Token> toks;
  t.encode(text, toks);
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (auto& k : toks) out.emplace_back(k.begin, k.end);
  return out;
}

using Ids = std::vector<std::uint32_t>;

}  // namespace

TEST_CASE("byte-level BPE (Qwen's tokenizer.json): merges by rank, its split pattern, NFC") {
  auto t = make_tokenizer({test::write_temp("qwen.json", qwen_json())});
  // "abc": pairs (a,b) rank 1 and (b,c) rank 0: b+c first, then a+bc (rank 2).
  CHECK(test::ids(*t, "abc") == Ids{16});
  // " ab" is one piece (an optional non-letter, then letters): a+b (rank 1)
  // comes before Ġ+a (rank 3), so Ġ+ab (rank 5) makes Ġab.
  CHECK(test::ids(*t, "abc ab") == Ids{16, 18});
  // Digits are pieces of one (\p{N}): "1 2" never merges across them.
  CHECK(test::ids(*t, "123") == Ids{6, 7, 8});
  // A contraction is its own piece: "it" + "'s".
  CHECK(test::ids(*t, "it's") == Ids{20, 21});
  // A newline is a piece (\s*[\r\n]+); bytes map to Ċ.
  CHECK(test::ids(*t, "a\nb") == Ids{0, 11, 1});
  // UTF-8 bytes: é is C3 A9 -> Ã + © -> Ã©, covering both bytes.
  CHECK(test::ids(*t, "\xC3\xA9") == Ids{22});
  CHECK(spans(*t, "a\xC3\xA9") == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 3}});
  // NFC: e + U+0301 becomes é (one token covering the 3 source bytes).
  CHECK(test::ids(*t, "e\xCC\x81") == Ids{22});
  CHECK(spans(*t, "ae\xCC\x81") == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 4}});
  // Without a merge, "ac" stays two tokens; ignore_merges takes a whole piece in the vocabulary.
  CHECK(test::ids(*t, "ac") == Ids{0, 2});
  CHECK(test::ids(*make_tokenizer({test::write_temp("qwen-im.json", qwen_json(true))}), "ac") == Ids{24});
  // The post-processor appends <|endoftext|> (Qwen3-Embedding pools that last token).
  CHECK(t->prefix().empty());
  CHECK(t->suffix() == Ids{23});
  CHECK(t->decode({16, 18, 11, 22, 23}) == "abc ab\n\xC3\xA9");
  // Special tokens in text: as text by default (here: bytes without tokens), as themselves when allowed.
  std::string e = "(no error)";
  try {
    test::ids(*t, "ab<|endoftext|>");
  } catch (const hewn::DataError& x) {
    e = x.what();
  }
  CHECK(e.rfind("no token for byte 0x3C (", 0) == 0);
  auto s = make_tokenizer({test::write_temp("qwen.json", qwen_json()), true});
  CHECK(test::ids(*s, "ab<|endoftext|>c") == Ids{14, 23, 2});
}

TEST_CASE("byte-level BPE with GPT-2's ByteLevel regex (ModernBERT's tokenizer.json)") {
  auto t = make_tokenizer({test::write_temp("gpt2.json", gpt2_json(false))});
  // " ?\p{N}+": "123" is one piece, so 1+2 merges.
  CHECK(test::ids(*t, "123") == Ids{19, 8});
  CHECK(test::ids(*t, "abc ab") == Ids{16, 18});
  CHECK(t->prefix() == Ids{30});
  CHECK(t->suffix() == Ids{31});
  // add_prefix_space: "ab" is read as " ab"; the added space covers nothing.
  auto p = make_tokenizer({test::write_temp("gpt2p.json", gpt2_json(true))});
  CHECK(test::ids(*p, "ab") == Ids{18});
  CHECK(spans(*p, "ab") == std::vector<std::pair<std::size_t, std::size_t>>{{0, 2}});
  CHECK(p->decode({18}) == "ab");
}

TEST_CASE("byte-level BPE errors") {
  auto err = [](const std::string& name, const std::string& json) {
    std::string p = test::write_temp(name, json);
    return std::make_pair(p, test::error_of({p}));
  };
  auto [p1, e1] = err("b1.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]},
      "pre_tokenizer": {"type": "ByteLevel"}})");
  CHECK(e1 == p1 + ": $.model.merges[0]: merge \"a b\" is not in the vocabulary");
  auto [p2, e2] = err("b2.json", R"({"model": {"type": "BPE", "vocab": {}, "merges": []}})");
  CHECK(e2 == p2 + ": $.pre_tokenizer: a BPE model needs a ByteLevel pre-tokenizer (only byte-level BPE is supported)");
  auto [p3, e3] = err("b3.json", R"({"normalizer": {"type": "NFKC"}, "model": {"type": "BPE", "vocab": {}, "merges": []},
      "pre_tokenizer": {"type": "ByteLevel"}})");
  CHECK(e3 == p3 + ": $.normalizer.type: unsupported normalizer \"NFKC\" (supported: NFC)");
  auto [p4, e4] = err("b4.json", R"({"model": {"type": "BPE", "vocab": {}, "merges": []},
      "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "("}, "behavior": "Isolated"}})");
  CHECK(e4.rfind(p4 + ": $.pre_tokenizer: pattern does not compile at ", 0) == 0);
}

// XLM-RoBERTa's layout: <s> $A </s>, Metaspace (prepend always, split), a
// Unigram model with unk_id 3. Scores: ▁ab -5, ▁a -1, b -1, ▁ -2, c -3, ▁abc -2.5.
TEST_CASE("Unigram in XLM-RoBERTa's layout, by hand") {
  const char* j = R"({"added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}],
    "normalizer": null,
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
    "post_processor": {"type": "TemplateProcessing",
      "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                 {"SpecialToken": {"id": "</s>", "type_id": 0}}],
      "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
    "model": {"type": "Unigram", "unk_id": 3, "vocab": [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0],
      ["\u2581ab", -5.0], ["\u2581a", -1.0], ["b", -1.0], ["\u2581", -2.0], ["c", -3.0], ["\u2581abc", -2.5]]}})";
  auto t = make_tokenizer({test::write_temp("xlmr.json", j)});
  CHECK(t->prefix() == Ids{0});
  CHECK(t->suffix() == Ids{2});
  // "▁ab": ▁a + b = -2 beats ▁ab = -5 and ▁ + (a unknown).
  CHECK(test::ids(*t, "ab") == Ids{5, 6});
  // "▁abc": ▁abc = -2.5 beats ▁a + b + c = -5.
  CHECK(test::ids(*t, "abc") == Ids{9});
  // Two spaces: "▁ab", "▁", "▁xx" (▁ then one fused <unk>), "▁c" (▁ + c).
  CHECK(test::ids(*t, "ab  xx c") == Ids{5, 6, 7, 7, 3, 7, 8});
  CHECK(spans(*t, "ab  xx c")[4] == std::pair<std::size_t, std::size_t>{4, 6});
}

TEST_CASE("byte-level BPE with a ByteLevel post-processor (Qwen2-style files) adds no tokens") {
  std::string j = gpt2_json(false);
  const std::string from = R"("post_processor": {"type": "TemplateProcessing",)";
  j.replace(j.find(from), from.size(), R"("post_processor": {"type": "ByteLevel", "trim_offsets": false}, "x": {)");
  auto t = make_tokenizer({test::write_temp("bl.json", j)});
  CHECK(t->prefix().empty());
  CHECK(t->suffix().empty());
  CHECK(test::ids(*t, "abc") == Ids{16});
}
