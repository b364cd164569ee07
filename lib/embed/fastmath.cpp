#include "embed/fastmath.hpp"

namespace hewn::embed {

// Compiled for AVX2+FMA too, picked at load time (ifunc) where the CPU has it.
__attribute__((target_clones("arch=haswell", "default"))) void gelu(float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.5f * v[i] * (1.0f + fast_erf(v[i] * 0.70710678118654752f));
}

__attribute__((target_clones("arch=haswell", "default"))) void softmax_rows(float* s, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r, s += n) {
    float mx = s[0];
    for (std::size_t j = 1; j < n; ++j) mx = s[j] > mx ? s[j] : mx;
    for (std::size_t j = 0; j < n; ++j) s[j] = fast_exp(s[j] - mx);
    float sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += s[j];
    float inv = 1.0f / sum;
    for (std::size_t j = 0; j < n; ++j) s[j] *= inv;
  }
}

// Exact: contraction into fused multiply-adds is off here (GCC contracts
// by default in C++).
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void add_scaled(
    float* __restrict out, const float* __restrict row, float scale, std::size_t n) {
  if (scale == 1.0f) {
    for (std::size_t j = 0; j < n; ++j) out[j] += row[j];
    return;
  }
  for (std::size_t j = 0; j < n; ++j) out[j] += row[j] * scale;
}
#pragma GCC pop_options

}  // namespace hewn::embed
