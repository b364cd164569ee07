#include "remote/completions.hpp"

#include "core/json.hpp"
#include "core/utf8.hpp"
#include "remote/json_reader.hpp"

namespace hewn::remote {

std::string logprobs_body(std::string_view model, std::string_view text) {
  std::string out = "{\"model\":";
  json::append_string(out, model);
  out += ",\"prompt\":";
  json::append_string(out, text);
  out += ",\"max_tokens\":1,\"echo\":true,\"logprobs\":0,\"temperature\":0}";
  return out;
}

std::vector<TokenLogprob> parse_logprobs(std::string_view body, std::uint64_t text_length) {
  simdjson::dom::parser p;
  jr::object top = jr::as_object(jr::parse(p, body), "");
  jr::array choices = jr::as_array(jr::require(top, "choices", ""), ".choices");
  if (choices.size() == 0) jr::bad(".choices", "is empty");
  jr::object c0 = jr::as_object(choices.at(0).value(), ".choices[0]");
  jr::element lpe = jr::require(c0, "logprobs", ".choices[0]");
  if (lpe.is_null()) throw BadResponse("response field .choices[0].logprobs is null (the server does not echo log-probabilities)");
  jr::object lp = jr::as_object(lpe, ".choices[0].logprobs");
  const std::string base = ".choices[0].logprobs";
  jr::array tokens = jr::as_array(jr::require(lp, "tokens", base), base + ".tokens");
  jr::array logprobs = jr::as_array(jr::require(lp, "token_logprobs", base), base + ".token_logprobs");
  jr::array offsets = jr::as_array(jr::require(lp, "text_offset", base), base + ".text_offset");
  if (logprobs.size() != tokens.size() || offsets.size() != tokens.size())
    throw BadResponse("response field " + base + ".tokens has " + std::to_string(tokens.size()) +
                      " items, token_logprobs " + std::to_string(logprobs.size()) + ", text_offset " +
                      std::to_string(offsets.size()));
  std::vector<TokenLogprob> out;
  auto t = tokens.begin(), l = logprobs.begin(), o = offsets.begin();
  std::uint64_t last = 0;
  for (std::size_t i = 0; t != tokens.end(); ++t, ++l, ++o, ++i) {
    std::string idx = "[" + std::to_string(i) + "]";
    TokenLogprob tl;
    tl.offset = jr::as_index(*o, base + ".text_offset" + idx);
    if (tl.offset < last) jr::bad(base + ".text_offset" + idx, "goes backwards");
    last = tl.offset;
    if (tl.offset >= text_length) break;  // the generated token
    tl.token = jr::as_string(*t, base + ".tokens" + idx);
    if (!(*l).is_null()) tl.logprob = jr::as_number(*l, base + ".token_logprobs" + idx);
    out.push_back(std::move(tl));
  }
  return out;
}

CompletionsClient::CompletionsClient(Session session, std::string model)
    : service_(std::move(session), "completions"), model_(std::move(model)) {}

void CompletionsClient::logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenLogprob>>& out,
                                 std::vector<std::string>& errors) const {
  std::vector<std::string> bodies;
  std::vector<std::uint64_t> lengths;
  for (const std::string& t : texts) {
    bodies.push_back(logprobs_body(model_, t));
    lengths.push_back(utf8::count(t));
  }
  out.assign(texts.size(), {});
  errors.assign(texts.size(), std::string());
  std::vector<Reply> replies;
  service_.call(
      bodies, [&](std::size_t i, std::string_view body) { out[i] = parse_logprobs(body, lengths[i]); }, replies);
  for (std::size_t i = 0; i < texts.size(); ++i)
    if (!replies[i].ok) {
      out[i].clear();
      errors[i] = replies[i].error;
    }
}

}  // namespace hewn::remote
