#include "index/layout.hpp"

#include <algorithm>

namespace hewn::index::layout {

namespace {

// A file listed in the manifest, read and verified, with a reader naming it.
struct Loaded {
  std::string data;
  BinReader reader;
  Loaded(const std::string& dir, const Manifest& m, const char* name)
      : data(read_verified(dir, m.file(dir, name))), reader(data, dir + "/" + name) {}
};

}  // namespace

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

Lexicon read_lexicon(const std::string& dir, const Manifest& m) {
  Loaded f(dir, m, "lexicon.bin");
  BinReader& r = f.reader;
  Lexicon lex;
  std::uint64_t nt = r.get<std::uint64_t>();
  r.get_array(lex.term_off, nt + 1);
  r.get_array(lex.df, nt);
  r.get_array(lex.first_block, nt + 1);
  r.get_array(lex.term_max, nt);
  lex.blob = std::string(r.bytes(r.remaining()));
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

Blocks read_blocks(const std::string& dir, const Manifest& m) {
  Loaded f(dir, m, "blocks.bin");
  BinReader& r = f.reader;
  Blocks b;
  std::uint64_t nb = r.get<std::uint64_t>();
  r.get_array(b.last, nb);
  r.get_array(b.max, nb);
  r.get_array(b.offset, nb + 1);
  return b;
}

FileEntry write_postings(const std::string& dir, const std::string& postings) {
  return write_file(dir, "postings.bin", postings);
}

std::string read_postings(const std::string& dir, const Manifest& m) {
  std::string p = read_verified(dir, m.file(dir, "postings.bin"));
  p.append(16, '\0');  // slack for varint decoding
  return p;
}

FileEntry write_lengths(const std::string& dir, const std::vector<std::uint32_t>& lengths) {
  std::string out;
  put<std::uint64_t>(out, lengths.size());
  put_array(out, lengths);
  return write_file(dir, "lengths.bin", out);
}

std::vector<std::uint32_t> read_lengths(const std::string& dir, const Manifest& m) {
  Loaded f(dir, m, "lengths.bin");
  BinReader& r = f.reader;
  std::vector<std::uint32_t> lengths;
  auto n = static_cast<std::uint32_t>(r.get<std::uint64_t>());
  r.get_array(lengths, n);
  if (n != m.chunks) r.fail();
  return lengths;
}

FileEntry write_chunk_info(const std::string& dir, const std::vector<std::uint64_t>& offset,
                           const std::string& entries) {
  std::string out;
  put<std::uint64_t>(out, offset.size() - 1);
  put_array(out, offset);
  out.append(entries);
  return write_file(dir, "docinfo.bin", out);
}

ChunkInfoTable read_chunk_info(const std::string& dir, const Manifest& m, std::uint32_t n) {
  ChunkInfoTable t;
  t.bytes = read_verified(dir, m.file(dir, "docinfo.bin"));
  BinReader r(t.bytes, dir + "/docinfo.bin");
  if (r.get<std::uint64_t>() != n) r.fail();
  r.get_array(t.offset, std::uint64_t(n) + 1);
  for (auto& o : t.offset) o += 8 + (std::uint64_t(n) + 1) * 8;  // entries follow the header
  if (t.offset.back() != t.bytes.size()) r.fail();
  return t;
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

Documents read_documents(const std::string& dir, const Manifest& m, std::uint32_t n) {
  Loaded f(dir, m, "groups.bin");
  BinReader& r = f.reader;
  Documents d;
  std::uint64_t ng = r.get<std::uint64_t>();
  r.get_array(d.offset, ng + 1);
  r.get_array(d.members, n);
  r.get_array(d.document_of, n);
  r.get_array(d.position, n);
  return d;
}

FileEntry write_vectors(const std::string& dir, std::uint64_t n, std::uint32_t dim, const std::vector<float>& vectors) {
  std::string out;
  put<std::uint64_t>(out, n);
  put<std::uint32_t>(out, dim);
  put_array(out, vectors);
  return write_file(dir, "vectors.bin", out);
}

std::vector<float> read_vectors(const std::string& dir, const Manifest& m, std::uint32_t n) {
  Loaded f(dir, m, "vectors.bin");
  BinReader& r = f.reader;
  if (r.get<std::uint64_t>() != n || r.get<std::uint32_t>() != m.dense.dim) r.fail();
  std::vector<float> v;
  r.get_array(v, std::uint64_t(n) * m.dense.dim);
  return v;
}

FileEntry write_store_index(const std::string& dir, const std::vector<std::uint64_t>& block_offset) {
  std::string out;
  put<std::uint64_t>(out, block_offset.size() - 1);
  put_array(out, block_offset);
  return write_file(dir, "docstore.idx", out);
}

Store read_store(const std::string& dir, const Manifest& m, std::uint32_t n) {
  Loaded f(dir, m, "docstore.idx");
  BinReader& r = f.reader;
  Store s;
  std::uint64_t nb = r.get<std::uint64_t>();
  if (nb != (std::uint64_t(n) + m.records_per_block - 1) / m.records_per_block) r.fail();
  r.get_array(s.offset, nb + 1);
  s.bytes = read_verified(dir, m.file(dir, "docstore.bin"));
  if (s.offset.empty() || s.offset.front() != 0 || s.offset.back() != s.bytes.size() ||
      !std::is_sorted(s.offset.begin(), s.offset.end()))
    r.fail();
  return s;
}

void write_manifest(const std::string& dir, const Manifest& m) {
  std::string mj = m.to_json();
  mj.push_back('\n');
  write_file(dir, "manifest.json", mj);
  write_file(dir, "manifest.sha256", sha256_hex(mj) + "\n");  // the manifest's own check
}

}  // namespace hewn::index::layout
