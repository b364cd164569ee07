// WordPiece (the 46 llama.cpp cases for bge) and Unigram (hand-worked
// Viterbi), and tokenizer.json errors naming the file and the JSON path.
#include "common.hpp"
#include "core/error.hpp"

using namespace hewn::tokenize;

TEST_CASE("WordPiece: the 46 ggml-vocab-bert-bge cases") {
  std::string dir = test::shared_dir() + "/models/tokenizers/";
  if (!std::filesystem::exists(dir + "bge-small-en-v1.5.tokenizer.json")) {
    MESSAGE("skipped: " << dir << " is absent");
    return;
  }
  auto t = make_tokenizer({dir + "bge-small-en-v1.5.tokenizer.json"});
  auto split = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string all = ss.str(), sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> parts;
    std::size_t pos = 0;
    for (std::size_t k; (k = all.find(sep, pos)) != std::string::npos; pos = k + sep.size())
      parts.push_back(all.substr(pos, k - pos));
    return parts;
  };
  auto inputs = split(dir + "ggml-vocab-bert-bge.gguf.inp");
  std::vector<std::string> outputs;  // one line of ids per case
  std::ifstream out(dir + "ggml-vocab-bert-bge.gguf.out");
  for (std::string l; std::getline(out, l);) outputs.push_back(l);
  REQUIRE(inputs.size() == 46);
  REQUIRE(outputs.size() == 46);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string got;
    for (auto id : test::ids(*t, inputs[i])) got += " " + std::to_string(id);
    CHECK_MESSAGE(got == outputs[i], "case " << i << ": " << inputs[i]);
  }
  CHECK(t->prefix() == std::vector<std::uint32_t>{101});
  CHECK(t->suffix() == std::vector<std::uint32_t>{102});
  CHECK(t->special("[CLS]") == 101u);
  // Offsets point at the source text, accents and case included.
  std::vector<Token> toks;
  t->encode("Héllo, WORLD!", toks);
  REQUIRE(toks.size() == 4);
  CHECK(toks[0].begin == 0);
  CHECK(toks[0].end == 6);
  CHECK(toks[1].begin == 6);
  CHECK(toks[2].begin == 8);
  CHECK(toks[3].end == 14);
  CHECK(t->decode(test::ids(*t, "Héllo, WORLD!")) == "hello , world !");
  // --count-special adds [CLS] and [SEP].
  TokenizerOptions o{dir + "bge-small-en-v1.5.tokenizer.json"};
  o.count_special = true;
  CHECK(make_tokenizer(o)->count("Héllo, WORLD!") == 6);
  // A word over max_input_chars_per_word (100) is one [UNK].
  CHECK(test::ids(*t, std::string(101, 'a')) == std::vector<std::uint32_t>{100});
  // Special token text is plain text unless allowed.
  CHECK(test::ids(*t, "[SEP]").size() == 3);
  o.count_special = false;
  o.allow_special = true;
  CHECK(test::ids(*make_tokenizer(o), "a [SEP]") == std::vector<std::uint32_t>{1037, 102});
}

namespace {
// A Unigram model whose best segmentations are worked out by hand below.
const char* unigram_json = R"({
  "normalizer": {"type": "Lowercase"},
  "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true},
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
    "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "</s>", "special": true}],
  "model": {"type": "Unigram", "unk_id": 0, "vocab": [
    ["<unk>", 0], ["</s>", 0],
    ["\u2581", -2.0], ["\u2581a", -3.0], ["\u2581ab", -4.5], ["b", -2.0], ["c", -2.5], ["bc", -3.0],
    ["\u2581abc", -9.0], ["a", -1.0]]}
})";
}  // namespace

