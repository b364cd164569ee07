// Reading tokenizer.json (file I/O and JSON kept apart from the models).
#include "tokenize/hf.hpp"

#include <simdjson.h>

#include <filesystem>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "core/input.hpp"
#include "core/base64.hpp"
#include "tokenize/hf_bpe.hpp"
#include "tokenize/hf_model.hpp"

namespace hewn::tokenize {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A JSON value with its path, for messages naming the file and the path.
struct Node {
  const std::string& file;
  element e;
  std::string path;

  [[noreturn]] void fail(std::string_view what) const { data_error(file, 0, path + ": " + std::string(what)); }
  bool is_null() const { return e.type() == element_type::NULL_VALUE; }
  bool has(std::string_view key) const {
    if (e.type() != element_type::OBJECT) return false;
    auto r = e.get_object().value()[key];
    return r.error() == simdjson::SUCCESS;
  }
  // A field that may be absent (returned as null).
  Node opt(std::string_view key) const {
    if (e.type() != element_type::OBJECT) fail("expected an object");
    element v;
    if (e.get_object().value()[key].get(v) != simdjson::SUCCESS) {
      simdjson::dom::parser* none = nullptr;
      (void)none;
      return Node{file, null_element(), path + "." + std::string(key)};
    }
    return Node{file, v, path + "." + std::string(key)};
  }
  Node at(std::string_view key) const {
    Node n = opt(key);
    if (!has(key)) n.fail("missing");
    return n;
  }
  std::string str() const {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) fail("expected a string");
    return std::string(s);
  }
  bool boolean() const {
    bool b;
    if (e.get_bool().get(b) != simdjson::SUCCESS) fail("expected true or false");
    return b;
  }
  double number() const {
    double d;
    if (e.type() == element_type::INT64 || e.type() == element_type::UINT64) {
      std::int64_t i;
      if (e.get_int64().get(i) == simdjson::SUCCESS) return static_cast<double>(i);
    }
    if (e.get_double().get(d) != simdjson::SUCCESS) fail("expected a number");
    return d;
  }
  std::uint32_t id() const {
    std::uint64_t v;
    if (e.get_uint64().get(v) != simdjson::SUCCESS || v > 0x7FFFFFFF) fail("expected a token id");
    return static_cast<std::uint32_t>(v);
  }
  std::vector<Node> items() const {
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) fail("expected an array");
    std::vector<Node> out;
    std::size_t i = 0;
    for (element x : a) out.push_back(Node{file, x, path + "[" + std::to_string(i++) + "]"});
    return out;
  }
  std::vector<std::pair<std::string, Node>> fields() const {
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) fail("expected an object");
    std::vector<std::pair<std::string, Node>> out;
    for (auto [k, v] : o) out.push_back({std::string(k), Node{file, v, path + "." + std::string(k)}});
    return out;
  }
  static element null_element() {
    static simdjson::dom::parser p;
    static element n = p.parse(std::string_view("null")).value();
    return n;
  }
};

[[noreturn]] void unsupported(const Node& type, std::string_view what, std::string_view name, std::string_view known) {
  type.fail("unsupported " + std::string(what) + " " + hewn::quoted(name) + " (supported: " + std::string(known) + ")");
}

