// Vectorizable float exp and erf for the encoder's softmax and GELU (glibc's
// expf/erff are scalar calls and took a quarter of the forward pass), and
// the row sums of model2vec; the encoder's LayerNorm.
// Accuracy (checked against std::exp/std::erf in tests/unit/embed): exp
// within 3 ulp on [-87, 88]; erf within 5e-7 absolute.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace hewn::embed {

// Cephes-style: exp(x) = 2^n * exp(r), r = x - n ln2 in [-ln2/2, ln2/2],
// exp(r) by a degree-6 polynomial.
inline float fast_exp(float x) {
  // Written so that NaN clamps too (casting NaN to int below is undefined).
  x = x < 88.3762626647949f ? x : 88.3762626647949f;
  x = x > -87.3365478515625f ? x : -87.3365478515625f;
  // Round to nearest by the 1.5 * 2^23 trick (vectorizes without SSE4.1's roundps).
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  std::int32_t e = static_cast<std::int32_t>(n) + 127;
  return y * std::bit_cast<float>(static_cast<std::uint32_t>(e) << 23);
}

// A rational approximation (odd numerator of degree 13 over an even
// denominator of degree 8) on [-4, 4]; erf is +-1 in float beyond.
inline float fast_erf(float x) {
  x = x > 4.0f ? 4.0f : x;
  x = x < -4.0f ? -4.0f : x;
  float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * x;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return p / q;
}

// GELU (exact form, 0.5 x (1 + erf(x / sqrt 2))) over n values in place.
void gelu(float* v, std::size_t n);

// out[j] += row[j] * scale for j < n (out[j] += row[j] when scale is 1:
// the same values). Each product and sum is rounded on its own (no fused
// multiply-add), so the result is the same on every instruction set.
void add_scaled(float* out, const float* row, float scale, std::size_t n);

// Softmax of each of rows rows of n values in place.
void softmax_rows(float* s, std::size_t rows, std::size_t n);

// x = LayerNorm(x + r) for each of m rows of h values (r may be null: no
// residual), with gain g and bias b (h values each) and eps added to the
// variance (mean of squared deviations, as torch's LayerNorm).
void add_layer_norm(float* x, const float* r, std::size_t m, std::size_t h, const float* g, const float* b,
                    float eps);

}  // namespace hewn::embed
