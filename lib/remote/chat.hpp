// POST {base}/chat/completions, as OpenAI documents it (vLLM, llama.cpp's
// server, Ollama, LM Studio and Azure serve the same shape):
//   request  {"model": M, "messages": [{"role": R, "content": C}, ...],
//             "temperature": T, "seed": S, "max_tokens": N,
//             "response_format": {"type": "json_object"}}  (each optional
//             field only when set)
//   response {"choices": [{"message": {"content": C}, "finish_reason": F}],
//             "usage": {"prompt_tokens": P, "completion_tokens": Q}}
// For the LLM-driven chunkers and rerankers to come: a chunker asks many
// questions at once and gets each answer or its error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "remote/service.hpp"

namespace hewn::remote {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  std::optional<double> temperature;      // 0 for the most repeatable answers
  std::optional<std::int64_t> seed;       // where the server honours it
  std::optional<std::uint32_t> max_tokens;
  bool json = false;                      // response_format json_object: the answer is one JSON object
};

struct ChatAnswer {
  std::string content;
  std::string finish_reason;  // "stop", "length", ... ("" when absent)
  std::uint64_t prompt_tokens = 0, completion_tokens = 0;
};

// The request body. Errors: none.
std::string chat_body(const ChatRequest& r);

// Parses a response (the first choice).
// Errors: BadResponse "response is not valid JSON (...)", "response has no
// field .choices", "response field .choices is empty", "response field
// .choices[0].message.content is not a string" (null: a refusal or a tool
// call), and with json, "response content is not a JSON object".
ChatAnswer parse_chat(std::string_view body, bool json = false);

class ChatClient {
 public:
  explicit ChatClient(Session session);
  // answers[i] for requests[i]; errors[i] is "" or why there is none
  // ("POST URL: HTTP 500 (gave up after 7 attempts)"). Answers come from the
  // cache when the same request was answered before (temperature 0 and a
  // seed make the first answer likelier to be the one a re-run would get).
  // Errors: those of Service::call().
  void complete(std::span<const ChatRequest> requests, std::vector<ChatAnswer>& answers,
                std::vector<std::string>& errors) const;

 private:
  Service service_;
};

}  // namespace hewn::remote
