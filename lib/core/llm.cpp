#include "core/llm.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace hewn {

void DryRun::complete(std::span<const Prompt> prompts, std::vector<std::string>& answers,
                      std::vector<std::string>& errors) const {
  answers.assign(prompts.size(), std::string());
  errors.assign(prompts.size(), std::string());
  for (const Prompt& p : prompts) {
    chat_requests.fetch_add(1, std::memory_order_relaxed);
    prompt_tokens.fetch_add((p.text.size() + 3) / 4, std::memory_order_relaxed);
    answer_tokens.fetch_add(p.max_tokens, std::memory_order_relaxed);
  }
}

void DryRun::logprobs(std::span<const std::string> texts, std::vector<std::vector<TokenScore>>& out,
                      std::vector<std::string>& errors) const {
  out.assign(texts.size(), {TokenScore{}});
  errors.assign(texts.size(), std::string());
  for (const std::string& t : texts) {
    logprob_requests.fetch_add(1, std::memory_order_relaxed);
    prompt_tokens.fetch_add((t.size() + 3) / 4 + 1, std::memory_order_relaxed);
    answer_tokens.fetch_add(1, std::memory_order_relaxed);
  }
}

namespace {

// Calls on(literal) and on_name(name) for the parts of tmpl.
template <class Lit, class Name>
void scan(std::string_view tmpl, std::string_view source, Lit on_literal, Name on_name) {
  std::size_t i = 0;
  while (i < tmpl.size()) {
    std::size_t j = tmpl.find_first_of("{}", i);
    if (j == std::string_view::npos) {
      on_literal(tmpl.substr(i));
      return;
    }
    on_literal(tmpl.substr(i, j - i));
    if (j + 1 < tmpl.size() && tmpl[j + 1] == tmpl[j]) {  // {{ or }}
      on_literal(tmpl.substr(j, 1));
      i = j + 2;
      continue;
    }
    if (tmpl[j] == '}') {  // a lone } stands for itself
      on_literal("}");
      i = j + 1;
      continue;
    }
    std::size_t k = tmpl.find('}', j);
    if (k == std::string_view::npos) throw UsageError(std::string(source) + ": unclosed { in the template");
    on_name(tmpl.substr(j + 1, k - j - 1));
    i = k + 1;
  }
}

std::string known_list(std::span<const std::string_view> known) {
  std::string s;
  for (auto k : known) s += (s.empty() ? "{" : ", {") + std::string(k) + "}";
  return s;
}

}  // namespace

std::string fill_template(std::string_view tmpl, std::string_view source,
                          std::span<const std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  scan(
      tmpl, source, [&](std::string_view lit) { out += lit; },
      [&](std::string_view name) {
        for (const auto& [k, v] : values)
          if (k == name) {
            out += v;
            return;
          }
        std::vector<std::string_view> known;
        for (const auto& kv : values) known.push_back(kv.first);
        throw UsageError(std::string(source) + ": unknown placeholder {" + std::string(name) + "} (known: " +
                         known_list(known) + ")");
      });
  return out;
}

void check_template(std::string_view tmpl, std::string_view source, std::span<const std::string_view> known,
                    std::span<const std::string_view> required) {
  std::vector<std::string_view> used;
  scan(
      tmpl, source, [](std::string_view) {},
      [&](std::string_view name) {
        if (std::find(known.begin(), known.end(), name) == known.end())
          throw UsageError(std::string(source) + ": unknown placeholder {" + std::string(name) + "} (known: " +
                           known_list(known) + ")");
        used.push_back(name);
      });
  for (auto r : required)
    if (std::find(used.begin(), used.end(), r) == used.end())
      throw UsageError(std::string(source) + ": the template must use {" + std::string(r) + "}");
}

}  // namespace hewn
