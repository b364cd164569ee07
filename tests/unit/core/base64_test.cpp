#include <doctest/doctest.h>

#include <string>

#include "core/base64.hpp"

using namespace hewn;

TEST_CASE("base64: RFC 4648 test vectors, both ways") {
  auto enc = [](std::string s) {
    std::string out;
    append_base64(out, reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return out;
  };
  auto dec = [](std::string s) {
    std::string out;
    return decode_base64(s, out) ? out : std::string("<bad>");
  };
  for (const std::string& s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x80", 3)}) {
    CHECK(dec(enc(s)) == s);
  }
  CHECK(enc("f") == "Zg==");
  CHECK(enc("fo") == "Zm8=");
  CHECK(enc("foobar") == "Zm9vYmFy");
  CHECK(dec("Zm9vYmFy") == "foobar");
  CHECK(dec("Zg==") == "f");
  // Not canonical padded base64:
  CHECK(dec("Zg") == "<bad>");        // length not a multiple of 4
  CHECK(dec("Zg=a") == "<bad>");      // padding inside
  CHECK(dec("Zg==Zg==") == "<bad>");  // padding before the end
  CHECK(dec("Zh==") == "<bad>");      // bits left after the last byte
  CHECK(dec("Zm9!") == "<bad>");      // outside the alphabet
  CHECK(dec("====") == "<bad>");
}
