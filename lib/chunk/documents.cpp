#include "chunk/documents.hpp"

#include <algorithm>

namespace hewn::chunk {

void split_extracted(Chunker& chunker, const Document& doc, const extract::Extracted& x, std::vector<Chunk>& out) {
  const std::size_t first = out.size();
  Document whole = doc;
  if (!x.blocks.empty()) {
    whole.blocks = &x.blocks;
    whole.words = &x.words;
  }
  if (x.sections.empty()) {
    chunker.split(whole, out);
  } else {
    for (const extract::Section& s : x.sections) {
      if (s.end <= s.begin) continue;
      Document part = whole;
      part.text = doc.text.substr(s.begin, s.end - s.begin);
      part.offset = s.begin;
      const std::size_t from = out.size();
      chunker.split(part, out);
      for (std::size_t i = from; i < out.size(); ++i) {
        Chunk& c = out[i];
        c.begin += s.begin;
        c.end += s.begin;
        for (const auto& [k, v] : s.fields) {
          auto same = [&](const auto& kv) { return kv.first == k; };
          c.fields.erase(std::remove_if(c.fields.begin(), c.fields.end(), same), c.fields.end());
          c.fields.emplace_back(k, v);
        }
      }
    }
  }
  if (x.map.empty()) return;
  for (std::size_t i = first; i < out.size(); ++i) {
    Chunk& c = out[i];
    c.fields.emplace_back("source_start", std::to_string(x.map.start(c.begin)));
    c.fields.emplace_back("source_end", std::to_string(x.map.end(c.end)));
  }
}

}  // namespace hewn::chunk
