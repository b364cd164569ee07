#include "extract/pdf.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <cmath>
#include <memory>
#include <mutex>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::extract {
namespace {

// poppler reports damage on stderr; the library never prints.
void quiet(const std::string&, void*) {}

struct Word {
  std::string text;
  Box box;
  bool space_after;
  int rotation;
};

// Valid UTF-8 without control characters (a damaged font's text can hold
// anything).
std::string clean(const std::vector<char>& bytes) {
  std::string_view s(bytes.data(), bytes.size());
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t bad = utf8::first_invalid(s.substr(i));
    std::string_view ok = s.substr(i, bad);
    for (char c : ok) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    i += bad;
    if (i < s.size()) {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

bool all_space(std::string_view s) {
  for (char c : s)
    if (c != ' ') return false;
  return true;
}

}  // namespace

Extracted extract_pdf(std::string_view bytes, std::string_view source) {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(quiet, nullptr); });
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) data_error(source, 0, "too large for poppler (2 GiB at most)");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) data_error(source, 0, "not a PDF or damaged");
  if (doc->is_locked()) data_error(source, 0, "encrypted (a password is needed)");
  Extracted x;
  const int pages = doc->pages();
  std::vector<Word> words;
  for (int p = 0; p < pages; ++p) {
    std::unique_ptr<poppler::page> page(doc->create_page(p));
    if (!page) continue;
    words.clear();
    for (const poppler::text_box& t : page->text_list()) {
      std::string s = clean(t.text().to_utf8());
      if (s.empty() || all_space(s)) continue;
      poppler::rectf r = t.bbox();
      words.push_back({std::move(s), {r.left(), r.top(), r.right(), r.bottom()}, t.has_space_after(), t.rotation()});
    }
    if (words.empty()) continue;
    if (!x.sections.empty()) x.text += '\f';
    const std::size_t page_begin = x.text.size();
    // Lines and blocks by the words' boxes (rotated text: x and y swap).
    auto across = [](const Box& b, int rot) { return rot % 2 ? std::pair(b.y0, b.y1) : std::pair(b.x0, b.x1); };
    auto down = [](const Box& b, int rot) { return rot % 2 ? std::pair(b.x0, b.x1) : std::pair(b.y0, b.y1); };
    Box line_box{}, block_box{};
    std::size_t block_begin = x.text.size();
    double line_h = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
      const Word& w = words[i];
      const auto [a0, a1] = across(w.box, w.rotation);
      const auto [d0, d1] = down(w.box, w.rotation);
      const double h = std::max(d1 - d0, 0.1);
      if (i > 0) {
        const Word& prev = words[i - 1];
        const auto [l0, l1] = down(line_box, w.rotation);
        const auto [pa0, pa1] = across(prev.box, prev.rotation);
        const double overlap = std::min(d1, l1) - std::max(d0, l0);
        const bool same_line = prev.rotation == w.rotation && overlap >= 0.5 * std::min(h, line_h) && a0 >= pa0;
        if (same_line) {
          if (prev.space_after || a0 - pa1 > 0.1 * h) x.text += ' ';
          line_box.unite(w.box);
        } else {
          const double gap = d0 - l1;
          const bool new_block = prev.rotation != w.rotation || gap > 0.5 * line_h || d1 < l0 ||
                                 h > 1.25 * line_h || h < 0.8 * line_h;
          if (new_block) {
            x.blocks.push_back({block_begin, x.text.size(), block_box});
            x.text += "\n\n";
            block_begin = x.text.size();
            block_box = w.box;
          } else {
            x.text += '\n';
          }
          line_box = w.box;
          line_h = h;
        }
      } else {
        line_box = block_box = w.box;
        line_h = h;
      }
      block_box.unite(w.box);
      x.words.push_back({x.text.size(), x.text.size() + w.text.size(), w.box});
      x.text += w.text;
    }
    x.blocks.push_back({block_begin, x.text.size(), block_box});
    x.sections.push_back({page_begin, x.text.size(), {{"page", std::to_string(p + 1)}}});
  }
  if (x.sections.empty())
    data_error(source, 0,
               "no text layer (" + std::to_string(pages) + (pages == 1 ? " page" : " pages") +
                   "; scanned? run OCR first)");
  return x;
}

}  // namespace hewn::extract
