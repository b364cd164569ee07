#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "embed/transformer.hpp"
#include "reference.hpp"

using namespace hewn::embed;

namespace {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("hewn-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

const std::string ref = std::string(HEWN_SOURCE_DIR) + "/tests/embed-ref/encoders_ref.py";

// Writes the model (encoders_ref.py make ARGS) and the reference's token
// vectors of seqs; returns the largest difference from Transformer's
// packed forward pass (all sequences in one batch) and checks that each
// sequence alone gives the same vectors.
double parity(const TempDir& dir, const std::string& make_args, const std::vector<std::vector<std::uint32_t>>& seqs,
              bool int8 = false) {
  const std::string d = dir.str();
  test::write_ids(d + "/ids.json", seqs);
  std::string cmd = "/usr/bin/python3 " + ref + " make " + d + "/m " + make_args + " && /usr/bin/python3 " + ref +
                    " batch " + d + "/m " + d + "/ids.json " + d + "/want.jsonl";
  REQUIRE(std::system(cmd.c_str()) == 0);
  Transformer model(d + "/m", int8);
  return test::max_difference(d + "/want.jsonl", seqs, model.config().hidden, test::packed_forward(model, seqs));
}

std::vector<std::uint32_t> run(std::size_t n, std::uint32_t vocab, std::uint32_t seed) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (seed + 7919u * static_cast<std::uint32_t>(i) * (i + 3)) % vocab;
  return v;
}

}  // namespace

// Each family's forward pass against the numpy reference (float64) on a
// random-weight model in its Hugging Face layout: sequences of different
// lengths packed into one batch, one longer than a block of query rows
// (128) so that blocked attention, ModernBERT's sliding window and Qwen3's
// causal mask cross block boundaries.
TEST_CASE("transformer: each family matches the numpy reference within 1e-4") {
  struct Case {
    const char* family;
    std::uint32_t vocab;
  };
  for (Case c : {Case{"nomic", 48}, Case{"modernbert", 100}, Case{"jina", 48}, Case{"xlmr", 40}, Case{"qwen3", 100}}) {
    CAPTURE(c.family);
    TempDir dir(std::string("tf-") + c.family);
    std::vector<std::vector<std::uint32_t>> seqs = {run(9, c.vocab, 1), run(3, c.vocab, 2), run(200, c.vocab, 3),
                                                    run(1, c.vocab, 4), run(17, c.vocab, 5)};
    double worst = parity(dir, std::string("--family ") + c.family + " --shape 3,32,4,48,256 --vocab " +
                                   std::to_string(c.vocab),
                          seqs);
    CHECK(worst < 1e-4);
  }
}

TEST_CASE("transformer: Qwen3 with grouped-query heads wider than hidden / heads") {
  TempDir dir("tf-qwen-gqa");
  double worst = parity(dir, "--family qwen3 --shape 2,32,8,40,64 --kv 2 --head-dim 16 --vocab 60",
                        {run(30, 60, 9), run(5, 60, 10)});
  CHECK(worst < 1e-4);
}

TEST_CASE("transformer: F16 weights and a NomicBERT with partial rotary") {
  TempDir dir("tf-f16");
  double worst = parity(dir, "--family jina --dtype F16 --shape 2,24,3,40,64 --vocab 48", {run(20, 48, 3)});
  CHECK(worst < 1e-4);  // 3 heads: ALiBi slopes for a head count that is not a power of two
}

// int8 weight-only quantization: the error against the float64 reference
// stays small (what embed(1) states), and larger than float32's.
TEST_CASE("transformer: int8 weights stay close to the reference") {
  for (const char* family : {"nomic", "qwen3"}) {
    CAPTURE(family);
    TempDir dir(std::string("tf-int8-") + family);
    double worst = parity(dir, std::string("--family ") + family + " --vocab 48", {run(40, 48, 1), run(9, 48, 2)}, true);
    CHECK(worst < 0.1);
    CHECK(worst > 1e-5);
  }
}

TEST_CASE("transformer: bad ids, long sequences and unsupported settings are errors") {
  TempDir dir("tf-bad");
  const std::string d = dir.str();
  REQUIRE(std::system(("/usr/bin/python3 " + ref + " make " + d + "/m --family qwen3 --vocab 50").c_str()) == 0);
  Transformer model(d + "/m", false);
  std::vector<float> out;
  std::vector<std::uint32_t> bad = {1, 50};
  CHECK_THROWS_WITH_AS(model.forward({std::span<const std::uint32_t>(bad)}, out),
                       "token id 50 is outside the vocabulary of 50", hewn::DataError);
  std::vector<std::uint32_t> longer(65, 3);
  CHECK_THROWS_WITH_AS(model.forward({std::span<const std::uint32_t>(longer)}, out),
                       "sequence of 65 tokens exceeds the model's 64 positions", hewn::DataError);
  std::string cfg = d + "/m/config.json";
  REQUIRE(std::system(("sed -i 's/\"rope_scaling\": null/\"rope_scaling\": \"yarn\"/' " + cfg).c_str()) == 0);
  CHECK_THROWS_WITH_AS(Transformer(d + "/m", false), (cfg + ": unsupported rope_scaling \"yarn\" (null)").c_str(),
                       hewn::DataError);
  REQUIRE(std::system(("sed -i 's/\"qwen3\"/\"llama\"/' " + cfg).c_str()) == 0);
  CHECK_THROWS_AS(Transformer(d + "/m", false), hewn::DataError);
}
