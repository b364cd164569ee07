#include "common/diag.hpp"

#include <cstdio>

namespace hewn::cli {

void Diag::line(std::string_view kind, std::string_view message, std::string_view tail) const {
  std::string text = tool_ + ": ";
  text += kind;
  for (char c : message) {
    if (c == '\n')
      text += "\\n";
    else if (c == '\r')
      text += "\\r";
    else
      text += c;
  }
  text += tail;
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);  // one write: lines of threads never mix
}

void Diag::warning_once(std::string_view message) {
  {
    std::lock_guard lock(mu_);
    if (!warned_.emplace(message).second) return;
  }
  warning(message);
}

void report_usage(const Diag& diag, std::string_view message) { diag.line("", message, " (see --help)"); }

}  // namespace hewn::cli
