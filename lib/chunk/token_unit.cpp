#include "chunk/token_unit.hpp"

#include <algorithm>
#include <vector>

#include "core/utf8.hpp"

namespace hewn::chunk {
namespace {

class TokensMeasure final : public Measure {
 public:
  explicit TokensMeasure(std::shared_ptr<const tokenize::Tokenizer> t) : tok_(std::move(t)) {}
  void reset(std::string_view doc) override {
    doc_ = doc;
    doc_size_ = doc.size();
    exact_b_ = exact_e_ = 0;
    tokens_.clear();
    starts_.clear();
    // Kept by the tokenizer for exact() and for the records' "tokens" (BPE
    // counts a span of it from its pieces instead of tokenizing it again).
    tok_->encode_document(doc, tokens_);
    // One pass over the tokens, with the common cases (no leading
    // whitespace, or one byte of it; a start on a character's first byte)
    // free of unpredictable branches: a token's leading spaces (BPE " word")
    // go with the text before, so that trimmed chunks hold the tokens they
    // are counted with.
    starts_.resize(tokens_.size());
    const auto* d = reinterpret_cast<const unsigned char*>(doc.data());
    const std::size_t n = doc.size();
    auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::size_t last = 0;
    std::size_t* out = starts_.data();
    for (const auto& t : tokens_) {
      std::size_t b = t.begin, e = t.end, s = b;
      if (b < e) [[likely]] {
        s = b + static_cast<std::size_t>(space(d[b]));
        if (s < e && space(d[s])) [[unlikely]]
          while (s < e && space(d[s])) ++s;
        s = s == e ? b : s;  // a token of whitespace only starts at its first byte
      }
      // A start inside a multi-byte character moves back to its first byte.
      if (s < n && (d[s] & 0xC0) == 0x80) [[unlikely]]
        while (s > 0 && !utf8::is_boundary(doc, s)) --s;
      // Starts stay in order: a start moved back never passes the previous one's.
      s = s < last ? last : s;
      *out++ = s;
      last = s;
    }
  }
  std::uint64_t size(std::size_t b, std::size_t e) override { return rank(e) - rank(b); }
  std::uint64_t exact(std::size_t b, std::size_t e) override {
    // The splitter and the emitter ask for the same span in turn.
    if (b == exact_b_ && e == exact_e_ && b < e) return exact_n_;
    std::size_t n = tok_->count(doc_.substr(b, e - b));
    exact_n_ = tok_->count_special() ? n - tok_->prefix().size() - tok_->suffix().size() : n;
    exact_b_ = b, exact_e_ = e;
    return exact_n_;
  }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override {
    std::size_t r = rank(b);  // first token starting at or after b
    // The (n+1)-th token from b starts the next chunk; when that is b itself
    // (n == 0, or tokens sharing start b), the first start after b.
    std::size_t i = n < starts_.size() ? r + static_cast<std::size_t>(n) : starts_.size();
    while (i < starts_.size() && starts_[i] <= b) ++i;
    std::size_t c = i < starts_.size() ? starts_[i] : doc_size_;
    return std::min(limit, c);
  }

 private:
  std::size_t rank(std::size_t pos) const {
    return static_cast<std::size_t>(std::lower_bound(starts_.begin(), starts_.end(), pos) - starts_.begin());
  }
  std::shared_ptr<const tokenize::Tokenizer> tok_;
  std::vector<tokenize::Token> tokens_;
  std::vector<std::size_t> starts_;
  std::string_view doc_;
  std::size_t doc_size_ = 0;
  std::size_t exact_b_ = 0, exact_e_ = 0, exact_n_ = 0;  // the last exact() asked
};

class TokensUnit final : public Unit {
 public:
  explicit TokensUnit(std::shared_ptr<const tokenize::Tokenizer> t) : tok_(std::move(t)) {}
  std::string_view name() const override { return "tokens"; }
  std::unique_ptr<Measure> make_measure() const override { return std::make_unique<TokensMeasure>(tok_); }

 private:
  std::shared_ptr<const tokenize::Tokenizer> tok_;
};

}  // namespace

std::shared_ptr<const Unit> make_token_unit(std::shared_ptr<const tokenize::Tokenizer> tokenizer) {
  return std::make_shared<TokensUnit>(std::move(tokenizer));
}

}  // namespace hewn::chunk
