// Internal to lib/remote: reading response bodies with simdjson's DOM
// (strict: the on-demand API of Debian's simdjson 3.0.1 accepted {"a":tru}).
// Every accessor raises BadResponse naming the JSON path that is wrong.
#pragma once

#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "remote/response.hpp"

namespace hewn::remote::jr {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Parses body; the parser keeps the document.
// Errors: BadResponse "response is not valid JSON (...)".
inline element parse(simdjson::dom::parser& p, std::string_view body) {
  element e;
  if (auto err = p.parse(body.data(), body.size()).get(e))
    throw BadResponse(std::string("response is not valid JSON (") + simdjson::error_message(err) + ")");
  return e;
}

[[noreturn]] inline void bad(const std::string& path, std::string_view what) {
  throw BadResponse("response field " + path + " " + std::string(what));
}

inline object as_object(element e, const std::string& path) {
  object o;
  if (e.get(o)) bad(path, "is not an object");
  return o;
}

inline array as_array(element e, const std::string& path) {
  array a;
  if (e.get(a)) bad(path, "is not an array");
  return a;
}

// The member key of o, or a null element when absent.
inline bool member(object o, std::string_view key, element& out) { return o.at_key(key).get(out) == simdjson::SUCCESS; }

inline element require(object o, std::string_view key, const std::string& path) {
  element e;
  if (!member(o, key, e)) throw BadResponse("response has no field " + path + "." + std::string(key));
  return e;
}

inline std::string_view as_string(element e, const std::string& path) {
  std::string_view s;
  if (e.get(s)) bad(path, "is not a string");
  return s;
}

inline double as_number(element e, const std::string& path) {
  double d;
  if (e.get(d)) bad(path, "is not a number");
  if (!std::isfinite(d)) bad(path, "is not finite");
  return d;
}

inline std::uint64_t as_index(element e, const std::string& path) {
  std::uint64_t v;
  if (e.get(v)) bad(path, "is not a non-negative integer");
  return v;
}

}  // namespace hewn::remote::jr
