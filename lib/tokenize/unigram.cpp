// Unigram: the most probable segmentation of each word (Viterbi over the
// pieces' log probabilities), as Hugging Face tokenizers computes it.
#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "core/utf8.hpp"

#include <cstdio>
#include "tokenize/hf_model.hpp"

namespace hewn::tokenize {
namespace {

class Unigram final : public WordModel {
 public:
  explicit Unigram(const UnigramConfig& c) : unk_(c.unk_id), rep_(c.replacement) {
    double min_score = std::numeric_limits<double>::max();
    for (std::uint32_t id = 0; id < c.vocab.size(); ++id) {
      const auto& [piece, score] = c.vocab[id];
      pieces_.push_back(piece);
      scores_.push_back(score);
      table_.add(piece, id);  // a duplicate piece keeps its first id
      max_len_ = std::max(max_len_, piece.size());
      min_score = std::min(min_score, score);
    }
    table_.finish();
    unk_score_ = (c.vocab.empty() ? 0.0 : min_score) - 10.0;
  }

  void tokenize(const Word& w, std::vector<Token>& out) const override {
    std::string_view s = w.text;
    const std::size_t n = s.size();
    auto p = reinterpret_cast<const unsigned char*>(s.data());
    auto& best = best_;
    best.assign(n + 1, {-std::numeric_limits<double>::infinity(), 0, RankTable::none, false});
    best[0].score = 0;
    best[0].reached = true;
    for (std::size_t b = 0; b < n; ++b) {
      if (!best[b].reached || !utf8::is_boundary(s, b)) continue;
      std::size_t one = b + 1;
      while (one < n && !utf8::is_boundary(s, one)) ++one;
      bool single = false;
      std::size_t limit = std::min(n, b + max_len_);
      for (std::size_t e = one; e <= limit; ++e) {
        if (e < n && !utf8::is_boundary(s, e)) continue;
        std::uint32_t id = table_.find(p + b, e - b);
        if (id == RankTable::none) continue;
        if (e == one) single = true;
        relax(b, e, id, scores_[id]);
      }
      if (!single && unk_) relax(b, one, *unk_, unk_score_);
    }
    if (!best[n].reached) {  // no unknown token to fall back on
      // The character after the last position a path reaches.
      std::size_t at = 0;
      for (std::size_t b = 0; b < n; ++b)
        if (best[b].reached && utf8::is_boundary(s, b)) at = b;
      std::size_t q = at;
      char32_t cp = utf8::decode(s, q);
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      throw DataError(std::string("no token for ") + buf + " (the model has no unknown token)");
    }
    std::size_t mark = out.size();
    for (std::size_t e = n; e > 0;) {
      std::size_t b = best[e].from;
      out.push_back({best[e].id, w.begin[b], w.end[e - 1]});
      e = b;
    }
    std::reverse(out.begin() + static_cast<std::ptrdiff_t>(mark), out.end());
    // Consecutive unknown pieces become one (fuse_unk).
    if (unk_) {
      std::size_t k = mark;
      for (std::size_t i = mark; i < out.size(); ++i) {
        if (k > mark && out[i].id == *unk_ && out[k - 1].id == *unk_) {
          out[k - 1].end = out[i].end;
          continue;
        }
        out[k++] = out[i];
      }
      out.resize(k);
    }
  }

  std::string_view piece(std::uint32_t id) const override {
    return id < pieces_.size() ? std::string_view(pieces_[id]) : std::string_view();
  }
  std::optional<std::uint32_t> id_of(std::string_view piece) const override {
    auto r = table_.find(reinterpret_cast<const unsigned char*>(piece.data()), piece.size());
    if (r == RankTable::none) return std::nullopt;
    return r;
  }
  std::size_t size() const override { return pieces_.size(); }
  std::string join(const std::vector<std::string_view>& pieces) const override {
    std::string out;
    for (std::string_view p : pieces) out += p;
    std::string res;
    for (std::size_t i = 0; i < out.size();) {
      if (out.compare(i, rep_.size(), rep_) == 0) {
        if (!res.empty()) res += ' ';
        i += rep_.size();
      } else {
        res += out[i++];
      }
    }
    return res;
  }

 private:
  struct Cell {
    double score;
    std::size_t from;
    std::uint32_t id;
    bool reached;
  };
  void relax(std::size_t b, std::size_t e, std::uint32_t id, double score) const {
    double v = best_[b].score + score;
    if (!best_[e].reached || v > best_[e].score) best_[e] = {v, b, id, true};
  }
  std::optional<std::uint32_t> unk_;
  std::string rep_;
  std::vector<std::string> pieces_;
  std::vector<double> scores_;
  RankTable table_;
  std::size_t max_len_ = 1;
  double unk_score_ = 0;
  static thread_local std::vector<Cell> best_;
};

thread_local std::vector<Unigram::Cell> Unigram::best_;

}  // namespace

std::unique_ptr<WordModel> make_unigram(const UnigramConfig& c) { return std::make_unique<Unigram>(c); }

}  // namespace hewn::tokenize
