// The code strategy (cAST) on tree-sitter syntax trees.
#include "chunk/code.hpp"

#include <tree_sitter/api.h>

#include <cctype>
#include <cstring>
#include <span>

#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "chunk/syntax.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace hewn::chunk {
namespace {

// Definitions whose names make up "symbols", per grammar: node type ->
// label written before the name.
struct Def {
  std::string_view type, label;
};
constexpr Def python_defs[] = {{"function_definition", "def"}, {"class_definition", "class"}};
constexpr Def js_defs[] = {{"function_declaration", "function"},
                           {"generator_function_declaration", "function*"},
                           {"function_expression", "function"},
                           {"class_declaration", "class"},
                           {"abstract_class_declaration", "class"},
                           {"class", "class"},
                           {"method_definition", "method"},
                           {"interface_declaration", "interface"},
                           {"enum_declaration", "enum"},
                           {"type_alias_declaration", "type"},
                           {"internal_module", "namespace"},
                           {"module", "module"},
                           {"variable_declarator", "function"}};
constexpr Def java_defs[] = {{"class_declaration", "class"},
                             {"interface_declaration", "interface"},
                             {"enum_declaration", "enum"},
                             {"record_declaration", "record"},
                             {"annotation_type_declaration", "@interface"},
                             {"method_declaration", "method"},
                             {"constructor_declaration", "constructor"}};
constexpr Def go_defs[] = {{"function_declaration", "func"}, {"method_declaration", "func"}, {"type_spec", "type"}};
constexpr Def rust_defs[] = {{"function_item", "fn"},     {"function_signature_item", "fn"},
                             {"struct_item", "struct"},   {"enum_item", "enum"},
                             {"union_item", "union"},     {"trait_item", "trait"},
                             {"impl_item", "impl"},       {"mod_item", "mod"},
                             {"macro_definition", "macro_rules!"}};
constexpr Def c_defs[] = {{"function_definition", "function"},
                          {"struct_specifier", "struct"},
                          {"union_specifier", "union"},
                          {"enum_specifier", "enum"},
                          {"class_specifier", "class"},
                          {"namespace_definition", "namespace"}};

struct Span {
  const Def* b;
  const Def* e;
  bool has(const char* type, std::string_view& label) const {
    for (const Def* d = b; d != e; ++d)
      if (d->type == type) {
        label = d->label;
        return true;
      }
    return false;
  }
};
template <std::size_t N>
Span span(const Def (&a)[N]) {
  return {a, a + N};
}
// The symbol definitions of each code language (syntax.hpp's names).
const struct {
  std::string_view lang;
  Span defs;
} defs_table[] = {
    {"python", span(python_defs)}, {"javascript", span(js_defs)}, {"typescript", span(js_defs)},
    {"tsx", span(js_defs)},        {"java", span(java_defs)},     {"go", span(go_defs)},
    {"rust", span(rust_defs)},     {"c", span(c_defs)},           {"cpp", span(c_defs)},
};
Span defs_of(std::string_view lang) {
  for (const auto& d : defs_table)
    if (d.lang == lang) return d.defs;
  return span(c_defs);
}

TSNode field(TSNode n, const char* name) { return ts_node_child_by_field_name(n, name, std::strlen(name)); }

// Nodes that wrap a definition without being one: the definition inside.
TSNode unwrap(TSNode n) {
  const char* t = ts_node_type(n);
  if (!std::strcmp(t, "decorated_definition")) return field(n, "definition");
  if (!std::strcmp(t, "export_statement")) return field(n, "declaration");
  // const f = () => ...; Go: type T struct {...} (one type_spec)
  if (!std::strcmp(t, "lexical_declaration") || !std::strcmp(t, "variable_declaration") ||
      !std::strcmp(t, "type_declaration"))
    return ts_node_named_child_count(n) == 1 ? ts_node_named_child(n, 0) : TSNode{};
  if (!std::strcmp(t, "template_declaration")) {
    uint32_t k = ts_node_named_child_count(n);
    return k ? ts_node_named_child(n, k - 1) : TSNode{};
  }
  return TSNode{};
}

class Code final : public Chunker {
 public:
  Code(const Options& o, const Unit& u)
      : options_(o),
        measure_(u.make_measure()),
        emitter_(options_, *measure_),
        lines_({{Level::line, {}}, {Level::grapheme, {}}}, options_, *measure_, emitter_, 0) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    reject_binary(doc, "code");
    std::string_view lang = document_language(options_, doc);
    if (lang.empty() || lang == "markdown") {
      std::string what = "no programming language for the document";
      if (!doc.lang.empty()) what += " (\"lang\" is " + quoted(doc.lang) + ")";
      what += "; give --lang, a \"lang\" field or a known file extension (supported: " +
              syntax::code_language_list() + ")";
      data_error(doc.source, doc.line, what);
    }
    doc_ = doc.text;
    lang_ = lang;
    defs_ = defs_of(lang);
    measure_->reset(doc.text);
    emitter_.begin(doc.text, out);
    lines_.reset(doc.text);
    out_ = &out;
    std::size_t first = out.size();
    syntax::Tree tree = parser_.parse(lang, doc.text);
    TSNode root = ts_tree_root_node(tree.get());
    if (!doc.text.empty()) {
      group_b_ = group_e_ = 0;
      group_size_ = 0;
      types_.clear();
      visit(root, 0, doc.text.size(), true, false);
      flush();
    }
    emitter_.end();
    annotate(out, first, root);
  }

