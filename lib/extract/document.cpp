#include "extract/document.hpp"

#include <algorithm>

namespace hewn::extract {
namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i]) return false;
  }
  return true;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Format detect(std::string_view name, std::string_view head) {
  for (std::string_view z : {".gz", ".zst", ".xz", ".bz2"})
    if (ends_with_ci(name, z)) {
      name.remove_suffix(z.size());
      break;
    }
  if (ends_with_ci(name, ".html") || ends_with_ci(name, ".htm") || ends_with_ci(name, ".xhtml")) return Format::html;
  if (ends_with_ci(name, ".pdf")) return Format::pdf;
  if (head.starts_with("%PDF-")) return Format::pdf;
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  while (!head.empty() && (head[0] == ' ' || head[0] == '\t' || head[0] == '\n' || head[0] == '\r' || head[0] == '\f'))
    head.remove_prefix(1);
  if (starts_with_ci(head, "<!doctype html") || starts_with_ci(head, "<html")) return Format::html;
  return Format::text;
}

void SourceMap::add(std::size_t text_begin, std::size_t text_len, std::size_t src_begin, std::size_t src_end,
                    bool copied) {
  if (text_len == 0) return;
  if (copied && !segs_.empty()) {  // extend a copied run that continues
    Seg& l = segs_.back();
    if (l.copied && l.text_e == text_begin && l.src_e == src_begin) {
      l.text_e += text_len;
      l.src_e = src_end;
      return;
    }
  }
  segs_.push_back({text_begin, text_begin + text_len, src_begin, src_end, copied});
}

std::size_t SourceMap::start(std::size_t b) const {
  if (segs_.empty()) return b;
  auto it = std::upper_bound(segs_.begin(), segs_.end(), b, [](std::size_t x, const Seg& s) { return x < s.text_e; });
  if (it == segs_.end()) return out(segs_.back().src_e);
  return out(it->copied && b >= it->text_b ? it->src_b + (b - it->text_b) : it->src_b);
}

std::size_t SourceMap::end(std::size_t e) const {
  if (segs_.empty()) return e;
  // The segment holding byte e - 1: the first whose end is at least e.
  auto it = std::lower_bound(segs_.begin(), segs_.end(), e, [](const Seg& s, std::size_t x) { return s.text_e < x; });
  if (it == segs_.end()) return out(segs_.back().src_e);
  if (e <= it->text_b) return out(it->src_b);
  return out(it->copied ? it->src_b + (e - it->text_b) : it->src_e);
}

void Box::unite(const Box& b) {
  x0 = std::min(x0, b.x0);
  y0 = std::min(y0, b.y0);
  x1 = std::max(x1, b.x1);
  y1 = std::max(y1, b.y1);
}

}  // namespace hewn::extract
