#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/half.hpp"
#include "embed/handler.hpp"
#include "embed/hash.hpp"

using namespace hewn;
using namespace hewn::embed;

TEST_CASE("fnv1a: published 64-bit test vectors") {
  CHECK(fnv1a("") == 0xcbf29ce484222325ull);
  CHECK(fnv1a("a") == 0xaf63dc4c8601ec8cull);
  CHECK(fnv1a("foobar") == 0x85944171f73967e8ull);
  CHECK(fnv1a("bar", fnv1a("foo")) == fnv1a("foobar"));
}

TEST_CASE("hash: one word, worked by hand") {
  // "ab" gives the features w:ab, c:<ab, c:<ab>, c:ab> each once; with dim 1
  // every feature lands in slot 0 with weight sqrt(1) and its sign bit.
  int sum = 0;
  for (const char* f : {"w:ab", "c:<ab", "c:<ab>", "c:ab>"}) sum += (fnv1a(f) >> 63) ? -1 : 1;
  auto e = make_hash_embedder(1, false);
  float v;
  e->embed("AB", &v);
  CHECK(v == static_cast<float>(sum));
  // Unit length when normalized, and case and punctuation do not matter.
  auto n = make_hash_embedder(16, true);
  std::vector<float> a(16), b(16);
  n->embed("Hello, World!", a.data());
  n->embed("hello world", b.data());
  CHECK(a == b);
  double s = 0;
  for (float x : a) s += x * x;
  CHECK(std::abs(s - 1) < 1e-6);
}

TEST_CASE("hash: repeated terms weigh the square root of their count") {
  auto e = make_hash_embedder(1 << 20, false);
  std::vector<float> v(1 << 20);
  e->embed("zz zz zz zz", v.data());
  std::uint64_t h = fnv1a("w:zz");
  float got = v[static_cast<std::uint32_t>(h) % (1 << 20)];
  CHECK(std::abs(got) >= 2.0f);  // 4 occurrences: sqrt(4), plus any colliding feature
}

TEST_CASE("hash: a text's vector does not depend on the texts before it") {
  // The embedder keeps per-thread scratch (a feature table sized by each
  // text): a long text in between must leave nothing behind.
  auto e = make_hash_embedder(64, true);
  std::string lng;
  for (int i = 0; i < 3000; ++i) {
    lng += 'w';
    lng += std::to_string(i * 7919);
    lng += i % 3 ? " " : ", ";
  }
  std::vector<float> a(64), b(64), c(64), d(64);
  e->embed("the cat sat on the mat", a.data());
  e->embed(lng, b.data());
  e->embed("the cat sat on the mat", c.data());
  CHECK(a == c);
  e->embed("", d.data());
  e->embed(lng, c.data());
  CHECK(b == c);
}

TEST_CASE("hash: lowercase longer than its capital") {
  // U+023A (2 bytes in UTF-8) lowercases to U+2C65 (3 bytes): the folded
  // text outgrows the input.
  auto e = make_hash_embedder(64, true);
  std::string upper, lower;
  for (int i = 0; i < 500; ++i) {
    upper += "\xC8\xBA\xC8\xBA ";
    lower += "\xE2\xB1\xA5\xE2\xB1\xA5 ";
  }
  std::vector<float> a(64), b(64);
  e->embed(upper, a.data());
  e->embed(lower, b.data());
  CHECK(a == b);
  CHECK(std::any_of(a.begin(), a.end(), [](float x) { return x != 0; }));
}

TEST_CASE("hash: dim 0 is a usage error") { CHECK_THROWS_AS(make_hash_embedder(0, true), hewn::UsageError); }

TEST_CASE("half precision conversions") {
  CHECK(float_to_half(1.0f) == 0x3C00);
  CHECK(float_to_half(-2.0f) == 0xC000);
  CHECK(float_to_half(65504.0f) == 0x7BFF);
  CHECK(float_to_half(65520.0f) == 0x7C00);  // rounds to infinity
  CHECK(float_to_half(5.9604645e-8f) == 0x0001);  // smallest subnormal
  CHECK(float_to_half(2.9802322e-8f) == 0x0000);  // half of it: ties to even
  CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3C00);  // tie, even stays
  CHECK(float_to_half(1.0f + 3.0f / 2048) == 0x3C02);  // tie, odd rounds up
  for (std::uint32_t h = 0; h < 0x7C00; ++h) {  // every finite half round-trips
    CHECK_MESSAGE(float_to_half(half_to_float(static_cast<std::uint16_t>(h))) == h, h);
    CHECK_MESSAGE(float_to_half(-half_to_float(static_cast<std::uint16_t>(h))) == (h | 0x8000), h);
  }
  CHECK(half_to_float(0x3555) == doctest::Approx(0.33325195));
  CHECK(bf16_to_float(0x3F80) == 1.0f);
}