 private:
  // Chunks [b, e), the span of node plus the gaps around it that no sibling
  // claims. Siblings that fit merge greedily; an oversize one is split into
  // its children. The head of a node (the pieces before its first oversize
  // child: "class Parser:", "def parse(self):") runs on into that child
  // (carry); after an oversize child, the last group stays open for
  // punctuation ("}", ";") but closes before the next named node. At the
  // root, groups never span an oversize node's start.
  void visit(TSNode node, std::size_t b, std::size_t e, bool root, bool carry, unsigned depth = 0) {
    // Past max_depth (pathological nesting), a node is cut like a leaf.
    const uint32_t k = depth < max_depth ? ts_node_child_count(node) : 0;
    if (k == 0) {
      // A head carried into the node (an opening delimiter such as a
      // docstring's """, "x = ") runs on into the token's first lines.
      std::size_t from = b;
      if (carry && group_b_ != group_e_ && group_e_ == b) {
        from = group_b_;
        group_b_ = group_e_ = group_size_ = 0;
        comments_b_ = npos;
      } else {
        flush();
        types_.clear();
      }
      std::size_t mark = out_->size();
      lines_.split(from, e, 0);
      // The chunk that holds the head has its node types too.
      const std::string_view type = ts_node_type(node);
      std::string only = types_json({&type, 1});
      if (types_.empty() || types_.back() != type) types_.push_back(type);
      std::string with_head = types_json(types_);
      for (std::size_t i = mark; i < out_->size(); ++i)
        (*out_)[i].fields.emplace_back("node_types", (*out_)[i].begin < b ? with_head : only);
      // The last piece stays open, as after any oversize node, for closing
      // punctuation (a docstring's closing """), when it fits with the rest
      // of the token (the whitespace after it, without trimming).
      if (out_->size() > mark && core_size(out_->back().begin, e) <= options_.size) {
        if (out_->back().begin >= b) types_.assign(1, type);
        group_b_ = out_->back().begin;
        group_e_ = e;
        group_size_ = measure_->size(group_b_, e);
        out_->pop_back();
      } else {
        types_.clear();
      }
      return;
    }
    bool head = carry || group_b_ == group_e_;
    bool tail = false;
    TSTreeCursor cur = ts_tree_cursor_new(node);
    ts_tree_cursor_goto_first_child(&cur);
    TSNode kid = ts_tree_cursor_current_node(&cur);
    std::size_t pb = b;
    for (uint32_t i = 0; i < k; ++i) {
      TSNode next{};
      std::size_t pe = e;
      if (i + 1 < k && ts_tree_cursor_goto_next_sibling(&cur)) {
        next = ts_tree_cursor_current_node(&cur);
        pe = std::max<std::size_t>(pb, ts_node_start_byte(next));
        // An opening string delimiter (a docstring's """) is one piece with
        // what follows it.
        if (i == 0 && opening(kid)) {
          kid = next;
          continue;
        }
      }
      if (pe > pb) {
        std::uint64_t s = core_size(pb, pe);
        if (s > options_.size) {
          // Comments just before a node (doc comments) go with it.
          bool comments = comments_b_ != npos && group_b_ != group_e_;
          if ((root || !head) && !comments) flush();
          else if (root || !head) flush_before(comments_b_);
          visit(kid, pb, pe, false, (head && !root) || comments, depth + 1);
          head = false;
          tail = true;
        } else {
          const char* t = ts_node_type(kid);
          const bool comment = std::strstr(t, "comment") != nullptr;
          // A comment on the line where the previous piece ends belongs to it.
          bool trailing = false;
          if (comment) {
            std::size_t q = ts_node_start_byte(kid);
            while (q > 0 && (doc_[q - 1] == ' ' || doc_[q - 1] == '\t')) --q;
            trailing = q > 0 && doc_[q - 1] != '\n';
          }
          // A named token that closes its node with punctuation only (a
          // docstring's closing """) is punctuation too.
          const bool closes = closing(i, k, kid);
          const bool named = ts_node_is_named(kid) && !trailing && !closes;
          if (tail && named) flush();
          if (named) tail = false;
          // Closing punctuation that does not fit takes the group's last
          // line along rather than stand alone.
          if (group_size_ + s > options_.size && closes) keep_last_line();
          if (group_size_ + s > options_.size) flush();
          if (group_b_ == group_e_) group_b_ = pb;
          group_e_ = pe;
          group_size_ += measure_->size(pb, pe);
          if (!comment || trailing) comments_b_ = npos;
          else if (comments_b_ == npos) comments_b_ = pb;
          if (ts_node_is_named(kid) && (types_.empty() || types_.back() != t)) types_.push_back(t);
        }
      }
      pb = pe;
      kid = next;
    }
    ts_tree_cursor_delete(&cur);
  }

