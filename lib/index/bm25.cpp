#include "index/bm25.hpp"

#include <cmath>

#include "core/error.hpp"

namespace hewn::index {

Variant parse_variant(std::string_view name) {
  if (name == "lucene") return Variant::lucene;
  if (name == "robertson") return Variant::robertson;
  if (name == "bm25plus") return Variant::bm25plus;
  throw UsageError("unknown BM25 variant " + hewn::quoted(name) + " (lucene, robertson, bm25plus)");
}

std::string_view variant_name(Variant v) {
  switch (v) {
    case Variant::lucene:
      return "lucene";
    case Variant::robertson:
      return "robertson";
    case Variant::bm25plus:
      return "bm25plus";
  }
  return "?";
}

float idf(const Bm25Params& p, std::uint64_t n, std::uint64_t df) {
  double N = static_cast<double>(n), d = static_cast<double>(df);
  switch (p.variant) {
    case Variant::lucene:
      return static_cast<float>(std::log(1.0 + (N - d + 0.5) / (d + 0.5)));
    case Variant::robertson:
      return static_cast<float>(std::max(0.0, std::log((N - d + 0.5) / (d + 0.5))));
    case Variant::bm25plus:
      return static_cast<float>(std::log((N + 1.0) / d));
  }
  return 0;
}

namespace {
int long_to_int4(std::uint64_t i) {
  int bits = i == 0 ? 0 : 64 - __builtin_clzll(i);
  if (bits < 4) return static_cast<int>(i);
  int shift = bits - 4;
  int encoded = static_cast<int>(i >> shift) & 0x07;
  encoded |= (shift + 1) << 3;
  return encoded;
}
std::uint64_t int4_to_long(int i) {
  std::uint64_t bits = i & 0x07;
  int shift = (i >> 3) - 1;
  return shift == -1 ? bits : (bits | 0x08) << shift;
}
const int free_values = 255 - long_to_int4(0x7fffffff);  // 24
}  // namespace

std::uint8_t length_to_byte4(std::uint32_t i) {
  if (static_cast<int>(i) < free_values) return static_cast<std::uint8_t>(i);
  return static_cast<std::uint8_t>(free_values + long_to_int4(i - free_values));
}

std::uint32_t byte4_to_length(std::uint8_t b) {
  int i = b;
  if (i < free_values) return static_cast<std::uint32_t>(i);
  return static_cast<std::uint32_t>(free_values + int4_to_long(i - free_values));
}

std::vector<float> document_norms(const Bm25Params& p, const std::vector<std::uint32_t>& lengths, double avgdl) {
  std::vector<float> out(lengths.size());
  float avg = static_cast<float>(avgdl > 0 ? avgdl : 1.0);
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    float dl = static_cast<float>(p.variant == Variant::lucene ? byte4_to_length(length_to_byte4(lengths[i])) : lengths[i]);
    out[i] = p.k1 * ((1.0f - p.b) + p.b * dl / avg);
  }
  return out;
}

}  // namespace hewn::index
