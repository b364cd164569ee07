#include "embed/fastmath.hpp"

#include <cmath>

namespace hewn::embed {

// On x86-64 each kernel is compiled for AVX-512 (x86-64-v4) and AVX2+FMA
// (haswell) too, picked at load time (ifunc) where the CPU has them. Sums
// and maxima run in kLanes independent accumulators, which the compiler keeps in
// vector registers (a single running sum is a chain of dependent scalar
// adds), and are combined in a fixed order, so a result does not depend on
// which thread computes it.
namespace {
constexpr std::size_t kLanes = 16;

// The sum of term(j) for j < n, in lanes (term may store as it goes).
template <class Term>
[[gnu::always_inline]] inline float lane_sum(std::size_t n, Term term) {
  float acc[kLanes] = {};
  std::size_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) acc[l] += term(j + l);
  for (std::size_t l = 0; j < n; ++j, ++l) acc[l] += term(j);
  float s = 0;
  for (std::size_t l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}
}  // namespace

#if defined(__x86_64__)
#define HEWN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=haswell", "default")))
#else  // other CPUs: one build, for the compiler's target
#define HEWN_CLONES
#endif

HEWN_CLONES void gelu(float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.5f * v[i] * (1.0f + fast_erf(v[i] * 0.70710678118654752f));
}

HEWN_CLONES void softmax_rows(float* s, std::size_t rows, std::size_t n) {
  if (n == 0) return;
  for (std::size_t r = 0; r < rows; ++r, s += n) {
    float mx[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) mx[l] = s[0];
    std::size_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
      for (std::size_t l = 0; l < kLanes; ++l) mx[l] = s[j + l] > mx[l] ? s[j + l] : mx[l];
    for (std::size_t l = 0; j < n; ++j, ++l) mx[l] = s[j] > mx[l] ? s[j] : mx[l];
    float m = mx[0];
    for (std::size_t l = 1; l < kLanes; ++l) m = mx[l] > m ? mx[l] : m;
    const float inv = 1.0f / lane_sum(n, [&](std::size_t k) { return s[k] = fast_exp(s[k] - m); });
    for (j = 0; j < n; ++j) s[j] *= inv;
  }
}

HEWN_CLONES void add_layer_norm(float* x, const float* r, std::size_t m, std::size_t h, const float* g,
                                const float* b, float eps) {
  if (h == 0) return;
  for (std::size_t i = 0; i < m; ++i) {
    float* row = x + i * h;
    if (r) {
      const float* rr = r + i * h;
      for (std::size_t j = 0; j < h; ++j) row[j] += rr[j];
    }
    const float mean = lane_sum(h, [&](std::size_t j) { return row[j]; }) / static_cast<float>(h);
    const float var = lane_sum(h, [&](std::size_t j) { return (row[j] - mean) * (row[j] - mean); });
    const float inv = 1.0f / std::sqrt(var / static_cast<float>(h) + eps);
    for (std::size_t j = 0; j < h; ++j) row[j] = (row[j] - mean) * inv * g[j] + b[j];
  }
}

// Exact: contraction into fused multiply-adds is off here (GCC contracts
// by default in C++).
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
HEWN_CLONES void add_scaled(float* __restrict out, const float* __restrict row, float scale, std::size_t n) {
  if (scale == 1.0f) {
    for (std::size_t j = 0; j < n; ++j) out[j] += row[j];
    return;
  }
  for (std::size_t j = 0; j < n; ++j) out[j] += row[j] * scale;
}
#pragma GCC pop_options

}  // namespace hewn::embed