  // True for the last child of a node when it is a token (no children) of
  // punctuation only, such as Python's string_end.
  bool closing(uint32_t i, uint32_t k, TSNode kid) const {
    if (i + 1 != k || ts_node_child_count(kid) != 0) return false;
    std::size_t kb = ts_node_start_byte(kid), ke = ts_node_end_byte(kid);
    if (kb == ke) return false;
    for (std::size_t p = kb; p < ke; ++p) {
      unsigned char c = doc_[p];
      if (c >= 0x80 || std::isalnum(c) || std::isspace(c)) return false;
    }
    return true;
  }

  // True for a token (no children) that opens a string: punctuation with a
  // quote, after at most a few letters of prefix (r""", f', b", R"x().
  bool opening(TSNode kid) const {
    if (ts_node_child_count(kid) != 0) return false;
    std::size_t kb = ts_node_start_byte(kid), ke = ts_node_end_byte(kid);
    if (ke - kb > 8) return false;
    bool quote = false;
    for (std::size_t p = kb; p < ke; ++p) {
      unsigned char c = doc_[p];
      if (c >= 0x80 || std::isspace(c)) return false;
      quote = quote || c == '"' || c == '\'' || c == '`';
    }
    return quote;
  }

  // The size of [b, e) without its trailing whitespace (which trimming
  // drops when the span ends a chunk; all of it with --no-trim) when that is
  // at most --size, else --size + 1. A long span is first tried with fit(),
  // which reads about --size units of it: size() may read the whole span
  // (nws), and the spans of nested nodes hold each other, so measuring them
  // all would cost the depth times the document.
  std::uint64_t core_size(std::size_t b, std::size_t e) {
    std::size_t t = e;
    if (options_.trim)
      while (t > b && (doc_[t - 1] == ' ' || doc_[t - 1] == '\n' || doc_[t - 1] == '\t' || doc_[t - 1] == '\r')) --t;
    // fit() returns t whenever size(b, t) <= --size, so a cut before t
    // means the span is larger.
    if (t - b > 256 && (t - b) / 4 > options_.size && measure_->fit(b, t, options_.size) < t)
      return options_.size + 1;
    return measure_->size(b, t);
  }

