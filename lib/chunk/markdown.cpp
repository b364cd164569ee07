// The markdown strategy: blocks from the tree-sitter Markdown block grammar
// (CommonMark + GFM tables), merged greedily under their heading path.
#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "chunk/code.hpp"
#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "chunk/syntax.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {
namespace {

bool is(TSNode n, const char* type) { return !std::strcmp(ts_node_type(n), type); }

// The grammar's scanner keeps its open blocks (block quotes, list items) in
// tree-sitter's 1 KiB state buffer and overruns it past about 250 of them.
// An upper bound of the blocks open on each line: its '>' marks, its list
// markers, and half its indentation (a nested list item needs 2 columns).
constexpr std::size_t max_nesting = 200;

// The first line whose nesting bound exceeds max_nesting, or 0.
std::uint64_t too_deep(std::string_view s) {
  std::uint64_t line = 1;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t columns = 0, marks = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == ' ') ++columns;
      else if (c == '\t') columns += 4;
      else if (c == '>') ++marks;
      else if ((c == '-' || c == '*' || c == '+') && i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) ++marks;
      else if (c >= '0' && c <= '9') {
        std::size_t j = i;
        while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
        if (j + 1 < s.size() && (s[j] == '.' || s[j] == ')') && (s[j + 1] == ' ' || s[j + 1] == '\t')) {
          ++marks;
          i = j;
        } else {
          break;
        }
      } else {
        break;
      }
    }
    if (marks + columns / 2 > max_nesting) return line;
    const void* nl = std::memchr(s.data() + i, '\n', s.size() - i);
    if (!nl) break;
    i = static_cast<const char*>(nl) - s.data() + 1;
    ++line;
  }
  return 0;
}

class Markdown final : public Chunker {
 public:
  Markdown(const Options& o, const Unit& u)
      : options_(o),
        measure_(u.make_measure()),
        emitter_(options_, *measure_),
        lines_({{Level::line, {}}, {Level::grapheme, {}}}, options_, *measure_, emitter_, 0),
        prose_(default_levels(), options_, *measure_, emitter_, 0) {
    emitter_.merge_fields = [this](const Chunk& a, const Chunk& b, Chunk& into) { merge_tags(a, b, into); };
  }

  void split(const Document& doc, std::vector<Chunk>& out) override {
    reject_binary(doc, "Markdown");
    if (std::uint64_t line = too_deep(doc.text))
      data_error(doc.source, doc.line ? doc.line : line,
                 "Markdown nested deeper than " + std::to_string(max_nesting) +
                     " block quotes, list items or indentation levels");
    doc_ = doc.text;
    out_ = &out;
    const std::size_t mark = out.size();
    begin();
    if (doc.text.size() > window) {
      if (windowed()) {
        emitter_.end();
        return;
      }
      out.resize(mark);  // a window disagreed: start over with one tree
      begin();
    }
    if (!doc.text.empty()) {
      syntax::Tree tree = parser_.parse("markdown", doc.text);
      sequence(ts_tree_root_node(tree.get()), 0, doc.text.size(), true);
      flush();
    }
    emitter_.end();
  }

 private:
  // Starts the document doc_ (chunks go to out_).
  void begin() {
    measure_->reset(doc_);
    emitter_.begin(doc_, *out_);
    lines_.reset(doc_);
    prose_.reset(doc_);
    path_.clear();
    levels_.clear();
    tags_.clear();
    group_b_ = group_e_ = group_size_ = 0;
    base_ = 0;
  }

  // Byte offsets of a node in the document (trees of windows are parsed
  // from byte base_ on).
  std::size_t start(TSNode n) const { return base_ + ts_node_start_byte(n); }
  std::size_t end(TSNode n) const { return base_ + ts_node_end_byte(n); }

  // A tree-sitter tree of Markdown takes some 50 bytes per byte of ordinary
  // text and about 500 per blank line, so a document larger than this is
  // parsed in windows of about this size (windowed()).
  static constexpr std::size_t window = 32 << 10;

  // A top-level item of a window, in document order: a block of the
  // document or of a section outside lists and block quotes (leaf), the
  // start or end of a section (enter, exit; start is its end then), or a
  // section without visible children (empty: blank lines only).
  struct Event {
    enum Kind { leaf, enter, exit, empty } kind;
    TSNode node;
    std::size_t start;
  };

