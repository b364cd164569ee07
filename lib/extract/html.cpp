#include "extract/html.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"
#include "extract/encoding.hpp"

namespace hewn::extract {
namespace {

// A run of decoded text and the source bytes it came from.
struct Piece {
  std::size_t d_b, d_e, o_b, o_e;
  bool copied;
};

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::size_t cp_len(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  return std::min(n, s.size() - i);
}

// True when orig[o..] and dec[d..] agree for a few bytes (up to the next
// '&', CR or NUL of orig, where they may part on purpose), and end together
// when orig ends there.
bool agrees(std::string_view orig, std::size_t o, std::string_view dec, std::size_t d) {
  for (int k = 0; k < 12; ++k, ++o, ++d) {
    if (o == orig.size()) return d == dec.size();
    char c = orig[o];
    if (c == '&' || c == '\r' || c == '\0') return true;
    if (d == dec.size() || dec[d] != c) return false;
  }
  return true;
}

// Aligns a text node's decoded text with its source (the original text,
// entities and CR LF line ends in it). Every decoded byte is in one piece.
void align(std::string_view dec, std::string_view orig, std::size_t base, std::vector<Piece>& out) {
  out.clear();
  std::size_t d = 0, o = 0;
  auto copy = [&](std::size_t n) {
    if (!out.empty() && out.back().copied && out.back().d_e == d && out.back().o_e == base + o) {
      out.back().d_e += n;
      out.back().o_e += n;
    } else {
      out.push_back({d, d + n, base + o, base + o + n, true});
    }
    d += n;
    o += n;
  };
  while (d < dec.size()) {
    if (o >= orig.size()) {
      out.push_back({d, dec.size(), base + orig.size(), base + orig.size(), false});
      return;
    }
    char c = orig[o];
    if (c == '&') {
      bool done = false;
      std::size_t r = o + 1;
      std::vector<std::size_t> ends;  // candidate entity ends, longest first
      if (r < orig.size() && orig[r] == '#') {
        ++r;
        bool hex = r < orig.size() && (orig[r] == 'x' || orig[r] == 'X');
        if (hex) ++r;
        while (r < orig.size() && (hex ? std::isxdigit(static_cast<unsigned char>(orig[r])) : std::isdigit(static_cast<unsigned char>(orig[r])))) ++r;
        if (r < orig.size() && orig[r] == ';') ++r;
        ends.push_back(r);
      } else {
        while (r < orig.size() && r - o <= 32 && is_alnum(orig[r])) ++r;
        if (r < orig.size() && orig[r] == ';') ends.push_back(r + 1);
        for (std::size_t e = r; e >= o + 3; --e) ends.push_back(e);
      }
      // One decoded character for the longest entity that fits, else two
      // (a few entities decode to two code points).
      std::size_t k = 0;
      for (int cps = 0; cps < 2 && d + k < dec.size() && !done; ++cps) {
        k += cp_len(dec, d + k);
        for (std::size_t e : ends) {
          if (agrees(orig, e, dec, d + k)) {
            out.push_back({d, d + k, base + o, base + e, false});
            d += k;
            o = e;
            done = true;
            break;
          }
        }
      }
      if (done) continue;
      if (dec[d] == '&') {
        copy(1);
        continue;
      }
    } else if (c == '\r') {
      if (o + 1 < orig.size() && orig[o + 1] == '\n') {
        ++o;  // CR LF reads as LF: the CR maps to nothing
        continue;
      }
      if (dec[d] == '\n') {
        out.push_back({d, d + 1, base + o, base + o + 1, false});
        ++d;
        ++o;
        continue;
      }
    } else if (c == '\0') {
      if (dec.substr(d).starts_with("\xEF\xBF\xBD")) {
        out.push_back({d, d + 3, base + o, base + o + 1, false});
        d += 3;
        ++o;
      } else {
        ++o;
      }
      continue;
    } else if (c == dec[d]) {
      copy(1);
      continue;
    } else if (c == '\n') {  // a newline the parser dropped (after <pre>)
      ++o;
      continue;
    }
    // Lost: the rest of the node maps to the rest of its source as a whole.
    out.push_back({d, dec.size(), base + o, base + orig.size(), false});
    return;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

const GumboAttribute* attr(const GumboElement& e, const char* name) {
  return gumbo_get_attribute(&e.attributes, name);
}

bool hidden(const GumboElement& e) {
  if (attr(e, "hidden")) return true;
  if (auto* a = attr(e, "aria-hidden"); a && std::strcmp(a->value, "true") == 0) return true;
  if (auto* a = attr(e, "style")) {
    std::string s;
    for (const char* p = a->value; *p; ++p)
      if (!is_space(*p)) s += static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
    if (s.find("display:none") != std::string::npos || s.find("visibility:hidden") != std::string::npos) return true;
  }
  if (e.tag == GUMBO_TAG_INPUT) return true;
  return false;
}

bool dropped(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_SVG: case GUMBO_TAG_CANVAS: case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES:
      return true;
    default:
      return false;
  }
}

// 2: a paragraph apart by a blank line; 1: a line of its own; 0: inline.
int block_level(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_PRE: case GUMBO_TAG_LISTING: case GUMBO_TAG_XMP:
    case GUMBO_TAG_PLAINTEXT: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_TABLE: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_HR: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_DETAILS: case GUMBO_TAG_FIELDSET:
      return 2;
    case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_HGROUP: case GUMBO_TAG_CENTER: case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
    case GUMBO_TAG_TR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_LEGEND: case GUMBO_TAG_FORM: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML:
      return 1;
    default:
      return 0;
  }
}

int heading_level(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
  }
}

bool preformatted(GumboTag t) {
  return t == GUMBO_TAG_PRE || t == GUMBO_TAG_LISTING || t == GUMBO_TAG_XMP || t == GUMBO_TAG_PLAINTEXT;
}

class Walker {
 public:
  Walker(std::string_view src, Extracted& x) : src_(src), x_(x) {}

