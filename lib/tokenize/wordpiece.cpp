// WordPiece: greedy longest-match-first over the vocabulary, "##" pieces
// after the first, [UNK] for a word with no full match or too many chars.
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "tokenize/hf_model.hpp"

namespace hewn::tokenize {
namespace {

class WordPiece final : public WordModel {
 public:
  WordPiece(const WordPieceConfig& c, const std::string& source) : prefix_(c.prefix), max_chars_(c.max_chars) {
    for (const auto& [piece, id] : c.vocab) {
      if (id >= pieces_.size()) pieces_.resize(std::size_t(id) + 1);
      pieces_[id] = piece;
      std::string_view p = piece;
      if (!prefix_.empty() && p.substr(0, prefix_.size()) == prefix_ && p.size() > prefix_.size()) {
        cont_.add(p.substr(prefix_.size()), id);
        max_len_ = std::max(max_len_, p.size() - prefix_.size());
        filter_add(p.substr(prefix_.size()), true);
      }
      first_.add(p, id);
      max_len_ = std::max(max_len_, p.size());
      filter_add(p, false);
    }
    first_.finish();
    cont_.finish();
    auto unk = id_of(c.unk_token);
    if (!unk) data_error(source, 0, "model.unk_token: " + hewn::quoted(c.unk_token) + " is not in model.vocab");
    unk_ = *unk;
  }

  void tokenize(const Word& w, std::vector<Token>& out) const override {
    std::string_view s = w.text;
    if (utf8::count(s) > max_chars_) {
      out.push_back({unk_, w.begin.front(), w.end.back()});
      return;
    }
    std::size_t mark = out.size();
    std::size_t start = 0;
    auto p = reinterpret_cast<const unsigned char*>(s.data());
    while (start < s.size()) {
      std::size_t end = std::min(s.size(), start + max_len_);
      while (end < s.size() && !utf8::is_boundary(s, end)) --end;
      std::uint32_t id = RankTable::none;
      const bool cont = start != 0;
      const RankTable& t = cont ? cont_ : first_;
      while (end > start) {
        std::uint64_t h = RankTable::hash(p + start, end - start);
        if (filter_has(h, cont)) {
          id = t.find(p + start, end - start, h);
          if (id != RankTable::none) break;
        }
        do --end;
        while (end > start && !utf8::is_boundary(s, end));
      }
      if (id == RankTable::none) {
        out.resize(mark);
        out.push_back({unk_, w.begin.front(), w.end.back()});
        return;
      }
      out.push_back({id, w.begin[start], w.end[end - 1]});
      start = end;
    }
  }

  std::string_view piece(std::uint32_t id) const override {
    return id < pieces_.size() ? std::string_view(pieces_[id]) : std::string_view();
  }
  std::optional<std::uint32_t> id_of(std::string_view piece) const override {
    auto r = first_.find(reinterpret_cast<const unsigned char*>(piece.data()), piece.size());
    if (r == RankTable::none) return std::nullopt;
    return r;
  }
  std::size_t size() const override { return pieces_.size(); }
  std::string join(const std::vector<std::string_view>& pieces) const override {
    std::string out;
    for (std::string_view p : pieces) {
      if (!prefix_.empty() && p.substr(0, prefix_.size()) == prefix_ && !out.empty()) {
        out += p.substr(prefix_.size());
      } else {
        if (!out.empty()) out += ' ';
        out += p;
      }
    }
    return out;
  }

 private:
  // A one-hash Bloom filter over the pieces of both tables: most of the
  // lengths the longest-match search tries are no piece, and the filter
  // (in the caches) rules them out without a probe of the tables.
  static constexpr std::size_t filter_bits = std::size_t{1} << 18;
  static std::size_t filter_bit(std::uint64_t h, bool cont) {
    return ((h ^ (cont ? 0x9E3779B97F4A7C15ull : 0)) >> 24) & (filter_bits - 1);
  }
  void filter_add(std::string_view piece, bool cont) {
    std::size_t b = filter_bit(RankTable::hash(reinterpret_cast<const unsigned char*>(piece.data()), piece.size()), cont);
    filter_[b / 64] |= std::uint64_t{1} << (b % 64);
  }
  bool filter_has(std::uint64_t h, bool cont) const {
    std::size_t b = filter_bit(h, cont);
    return (filter_[b / 64] >> (b % 64)) & 1;
  }

  std::vector<std::uint64_t> filter_ = std::vector<std::uint64_t>(filter_bits / 64);
  std::string prefix_;
  std::size_t max_chars_;
  std::vector<std::string> pieces_;
  RankTable first_, cont_;
  std::size_t max_len_ = 1;
  std::uint32_t unk_ = 0;
};

}  // namespace

std::unique_ptr<WordModel> make_wordpiece(const WordPieceConfig& c, const std::string& source) {
  return std::make_unique<WordPiece>(c, source);
}

}  // namespace hewn::tokenize
