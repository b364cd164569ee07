#include "index/layout.hpp"

#include <algorithm>

namespace hewn::index::layout {

FileEntry write_lexicon(const std::string& dir, const Lexicon& lex) {
  std::string out;
  put<std::uint64_t>(out, lex.terms());
  put_array(out, lex.term_off);
  put_array(out, lex.df);
  put_array(out, lex.first_block);
  put_array(out, lex.term_max);
  out.append(lex.blob);
  return write_file(dir, "lexicon.bin", out);
}

LexiconView read_lexicon(std::string_view file, const std::string& path) {
  BinReader r(file, path);
  LexiconView lex;
  std::uint64_t nt = r.get<std::uint64_t>();
  if (nt >= file.size()) r.fail();  // so that nt + 1 cannot wrap
  lex.term_off = r.view<std::uint64_t>(nt + 1);
  lex.df = r.view<std::uint32_t>(nt);
  lex.first_block = r.view<std::uint64_t>(nt + 1);
  lex.term_max = r.view<float>(nt);
  lex.blob = r.bytes(r.remaining());
  if (lex.term_off.back() != lex.blob.size()) r.fail();
  return lex;
}

FileEntry write_blocks(const std::string& dir, const Blocks& b) {
  std::string out;
  put<std::uint64_t>(out, b.last.size());
  put_array(out, b.last);
  put_array(out, b.max);
  put_array(out, b.offset);
  return write_file(dir, "blocks.bin", out);
}

BlocksView read_blocks(std::string_view file, const std::string& path) {
  BinReader r(file, path);
  BlocksView b;
  std::uint64_t nb = r.get<std::uint64_t>();
  if (nb >= file.size()) r.fail();
  b.last = r.view<std::uint32_t>(nb);
  b.max = r.view<float>(nb);
  b.offset = r.view<std::uint64_t>(nb + 1);
  return b;
}

FileEntry write_postings(const std::string& dir, const std::string& postings) {
  return write_file(dir, "postings.bin", postings);
}

FileEntry write_lengths(const std::string& dir, const std::vector<std::uint32_t>& lengths) {
  std::string out;
  put<std::uint64_t>(out, lengths.size());
  put_array(out, lengths);
  return write_file(dir, "lengths.bin", out);
}

Array<std::uint32_t> read_lengths(std::string_view file, const std::string& path, std::uint64_t chunks) {
  BinReader r(file, path);
  std::uint64_t n = r.get<std::uint64_t>();
  if (n != chunks) r.fail();
  return r.view<std::uint32_t>(n);
}

FileEntry write_chunk_info(const std::string& dir, const std::vector<std::uint64_t>& offset,
                           const std::string& entries) {
  std::string out;
  put<std::uint64_t>(out, offset.size() - 1);
  put_array(out, offset);
  out.append(entries);
  return write_file(dir, "docinfo.bin", out);
}

ChunkInfoView read_chunk_info(std::string_view file, const std::string& path, std::uint32_t n) {
  BinReader r(file, path);
  if (r.get<std::uint64_t>() != n) r.fail();
  ChunkInfoView t;
  t.offset = r.view<std::uint64_t>(std::uint64_t(n) + 1);
  t.entries = r.bytes(r.remaining());
  if (t.offset.back() != t.entries.size()) r.fail();
  return t;
}

bool chunk_info_entry(const Array<std::uint64_t>& offset, std::string_view entries, std::uint32_t i,
                      std::string_view& entry) {
  std::uint64_t a = offset[i], b = offset[std::size_t(i) + 1];
  if (a > b || b > entries.size()) return false;
  entry = entries.substr(a, b - a);
  return true;
}

bool parse_chunk_info(std::string_view entry, ChunkInfoFields& f) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(entry.data());
  const auto* end = p + entry.size();
  std::uint64_t v;
  for (auto* t : {&f.id, &f.doc}) {
    if (!get_varint_checked(p, end, v) || v > static_cast<std::uint64_t>(end - p)) return false;
    *t = std::string_view(reinterpret_cast<const char*>(p), v);
    p += v;
  }
  for (auto* x : {&f.start, &f.end, &f.n_plus_1})
    if (!get_varint_checked(p, end, *x)) return false;
  return p == end;
}

FileEntry write_documents(const std::string& dir, const Documents& d) {
  std::string out;
  put<std::uint64_t>(out, d.offset.size() - 1);
  put_array(out, d.offset);
  put_array(out, d.members);
  put_array(out, d.document_of);
  put_array(out, d.position);
  return write_file(dir, "groups.bin", out);
}

DocumentsView read_documents(std::string_view file, const std::string& path, std::uint32_t n) {
  BinReader r(file, path);
  DocumentsView d;
  std::uint64_t ng = r.get<std::uint64_t>();
  if (ng >= file.size()) r.fail();
  d.offset = r.view<std::uint64_t>(ng + 1);
  d.members = r.view<std::uint32_t>(n);
  d.document_of = r.view<std::uint32_t>(n);
  d.position = r.view<std::uint32_t>(n);
  return d;
}

FileEntry write_vectors(const std::string& dir, std::uint64_t n, std::uint32_t dim, const std::vector<float>& vectors) {
  std::string out;
  put<std::uint64_t>(out, n);
  put<std::uint32_t>(out, dim);
  put_array(out, vectors);
  return write_file(dir, "vectors.bin", out);
}

Array<float> read_vectors(std::string_view file, const std::string& path, std::uint32_t n, std::uint32_t dim) {
  BinReader r(file, path);
  if (r.get<std::uint64_t>() != n || r.get<std::uint32_t>() != dim) r.fail();
  Array<float> v = r.view<float>(std::uint64_t(n) * dim);
  if (r.remaining()) r.fail();
  return v;
}

FileEntry write_store_index(const std::string& dir, const std::vector<std::uint64_t>& block_offset) {
  std::string out;
  put<std::uint64_t>(out, block_offset.size() - 1);
  put_array(out, block_offset);
  return write_file(dir, "docstore.idx", out);
}

Array<std::uint64_t> read_store_index(std::string_view file, const std::string& path, std::uint32_t n,
                                      std::uint32_t records_per_block) {
  BinReader r(file, path);
  std::uint64_t nb = r.get<std::uint64_t>();
  if (nb != (std::uint64_t(n) + records_per_block - 1) / records_per_block) r.fail();
  return r.view<std::uint64_t>(nb + 1);
}

void write_manifest(const std::string& dir, const Manifest& m) {
  std::string mj = m.to_json();
  mj.push_back('\n');
  write_file(dir, "manifest.json", mj);
  write_file(dir, "manifest.sha256", sha256_hex(mj) + "\n");  // the manifest's own check
}

}  // namespace hewn::index::layout
