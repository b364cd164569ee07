#include "tokenize/hf_bpe.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::tokenize {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// GPT-2's ByteLevel pre-tokenization pattern.
constexpr std::string_view kByteLevelPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct Json {
  const std::string& file;
  [[noreturn]] void fail(const std::string& at, std::string_view what) const {
    throw DataError(file + ": " + at + ": " + std::string(what));
  }
  std::string str(element e, const std::string& at) const {
    std::string_view s;
    if (e.get_string().get(s)) fail(at, "expected a string");
    return std::string(s);
  }
  // A field that may be absent or null (then null element: type NULL_VALUE).
  bool get(element obj, std::string_view key, element& out) const {
    if (obj.type() != element_type::OBJECT) return false;
    if (obj.get_object().value()[key].get(out)) return false;
    return out.type() != element_type::NULL_VALUE;
  }
  bool flag(element obj, std::string_view key, bool dflt, const std::string& at) const {
    element v;
    if (!get(obj, key, v)) return dflt;
    bool b;
    if (v.get_bool().get(b)) fail(at + "." + std::string(key), "expected true or false");
    return b;
  }
};

// One pre-tokenization step; owns its compiled pattern, so that a
// constructor that throws after compiling some frees them too.
struct Splitter {
  pcre2_code* re = nullptr;
  bool jit = false;
  Splitter(pcre2_code* r, bool j) : re(r), jit(j) {}
  Splitter(Splitter&& o) noexcept : re(std::exchange(o.re, nullptr)), jit(o.jit) {}
  Splitter& operator=(Splitter&&) = delete;
  ~Splitter() { pcre2_code_free(re); }
};

// GPT-2's byte <-> printable character table.
std::vector<std::string> byte_chars() {
  std::vector<std::string> out(256);
  std::vector<bool> direct(256, false);
  for (int b = '!'; b <= '~'; ++b) direct[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    char32_t cp = direct[b] ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
    std::string s;
    utf8::append(s, cp);
    out[b] = s;
  }
  return out;
}

