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
  lex.blob = "catsdogemu";
  lex.term_off = {0, 4, 7, 10};
  lex.df = {2, 1, 1};
  lex.first_block = {0, 1, 2, 3};
  lex.term_max = {0.5f, 0.25f, 0.25f};
  layout::Blocks blk;
  blk.last = {2, 1, 0};
  blk.max = {0.5f, 0.25f, 0.25f};
  blk.offset = {0, 4, 6, 8};
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

  // Readers view a mapping of the file (map_listed() checks its size).
  auto mapped = [&](const char* name) { return map_listed(dir, m.file(dir, name)); };
  auto path = [&](const char* name) { return dir + "/" + name; };
  MappedFile lexf = mapped("lexicon.bin");
  auto lex2 = layout::read_lexicon(lexf.bytes(), path("lexicon.bin"));
  CHECK(lex2.blob == lex.blob);
  CHECK(lex2.term_off.to_vector() == lex.term_off);
  CHECK(lex2.df.to_vector() == lex.df);
  CHECK(lex2.first_block.to_vector() == lex.first_block);  // at an offset not aligned for u64 (T odd): read as bytes
  CHECK(lex2.term_max.to_vector() == lex.term_max);
  MappedFile blkf = mapped("blocks.bin");
  auto blk2 = layout::read_blocks(blkf.bytes(), path("blocks.bin"));
  CHECK(blk2.last.to_vector() == blk.last);
  CHECK(blk2.max.to_vector() == blk.max);
  CHECK(blk2.offset.to_vector() == blk.offset);
  CHECK(mapped("postings.bin").bytes() == "postings");
  MappedFile lenf = mapped("lengths.bin");
  CHECK(layout::read_lengths(lenf.bytes(), path("lengths.bin"), 3).to_vector() == lengths);
  MappedFile infof = mapped("docinfo.bin");
  auto info = layout::read_chunk_info(infof.bytes(), path("docinfo.bin"), 3);
  CHECK(info.offset.to_vector() == std::vector<std::uint64_t>{0, 2, 3, 5});
  CHECK(info.entries == "abcde");
  std::string_view entry;
  REQUIRE(layout::chunk_info_entry(info.offset, info.entries, 1, entry));
  CHECK(entry == "c");
  MappedFile docf = mapped("groups.bin");
  auto docs2 = layout::read_documents(docf.bytes(), path("groups.bin"), 3);
  CHECK(docs2.offset.to_vector() == docs.offset);
  CHECK(docs2.members.to_vector() == docs.members);
  CHECK(docs2.document_of.to_vector() == docs.document_of);
  CHECK(docs2.position.to_vector() == docs.position);
  MappedFile vecf = mapped("vectors.bin");
  CHECK(layout::read_vectors(vecf.bytes(), path("vectors.bin"), 3, 2).to_vector() == vectors);
  // A reader checks sizes against the manifest's counts.
  CHECK_THROWS_WITH_AS(layout::read_lengths(lenf.bytes(), path("lengths.bin"), 4),
                       (dir + "/lengths.bin: truncated or corrupt").c_str(), hewn::DataError);
  CHECK_THROWS_AS(layout::read_vectors(vecf.bytes(), path("vectors.bin"), 4, 2), hewn::DataError);
  CHECK_THROWS_AS(layout::read_lexicon(lexf.bytes().substr(0, 30), path("lexicon.bin")), hewn::DataError);
  // map_listed() refuses a file whose size is not the manifest's; verify_file()
  // checks the SHA-256 too.
  FileEntry e = m.file(dir, "postings.bin");
  e.bytes = 9;
  CHECK_THROWS_WITH_AS(map_listed(dir, e), (dir + "/postings.bin: size differs from manifest.json (the index is corrupt)").c_str(),
                       hewn::DataError);
  verify_file(dir, m.file(dir, "postings.bin"));
  e = m.file(dir, "postings.bin");
  e.sha256[0] = e.sha256[0] == '0' ? '1' : '0';
  CHECK_THROWS_WITH_AS(verify_file(dir, e), (dir + "/postings.bin: checksum mismatch (the index is corrupt)").c_str(),
                       hewn::DataError);
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