  // The top-level items under node (the document or a section).
  void events(TSNode node, bool restart, std::vector<Event>& out) {
    TSTreeCursor cur = ts_tree_cursor_new(node);
    bool first = true;
    if (ts_tree_cursor_goto_first_child(&cur)) {
      do {
        TSNode kid = ts_tree_cursor_current_node(&cur);
        if (!is(kid, "section")) {
          out.push_back({Event::leaf, kid, start(kid)});
        } else if (restart && first && (ts_node_child_count(kid) == 0 || !is(ts_node_child(kid, 0), "atx_heading"))) {
          // A window after the first opens where the document is inside
          // the section of the blocks before it: its opening section
          // (the blank line it starts with, and blocks up to a heading)
          // continues that one.
          events(kid, false, out);
        } else if (ts_node_child_count(kid) == 0) {
          out.push_back({Event::empty, kid, start(kid)});
        } else {
          out.push_back({Event::enter, kid, start(kid)});
          events(kid, false, out);
          out.push_back({Event::exit, kid, end(kid)});
        }
        first = false;
      } while (ts_tree_cursor_goto_next_sibling(&cur));
    }
    ts_tree_cursor_delete(&cur);
  }

  // The end of the blank line (spaces and tabs) at i, or 0 where there is
  // none (or no newline ends it).
  std::size_t blank_line(std::size_t i) const {
    while (i < doc_.size() && (doc_[i] == ' ' || doc_[i] == '\t')) ++i;
    if (i < doc_.size() && doc_[i] == '\r') ++i;
    return i < doc_.size() && doc_[i] == '\n' ? i + 1 : 0;
  }

  // The start of the last line of the run of blank lines at i, and in
  // `after` the end of the run (the first line that is not blank, or the
  // end of the document); i itself where no blank line starts at i.
  std::size_t blank_run(std::size_t i, std::size_t& after) const {
    std::size_t last = i;
    while (std::size_t next = blank_line(i)) {
      last = i;
      i = next;
    }
    after = i;
    return last;
  }

  // Where the first window must end at least: the grammar takes a first
  // line "---" or "+++" for front matter when a line of exactly that
  // (and spaces) follows anywhere, so past that line.
  std::size_t metadata_end() const {
    std::size_t i = 0;
    while (i < doc_.size() && (doc_[i] == ' ' || doc_[i] == '\t')) ++i;
    if (i >= doc_.size() || (doc_[i] != '-' && doc_[i] != '+')) return 0;
    const char c = doc_[i];
    for (; i < doc_.size(); ++i) {
      if (doc_[i] != '\n' && doc_[i] != '\r') continue;
      std::size_t j = i + 1, k = 0;
      while (j < doc_.size() && doc_[j] == c) ++j, ++k;
      if (k != 3) continue;
      while (j < doc_.size() && (doc_[j] == ' ' || doc_[j] == '\t')) ++j;
      if (j < doc_.size() && (doc_[j] == '\n' || doc_[j] == '\r')) return std::min(doc_.size(), j + 3);
    }
    return 0;
  }

  // Blocks that a blank line after them closes whatever follows (lists and
  // block quotes go on over blank lines, indented code may).
  static bool closed_by_blank(TSNode n) {
    static constexpr const char* types[] = {"paragraph",   "atx_heading",       "setext_heading",
                                            "thematic_break", "fenced_code_block", "html_block",
                                            "pipe_table",  "link_reference_definition"};
    for (const char* t : types)
      if (is(n, t)) return true;
    return false;
  }