class HfBpe final : public Tokenizer {
 public:
  HfBpe(const std::string& path, element normalizer, element pre, element model, std::vector<AddedToken> added,
        std::vector<std::uint32_t> prefix, std::vector<std::uint32_t> suffix, std::optional<std::size_t> max_length,
        bool allow_special)
      : name_(std::filesystem::path(path).filename().string()), added_(std::move(added)),
        allow_special_(allow_special) {
    prefix_ = std::move(prefix);
    suffix_ = std::move(suffix);
    max_length_ = max_length;
    Json j{path};
    // Normalizer: none or NFC (also as a Sequence of one).
    if (normalizer.type() != element_type::NULL_VALUE) {
      element type;
      if (!j.get(normalizer, "type", type)) j.fail("$.normalizer", "missing type");
      std::string t = j.str(type, "$.normalizer.type");
      if (t == "Sequence") {
        element items;
        simdjson::dom::array a;
        if (!j.get(normalizer, "normalizers", items) || items.get_array().get(a)) j.fail("$.normalizer", "expected normalizers");
        for (element x : a) {
          element xt;
          std::string s = j.get(x, "type", xt) ? j.str(xt, "$.normalizer.normalizers[].type") : "";
          if (s != "NFC") j.fail("$.normalizer", "unsupported normalizer " + hewn::quoted(s) + " (supported: NFC)");
          nfc_ = true;
        }
      } else if (t == "NFC") {
        nfc_ = true;
      } else {
        j.fail("$.normalizer.type", "unsupported normalizer " + hewn::quoted(t) + " (supported: NFC)");
      }
    }
    // Pre-tokenizer: ByteLevel, Split (Isolated), or a Sequence of them.
    bool byte_level = false;
    std::function<void(element, const std::string&)> read_pre = [&](element p, const std::string& at) {
      element type;
      if (!j.get(p, "type", type)) j.fail(at, "missing type");
      std::string t = j.str(type, at + ".type");
      if (t == "Sequence") {
        element items;
        simdjson::dom::array a;
        if (!j.get(p, "pretokenizers", items) || items.get_array().get(a)) j.fail(at, "expected pretokenizers");
        std::size_t i = 0;
        for (element x : a) read_pre(x, at + ".pretokenizers[" + std::to_string(i++) + "]");
      } else if (t == "ByteLevel") {
        byte_level = true;
        add_prefix_space_ = j.flag(p, "add_prefix_space", true, at);
        if (j.flag(p, "use_regex", true, at)) add_split(std::string(kByteLevelPattern), path);
      } else if (t == "Split") {
        element pattern, re;
        if (!j.get(p, "pattern", pattern)) j.fail(at, "missing pattern");
        std::string rx;
        if (j.get(pattern, "Regex", re)) {
          rx = j.str(re, at + ".pattern.Regex");
        } else if (j.get(pattern, "String", re)) {  // a literal: quote it for PCRE2
          rx = "\\Q" + j.str(re, at + ".pattern.String") + "\\E";
        } else {
          j.fail(at + ".pattern", "expected Regex or String");
        }
        element beh;
        std::string b = j.get(p, "behavior", beh) ? j.str(beh, at + ".behavior") : "";
        if (b != "Isolated") j.fail(at + ".behavior", "unsupported Split behavior " + hewn::quoted(b) + " (Isolated)");
        if (j.flag(p, "invert", false, at)) j.fail(at + ".invert", "inverted Split is not supported");
        add_split(rx, path);
      } else {
        j.fail(at + ".type", "unsupported pre-tokenizer " + hewn::quoted(t) + " (supported: ByteLevel, Split, Sequence)");
      }
    };
    if (pre.type() != element_type::NULL_VALUE) read_pre(pre, "$.pre_tokenizer");
    if (!byte_level) j.fail("$.pre_tokenizer", "a BPE model needs a ByteLevel pre-tokenizer (only byte-level BPE is supported)");
    // Model: vocab and merges.
    if (j.flag(model, "byte_fallback", false, "$.model")) j.fail("$.model.byte_fallback", "byte_fallback is not supported");
    element dropout;
    if (j.get(model, "dropout", dropout)) {
      double d = 0;
      if (!dropout.get_double().get(d) && d != 0) j.fail("$.model.dropout", "dropout is not supported");
    }
    ignore_merges_ = j.flag(model, "ignore_merges", false, "$.model");
    element vocab;
    simdjson::dom::object vo;
    if (!j.get(model, "vocab", vocab) || vocab.get_object().get(vo)) j.fail("$.model.vocab", "expected an object");
    for (auto [k, v] : vo) {
      std::uint64_t id;
      if (v.get_uint64().get(id) || id > 0x7FFFFFFF) j.fail("$.model.vocab", "expected a token id");
      ids_.emplace(std::string(k), static_cast<std::uint32_t>(id));
      vocab_ = std::max<std::size_t>(vocab_, id + 1);
    }
    pieces_.resize(vocab_);
    for (const auto& [k, id] : ids_) pieces_[id] = k;
    for (const auto& a : added_) vocab_ = std::max<std::size_t>(vocab_, std::size_t(a.id) + 1);
    const auto chars = byte_chars();
    for (int b = 0; b < 256; ++b) {
      auto it = ids_.find(chars[b]);
      byte_id_[b] = it == ids_.end() ? std::numeric_limits<std::uint32_t>::max() : it->second;
      byte_of_[chars[b]] = static_cast<unsigned char>(b);
    }
    element merges;
    simdjson::dom::array ma;
    if (!j.get(model, "merges", merges) || merges.get_array().get(ma)) j.fail("$.model.merges", "expected an array");
    std::uint32_t rank = 0;
    for (element m : ma) {
      std::string at = "$.model.merges[" + std::to_string(rank) + "]";
      std::string a, b;
      std::string_view s;
      simdjson::dom::array pair;
      if (!m.get_string().get(s)) {  // "a b"
        auto sp = s.find(' ', 1);
        if (sp == std::string_view::npos) j.fail(at, "expected \"A B\"");
        a = std::string(s.substr(0, sp));
        b = std::string(s.substr(sp + 1));
      } else if (!m.get_array().get(pair) && pair.size() == 2) {  // ["a", "b"]
        a = j.str(pair.at(0).value(), at);
        b = j.str(pair.at(1).value(), at);
      } else {
        j.fail(at, "expected \"A B\" or [A, B]");
      }
      auto ia = ids_.find(a), ib = ids_.find(b), ic = ids_.find(a + b);
      if (ia == ids_.end() || ib == ids_.end() || ic == ids_.end())
        j.fail(at, "merge " + hewn::quoted(a + " " + b) + " is not in the vocabulary");
      merges_.emplace(key(ia->second, ib->second), std::make_pair(rank, ic->second));
      ++rank;
    }
  }

  std::string_view name() const override { return name_; }
  std::size_t vocab_size() const override { return vocab_; }

