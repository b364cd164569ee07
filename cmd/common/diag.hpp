// A tool's diagnostics on standard error: one line each, "tool: message",
// a line end inside a message (a path or an id holding a newline) written
// as \n or \r, so that every message stays one line. Thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace hewn::cli {

class Diag {
 public:
  explicit Diag(std::string tool) : tool_(std::move(tool)) {}
  const std::string& tool() const { return tool_; }
  // "tool: message": an error, or a count at the end of a run.
  void error(std::string_view message) const { line("", message); }
  // "tool: warning: message".
  void warning(std::string_view message) const { line("warning: ", message); }
  // As warning(), once per distinct message.
  void warning_once(std::string_view message);

 private:
  void line(std::string_view kind, std::string_view message, std::string_view tail = "") const;
  friend void report_usage(const Diag&, std::string_view);
  std::string tool_;
  std::mutex mu_;
  std::set<std::string, std::less<>> warned_;
};

// "tool: message (see --help)", for command-line errors.
void report_usage(const Diag& diag, std::string_view message);

}  // namespace hewn::cli