void read_normalizer(const Node& n, NormalizerConfig& c) {
  if (n.is_null()) return;
  Node type = n.at("type");
  std::string t = type.str();
  using Strip = NormalizerConfig::Strip;
  const bool stripped = c.strip_left != Strip::no || c.strip_right != Strip::no;
  const bool collapse = t == "Replace" && n.at("pattern").has("Regex");
  if (stripped && t != "Strip" && t != "Sequence" && !collapse)
    type.fail("normalizer " + t + " after Strip is not supported (only Strip and Replace of spaces may follow it)");
  if (t == "Strip") {
    Node l = n.opt("strip_left"), r = n.opt("strip_right");
    // A Strip after the collapse of spaces strips what is left of them.
    const Strip when = c.collapse_spaces ? Strip::after : Strip::before;
    if ((l.is_null() || l.boolean()) && c.strip_left == Strip::no) c.strip_left = when;
    if ((r.is_null() || r.boolean()) && c.strip_right == Strip::no) c.strip_right = when;
    return;
  }
  if (!c.replace.empty() && t != "Replace" && t != "Sequence")
    type.fail("normalizer " + t + " after Replace is not supported (Replace must come last)");
  if (t == "Precompiled") {
    if (c.precompiled || c.clean_text || c.chinese_chars || c.strip_accents || c.lowercase || c.nfd ||
        !c.replace.empty() || c.collapse_spaces || stripped)
      type.fail("normalizer Precompiled after another one is not supported (Precompiled must come first)");
    Node map = n.at("precompiled_charsmap");
    std::string blob;
    if (!decode_base64(map.str(), blob)) map.fail("invalid base64");
    if (blob.empty()) return;
    try {
      c.precompiled = std::make_shared<const PrecompiledMap>(blob);
    } catch (const std::invalid_argument& e) {
      map.fail(e.what());
    }
  } else if (t == "BertNormalizer") {
    Node ct = n.opt("clean_text"), cc = n.opt("handle_chinese_chars"), sa = n.opt("strip_accents"),
         lc = n.opt("lowercase");
    c.clean_text = ct.is_null() ? true : ct.boolean();
    c.chinese_chars = cc.is_null() ? true : cc.boolean();
    c.lowercase = lc.is_null() ? true : lc.boolean();
    c.strip_accents = sa.is_null() ? c.lowercase : sa.boolean();
  } else if (t == "Lowercase") {
    c.lowercase = true;
  } else if (t == "StripAccents") {
    c.strip_accents = true;
  } else if (t == "NFD") {
    c.nfd = true;
  } else if (t == "Sequence") {
    for (const Node& x : n.at("normalizers").items()) read_normalizer(x, c);
  } else if (t == "Replace") {
    Node pattern = n.at("pattern");
    if (pattern.has("Regex")) {
      Node re = pattern.at("Regex");
      // SentencePiece conversions collapse runs of spaces with " {2,}",
      // into " " or (newer ones) into the metaspace replacement U+2581.
      Node content = n.at("content");
      if ((re.str() != "\\s+" && re.str() != " {2,}") || (content.str() != " " && content.str() != "\xE2\x96\x81"))
        re.fail("only the Regex \\s+ or \" {2,}\" replaced by \" \" or \"\xE2\x96\x81\" is supported");
      if (c.collapse_spaces) type.fail("a second Replace of spaces is not supported");
      c.collapse_spaces = true;
      c.collapse_to = content.str();
      return;
    }
    if (c.collapse_spaces) type.fail("Replace after the Regex \\s+ is not supported");
    if (!pattern.has("String")) pattern.fail("expected String or Regex");
    Node str = pattern.at("String");
    std::string from = str.str();
    if (utf8::count(from) != 1) str.fail("only patterns of one character are supported");
    c.replace.emplace_back(std::move(from), n.at("content").str());
  } else {
    unsupported(type, "normalizer", t, "Precompiled, BertNormalizer, Lowercase, StripAccents, NFD, Replace, Strip, Sequence");
  }
}

void read_pre_tokenizer(const Node& n, PreTokenizerConfig& c) {
  if (n.is_null()) return;
  Node type = n.at("type");
  std::string t = type.str();
  if (t == "BertPreTokenizer") {
    c.kind = PreTokenizerKind::bert;
  } else if (t == "WhitespaceSplit") {
    c.kind = PreTokenizerKind::whitespace_split;
  } else if (t == "Metaspace") {
    c.kind = PreTokenizerKind::metaspace;
    if (Node r = n.opt("replacement"); !r.is_null()) c.replacement = r.str();
    if (Node s = n.opt("split"); !s.is_null()) c.split = s.boolean();
    if (Node ps = n.opt("prepend_scheme"); !ps.is_null()) {
      std::string v = ps.str();
      if (v == "always") c.prepend = PrependScheme::always;
      else if (v == "first") c.prepend = PrependScheme::first;
      else if (v == "never") c.prepend = PrependScheme::never;
      else ps.fail("expected \"always\", \"first\" or \"never\"");
    } else if (Node ap = n.opt("add_prefix_space"); !ap.is_null()) {
      c.prepend = ap.boolean() ? PrependScheme::always : PrependScheme::never;
    }
  } else if (t == "Sequence") {
    auto items = n.at("pretokenizers").items();
    if (items.size() != 1) type.fail("unsupported pre-tokenizer Sequence of " + std::to_string(items.size()) + " (only one)");
    read_pre_tokenizer(items[0], c);
  } else {
    unsupported(type, "pre-tokenizer", t, "BertPreTokenizer, WhitespaceSplit, Metaspace");
  }
}

