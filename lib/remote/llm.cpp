#include "remote/llm.hpp"

#include "core/error.hpp"
#include "remote/embeddings.hpp"

namespace hewn::remote {

RemoteCompleter::RemoteCompleter(Session session, LlmOptions options)
    : session_(session), o_(std::move(options)), chat_(session), completions_(session, o_.model) {
  if (o_.model.empty()) throw UsageError("the LLM needs --llm-model NAME");
  name_ = model_identity(session_.endpoint.base_url, o_.model, 0);
}

void RemoteCompleter::complete(std::span<const Prompt> prompts, std::vector<std::string>& answers,
                               std::vector<std::string>& errors) const {
  std::vector<ChatRequest> requests(prompts.size());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    ChatRequest& r = requests[i];
    r.model = o_.model;
    r.messages.push_back({"user", prompts[i].text});
    r.temperature = o_.temperature;
    if (o_.seed) r.seed = *o_.seed + prompts[i].attempt;
    if (prompts[i].max_tokens) r.max_tokens = prompts[i].max_tokens;
  }
  std::vector<ChatAnswer> got;
  chat_.complete(requests, got, errors);
  answers.assign(prompts.size(), std::string());
  for (std::size_t i = 0; i < got.size(); ++i) answers[i] = std::move(got[i].content);
}

void RemoteCompleter::logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenScore>>& out,
                               std::vector<std::string>& errors) const {
  std::vector<std::vector<TokenLogprob>> got;
  completions_.logprobs(texts, got, errors);
  out.assign(texts.size(), {});
  for (std::size_t i = 0; i < got.size(); ++i)
    for (const TokenLogprob& t : got[i]) {
      // Where the token's first character that is not white space is (a
      // BPE token " The" starts at the space that ends the previous sentence).
      std::uint64_t lead = 0;
      for (std::size_t k = 0; k < t.token.size(); ++k) {
        char c = t.token[k];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') break;
        ++lead;
      }
      if (lead == t.token.size()) lead = 0;  // a token of white space only
      out[i].push_back({t.offset + lead, t.logprob});
    }
}

}  // namespace hewn::remote