  void run(GumboNode* root) {
    struct Frame {
      GumboNode* node;
      unsigned next;
    };
    std::vector<Frame> stack;
    if (!enter(root)) return;
    stack.push_back({root, 0});
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboVector* kids = children(f.node);
      if (!kids || f.next == kids->length) {
        GumboNode* n = f.node;
        stack.pop_back();
        leave(n);
        continue;
      }
      GumboNode* kid = static_cast<GumboNode*>(kids->data[f.next++]);
      if (kid->type == GUMBO_NODE_ELEMENT || kid->type == GUMBO_NODE_TEMPLATE) {
        if (enter(kid)) stack.push_back({kid, 0});
      } else if (kid->type == GUMBO_NODE_TEXT || kid->type == GUMBO_NODE_WHITESPACE ||
                 kid->type == GUMBO_NODE_CDATA) {
        text(kid->v.text);
      }
    }
    close_sections();
  }

 private:
  static const GumboVector* children(GumboNode* n) {
    if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) return &n->v.element.children;
    return nullptr;
  }

  std::size_t offset(const char* p) const { return static_cast<std::size_t>(p - src_.data()); }
  std::size_t tag_pos(const GumboElement& e) const { return e.start_pos.offset; }

  // False when the element's content is dropped.
  bool enter(GumboNode* n) {
    if (n->type == GUMBO_NODE_DOCUMENT) return true;
    const GumboElement& e = n->v.element;
    if (e.tag_namespace == GUMBO_NAMESPACE_HTML && (dropped(e.tag) || hidden(e))) return false;
    if (e.tag_namespace == GUMBO_NAMESPACE_SVG) return false;
    const GumboTag t = e.tag_namespace == GUMBO_NAMESPACE_HTML ? e.tag : GUMBO_TAG_UNKNOWN;
    int level = block_level(t);
    if ((t == GUMBO_TAG_UL || t == GUMBO_TAG_OL || t == GUMBO_TAG_DL || t == GUMBO_TAG_MENU || t == GUMBO_TAG_DIR) &&
        !lists_.empty())
      level = 1;  // a nested list goes on the next line
    brk(level, tag_pos(e));
    if (t == GUMBO_TAG_BR) {
      hard_break(tag_pos(e));
    } else if (t == GUMBO_TAG_UL || t == GUMBO_TAG_MENU || t == GUMBO_TAG_DIR) {
      lists_.push_back({false, 0});
    } else if (t == GUMBO_TAG_OL) {
      long start = 1;
      if (auto* a = attr(e, "start")) start = std::strtol(a->value, nullptr, 10);
      lists_.push_back({true, start - 1});
    } else if (t == GUMBO_TAG_LI) {
      std::string marker = "- ";
      if (!lists_.empty() && lists_.back().ordered) {
        if (auto* a = attr(e, "value")) lists_.back().counter = std::strtol(a->value, nullptr, 10) - 1;
        marker = std::to_string(++lists_.back().counter) + ". ";
      }
      std::string indent(lists_.empty() ? 0 : 2 * (lists_.size() - 1), ' ');
      bullet_ = indent + marker;
      bullet_pos_ = tag_pos(e);
    } else if (t == GUMBO_TAG_TR) {
      rows_.push_back(false);
    } else if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && !rows_.empty() && rows_.back()) {
      cell_sep_ = true;
    } else if (preformatted(t)) {
      ++pre_;
    }
    if (int h = heading_level(t)) {
      heading_level_ = h;
      heading_start_ = npos;
    }
    return true;
  }

  void leave(GumboNode* n) {
    if (n->type == GUMBO_NODE_DOCUMENT) return;
    const GumboElement& e = n->v.element;
    const GumboTag t = e.tag_namespace == GUMBO_NAMESPACE_HTML ? e.tag : GUMBO_TAG_UNKNOWN;
    std::size_t pos = e.end_pos.offset;
    if (t == GUMBO_TAG_UL || t == GUMBO_TAG_OL || t == GUMBO_TAG_MENU || t == GUMBO_TAG_DIR) {
      if (!lists_.empty()) lists_.pop_back();
    } else if (t == GUMBO_TAG_TR) {
      if (!rows_.empty()) rows_.pop_back();
    } else if (preformatted(t)) {
      --pre_;
    } else if (t == GUMBO_TAG_LI) {
      bullet_.clear();
    }
    if (heading_level(t) && heading_level_) {
      if (heading_start_ != npos) heading(heading_level_, heading_start_, x_.text.size());
      heading_level_ = 0;
    }
    int level = block_level(t);
    if ((t == GUMBO_TAG_UL || t == GUMBO_TAG_OL || t == GUMBO_TAG_DL || t == GUMBO_TAG_MENU || t == GUMBO_TAG_DIR) &&
        !lists_.empty())
      level = 1;
    brk(level, pos);
  }

  void brk(int level, std::size_t) {
    if (level > break_) break_ = level;
    if (level > 0) cell_sep_ = false;
  }

  void hard_break(std::size_t pos) {
    // A <br>: a line end now (several in a row make blank lines).
    if (break_ > 0) flush_break(pos);
    add("\n", pos, pos, false);
    space_ = false;
  }

  // Writes the pending block break, bullet and cell separator before text.
  void flush_break(std::size_t pos) {
    std::string& t = x_.text;
    if (break_ > 0 && !t.empty()) {
      std::size_t have = 0;
      while (have < t.size() && have < 2 && t[t.size() - 1 - have] == '\n') ++have;
      std::size_t want = static_cast<std::size_t>(break_);
      if (have < want) add(std::string(want - have, '\n'), pos, pos, false);
    }
    break_ = 0;
    space_ = false;
  }

  void before_content(std::size_t pos) {
    if (break_ > 0) flush_break(pos);
    const bool line_start = x_.text.empty() || x_.text.back() == '\n';
    if (!bullet_.empty()) {
      if (!line_start) add("\n", pos, pos, false);
      add(bullet_, bullet_pos_, bullet_pos_, false);
      bullet_.clear();
      space_ = false;
    } else if (cell_sep_) {
      add(" | ", pos, pos, false);
      space_ = false;
    } else if (space_ && !line_start) {
      add(" ", space_b_, space_e_, false);
    }
    space_ = false;
    cell_sep_ = false;
    if (!rows_.empty()) rows_.back() = true;
    if (heading_level_ && heading_start_ == npos) heading_start_ = x_.text.size();
  }

  void add(std::string_view s, std::size_t src_b, std::size_t src_e, bool copied) {
    x_.map.add(x_.text.size(), s.size(), src_b, src_e, copied);
    x_.text += s;
  }

  void text(const GumboText& t) {
    std::string_view dec(t.text);
    std::string_view orig(t.original_text.data, t.original_text.length);
    if (dec.empty()) return;
    align(dec, orig, offset(t.original_text.data), pieces_);
    for (const Piece& p : pieces_) {
      std::string_view s = dec.substr(p.d_b, p.d_e - p.d_b);
      if (pre_ > 0) {
        before_content(p.o_b);
        add(s, p.o_b, p.o_e, p.copied);
        continue;
      }
      if (!p.copied) {  // an entity (or a lost run): whole
        bool all_space = std::all_of(s.begin(), s.end(), is_space);
        if (all_space) {
          whitespace(p.o_b, p.o_e);
        } else {
          before_content(p.o_b);
          add(s, p.o_b, p.o_e, false);
        }
        continue;
      }
      std::size_t i = 0;
      while (i < s.size()) {
        if (is_space(s[i])) {
          std::size_t j = i;
          while (j < s.size() && is_space(s[j])) ++j;
          whitespace(p.o_b + i, p.o_b + j);
          i = j;
        } else {
          std::size_t j = i;
          while (j < s.size() && !is_space(s[j])) ++j;
          before_content(p.o_b + i);
          add(s.substr(i, j - i), p.o_b + i, p.o_b + j, true);
          i = j;
        }
      }
    }
  }

  void whitespace(std::size_t b, std::size_t e) {
    if (space_ && space_e_ == b) {
      space_e_ = e;
      return;
    }
    if (!space_) {
      space_ = true;
      space_b_ = b;
    }
    space_e_ = e;
  }

  void heading(int level, std::size_t b, std::size_t e) {
    std::string name;
    for (std::size_t i = b; i < e; ++i) {
      char c = x_.text[i];
      if (is_space(c)) {
        if (!name.empty() && name.back() != ' ') name += ' ';
      } else {
        name += c;
      }
    }
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) return;
    while (!levels_.empty() && levels_.back() >= level) {
      levels_.pop_back();
      path_.pop_back();
    }
    levels_.push_back(level);
    path_.push_back(name);
    // The section of this heading starts at its text.
    if (x_.sections.empty() && b > 0) x_.sections.push_back({0, b, {{"headings", "[]"}}});
    if (!x_.sections.empty()) x_.sections.back().end = b;
    std::string v = "[";
    for (std::size_t i = 0; i < path_.size(); ++i) {
      if (i) v += ',';
      json::append_string(v, path_[i]);
    }
    v += ']';
    x_.sections.push_back({b, b, {{"headings", std::move(v)}}});
  }

  void close_sections() {
    if (x_.sections.empty()) {
      x_.sections.push_back({0, x_.text.size(), {{"headings", "[]"}}});
    } else {
      x_.sections.back().end = x_.text.size();
    }
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  struct List {
    bool ordered;
    long counter;
  };
  std::string_view src_;
  Extracted& x_;
  std::vector<Piece> pieces_;
  std::vector<List> lists_;
  std::vector<bool> rows_;
  std::vector<int> levels_;
  std::vector<std::string> path_;
  std::string bullet_;
  std::size_t bullet_pos_ = 0;
  int break_ = 0;
  int pre_ = 0;
  bool space_ = false, cell_sep_ = false;
  std::size_t space_b_ = 0, space_e_ = 0;
  int heading_level_ = 0;
  std::size_t heading_start_ = npos;
};