TEST_CASE("Unigram: Viterbi by hand") {
  auto t = make_tokenizer({test::write_temp("uni.json", unigram_json)});
  // "abc" -> "▁abc": ▁a+bc = -6.0; ▁ab+c = -7.0; ▁+a+bc = -6.0 (ties keep the
  // first path found: ▁a ends first); ▁abc = -9.0; ▁a+b+c = -7.5. Best: ▁a, bc.
  CHECK(test::ids(*t, "abc") == std::vector<std::uint32_t>{3, 7});
  // "ab": ▁a+b = -5.0, ▁ab = -4.5, ▁+a+b = -5.0. Best: ▁ab.
  CHECK(test::ids(*t, "AB") == std::vector<std::uint32_t>{4});
  // "a xy": "▁a" then "▁xy": x and y are unknown; ▁ (-2) + unk + unk, fused.
  std::vector<Token> toks;
  t->encode("a xy", toks);
  REQUIRE(toks.size() == 3);
  CHECK(toks[0].id == 3);
  CHECK(toks[1].id == 2);
  CHECK(toks[2].id == 0);
  CHECK(toks[2].begin == 2);
  CHECK(toks[2].end == 4);
  CHECK(toks[0].begin == 0);  // the prepended ▁ covers nothing
  CHECK(toks[0].end == 1);
  CHECK(t->suffix() == std::vector<std::uint32_t>{1});
  CHECK(t->decode({3, 7, 2, 5}) == "abc b");
}

TEST_CASE("Unigram without unk_id: an unknown character is an error") {
  std::string j = R"({"pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never"},
    "model": {"type": "Unigram", "vocab": [["a", -1.0], ["b", -1.0]]}})";
  auto t = make_tokenizer({test::write_temp("nounk.json", j)});
  CHECK(test::ids(*t, "ab") == std::vector<std::uint32_t>{0, 1});
  CHECK_THROWS_WITH_AS(test::ids(*t, "axb"), "no token for U+0078 (the model has no unknown token)", hewn::DataError);
}

TEST_CASE("tokenizer.json errors name the file and the JSON path") {
  auto err = [](const std::string& name, const std::string& json) {
    std::string p = test::write_temp(name, json);
    return std::make_pair(p, test::error_of({p}));
  };
  auto [p1, e1] = err("t1.json", "{\"model\": {\"type\": \"WordLevel\", \"vocab\": {}}}");
  CHECK(e1 == p1 + ": $.model.type: unsupported model \"WordLevel\" (supported: WordPiece, Unigram, BPE)");
  auto [p2, e2] = err("t2.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": \"x\"}}}");
  CHECK(e2 == p2 + ": $.model.vocab.a: expected a token id");
  auto [p3, e3] = err("t3.json", "{\"model\": {\"type\": \"WordPiece\"");
  CHECK(e3.rfind(p3 + ": invalid JSON: ", 0) == 0);
  auto [p4, e4] = err("t4.json", "{\"normalizer\": null}");
  CHECK(e4 == p4 + ": $.model: missing");
  auto [p5, e5] = err("t5.json", "{\"normalizer\": {\"type\": \"NFKC\"}, \"model\": {}}");
  CHECK(e5 == p5 + ": $.normalizer.type: unsupported normalizer \"NFKC\" (supported: Precompiled, BertNormalizer, "
                   "Lowercase, StripAccents, NFD, Replace, Strip, Sequence)");
  auto [p6, e6] = err("t6.json", "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", \"x\"]]}}");
  CHECK(e6 == p6 + ": $.model.vocab[0][1]: expected a number");
  auto [p7, e7] = err("t7.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
  CHECK(e7 == p7 + ": model.unk_token: \"[UNK]\" is not in model.vocab");
  std::string missing = std::filesystem::temp_directory_path().string() + "/no-such-tokenizer.json";
  CHECK(test::error_of({missing}) == missing + ": cannot open: no such file");
  CHECK_THROWS_AS(make_tokenizer({missing}), hewn::DataError);
  CHECK_THROWS_AS(make_tokenizer({"bert-base"}), hewn::UsageError);
}
