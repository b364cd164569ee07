// The language-model port (core/llm.hpp) over an OpenAI-compatible endpoint:
// prompts go to POST {base}/chat/completions as one user message, with
// temperature (0 by default) and a seed (the server takes it or ignores it;
// an answer asked again after an unusable one gets seed + attempt, so it is
// another request, not the cached one); log-probabilities come from POST
// {base}/completions with echo (see completions.hpp). Both go through the
// session's transport (concurrency, retries, rate limits) and cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/llm.hpp"
#include "remote/chat.hpp"
#include "remote/completions.hpp"

namespace hewn::remote {

struct LlmOptions {
  std::string model;                    // the server's model name (required)
  double temperature = 0;
  std::optional<std::int64_t> seed = 0;  // none: not sent
};

class RemoteCompleter final : public Completer {
 public:
  // Errors: UsageError "the LLM needs --llm-model NAME" (an empty model).
  RemoteCompleter(Session session, LlmOptions options);
  // model_identity() of the base URL and the model.
  const std::string& name() const override { return name_; }
  // Errors: those of ChatClient::complete().
  void complete(std::span<const Prompt> prompts, std::vector<std::string>& answers,
                std::vector<std::string>& errors) const override;
  // Errors: those of CompletionsClient::logprobs().
  void logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenScore>>& out,
                std::vector<std::string>& errors) const override;
  Stats& stats() const { return session_.transport->stats(); }

 private:
  Session session_;
  LlmOptions o_;
  ChatClient chat_;
  CompletionsClient completions_;
  std::string name_;
};

}  // namespace hewn::remote
