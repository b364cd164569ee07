// Reading .tiktoken rank files (file I/O kept apart from the BPE algorithm).
#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "core/input.hpp"
#include "tokenize/bpe.hpp"
#include "tokenize/sha256.hpp"

namespace hewn::tokenize {
namespace {

int b64(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool decode_base64(std::string_view s, std::string& out) {
  out.clear();
  if (s.empty() || s.size() % 4 != 0) return false;
  for (std::size_t i = 0; i < s.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      unsigned char c = s[i + k];
      if (c == '=' && i + 4 == s.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;
        v[k] = b64(c);
        if (v[k] < 0) return false;
      }
    }
    std::uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(w >> 16);
    if (pad < 2) out += static_cast<char>((w >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(w & 0xFF);
  }
  return true;
}

}  // namespace

RankTable read_tiktoken(const std::string& path, const std::string& sha256, const std::string& name) {
  auto src = io::open_input(path);
  std::string data = io::read_all(*src);
  if (!sha256.empty()) {
    std::string got = sha256_hex(data);
    if (got != sha256) data_error(path, 0, "SHA-256 is " + got + ", expected " + sha256 + " (" + name + ")");
  }
  RankTable table;
  std::vector<std::uint64_t> line_of;  // by rank
  std::string bytes;
  std::size_t pos = 0;
  std::uint64_t line = 0;
  // Ranks are dense in real rank files: one far beyond the number of lines
  // is refused before tables are sized by it.
  const std::uint64_t max_rank = 2 * static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n')) + 1024;
  while (pos < data.size()) {
    std::size_t eol = data.find('\n', pos);
    if (eol == std::string::npos) eol = data.size();
    std::string_view l(data.data() + pos, eol - pos);
    pos = eol + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) continue;
    std::size_t sp = l.find(' ');
    std::uint32_t rank = 0;
    bool ok = sp != std::string_view::npos && decode_base64(l.substr(0, sp), bytes);
    if (ok) {
      auto num = l.substr(sp + 1);
      auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), rank);
      ok = ec == std::errc() && end == num.data() + num.size() && !num.empty() && rank < 0x7FFFFFFF;
    }
    if (!ok) data_error(path, line, "expected \"BASE64 RANK\"");
    if (rank > max_rank) data_error(path, line, "rank " + std::to_string(rank) + " is out of range (ranks must be dense)");
    if (!table.add(bytes, rank)) data_error(path, line, "duplicate token or rank " + std::to_string(rank));
    if (rank >= line_of.size()) line_of.resize(std::size_t(rank) + 1);
    line_of[rank] = line;
  }
  if (std::uint32_t dup = table.finish(); dup != RankTable::none)
    data_error(path, line_of[dup], "duplicate token or rank " + std::to_string(dup));
  for (int c = 0; c < 256; ++c)
    if (table.byte(static_cast<unsigned char>(c)) == RankTable::none) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", c);
      data_error(path, 0, std::string("no rank for byte ") + buf);
    }
  return table;
}

}  // namespace hewn::tokenize