  // The document parsed in windows: each window starts at the top level,
  // outside any open block (the start of the document, or a blank line
  // after a block that closed); its items are taken up to the last block
  // that a blank line inside the window closes, and the next window starts
  // at the last blank line before the next block (runs of blank lines are
  // skipped as text). The items are handled as sequence() handles those of
  // one tree of the whole document: a piece of each block, from its start
  // (or the end of the piece before) to the start of the next item.
  // False where a window disagrees with that (then nothing is certain).
  bool windowed() {
    const std::size_t n = doc_.size();
    std::size_t after = 0;
    std::size_t pos = blank_run(0, after);  // leading blank lines as text
    std::size_t first_end = metadata_end();
    bool restart = false;                   // pos is after a block
    syntax::Tree held;                      // the tree of the pending item
    std::size_t held_base = 0;
    Event pending{Event::leaf, {}, 0};
    bool has_pending = false;
    std::size_t pb = 0;  // the start of the next piece
    std::vector<Event> ev;
    auto resolve = [&](std::size_t next) {
      std::size_t pe = std::max(pb, next);
      if (has_pending && pe > pb) {
        std::size_t keep = base_;
        base_ = held_base;
        if (pending.kind == Event::empty) {
          flush();
          std::size_t tb = pb, te = pe;
          text::trim(doc_, tb, te);
          if (tb < te || !options_.trim) {  // else no chunk: spare the splitter
            std::size_t mark = out_->size();
            prose_.split(pb, pe, 0);
            tag(mark);
          }
        } else {
          piece(pending.node, pb, pe, true);
        }
        base_ = keep;
      }
      if (has_pending) pb = pe;
      has_pending = false;
    };
    for (;;) {
      std::size_t size = window;
      syntax::Tree tree;
      std::size_t cut = 0;  // items taken: ev[0, cut)
      std::size_t w = n;
      for (;;) {
        w = pos + size >= n ? n : pos + size;
        if (!restart) w = std::max(w, first_end);
        if (w < n) {  // to the end of a line
          const void* nl = std::memchr(doc_.data() + w, '\n', n - w);
          w = nl ? static_cast<const char*>(nl) - doc_.data() + 1 : n;
        }
        tree.reset();
        tree = parser_.parse("markdown", doc_.substr(pos, w - pos));
        base_ = pos;
        ev.clear();
        events(ts_tree_root_node(tree.get()), restart, ev);
        std::size_t last = pos;
        for (const Event& e : ev) {
          if (e.kind == Event::exit) continue;
          if (e.start < last || (restart && e.start < after)) return false;
          last = e.start;
        }
        if (w == n) {
          cut = ev.size();
          break;
        }
        // The last block closed by a blank line inside the window.
        for (std::size_t i = ev.size(); i-- > 0;) {
          if (ev[i].kind != Event::leaf || !closed_by_blank(ev[i].node)) continue;
          std::size_t e = end(ev[i].node);
          if (e <= ev[i].start || doc_[e - 1] != '\n') continue;
          std::size_t b = blank_line(e);
          if (b && b <= w) {
            cut = i + 1;
            break;
          }
        }
        if (cut) break;
        size *= 2;
      }
      // Error recovery may have reached back over blocks: the tree of the
      // whole document may differ there.
      for (std::size_t i = 0; i < cut; ++i)
        if (is(ev[i].node, "ERROR")) return false;
      for (std::size_t i = 0; i < cut; ++i) {
        if (ev[i].kind == Event::exit) {
          std::size_t next = n;  // the start of the next item
          for (std::size_t j = i + 1; j < ev.size(); ++j) {
            if (ev[j].kind != Event::exit) {
              next = ev[j].start;
              break;
            }
          }
          resolve(next);
          flush();
        } else if (ev[i].kind == Event::enter) {
          resolve(ev[i].start);
          flush();
        } else {
          resolve(ev[i].start);
          pending = ev[i];
          has_pending = true;
          held_base = base_;
        }
      }
      if (w == n) {
        resolve(n);
        flush();
        return true;
      }
      // The pending item is the last block taken; its tree stays until the
      // next window gives the start of the item after it (two trees at most).
      held = std::move(tree);
      pos = blank_run(end(pending.node), after);
      restart = true;
    }
  }

  // Children of a container as pieces (each with the gap after it), merged
  // greedily; sections and headings start chunks, oversize blocks split by
  // their kind. top: node is the document or a section outside any list or
  // block quote (the grammar opens sections inside those too), where
  // headings enter the path.
  void sequence(TSNode node, std::size_t b, std::size_t e, bool top) {
    const uint32_t k = ts_node_child_count(node);
    if (k == 0) {
      flush();
      std::size_t mark = out_->size();
      prose_.split(b, e, 0);
      tag(mark);
      return;
    }
    TSTreeCursor cur = ts_tree_cursor_new(node);
    ts_tree_cursor_goto_first_child(&cur);
    TSNode kid = ts_tree_cursor_current_node(&cur);
    std::size_t pb = b;
    for (uint32_t i = 0; i < k; ++i) {
      TSNode next{};
      std::size_t pe = e;
      if (i + 1 < k && ts_tree_cursor_goto_next_sibling(&cur)) {
        next = ts_tree_cursor_current_node(&cur);
        pe = std::max<std::size_t>(pb, start(next));
      }
      if (pe > pb) piece(kid, pb, pe, top);
      pb = pe;
      kid = next;
    }
    ts_tree_cursor_delete(&cur);
  }