// The most elements gumbo may find open at once. Its tree builder scans the
// stack of open elements on most tags (O(depth) each: quadratic in the
// nesting) and frees the tree recursively, so a page is pre-scanned and
// refused beyond this (browsers flatten the tree at 512 levels).
constexpr std::size_t max_depth = 1024;

bool ascii_ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A linear pass over the tags that models the stack of open elements as the
// HTML5 tree builder keeps it, closely enough to bound its depth: void
// elements, self-closing tags inside svg and math, the contents of raw-text
// elements, comments and the implied ends of p, li, dt, dd, option, table
// parts, headings and a (a nested one closes the open one) are modelled; an end tag closes up to its element
// when one is open and is ignored otherwise. Returns the 1-based line where
// more than max_depth elements are open, or 0.
std::uint64_t too_deep(std::string_view h) {
  std::vector<std::string> stack;
  std::size_t foreign = 0;  // svg and math elements open: there "/>" closes an element
  std::string name;
  auto truncate = [&](std::size_t k) {
    for (std::size_t j = k; j < stack.size(); ++j) foreign -= stack[j] == "svg" || stack[j] == "math";
    stack.resize(k);
  };
  auto pop_to = [&](std::initializer_list<std::string_view> targets, std::initializer_list<std::string_view> stops) {
    for (std::size_t k = stack.size(); k-- > 0;) {
      if (one_of(stack[k], targets)) {
        truncate(k);
        return;
      }
      if (one_of(stack[k], stops)) return;
    }
  };
  const std::size_t n = h.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t lt = h.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= n) break;
    i = lt + 1;
    if (h.compare(i, 3, "!--") == 0) {
      std::size_t e = h.find("-->", i + 3);
      i = e == std::string_view::npos ? n : e + 3;
      continue;
    }
    if (h[i] == '!' || h[i] == '?') {
      std::size_t e = h.find('>', i);
      i = e == std::string_view::npos ? n : e + 1;
      continue;
    }
    const bool end = h[i] == '/';
    if (end) ++i;
    if (i >= n || !std::isalpha(static_cast<unsigned char>(h[i]))) continue;
    name.clear();
    while (i < n && !is_space(h[i]) && h[i] != '/' && h[i] != '>')
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(h[i++])));
    // Attributes, to the '>' outside quotes.
    bool self_closing = false;
    while (i < n && h[i] != '>') {
      if (h[i] == '"' || h[i] == '\'') {
        std::size_t e = h.find(h[i], i + 1);
        i = e == std::string_view::npos ? n : e + 1;
        self_closing = false;
      } else {
        self_closing = h[i] == '/';
        ++i;
      }
    }
    ++i;
    if (end) {
      for (std::size_t k = stack.size(); k-- > 0;)
        if (stack[k] == name) {
          truncate(k);
          break;
        }
      continue;
    }
    if (self_closing && (foreign > 0 || name == "svg" || name == "math")) continue;
    if (one_of(name, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                      "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image"}))
      continue;
    if (name == "plaintext") break;
    if (one_of(name, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"})) {
      // Raw text to the matching end tag.
      std::size_t j = i;
      while (true) {
        j = h.find("</", j);
        if (j == std::string_view::npos || ascii_ieq(h.substr(j + 2, name.size()), name)) break;
        j += 2;
      }
      i = j == std::string_view::npos ? n : j;
      continue;
    }
    if (one_of(name, {"address", "article", "aside", "blockquote", "center", "details", "dir", "div", "dl",
                      "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                      "header", "hgroup", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "ul",
                      "li", "dd", "dt", "table", "listing"}))
      pop_to({"p"}, {"button", "table", "td", "th", "caption", "applet", "marquee", "object", "html"});
    if (name == "li") pop_to({"li"}, {"ul", "ol", "menu", "table", "div", "html"});
    else if (name == "dt" || name == "dd") pop_to({"dt", "dd"}, {"dl", "table", "div", "html"});
    else if (name == "option" || name == "optgroup") pop_to({"option"}, {"select", "optgroup", "datalist", "html"});
    else if (name == "tr") pop_to({"tr"}, {"table", "thead", "tbody", "tfoot", "html"});
    else if (name == "td" || name == "th") pop_to({"td", "th"}, {"tr", "table", "html"});
    else if (name == "thead" || name == "tbody" || name == "tfoot") pop_to({"thead", "tbody", "tfoot"}, {"table", "html"});
    else if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !stack.empty() &&
             stack.back().size() == 2 && stack.back()[0] == 'h' && stack.back()[1] >= '1' && stack.back()[1] <= '6')
      stack.pop_back();
    else if (name == "a" || name == "button" || name == "nobr") pop_to({name}, {"html"});
    foreign += name == "svg" || name == "math";
    stack.push_back(name);
    if (stack.size() > max_depth)
      return 1 + static_cast<std::uint64_t>(std::count(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(lt), '\n'));
  }
  return 0;
}

