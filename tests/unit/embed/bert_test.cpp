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
#include "embed/bert.hpp"
#include "reference.hpp"

using namespace hewn::embed;

// The batched forward pass (sequences of different lengths padded into one
// batch, with the padding mask) against the numpy reference run on the same
// padded batch: tests/embed-ref/bert_ref.py.
TEST_CASE("bert: padded batch matches the numpy reference within 1e-4") {
  auto dir = std::filesystem::temp_directory_path() / ("hewn-bert-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string d = dir.string(), ref = std::string(HEWN_SOURCE_DIR) + "/tests/embed-ref/bert_ref.py";
  std::vector<std::vector<std::uint32_t>> seqs = {
      {2, 9, 11, 13, 14, 9, 15, 5, 3}, {2, 38, 3}, {2, 22, 20, 24, 35, 9, 25, 16, 10, 23, 21, 24, 6, 26, 27, 3}, {2, 3}};
  test::write_ids(d + "/ids.json", seqs);
  std::string cmd = "/usr/bin/python3 " + ref + " make " + d + "/m && /usr/bin/python3 " + ref + " batch " + d + "/m " +
                    d + "/ids.json " + d + "/want.jsonl";
  REQUIRE(std::system(cmd.c_str()) == 0);
  BertModel model(d + "/m");
  CHECK(model.config().hidden == 32);
  // The same sequences one at a time give the same vectors (padding has no effect).
  std::vector<float> got = test::packed_forward(model, seqs);
  double worst = test::max_difference(d + "/want.jsonl", seqs, 32, got);
  CHECK(worst < 1e-4);
  std::filesystem::remove_all(dir);
}

TEST_CASE("bert: ids outside the vocabulary and over-long sequences are errors") {
  auto dir = std::filesystem::temp_directory_path() / ("hewn-bert2-" + std::to_string(::getpid()));
  std::string d = dir.string(), ref = std::string(HEWN_SOURCE_DIR) + "/tests/embed-ref/bert_ref.py";
  REQUIRE(std::system(("/usr/bin/python3 " + ref + " make " + d).c_str()) == 0);
  BertModel model(d);
  std::vector<float> out;
  std::vector<std::uint32_t> bad = {2, 999, 3};
  CHECK_THROWS_WITH_AS(model.forward({std::span<const std::uint32_t>(bad)}, out),
                       "token id 999 is outside the vocabulary of 48", hewn::DataError);
  std::vector<std::uint32_t> longer(65, 9);
  CHECK_THROWS_WITH_AS(model.forward({std::span<const std::uint32_t>(longer)}, out),
                       "sequence of 65 tokens exceeds max_position_embeddings 64", hewn::DataError);
  std::filesystem::remove_all(dir);
}

#include "embed/fastmath.hpp"

TEST_CASE("fast exp and erf agree with the C library") {
  double worst_exp = 0, worst_erf = 0;
  for (float x = -87.0f; x < 88.0f; x += 0.001953125f) {
    double want = std::exp(static_cast<double>(x));
    worst_exp = std::max(worst_exp, std::abs(fast_exp(x) - want) / want);
  }
  for (float x = -6.0f; x < 6.0f; x += 0.0001f)
    worst_erf = std::max(worst_erf, std::abs(static_cast<double>(fast_erf(x)) - std::erf(static_cast<double>(x))));
  CHECK(worst_exp < 3 * 5.97e-8);  // 3 ulp (2^-24)
  CHECK(worst_erf < 5e-7);
  CHECK(fast_exp(-200.0f) < 1e-37f);
  CHECK(fast_erf(100.0f) == doctest::Approx(1.0f));
}

// The vectorized kernels (16 lanes, then a tail) against double precision,
// for every row length from 0 to 70 (no full lane group, several, tails).
TEST_CASE("softmax_rows and add_layer_norm agree with double precision") {
  std::srand(7);
  auto rnd = [] { return static_cast<float>(std::rand()) / RAND_MAX * 8.0f - 4.0f; };
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::size_t rows = 3;
    std::vector<float> s(rows * n), x(rows * n), r(rows * n), g(n), b(n);
    for (auto* v : {&s, &x, &r, &g, &b})
      for (float& f : *v) f = rnd();
    std::vector<float> s0 = s, x0 = x;
    softmax_rows(s.data(), rows, n);
    add_layer_norm(x.data(), r.data(), rows, n, g.data(), b.data(), 1e-12f);
    for (std::size_t i = 0; i < rows; ++i) {
      const float* in = s0.data() + i * n;
      double mx = -1e30, sum = 0;
      for (std::size_t j = 0; j < n; ++j) mx = std::max(mx, static_cast<double>(in[j]));
      for (std::size_t j = 0; j < n; ++j) sum += std::exp(in[j] - mx);
      double mean = 0, var = 0;
      std::vector<double> y(n);
      for (std::size_t j = 0; j < n; ++j) mean += y[j] = static_cast<double>(x0[i * n + j]) + r[i * n + j];
      mean /= static_cast<double>(n);
      for (std::size_t j = 0; j < n; ++j) var += (y[j] - mean) * (y[j] - mean);
      var /= static_cast<double>(n);
      for (std::size_t j = 0; j < n; ++j) {
        CHECK(s[i * n + j] == doctest::Approx(std::exp(in[j] - mx) / sum).epsilon(1e-5));
        double want = (y[j] - mean) / std::sqrt(var + 1e-12) * g[j] + b[j];
        CHECK(std::abs(x[i * n + j] - want) < 1e-4 * (1 + std::abs(want)));
      }
    }
  }
}
