#include "core/error.hpp"

#include <cstdio>

namespace hewn {

std::string located(std::string_view source, std::uint64_t line, std::string_view what) {
  std::string out(source);
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
  }
  out += ": ";
  out += what;
  return out;
}

void data_error(std::string_view source, std::uint64_t line, std::string_view what) {
  throw DataError(located(source, line, what));
}

std::string quoted(std::string_view name) {
  std::string out = "\"";
  for (unsigned char c : name) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

}  // namespace hewn
