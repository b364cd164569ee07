#include "remote/response.hpp"

#include <algorithm>

#include "remote/json_reader.hpp"

namespace hewn::remote {

std::string server_error_text(std::string_view body) {
  std::string text;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (!p.parse(body.data(), body.size()).get(doc)) {
    simdjson::dom::element e;
    std::string_view s;
    simdjson::dom::object o;
    if (!doc.get(o)) {
      if (!o.at_key("error").get(e)) {
        if (!e.get(s))
          text = s;
        else if (!e.at_key("message").get(s))
          text = s;
      }
      if (text.empty() && !o.at_key("message").get(s)) text = s;
      if (text.empty() && !o.at_key("detail").get(s)) text = s;  // FastAPI
    }
  }
  if (text.empty()) {
    std::size_t n = std::min<std::size_t>(body.size(), 200);
    while (n < body.size() && n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) --n;  // whole characters
    text = body.substr(0, n);
  }
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace hewn::remote
