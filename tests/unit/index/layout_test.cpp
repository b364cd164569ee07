// Each index file reads back what its writer wrote (layout.hpp), and
// publish() puts a directory in place atomically, cleaning stale siblings.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "index/layout.hpp"
#include "index/publish.hpp"

using namespace hewn::index;
namespace fs = std::filesystem;

namespace {
std::string scratch(const char* name) {
  auto p = fs::temp_directory_path() / ("hewn-layout-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}
}  // namespace

TEST_CASE("layout: every file's reader returns what its writer wrote") {
  std::string dir = scratch("files");
  Manifest m;
  m.chunks = 3;
  m.dense.dim = 2;
  layout::Lexicon lex;
  lex.blob = "catsdog";
  lex.term_off = {0, 4, 7};
  lex.df = {2, 1};
  lex.first_block = {0, 1, 2};
  lex.term_max = {0.5f, 0.25f};
  layout::Blocks blk;
  blk.last = {2, 1};
  blk.max = {0.5f, 0.25f};
  blk.offset = {0, 4, 6};
  layout::Documents docs;
  docs.offset = {0, 2, 3};
  docs.members = {1, 0, 2};
  docs.document_of = {0, 0, 1};
  docs.position = {1, 0, 0};
  std::vector<std::uint32_t> lengths = {3, 1, 4};
  std::vector<float> vectors = {1, 2, 3, 4, 5, 6};
  m.files.push_back(layout::write_lexicon(dir, lex));
  m.files.push_back(layout::write_blocks(dir, blk));
  m.files.push_back(layout::write_postings(dir, "postings"));
  m.files.push_back(layout::write_lengths(dir, lengths));
  m.files.push_back(layout::write_chunk_info(dir, {0, 2, 3, 5}, "abcde"));
  m.files.push_back(layout::write_documents(dir, docs));
  m.files.push_back(layout::write_vectors(dir, 3, 2, vectors));

  auto lex2 = layout::read_lexicon(dir, m);
  CHECK(lex2.blob == lex.blob);
  CHECK(lex2.term_off == lex.term_off);
  CHECK(lex2.df == lex.df);
  CHECK(lex2.first_block == lex.first_block);
  CHECK(lex2.term_max == lex.term_max);
  auto blk2 = layout::read_blocks(dir, m);
  CHECK(blk2.last == blk.last);
  CHECK(blk2.max == blk.max);
  CHECK(blk2.offset == blk.offset);
  CHECK(layout::read_postings(dir, m) == "postings" + std::string(16, '\0'));
  CHECK(layout::read_lengths(dir, m) == lengths);
  auto info = layout::read_chunk_info(dir, m, 3);
  const std::uint64_t header = 8 + 4 * 8;
  CHECK(info.offset == std::vector<std::uint64_t>{header, header + 2, header + 3, header + 5});
  CHECK(info.bytes.substr(header) == "abcde");
  auto docs2 = layout::read_documents(dir, m, 3);
  CHECK(docs2.offset == docs.offset);
  CHECK(docs2.members == docs.members);
  CHECK(docs2.document_of == docs.document_of);
  CHECK(docs2.position == docs.position);
  CHECK(layout::read_vectors(dir, m, 3) == vectors);
  // A reader checks sizes against the manifest.
  m.chunks = 4;
  CHECK_THROWS_WITH_AS(layout::read_lengths(dir, m), (dir + "/lengths.bin: truncated or corrupt").c_str(),
                       hewn::DataError);
  CHECK_THROWS_AS(layout::read_vectors(dir, m, 4), hewn::DataError);
  fs::remove_all(dir);
}

TEST_CASE("publish: a new directory, then an exchange with the old one; stale siblings go") {
  std::string base = scratch("publish");
  std::string dir = base + "/ix";
  std::string tmp = make_temp_sibling(dir);
  std::ofstream(tmp + "/f") << "one";
  publish(tmp, dir);
  CHECK(!fs::exists(tmp));
  std::string stale = base + "/.ix.tmp-" + [] {
    char h[256] = {};
    ::gethostname(h, sizeof h - 1);
    return std::string(h[0] ? h : "localhost");
  }() + "-999999999";
  fs::create_directory(stale);
  tmp = make_temp_sibling(dir);
  std::ofstream(tmp + "/f") << "two";
  publish(tmp, dir);
  std::ifstream in(dir + "/f");
  std::string got;
  in >> got;
  CHECK(got == "two");
  CHECK(!fs::exists(tmp));
  CHECK(!fs::exists(stale));
  fs::remove_all(base);
}