  void encode(std::string_view text, std::vector<Token>& out) const override {
    if (!utf8::valid(text)) throw UsageError("text is not valid UTF-8");
    std::size_t from = 0;
    while (from < text.size()) {
      std::size_t at = std::string_view::npos, len = 0;
      std::uint32_t id = 0;
      for (const auto& a : added_) {
        if ((a.special && !allow_special_) || a.content.empty()) continue;
        std::size_t p = text.find(a.content, from);
        if (p != std::string_view::npos && (p < at || (p == at && a.content.size() > len)))
          at = p, len = a.content.size(), id = a.id;
      }
      const std::size_t end = at == std::string_view::npos ? text.size() : at;
      section(text, from, end, out);
      if (at == std::string_view::npos) break;
      out.push_back({id, at, at + len});
      from = at + len;
    }
  }

  std::string decode(const std::vector<std::uint32_t>& ids) const override {
    std::string out;
    for (std::uint32_t id : ids) {
      auto it = std::find_if(added_.begin(), added_.end(), [&](const auto& a) { return a.id == id; });
      if (it != added_.end()) {
        if (!it->special) out += it->content;
        continue;
      }
      if (id >= pieces_.size() || pieces_[id].empty()) throw UsageError("unknown token id " + std::to_string(id));
      std::string_view p = pieces_[id];
      for (std::size_t i = 0; i < p.size();) {
        std::size_t b = i;
        utf8::decode(p, i);
        auto bt = byte_of_.find(std::string(p.substr(b, i - b)));
        if (bt != byte_of_.end()) out += static_cast<char>(bt->second);
      }
    }
    if (add_prefix_space_ && !out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
  }

  std::optional<std::uint32_t> special(std::string_view text) const override {
    for (const auto& a : added_)
      if (a.content == text) return a.id;
    return std::nullopt;
  }

 private:
  static std::uint64_t key(std::uint32_t a, std::uint32_t b) { return std::uint64_t(a) << 32 | b; }

  void add_split(const std::string& rx, const std::string& path) {
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rx.data()), rx.size(),
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &off, nullptr);
    if (!re) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof buf);
      throw DataError(path + ": $.pre_tokenizer: pattern does not compile at " + std::to_string(off) + ": " +
                      reinterpret_cast<const char*>(buf));
    }
    bool jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    splits_.emplace_back(re, jit);
  }

  // Normalizes text[b, e) into s.norm with each byte's source range.
  struct Scratch {
    std::string norm;
    std::vector<std::uint32_t> nb, ne;                  // per normalized byte: source begin, end
    std::vector<std::pair<std::size_t, std::size_t>> pieces, next;
    std::vector<Token> syms;
  };
  void normalize(std::string_view text, std::size_t b, std::size_t e, Scratch& s) const {
    s.norm.clear();
    s.nb.clear();
    s.ne.clear();
    auto put = [&](std::string_view bytes, std::size_t sb, std::size_t se) {
      s.norm.append(bytes);
      s.nb.insert(s.nb.end(), bytes.size(), static_cast<std::uint32_t>(sb));
      s.ne.insert(s.ne.end(), bytes.size(), static_cast<std::uint32_t>(se));
    };
    if (add_prefix_space_ && b == 0 && (e == b || text[b] != ' ')) put(" ", b, b);
    std::string_view part = text.substr(b, e - b);
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = nfc_ ? icu::Normalizer2::getNFCInstance(status) : nullptr;
    icu::UnicodeString u;
    if (nfc && U_SUCCESS(status)) {
      u = icu::UnicodeString::fromUTF8(icu::StringPiece(part.data(), static_cast<int32_t>(part.size())));
      if (nfc->isNormalized(u, status) || U_FAILURE(status)) nfc = nullptr;
    } else {
      nfc = nullptr;
    }
    if (!nfc) {
      for (std::size_t i = 0; i < part.size(); ++i) put(part.substr(i, 1), b + i, b + i + 1);
      return;
    }
    // Segments from one NFC boundary to the next, each normalized alone;
    // every byte of a segment's output maps to the whole segment.
    std::size_t i = 0;
    while (i < part.size()) {
      std::size_t j = i;
      utf8::decode(part, j);
      while (j < part.size()) {
        std::size_t k = j;
        char32_t cp = utf8::decode(part, k);
        if (nfc->hasBoundaryBefore(static_cast<UChar32>(cp))) break;
        j = k;
      }
      icu::UnicodeString seg = icu::UnicodeString::fromUTF8(
          icu::StringPiece(part.data() + i, static_cast<int32_t>(j - i)));
      UErrorCode st = U_ZERO_ERROR;
      icu::UnicodeString n = nfc->normalize(seg, st);
      std::string bytes;
      n.toUTF8String(bytes);
      put(bytes, b + i, b + j);
      i = j;
    }
  }

  // Tokens of text[b, e) (no added tokens inside).
  void section(std::string_view text, std::size_t b, std::size_t e, std::vector<Token>& out) const {
    static thread_local Scratch s;
    static thread_local std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
        pcre2_match_data_create(4, nullptr), pcre2_match_data_free);
    if (b == e && !(add_prefix_space_ && b == 0)) return;
    normalize(text, b, e, s);
    s.pieces.assign(1, {0, s.norm.size()});
    auto subject = reinterpret_cast<PCRE2_SPTR>(s.norm.data());
    for (const Splitter& sp : splits_) {
      s.next.clear();
      for (auto [pb, pe] : s.pieces) {
        std::size_t pos = pb;
        while (pos < pe) {
          int rc = sp.jit ? pcre2_jit_match(sp.re, subject, pe, pos, PCRE2_NO_UTF_CHECK, md.get(), nullptr)
                          : pcre2_match(sp.re, subject, pe, pos, PCRE2_NO_UTF_CHECK, md.get(), nullptr);
          if (rc < 0) break;
          PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
          std::size_t mb = ov[0], me = ov[1];
          if (me == mb) {  // an empty match: step over one character
            std::size_t k = mb;
            if (k >= pe) break;
            utf8::decode(s.norm, k);
            if (mb > pos) s.next.emplace_back(pos, mb);
            s.next.emplace_back(mb, k);
            pos = k;
            continue;
          }
          if (mb > pos) s.next.emplace_back(pos, mb);  // Isolated: the gap is a piece too
          s.next.emplace_back(mb, me);
          pos = me;
        }
        if (pos < pe) s.next.emplace_back(pos, pe);
      }
      std::swap(s.pieces, s.next);
    }
    for (auto [pb, pe] : s.pieces) piece(s, pb, pe, out);
  }

  // BPE over the bytes norm[pb, pe).
  void piece(Scratch& s, std::size_t pb, std::size_t pe, std::vector<Token>& out) const {
    auto emit = [&](std::uint32_t id, std::size_t nb, std::size_t ne) {
      out.push_back({id, s.nb[nb], s.ne[ne - 1]});
    };
    if (ignore_merges_) {
      std::string mapped;
      for (std::size_t i = pb; i < pe; ++i) mapped += chars()[static_cast<unsigned char>(s.norm[i])];
      if (auto it = ids_.find(mapped); it != ids_.end()) {
        emit(it->second, pb, pe);
        return;
      }
    }
    auto& syms = s.syms;  // id, and normalized byte range in begin/end
    syms.clear();
    for (std::size_t i = pb; i < pe; ++i) {
      std::uint32_t id = byte_id_[static_cast<unsigned char>(s.norm[i])];
      if (id == std::numeric_limits<std::uint32_t>::max())
        throw DataError("no token for byte 0x" + hex(static_cast<unsigned char>(s.norm[i])) + " (" + name_ + ")");
      syms.push_back({id, i, i + 1});
    }
    while (syms.size() > 1) {
      std::uint32_t best = std::numeric_limits<std::uint32_t>::max(), merged = 0;
      std::size_t at = 0;
      for (std::size_t k = 0; k + 1 < syms.size(); ++k) {
        auto it = merges_.find(key(syms[k].id, syms[k + 1].id));
        if (it != merges_.end() && it->second.first < best) {
          best = it->second.first;
          merged = it->second.second;
          at = k;
        }
      }
      if (best == std::numeric_limits<std::uint32_t>::max()) break;
      syms[at] = {merged, syms[at].begin, syms[at + 1].end};
      syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
    for (const Token& t : syms) emit(t.id, t.begin, t.end);
  }

  static const std::vector<std::string>& chars() {
    static const std::vector<std::string> c = byte_chars();
    return c;
  }
  static std::string hex(unsigned char c) {
    const char* d = "0123456789ABCDEF";
    return {d[c >> 4], d[c & 15]};
  }

  std::string name_;
  std::vector<AddedToken> added_;
  bool allow_special_;
  bool nfc_ = false, add_prefix_space_ = false, ignore_merges_ = false;
  std::vector<Splitter> splits_;
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, unsigned char> byte_of_;
  std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>> merges_;  // (a, b) -> rank, id
  std::uint32_t byte_id_[256];
  std::size_t vocab_ = 0;
};

}  // namespace

std::shared_ptr<Tokenizer> make_hf_bpe(const std::string& path, element normalizer, element pre_tokenizer,
                                       element model, std::vector<AddedToken> added,
                                       std::vector<std::uint32_t> prefix, std::vector<std::uint32_t> suffix,
                                       std::optional<std::size_t> max_length, bool allow_special) {
  return std::make_shared<HfBpe>(path, normalizer, pre_tokenizer, model, std::move(added), std::move(prefix),
                                 std::move(suffix), max_length, allow_special);
}

}  // namespace hewn::tokenize