  void piece(TSNode kid, std::size_t b, std::size_t e, bool top) {
    if (is(kid, "section")) {
      flush();
      sequence(kid, b, e, top);
      flush();
      return;
    }
    bool heading = top && (is(kid, "atx_heading") || is(kid, "setext_heading"));
    if (heading) {
      // The path by heading level (the grammar's sections do not nest
      // setext headings by level).
      flush();
      int level = heading_level(kid);
      while (!levels_.empty() && levels_.back() >= level) {
        levels_.pop_back();
        path_.pop_back();
      }
      levels_.push_back(level);
      path_.push_back(heading_text(kid));
    }
    std::uint64_t s = core_size(b, e);
    if (s > options_.size) {
      flush();
      oversize(kid, b, e);
      return;
    }
    if (group_size_ + s > options_.size) flush();
    if (group_b_ == group_e_) group_b_ = b;
    group_e_ = e;
    group_size_ += measure_->size(b, e);
  }

  // The size of [b, e) without its trailing whitespace (which trimming
  // drops when the span ends a chunk; all of it with --no-trim).
  std::uint64_t core_size(std::size_t b, std::size_t e) {
    if (!options_.trim) return measure_->size(b, e);
    std::size_t t = e;
    while (t > b && (doc_[t - 1] == ' ' || doc_[t - 1] == '\n' || doc_[t - 1] == '\t' || doc_[t - 1] == '\r')) --t;
    return measure_->size(b, t);
  }

  static int heading_level(TSNode h) {
    uint32_t k = ts_node_child_count(h);
    for (uint32_t i = 0; i < k; ++i) {
      std::string_view t = ts_node_type(ts_node_child(h, i));
      if (t.starts_with("atx_h") && t.size() > 5) return t[5] - '0';
      if (t == "setext_h1_underline") return 1;
      if (t == "setext_h2_underline") return 2;
    }
    return 1;
  }

  // A block alone larger than --size.
  void oversize(TSNode n, std::size_t b, std::size_t e) {
    std::size_t mark = out_->size();
    if (is(n, "fenced_code_block") || is(n, "indented_code_block") || is(n, "atx_heading") ||
        is(n, "setext_heading")) {
      lines_.split(b, e, 0);
      tag(mark);
    } else if (is(n, "pipe_table")) {
      table(n, b, e);
    } else if (is(n, "paragraph") || is(n, "html_block") || ts_node_named_child_count(n) == 0) {
      prose_.split(b, e, 0);
      tag(mark);
    } else {
      sequence(n, b, e, false);  // lists, list items, block quotes: no path
      flush();
    }
  }