  // Emits the group up to the start of its last line that is not blank, and
  // keeps that line open (with the group's node types); nothing when the
  // group is one line.
  void keep_last_line() {
    std::size_t t = group_e_;
    while (t > group_b_ && std::strchr(" \t\r\n", doc_[t - 1])) --t;
    std::size_t x = t;
    while (x > group_b_ && doc_[x - 1] != '\n') --x;
    std::size_t tb = group_b_, te = x;
    text::trim(doc_, tb, te);
    if (tb == te) return;
    const std::size_t e = group_e_;
    std::vector<std::string_view> types = types_;
    group_e_ = x;
    flush();
    group_b_ = x;
    group_e_ = e;
    group_size_ = measure_->size(x, e);
    types_ = std::move(types);
  }

  // Emits the group up to x (a piece start inside it) and keeps the rest.
  void flush_before(std::size_t x) {
    if (x <= group_b_ || x >= group_e_) return;
    std::size_t e = group_e_;
    std::vector<std::string_view> keep;  // types of the kept pieces: comments
    group_e_ = x;
    while (!types_.empty() && std::strstr(types_.back().data(), "comment")) {
      keep.push_back(types_.back());
      types_.pop_back();
    }
    flush();
    group_b_ = x;
    group_e_ = e;
    group_size_ = measure_->size(x, e);
    types_.assign(keep.rbegin(), keep.rend());
    comments_b_ = x;
  }