struct OutputDeleter {
  void operator()(GumboOutput* o) const { gumbo_destroy_output(&kGumboDefaultOptions, o); }
};

}  // namespace

Extracted extract_html(std::string_view bytes, std::string_view source, const HtmlOptions& options) {
  std::string charset = bytes.starts_with("\xEF\xBB\xBF") || bytes.starts_with("\xFF\xFE") ||
                                bytes.starts_with("\xFE\xFF") || options.encoding.empty()
                            ? html_charset(bytes)
                            : options.encoding;
  const bool declared = !charset.empty();
  if (charset.empty()) charset = "utf-8";
  Decoded d;
  std::size_t skip = 0;
  std::string_view html;
  const bool transcode = !is_utf8_name(charset);
  try {
    if (transcode) {
      d = decode(bytes, charset, source, true);
      html = d.text;
    } else {
      if (bytes.starts_with("\xEF\xBB\xBF")) skip = 3;
      html = bytes.substr(skip);
      std::size_t bad = utf8::first_invalid(html);
      if (bad != html.size()) {
        std::uint64_t line = 1 + static_cast<std::uint64_t>(std::count(html.begin(), html.begin() + bad, '\n'));
        char what[128];
        std::snprintf(what, sizeof what, "not valid UTF-8 (byte 0x%02X)%s", static_cast<unsigned char>(html[bad]),
                      declared ? "" : " and no charset declared");
        data_error(source, line, what);
      }
    }
  } catch (const DataError&) {
    throw;
  }
  if (std::uint64_t line = too_deep(html))
    data_error(source, line, "HTML nested deeper than " + std::to_string(max_depth) + " elements");
  GumboOptions go = kGumboDefaultOptions;
  go.max_errors = 0;
  std::unique_ptr<GumboOutput, OutputDeleter> out(gumbo_parse_with_options(&go, html.data(), html.size()));
  if (!out) throw std::bad_alloc();
  Extracted x;
  Walker(html, x).run(out->document);
  if (transcode) {
    d.text.clear();
    x.map.through(std::move(d.offsets));
  } else {
    x.map.shift(skip);
  }
  return x;
}

}  // namespace hewn::extract
