#include "remote/chat.hpp"

#include "core/json.hpp"
#include "remote/json_reader.hpp"

namespace hewn::remote {

std::string chat_body(const ChatRequest& r) {
  std::string out = "{\"model\":";
  json::append_string(out, r.model);
  out += ",\"messages\":[";
  for (std::size_t i = 0; i < r.messages.size(); ++i) {
    if (i) out += ',';
    out += "{\"role\":";
    json::append_string(out, r.messages[i].role);
    out += ",\"content\":";
    json::append_string(out, r.messages[i].content);
    out += '}';
  }
  out += ']';
  if (r.temperature) {
    out += ",\"temperature\":";
    json::append_double(out, *r.temperature);
  }
  if (r.seed) {
    out += ",\"seed\":";
    json::append_int(out, *r.seed);
  }
  if (r.max_tokens) {
    out += ",\"max_tokens\":";
    json::append_uint(out, *r.max_tokens);
  }
  if (r.json) out += ",\"response_format\":{\"type\":\"json_object\"}";
  out += '}';
  return out;
}

ChatAnswer parse_chat(std::string_view body, bool json) {
  simdjson::dom::parser p;
  jr::object top = jr::as_object(jr::parse(p, body), "");
  jr::array choices = jr::as_array(jr::require(top, "choices", ""), ".choices");
  if (choices.size() == 0) jr::bad(".choices", "is empty");
  jr::object c0 = jr::as_object(choices.at(0).value(), ".choices[0]");
  jr::object msg = jr::as_object(jr::require(c0, "message", ".choices[0]"), ".choices[0].message");
  ChatAnswer a;
  a.content = jr::as_string(jr::require(msg, "content", ".choices[0].message"), ".choices[0].message.content");
  jr::element e;
  std::string_view s;
  if (jr::member(c0, "finish_reason", e) && !e.get(s)) a.finish_reason = s;
  jr::object u;
  if (jr::member(top, "usage", e) && !e.get(u)) {
    if (jr::member(u, "prompt_tokens", e) && e.get(a.prompt_tokens)) a.prompt_tokens = 0;
    if (jr::member(u, "completion_tokens", e) && e.get(a.completion_tokens)) a.completion_tokens = 0;
  }
  if (json) {
    simdjson::dom::parser q;
    jr::element doc;
    jr::object o;
    if (q.parse(a.content).get(doc) || doc.get(o)) throw BadResponse("response content is not a JSON object");
  }
  return a;
}

ChatClient::ChatClient(Session session) : service_(std::move(session), "chat/completions") {}

void ChatClient::complete(std::span<const ChatRequest> requests, std::vector<ChatAnswer>& answers,
                          std::vector<std::string>& errors) const {
  std::vector<std::string> bodies;
  for (const ChatRequest& r : requests) bodies.push_back(chat_body(r));
  answers.assign(requests.size(), ChatAnswer());
  errors.assign(requests.size(), std::string());
  std::vector<Reply> replies;
  service_.call(
      bodies, [&](std::size_t i, std::string_view body) { answers[i] = parse_chat(body, requests[i].json); }, replies);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!replies[i].ok) {
      answers[i] = ChatAnswer();
      errors[i] = replies[i].error;
      continue;
    }
    service_.session().transport->stats().tokens.fetch_add(answers[i].prompt_tokens + answers[i].completion_tokens,
                                                          std::memory_order_relaxed);
  }
}

}  // namespace hewn::remote
