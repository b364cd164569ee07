// LIBS: hewn_embed hewn_tokenize
// Fuzz target: the model file loaders. The first byte picks what the rest
// of the input replaces:
//   0 a tokenizer.json            3-5 the config.json, tokenizer.json or
//   1 a safetensors file              model.safetensors of a tiny model2vec model
//   2 a tiktoken rank file        6-7 the config.json or model.safetensors of a
//                                     tiny BERT model
// The files around it are the valid ones of tests/fuzz/fixtures. Whatever
// loads is then used (a tokenizer encodes, an embedder embeds, every tensor
// is read). Bad input may only raise DataError; the values embedders return
// for valid models must be finite.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "common.hpp"
#include "core/error.hpp"
#include "embed/embedder.hpp"
#include "embed/safetensors.hpp"
#include "tokenize/tokenizer.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

const char* sample = "The unaffable cabs, \xe6\x97\xa5 x!  caf\xc3\xa9 [SEP] abc";

void use(const hewn::tokenize::Tokenizer& t) {
  std::vector<hewn::tokenize::Token> toks;
  t.encode(sample, toks);
  std::vector<std::uint32_t> ids;
  for (const auto& k : toks) {
    FUZZ_REQUIRE(k.id < t.vocab_size());
    ids.push_back(k.id);
  }
  (void)t.decode(ids);
}

// Copies the fixture model dir to the scratch dir, replacing file with body.
std::string model_dir(const std::string& model, const std::string& file, std::string_view body) {
  std::string dir = fuzz::scratch() + "/" + model;
  for (const char* f : {"config.json", "tokenizer.json", "model.safetensors"}) {
    static std::map<std::string, std::string> cache;
    std::string key = model + "/" + f;
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, slurp(fuzz::fixture(key))).first;
    fuzz::put(key, f == file ? body : std::string_view(it->second));
  }
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 1) return 0;
  std::string_view body = fuzz::bytes_of(data + 1, size - 1);
  try {
    switch (data[0] % 8) {
      case 0:
        use(*tokenize::make_tokenizer({fuzz::put("t/tokenizer.json", body)}));
        break;
      case 1: {
        embed::SafeTensors st(fuzz::put("t/model.safetensors", body));
        for (const auto& t : st.tensors()) {
          FUZZ_REQUIRE(t.bytes == t.elements() * embed::dtype_size(t.dtype));
          try {
            if (t.shape.size() == 1) (void)st.floats(t, {0});
            if (t.shape.size() == 2) (void)st.floats(t, {0, 0});
            if (t.shape.size() == 1) (void)st.ints(t, {0});
          } catch (const DataError&) {
          }
        }
        break;
      }
      case 2:
        use(*tokenize::make_tokenizer({fuzz::put("t/ranks.tiktoken", body)}));
        break;
      default: {
        static const char* files[] = {"config.json", "tokenizer.json", "model.safetensors", "config.json",
                                      "model.safetensors"};
        int m = data[0] % 8 - 3;
        embed::Options o;
        o.model = model_dir(m < 3 ? "m2v" : "bert", files[m], body);
        auto e = embed::make_embedder(o);
        std::vector<float> v(e->dim());
        e->embed(sample, v.data());
        for (float x : v) FUZZ_REQUIRE(std::isfinite(x) || m == 2 || m == 4);  // fuzzed weights may hold NaN
      }
    }
  } catch (const DataError&) {
  }
  return 0;
}
