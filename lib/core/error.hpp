// Errors raised by the hewn library. The library never prints and never
// exits: it throws one of these, and the tools in cmd/ map them to exit
// statuses (see hewn(7)): UsageError -> 2, DataError -> 1, BrokenPipe -> 0.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hewn {

// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The caller asked for something impossible: a bad option value, an unknown
// strategy, locale, unit or measure. Exit status 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// The input is wrong or unreadable: malformed JSON, a missing field, invalid
// UTF-8, a truncated archive, an unreadable or corrupt file. Exit status 1.
// The message names the place: "docs.jsonl:17: field \"text\" is not a string".
class DataError : public Error {
 public:
  using Error::Error;
};

// The reader of our output went away (EPIPE). Tools end quietly with status 0.
class BrokenPipe : public std::exception {
 public:
  const char* what() const noexcept override { return "broken pipe"; }
};

// "source:line: what" (line 0 is left out: "source: what").
std::string located(std::string_view source, std::uint64_t line, std::string_view what);

// Throws DataError(located(source, line, what)).
[[noreturn]] void data_error(std::string_view source, std::uint64_t line, std::string_view what);

// Quotes a name for messages: "text" -> "\"text\"", escaping control bytes.
std::string quoted(std::string_view name);

}  // namespace hewn
