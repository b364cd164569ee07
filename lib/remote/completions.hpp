// POST {base}/completions with "echo" and "logprobs": the log-probability
// the model gives each token of a text (what perplexity-based chunkers
// need), as OpenAI's legacy completions document it:
//   request  {"model": M, "prompt": TEXT, "max_tokens": 1, "echo": true,
//             "logprobs": 0, "temperature": 0}
//   response {"choices": [{"logprobs": {"tokens": [...], "token_logprobs":
//             [null, -2.3, ...], "text_offset": [0, 5, ...]}}]}
// With echo the prompt's tokens come first, then the one generated token,
// which is dropped (max_tokens 1, since some servers refuse 0). vLLM serves
// this; OpenAI only for its base models (davinci-002, babbage-002); see
// embed(1) for which servers do not.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "remote/service.hpp"

namespace hewn::remote {

struct TokenLogprob {
  std::string token;
  std::optional<double> logprob;  // none for the first token (nothing precedes it)
  std::uint64_t offset = 0;       // where the token starts in the text, in the server's unit
                                  // (code points for OpenAI and vLLM)
};

// The request body for text. Errors: none.
std::string logprobs_body(std::string_view model, std::string_view text);

// The prompt's tokens from a response to logprobs_body(text): those whose
// offset is below text_length (in the server's unit; code points for OpenAI
// and vLLM).
// Errors: BadResponse "response is not valid JSON (...)", "response has no
// field .choices[0].logprobs" (a server without echo support), "response
// field .choices[0].logprobs.tokens has 5 items, token_logprobs 4", a
// logprob that is not a number or null, offsets that go backwards.
std::vector<TokenLogprob> parse_logprobs(std::string_view body, std::uint64_t text_length);

class CompletionsClient {
 public:
  CompletionsClient(Session session, std::string model);
  // The token log-probabilities of each text (valid UTF-8); errors[i] is ""
  // or why text i has none. Cached like every call.
  // Errors: those of Service::call().
  void logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenLogprob>>& out,
                std::vector<std::string>& errors) const;

 private:
  Service service_;
  std::string model_;
};

}  // namespace hewn::remote
