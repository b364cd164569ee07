// Helpers for the encoder tests that compare a forward pass with a numpy
// reference (tests/embed-ref/*_ref.py "batch": one {"v": [...]} line per
// sequence, its token vectors flattened).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace test {

using Seqs = std::vector<std::vector<std::uint32_t>>;

// Writes seqs to path as a JSON list of id lists.
inline void write_ids(const std::string& path, const Seqs& seqs) {
  std::ofstream ids(path);
  ids << "[";
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    ids << (i ? "," : "") << "[";
    for (std::size_t j = 0; j < seqs[i].size(); ++j) ids << (j ? "," : "") << seqs[i][j];
    ids << "]";
  }
  ids << "]";
}

// The model's token vectors of seqs in one packed batch, checked against
// each sequence run alone (within 1e-5).
template <class Model>
std::vector<float> packed_forward(const Model& model, const Seqs& seqs) {
  std::vector<std::span<const std::uint32_t>> batch;
  for (auto& s : seqs) batch.emplace_back(s);
  std::vector<float> got, single;
  model.forward(batch, got);
  for (auto& s : seqs) model.forward({std::span<const std::uint32_t>(s)}, single);
  REQUIRE(single.size() == got.size());
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(single[i] - got[i]) < 1e-5);
  return got;
}

// The largest difference between got (seqs' token vectors back to back,
// width h) and the reference's vectors in want_path.
inline double max_difference(const std::string& want_path, const Seqs& seqs, std::size_t h,
                             const std::vector<float>& got) {
  std::ifstream want(want_path);
  std::string line;
  hewn::json::Parser parser;
  std::size_t offset = 0, n = 0;
  double worst = 0;
  while (std::getline(want, line)) {
    std::size_t len = line.size();
    line.append(64, ' ');
    const auto& r = parser.parse(std::string_view(line.data(), len), "want.jsonl", ++n);
    std::vector<float> v;
    REQUIRE(r.floats("v", v));
    REQUIRE(n <= seqs.size());
    REQUIRE(v.size() == seqs[n - 1].size() * h);
    for (std::size_t i = 0; i < v.size(); ++i) worst = std::max(worst, std::abs(double(v[i]) - got[offset + i]));
    offset += v.size();
  }
  CHECK(n == seqs.size());
  CHECK(offset == got.size());
  return worst;
}

}  // namespace test
