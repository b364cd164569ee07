// A tokenizer.json tokenizer: added tokens, normalizer + pre-tokenizer
// pipeline, then the word model.
#include <algorithm>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "tokenize/hf_model.hpp"

namespace hewn::tokenize {
namespace {

class HfTokenizer final : public Tokenizer {
 public:
  HfTokenizer(std::string name, NormalizerConfig n, PreTokenizerConfig p, std::unique_ptr<WordModel> model,
              std::vector<AddedToken> added, bool allow_special)
      : name_(std::move(name)), pipeline_(n, std::move(p)), model_(std::move(model)), added_(std::move(added)),
        allow_special_(allow_special) {
    vocab_ = model_->size();
    for (const auto& a : added_) vocab_ = std::max<std::size_t>(vocab_, std::size_t(a.id) + 1);
  }

  std::string_view name() const override { return name_; }
  std::size_t vocab_size() const override { return vocab_; }

  void encode(std::string_view text, std::vector<Token>& out) const override {
    if (!utf8::valid(text)) throw UsageError("text is not valid UTF-8");
    static thread_local Word w;
    auto run = [&](std::size_t b, std::size_t e) {
      pipeline_.words(text.substr(b, e - b), b, w, [&](const Word& word) { model_->tokenize(word, out); });
    };
    if (!allow_special_) {
      run(0, text.size());
      return;
    }
    std::size_t from = 0;
    while (from < text.size()) {
      std::size_t at = std::string_view::npos, len = 0;
      std::uint32_t id = 0;
      for (const auto& a : added_) {
        if (!a.special || a.content.empty()) continue;
        std::size_t p = text.find(a.content, from);
        if (p != std::string_view::npos && (p < at || (p == at && a.content.size() > len)))
          at = p, len = a.content.size(), id = a.id;
      }
      std::size_t end = at == std::string_view::npos ? text.size() : at;
      run(from, end);
      if (at == std::string_view::npos) break;
      out.push_back({id, at, at + len});
      from = at + len;
    }
  }

  std::string decode(const std::vector<std::uint32_t>& ids) const override {
    std::vector<std::string_view> pieces;
    for (std::uint32_t id : ids) {
      bool is_special = std::any_of(added_.begin(), added_.end(), [&](const auto& a) { return a.id == id && a.special; });
      if (is_special) continue;
      std::string_view p = model_->piece(id);
      if (p.empty()) {
        auto it = std::find_if(added_.begin(), added_.end(), [&](const auto& a) { return a.id == id; });
        if (it == added_.end()) throw UsageError("unknown token id " + std::to_string(id));
        p = it->content;
      }
      pieces.push_back(p);
    }
    return model_->join(pieces);
  }

  std::optional<std::uint32_t> special(std::string_view text) const override {
    for (const auto& a : added_)
      if (a.content == text) return a.id;
    return std::nullopt;
  }

  void set_frame(std::vector<std::uint32_t> prefix, std::vector<std::uint32_t> suffix,
                 std::optional<std::size_t> max_length) {
    prefix_ = std::move(prefix);
    suffix_ = std::move(suffix);
    max_length_ = max_length;
  }

 private:
  std::string name_;
  Pipeline pipeline_;
  std::unique_ptr<WordModel> model_;
  std::vector<AddedToken> added_;
  bool allow_special_;
  std::size_t vocab_ = 0;
};

}  // namespace

std::shared_ptr<Tokenizer> make_hf_tokenizer(std::string name, NormalizerConfig n, PreTokenizerConfig p,
                                             std::unique_ptr<WordModel> model, std::vector<AddedToken> added,
                                             std::vector<std::uint32_t> prefix, std::vector<std::uint32_t> suffix,
                                             std::optional<std::size_t> max_length, bool allow_special) {
  auto t = std::make_shared<HfTokenizer>(std::move(name), n, std::move(p), std::move(model), std::move(added),
                                         allow_special);
  t->set_frame(std::move(prefix), std::move(suffix), max_length);
  return t;
}

}  // namespace hewn::tokenize