  // Rows merged greedily; chunks after the first carry the header row.
  void table(TSNode n, std::size_t b, std::size_t e) {
    std::string header;
    TSNode h = ts_node_named_child(n, 0);
    if (!ts_node_is_null(h) && is(h, "pipe_table_header")) {
      std::size_t hb = start(h), he = end(h);
      while (he > hb && (doc_[he - 1] == '\n' || doc_[he - 1] == '\r')) --he;
      header = doc_.substr(hb, he - hb);
    }
    starts_.clear();
    TSTreeCursor cur = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&cur)) {
      do starts_.push_back(start(ts_tree_cursor_current_node(&cur)));
      while (ts_tree_cursor_goto_next_sibling(&cur));
    }
    ts_tree_cursor_delete(&cur);
    const std::size_t k = starts_.size();
    std::size_t pb = b;
    std::size_t gb = 0, ge = 0;
    std::uint64_t gs = 0;
    auto emit = [&](std::size_t x, std::size_t y) {
      std::size_t mark = out_->size();
      if (core_size(x, y) > options_.size) lines_.split(x, y, 0);
      else emitter_.add(x, y);
      for (std::size_t i = mark; i < out_->size(); ++i) {
        bool first = (*out_)[i].begin <= start(n);
        tag_one((*out_)[i], first ? std::string_view{} : std::string_view(header));
      }
    };
    for (std::size_t i = 0; i < k; ++i) {
      std::size_t pe = i + 1 < k ? std::max<std::size_t>(pb, starts_[i + 1]) : e;
      if (pe > pb) {
        if (gs + core_size(pb, pe) > options_.size && ge > gb) {
          emit(gb, ge);
          gb = ge = gs = 0;
        }
        if (ge == gb) gb = pb;
        ge = pe;
        gs += measure_->size(pb, pe);
      }
      pb = pe;
    }
    if (ge > gb) emit(gb, ge);
  }

  std::string heading_text(TSNode h) {
    TSNode c = ts_node_child_by_field_name(h, "heading_content", 15);
    std::string out;
    if (ts_node_is_null(c)) return out;
    std::string_view s = doc_.substr(start(c), end(c) - start(c));
    for (char ch : s) {
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += ch;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (is(h, "atx_heading")) {  // an optional closing sequence: " ##"
      std::size_t k = out.size();
      while (k > 0 && out[k - 1] == '#') --k;
      if (k < out.size() && (k == 0 || out[k - 1] == ' ')) {
        out.resize(k);
        while (!out.empty() && out.back() == ' ') out.pop_back();
      }
    }
    return out;
  }

  void flush() {
    if (group_b_ == group_e_) return;
    std::size_t mark = out_->size();
    emitter_.add(group_b_, group_e_);
    tag(mark);
    group_b_ = group_e_ = group_size_ = 0;
  }

  void tag(std::size_t mark) {
    for (std::size_t i = mark; i < out_->size(); ++i) tag_one((*out_)[i], {});
  }

  // headings, and context: the heading path (--context headings) and the
  // header row of a table split at rows, one per line.
  void tag_one(Chunk& c, std::string_view table_header) {
    set_fields(c, path_.size(), path_, table_header);
    if (options_.min_size > 0) tags_[c.begin] = {path_.size(), path_, std::string(table_header)};
  }

  // The fields of a chunk under the first n headings of path.
  void set_fields(Chunk& c, std::size_t n, const std::vector<std::string>& path, std::string_view table_header) {
    std::string h = "[", context;
    for (std::size_t i = 0; i < n; ++i) {
      if (i) h += ',';
      json::append_string(h, path[i]);
      if (options_.context == "headings") {
        if (i) context += " > ";
        context += path[i];
      }
    }
    h += ']';
    c.fields.clear();
    c.fields.emplace_back("headings", std::move(h));
    if (!table_header.empty()) {
      if (!context.empty()) context += '\n';
      context += table_header;
    }
    if (!context.empty()) {
      std::string v;
      json::append_string(v, context);
      c.fields.emplace_back("context", std::move(v));
    }
  }

  // --min-size merged two chunks: the merged chunk's heading path is the
  // part the two paths share (the headings that hold all of it), and its
  // context that path plus the table header of the first, if it had one.
  void merge_tags(const Chunk& first, const Chunk& second, Chunk& into) {
    auto a = tags_.find(first.begin), b = tags_.find(second.begin);
    if (a == tags_.end() || b == tags_.end()) return;
    Tag& t = a->second;
    std::size_t n = 0;
    while (n < t.n && n < b->second.n && t.path[n] == b->second.path[n]) ++n;
    t.n = n;
    set_fields(into, n, t.path, t.table_header);
  }

  Options options_;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
  Splitter lines_, prose_;
  syntax::Parser parser_;
  std::string_view doc_;
  std::vector<Chunk>* out_ = nullptr;
  std::vector<std::string> path_;
  // With --min-size: each chunk's heading path (its first n headings) and
  // table header, by the chunk's start, for merge_tags().
  struct Tag {
    std::size_t n = 0;
    std::vector<std::string> path;
    std::string table_header;
  };
  std::unordered_map<std::size_t, Tag> tags_;
  std::vector<std::size_t> starts_;
  std::vector<int> levels_;
  std::size_t base_ = 0;
  std::size_t group_b_ = 0, group_e_ = 0;
  std::uint64_t group_size_ = 0;
};

}  // namespace

std::unique_ptr<Chunker> make_markdown_chunker(const Options& options, const Unit& unit) {
  return std::make_unique<Markdown>(options, unit);
}

}  // namespace hewn::chunk
