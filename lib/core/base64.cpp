#include "core/base64.hpp"

#include <cstdint>

namespace hewn {
namespace {
constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

void append_base64(std::string& out, const unsigned char* d, std::size_t n) {
  std::size_t at = out.size();
  out.resize(at + (n + 2) / 3 * 4);  // written in place, four characters per three bytes
  char* w = out.data() + at;
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3, w += 4) {
    std::uint32_t v = d[i] << 16 | d[i + 1] << 8 | d[i + 2];
    w[0] = tbl[v >> 18];
    w[1] = tbl[(v >> 12) & 63];
    w[2] = tbl[(v >> 6) & 63];
    w[3] = tbl[v & 63];
  }
  if (n - i == 1) {
    std::uint32_t v = d[i] << 16;
    w[0] = tbl[v >> 18];
    w[1] = tbl[(v >> 12) & 63];
    w[2] = w[3] = '=';
  } else if (n - i == 2) {
    std::uint32_t v = d[i] << 16 | d[i + 1] << 8;
    w[0] = tbl[v >> 18];
    w[1] = tbl[(v >> 12) & 63];
    w[2] = tbl[(v >> 6) & 63];
    w[3] = '=';
  }
}

bool decode_base64(std::string_view t, std::string& out) {
  static const auto value = [] {
    struct Table {
      signed char v[256];
    } tb{};
    for (int c = 0; c < 256; ++c) tb.v[c] = -1;
    for (int i = 0; i < 64; ++i) tb.v[static_cast<unsigned char>(tbl[i])] = static_cast<signed char>(i);
    return tb;
  }();
  if (t.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < t.size(); i += 4) {
    const bool last = i + 4 == t.size();
    const std::size_t pad = last ? (t[i + 3] == '=') + (t[i + 3] == '=' && t[i + 2] == '=') : 0;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      signed char d = k < 4 - pad ? value.v[static_cast<unsigned char>(t[i + k])] : 0;
      if (d < 0) return false;
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<char>(v >> 16));
    if (pad == 2) return (v & 0xFFFF) == 0;
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
    if (pad == 1) return (v & 0xFF) == 0;
    out.push_back(static_cast<char>(v & 0xFF));
  }
  return true;
}

}  // namespace hewn