  static std::string types_json(std::span<const std::string_view> types) {
    std::string out = "[";
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (i) out += ',';
      json::append_string(out, types[i]);
    }
    out += ']';
    return out;
  }

  void flush() {
    comments_b_ = npos;
    if (group_b_ == group_e_) return;
    emitter_.add(group_b_, group_e_, {{"node_types", types_json(types_)}});
    group_b_ = group_e_ = group_size_ = 0;
    types_.clear();
  }

  // The definition label of a node ("class Parser"), or "" for other nodes.
  std::string label(TSNode n) {
    std::string_view kind;
    const char* type = ts_node_type(n);
    if (!defs_.has(type, kind)) return {};
    std::string_view t = type;
    if ((t == "struct_specifier" || t == "union_specifier" || t == "enum_specifier" || t == "class_specifier") &&
        ts_node_is_null(field(n, "body")))
      return {};  // a use of the type, not its definition
    std::string name;
    if (t == "variable_declarator") {
      // const f = () => ...; const C = class {...}
      TSNode v = field(n, "value");
      if (ts_node_is_null(v)) return {};
      std::string_view vt = ts_node_type(v);
      if (vt == "class") kind = "class";
      else if (vt == "arrow_function" || vt == "function_expression" || vt == "function" ||
               vt == "generator_function")
        kind = "function";
      else
        return {};
      name = text(field(n, "name"));
    } else if (t == "impl_item") {
      TSNode tr = field(n, "trait");
      if (!ts_node_is_null(tr)) name = text(tr) + " for ";
      name += text(field(n, "type"));
    } else {
      TSNode id = field(n, "name");
      if (ts_node_is_null(id)) {
        // C and C++: the name sits at the bottom of the declarator chain.
        for (TSNode d = field(n, "declarator"); !ts_node_is_null(d);) {
          id = d;
          TSNode inner = field(d, "declarator");
          if (ts_node_is_null(inner)) {
            std::string_view dt = ts_node_type(d);
            uint32_t nk = ts_node_named_child_count(d);
            if (dt.ends_with("_declarator") && nk) inner = ts_node_named_child(d, nk - 1);
          }
          d = inner;
        }
      }
      if (!ts_node_is_null(id)) name = text(id);
      if (t == "method_declaration" && lang_ == "go") {
        // func (p *Parser) Parse -> "func Parser.Parse"
        TSNode recv = field(n, "receiver");
        std::string r;
        if (!ts_node_is_null(recv) && ts_node_named_child_count(recv))
          r = text(field(ts_node_named_child(recv, 0), "type"));
        while (!r.empty() && r[0] == '*') r.erase(0, 1);
        if (!r.empty()) name = r + "." + name;
      }
    }
    std::string out(kind);
    if (!name.empty()) out += " " + name;
    return out;
  }

  // Node text with runs of whitespace as one space, at most 200 bytes.
  std::string text(TSNode n) {
    std::string out;
    if (ts_node_is_null(n)) return out;
    std::string_view s = doc_.substr(ts_node_start_byte(n), ts_node_end_byte(n) - ts_node_start_byte(n));
    for (char c : s) {
      bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r';
      if (sp) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
      if (out.size() >= 200) break;
    }
    if (out.size() >= 200) {  // truncated: end on a whole code point
      std::size_t k = out.size();
      while (k > 0 && (static_cast<unsigned char>(out[k - 1]) & 0xC0) == 0x80) --k;
      if (k > 0 && static_cast<unsigned char>(out[k - 1]) >= 0xC0) {
        unsigned char lead = out[k - 1];
        std::size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (out.size() - (k - 1) < need) out.resize(k - 1);
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  // The nodes from the root down to the smallest one that holds a byte (as
  // ts_node_descendant_for_byte_range finds it), kept from one call to the
  // next: a call pops the nodes that do not hold the new byte and descends
  // from the rest, so walking forward through a document reaches each node
  // about once, however deep the tree (a search from the root costs the
  // depth of the byte on every call).
  struct Chain {
    Chain(TSNode root, Code* code) : code(code) { push(root); }
    // The smallest node that holds byte p (the root when none does).
    TSNode at(std::size_t p) {
      while (nodes.size() > 1 && !holds(nodes.back(), p)) {
        if (!defs.empty() && defs.back() == nodes.size() - 1) defs.pop_back();
        nodes.pop_back();
        if (code) labels.pop_back();
      }
      for (;;) {
        // The first child (through hidden nodes) that ends after p. A tree
        // cursor's goto_first_child_for_byte(p) takes the first that ends at
        // or after p: the hidden newline that ends a Go declaration, or a
        // "#pragma" line, ending where the next definition starts.
        TSNode kid = ts_node_first_child_for_byte(nodes.back(), static_cast<uint32_t>(p));
        if (ts_node_is_null(kid) || !holds(kid, p)) break;
        push(kid);
      }
      return nodes.back();
    }
    static bool holds(TSNode n, std::size_t p) { return ts_node_start_byte(n) <= p && p < ts_node_end_byte(n); }
    void push(TSNode n) {
      nodes.push_back(n);
      if (!code) return;
      labels.push_back(code->label(n));
      if (!labels.back().empty()) defs.push_back(nodes.size() - 1);
    }
    Code* code;                       // labels nodes when set
    std::vector<TSNode> nodes;        // nodes[0] is the root
    std::vector<std::string> labels;  // label() of each node
    std::vector<std::size_t> defs;    // indexes of the nodes with a label
  };

  // Record fields in their final order: lang, symbols, node_types,
  // start_line, end_line, parse_errors.
  void annotate(std::vector<Chunk>& out, std::size_t first, TSNode root) {
    const bool errors = ts_node_has_error(root);
    std::string lang_json;
    json::append_string(lang_json, lang_);
    std::size_t pos = 0, line = 1;
    auto line_at = [&](std::size_t p) {
      for (; pos < p; ++pos) line += doc_[pos] == '\n';
      return line;
    };
    std::vector<std::string> names;
    // Chunks come in order, so the chains at their starts and ends move
    // forward through the tree: each node is reached about once.
    Chain starts(root, this), ends(root, nullptr);
    for (std::size_t i = first; i < out.size(); ++i) {
      Chunk& c = out[i];
      std::string types = "[]";
      for (auto& f : c.fields)
        if (f.first == "node_types") types = std::move(f.second);
      names.clear();
      // Closing punctuation at the end (a block's "}") does not widen the
      // enclosing definitions.
      std::size_t e = c.end;
      while (e > c.begin + 1 && std::strchr(" \t\r\n});],", doc_[e - 1])) --e;
      // Nor do comments at the start (a doc comment before a definition).
      std::size_t b = c.begin;
      while (b + 1 < e && std::strchr(" \t\r\n", doc_[b])) ++b;  // --no-trim
      for (;;) {
        TSNode first = starts.at(b);
        if (!std::strstr(ts_node_type(first), "comment") || ts_node_end_byte(first) >= e) break;
        b = ts_node_end_byte(first);
        while (b < e && std::strchr(" \t\r\n", doc_[b])) ++b;
      }
      for (;;) {  // and comments at the end ("}  // namespace x")
        TSNode last = ends.at(e - 1);
        if (!std::strstr(ts_node_type(last), "comment") || ts_node_start_byte(last) <= b) break;
        e = ts_node_start_byte(last);
        while (e > b + 1 && std::strchr(" \t\r\n});],", doc_[e - 1])) --e;
      }
      // The definitions: the nodes from the root down that hold [b, e), a
      // prefix of the chain at b (whose ends only shrink going down).
      starts.at(b);
      std::size_t depth = starts.nodes.size() - 1;
      while (depth > 0 && ts_node_end_byte(starts.nodes[depth]) < e) --depth;
      for (std::size_t j : starts.defs) {
        if (j > depth) break;
        names.push_back(starts.labels[j]);
      }
      TSNode n = starts.nodes[depth];
      TSNode inner = unwrap(n);
      if (!ts_node_is_null(inner)) {
        std::string il = label(inner);
        if (!il.empty()) names.push_back(std::move(il));
      }
      std::string symbols = "[";
      for (std::size_t j = 0; j < names.size(); ++j) {
        if (j) symbols += ',';
        json::append_string(symbols, names[j]);
      }
      symbols += ']';
      std::size_t l0 = line_at(c.begin);
      std::size_t l1 = line_at(c.end > c.begin ? c.end - 1 : c.begin);
      c.fields.clear();
      c.fields.emplace_back("lang", lang_json);
      c.fields.emplace_back("symbols", std::move(symbols));
      c.fields.emplace_back("node_types", std::move(types));
      c.fields.emplace_back("start_line", std::to_string(l0));
      c.fields.emplace_back("end_line", std::to_string(l1));
      c.fields.emplace_back("parse_errors", errors ? "true" : "false");
    }
  }

  Options options_;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
  Splitter lines_;
  syntax::Parser parser_;
  std::string_view doc_, lang_;
  Span defs_{};
  std::vector<Chunk>* out_ = nullptr;
  std::size_t group_b_ = 0, group_e_ = 0;
  std::uint64_t group_size_ = 0;
  std::vector<std::string_view> types_;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr unsigned max_depth = 2000;
  std::size_t comments_b_ = npos;  // start of the comments that end the group
};

}  // namespace

std::string_view document_language(const Options& o, const Document& d) {
  if (!o.code_lang.empty()) return o.code_lang;
  if (!d.lang.empty()) {
    std::string_view c = syntax::canonical(d.lang);
    if (!c.empty()) return c;
  }
  if (!d.path.empty()) return syntax::language_of_path(d.path);
  return {};
}

void reject_binary(const Document& doc, std::string_view what) {
  const void* nul = std::memchr(doc.text.data(), '\0', doc.text.size());
  if (!nul) return;
  std::size_t at = static_cast<const char*>(nul) - doc.text.data();
  std::uint64_t line = doc.line ? doc.line : 1;
  if (!doc.line)
    for (std::size_t i = 0; i < at; ++i) line += doc.text[i] == '\n';
  data_error(doc.source, line, "binary data (NUL byte) is not " + std::string(what));
}

std::unique_ptr<Chunker> make_code_chunker(const Options& options, const Unit& unit) {
  return std::make_unique<Code>(options, unit);
}

}  // namespace hewn::chunk
