#include <doctest/doctest.h>

#include <charconv>
#include <cstdio>
#include <random>

#include "score/text_fields.hpp"

using namespace hewn::score::detail;

TEST_CASE("fast decimal parsing rounds exactly like from_chars") {
  std::mt19937_64 rng(3);
  char buf[64];
  for (int i = 0; i < 20000; ++i) {
    double x = std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    int prec = static_cast<int>(rng() % 12);
    int n = std::snprintf(buf, sizeof buf, "%.*f", prec, x);
    std::string_view s(buf, static_cast<std::size_t>(n));
    double ref = 0;
    std::from_chars(s.data(), s.data() + s.size(), ref);
    auto got = parse_double(s);
    REQUIRE(got);
    REQUIRE(*got == ref);
  }
  for (std::string_view s : {"0.000000000000000123", "1e5", "2.5E-3", "123456789012345678", "-0", "+1.5", "1.", ".5"}) {
    std::string_view t = s[0] == '+' ? s.substr(1) : s;
    double ref = 0;
    std::from_chars(t.data(), t.data() + t.size(), ref);
    REQUIRE(parse_double(s));
    CHECK(*parse_double(s) == ref);
  }
  for (std::string_view bad : {"", "-", ".", "1.2.3", "abc", "1x", "nan", "NaN", "--1"}) CHECK_FALSE(parse_double(bad));
}