void read_post_processor(const Node& n, std::vector<std::uint32_t>& prefix, std::vector<std::uint32_t>& suffix) {
  if (n.is_null()) return;
  Node type = n.at("type");
  std::string t = type.str();
  if (t == "TemplateProcessing") {
    auto specials = n.at("special_tokens");
    bool seen_sequence = false;
    for (const Node& item : n.at("single").items()) {
      if (item.has("Sequence")) {
        seen_sequence = true;
        continue;
      }
      Node st = item.at("SpecialToken");
      std::string id = st.at("id").str();
      Node entry = specials.at(id);
      for (const Node& x : entry.at("ids").items()) (seen_sequence ? suffix : prefix).push_back(x.id());
    }
  } else if (t == "BertProcessing" || t == "RobertaProcessing") {
    auto cls = n.at("cls").items();
    auto sep = n.at("sep").items();
    if (cls.size() != 2) n.at("cls").fail("expected [token, id]");
    if (sep.size() != 2) n.at("sep").fail("expected [token, id]");
    prefix.push_back(cls[1].id());
    suffix.push_back(sep[1].id());
  } else if (t == "ByteLevel") {
    // Byte-level BPE's offset trimming: no tokens added.
  } else if (t == "Sequence") {
    for (const Node& x : n.at("processors").items()) {
      if (x.at("type").str() == "ByteLevel") continue;
      read_post_processor(x, prefix, suffix);
    }
  } else {
    unsupported(type, "post-processor", t, "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence");
  }
}

}  // namespace

std::shared_ptr<Tokenizer> read_hf_tokenizer(const std::string& path, bool allow_special) {
  auto src = io::open_input(path);
  std::string data = io::read_all(*src);
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(simdjson::padded_string(data)).get(root); err != simdjson::SUCCESS)
    data_error(path, 0, std::string("invalid JSON: ") + simdjson::error_message(err));
  Node top{path, root, "$"};
  if (root.type() != element_type::OBJECT) top.fail("expected an object");

  NormalizerConfig norm;
  PreTokenizerConfig pre;
  // Byte-level BPE reads its own normalizer and pre-tokenizer (hf_bpe.cpp).
  const Node mt = top.opt("model");
  const bool bpe = mt.has("type") && mt.at("type").e.is_string() && mt.at("type").str() == "BPE";
  if (!bpe) {
    read_normalizer(top.opt("normalizer"), norm);
    read_pre_tokenizer(top.opt("pre_tokenizer"), pre);
    if (norm.collapse_spaces && norm.collapse_to != " " &&
        (pre.kind != PreTokenizerKind::metaspace || pre.replacement != norm.collapse_to))
      top.opt("pre_tokenizer").fail("a Replace of spaces by \xE2\x96\x81 needs a Metaspace pre-tokenizer of the same replacement");
  }
  std::vector<std::uint32_t> prefix, suffix;
  read_post_processor(top.opt("post_processor"), prefix, suffix);
  std::optional<std::size_t> max_length;
  if (Node tr = top.opt("truncation"); !tr.is_null()) {
    Node ml = tr.at("max_length");
    max_length = ml.id();
  }
  std::vector<AddedToken> added;
  if (Node at = top.opt("added_tokens"); !at.is_null())
    for (const Node& a : at.items()) {
      Node sp = a.opt("special");
      added.push_back({a.at("content").str(), a.at("id").id(), sp.is_null() ? false : sp.boolean()});
    }

  Node model = top.at("model");
  Node type = model.at("type");
  std::string t = type.str();
  std::unique_ptr<WordModel> m;
  if (t == "WordPiece") {
    WordPieceConfig c;
    for (auto& [k, v] : model.at("vocab").fields()) c.vocab.push_back({k, v.id()});
    if (Node u = model.opt("unk_token"); !u.is_null()) c.unk_token = u.str();
    if (Node p = model.opt("continuing_subword_prefix"); !p.is_null()) c.prefix = p.str();
    if (Node mx = model.opt("max_input_chars_per_word"); !mx.is_null()) c.max_chars = mx.id();
    m = make_wordpiece(c, path);
  } else if (t == "Unigram") {
    UnigramConfig c;
    for (const Node& item : model.at("vocab").items()) {
      auto pair = item.items();
      if (pair.size() != 2) item.fail("expected [piece, score]");
      c.vocab.push_back({pair[0].str(), pair[1].number()});
    }
    if (Node u = model.opt("unk_id"); !u.is_null()) {
      c.unk_id = u.id();
      if (*c.unk_id >= c.vocab.size()) u.fail("unk_id " + std::to_string(*c.unk_id) + " is not in model.vocab");
    }
    if (Node bf = model.opt("byte_fallback"); !bf.is_null() && bf.boolean()) bf.fail("byte_fallback is not supported");
    c.replacement = pre.replacement;
    m = make_unigram(c);
  } else if (t == "BPE") {
    return make_hf_bpe(path, top.opt("normalizer").e, top.opt("pre_tokenizer").e, model.e, std::move(added),
                       std::move(prefix), std::move(suffix), max_length, allow_special);
  } else {
    unsupported(type, "model", t, "WordPiece, Unigram, BPE");
  }
  return make_hf_tokenizer(std::filesystem::path(path).filename().string(), norm, pre, std::move(m), std::move(added),
                           std::move(prefix), std::move(suffix), max_length, allow_special);
}

}  // namespace hewn::tokenize
