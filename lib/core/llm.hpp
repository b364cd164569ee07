// The language-model port: what the LLM-driven chunkers and enrichers (chunk
// -s lumber, perplexity, margin, intent; --context llm; --questions) and
// score's MoC measures need from a model (answers to prompts, the
// log-probabilities of a text's tokens) without linking one. lib/remote
// implements it over an OpenAI-compatible endpoint; cmd/ composes it and
// hands it down, so lib/chunk never links libcurl (the TextEncoder pattern of
// core/encoder.hpp). DryRun implements it without a model, to count what a
// run would ask for (--dry-run).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hewn {

struct Prompt {
  std::string text;              // the user message (a filled template)
  std::uint32_t max_tokens = 0;  // the longest answer wanted (0: the server's default)
  std::uint32_t attempt = 0;     // 0, then 1, 2... when an unusable answer is asked again (seed + attempt)
};

struct TokenScore {
  std::uint64_t offset = 0;       // where the token's first character that is not white space is
                                  // (its start for a token of white space only), in code points
  std::optional<double> logprob;  // natural log; none for the first token
};

class Completer {
 public:
  virtual ~Completer() = default;
  // The model's identity (BASE#model=NAME for a remote one).
  virtual const std::string& name() const = 0;
  // answers[i] for prompts[i]; errors[i] is "" or why there is none (a
  // request that failed after its retries). Requests go out concurrently.
  // Thread-safe. Errors: UsageError when the endpoint is wrong for every
  // request (401, 403, 404); DataError when the answer cache cannot be written.
  virtual void complete(std::span<const Prompt> prompts, std::vector<std::string>& answers,
                        std::vector<std::string>& errors) const = 0;
  // The tokens of each text (valid UTF-8) with their log-probabilities;
  // errors[i] is "" or why text i has none. Thread-safe.
  // Errors: those of complete().
  virtual void logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenScore>>& out,
                        std::vector<std::string>& errors) const = 0;
  // True when answers are not a model's (DryRun): callers take their
  // fallback at once instead of asking again.
  virtual bool dry() const { return false; }
};

// Counts what would be asked: requests, and tokens estimated as UTF-8 bytes
// / 4 (prompt and text) plus each prompt's max_tokens (the most an answer
// may take). Answers are empty, log-probabilities absent (every text gets
// one token without a score), so that callers take their documented
// fallbacks; a strategy whose next question depends on an answer (lumber)
// is then counted on the fallback's path, an estimate. Thread-safe.
class DryRun final : public Completer {
 public:
  const std::string& name() const override { return name_; }
  void complete(std::span<const Prompt> prompts, std::vector<std::string>& answers,
                std::vector<std::string>& errors) const override;
  void logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenScore>>& out,
                std::vector<std::string>& errors) const override;
  bool dry() const override { return true; }

  mutable std::atomic<std::uint64_t> chat_requests{0}, logprob_requests{0}, prompt_tokens{0}, answer_tokens{0};

 private:
  std::string name_ = "dry-run";
};

// A template's text with each {name} replaced by its value; "{{" and "}}"
// stand for single braces. Errors: UsageError "<source>: unknown
// placeholder {x} (known: {a}, {b})", "<source>: unclosed {".
std::string fill_template(std::string_view tmpl, std::string_view source,
                          std::span<const std::pair<std::string_view, std::string_view>> values);

// Checks that tmpl uses only known placeholders, and each of `required`.
// Errors: those of fill_template(); UsageError "<source>: the template must
// use {x}".
void check_template(std::string_view tmpl, std::string_view source, std::span<const std::string_view> known,
                    std::span<const std::string_view> required);

}  // namespace hewn
