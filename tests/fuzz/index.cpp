// LIBS: hewn_query hewn_index
// Fuzz target: the index readers (manifest.json, lexicon, blocks, postings,
// lengths, chunk info, groups, document store, stored vectors). A small
// valid index is built once; the first byte of each input picks one of its
// files, the second says how the rest changes it: odd, the rest replaces the
// file; even, the rest is a list of 4-byte edits (16-bit offset, value,
// operation: set, insert or delete a byte, or cut the file there), so that
// mutations start from valid structures. Data files get a manifest
// whose checksum matches them, so the structural checks behind the SHA-256
// are what is fuzzed; the manifest itself is replaced as it comes. The index
// is then opened and used: every term's postings walked, every chunk's info,
// group and stored record read, queries answered by MaxScore and by
// exhaustive scoring (which must agree), the Flat dense index (vectors.bin,
// searched in place) searched. Bad input may only raise DataError.
// FAISS's own reader (dense.faiss, approximate factories only) is not
// fuzzed: its checksum guards it.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "common.hpp"
#include "core/error.hpp"
#include "index/builder.hpp"
#include "index/format.hpp"
#include "index/index.hpp"
#include "index/manifest.hpp"
#include "query/topk.hpp"

namespace {

namespace ix = hewn::index;

struct Base {
  std::string dir;
  std::map<std::string, std::string> files;  // every file but dense.faiss and manifest.json
  std::string manifest;
};

const Base& base() {
  static const Base b = [] {
    Base b;
    b.dir = fuzz::scratch() + "/base";
    ix::BuildOptions o;
    ix::Builder builder(b.dir, o);
    std::vector<std::string> vocab = {"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"};
    for (int d = 0; d < 300; ++d) {
      ix::ChunkEntry e;
      std::string id = "c" + std::to_string(d), doc = "d" + std::to_string(d / 5);
      std::string record = "{\"id\":\"" + id + "\",\"text\":\"chunk " + id + "\"}";
      e.where = "fuzz";
      e.id = id;
      e.doc = doc;
      e.n = d % 5;
      e.start = 10 * (d % 5);
      e.end = e.start + 10;
      e.terms.emplace_back(vocab[0], 1 + d % 3);  // in every chunk: several postings blocks
      for (std::size_t t = 1; t < vocab.size(); ++t)
        if (d % (t + 1) == 0) e.terms.emplace_back(vocab[t], 1 + (d / 7) % 4);
      for (auto& t : e.terms) e.length += t.second;
      e.record = record;
      e.embedding = {float(d % 7), float(d % 3) - 1, 1.0f};
      builder.add(e);
    }
    builder.commit();
    for (const auto& f : std::filesystem::directory_iterator(b.dir)) {
      std::ifstream in(f.path(), std::ios::binary);
      std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      std::string name = f.path().filename().string();
      if (name == "manifest.json")
        b.manifest = bytes;
      else if (name != "dense.faiss")
        b.files[name] = bytes;
    }
    return b;
  }();
  return b;
}

void use(const ix::Index& index) {
  const std::uint32_t n = index.size();
  for (std::uint32_t t = 0; t < index.terms(); ++t) {
    (void)index.term(t);
    ix::Cursor c;
    c.reset(index, t);
    std::uint32_t prev = 0, seen = 0;
    for (; c.chunk() != ix::no_chunk; c.next()) {
      FUZZ_REQUIRE(c.chunk() < n);
      FUZZ_REQUIRE(seen == 0 || c.chunk() > prev);
      prev = c.chunk();
      ++seen;
    }
    FUZZ_REQUIRE(seen == index.df(t));
  }
  for (std::uint32_t d = 0; d < n; ++d) {
    (void)index.info(d);
    std::uint32_t g = index.document_of(d);
    FUZZ_REQUIRE(g < index.documents() && index.position(d) < index.document_size(g));
    FUZZ_REQUIRE(index.member(g, index.position(d)) == d);
    (void)index.length(d);
  }
  for (std::uint32_t d = 0; d < n; d += 13) (void)index.record(d);
  if (index.has_dense() && n) {
    (void)index.vector(n - 1);
    const float q[3] = {1.0f, -1.0f, 0.5f};
    std::vector<std::pair<std::uint32_t, float>> hits;
    index.dense()->search(q, 10, hits);
    for (auto& h : hits) FUZZ_REQUIRE(h.first < n);
  }
  hewn::query::TopK topk(index);
  std::vector<hewn::query::Hit> fast, slow;
  for (const auto& q : {std::vector<std::string>{"alpha", "gamma"}, std::vector<std::string>{"eta", "beta", "zeta"}}) {
    auto terms = hewn::query::weigh(index, q);
    topk.search(terms, 10, fast);
    topk.exhaustive(terms, 10, slow);
    FUZZ_REQUIRE(fast.size() == slow.size());
    for (std::size_t i = 0; i < fast.size(); ++i) FUZZ_REQUIRE(fast[i].chunk == slow[i].chunk);
  }
}

// The file after the edits of patch (see the top of this file).
std::string edit(std::string file, std::string_view patch) {
  for (std::size_t i = 0; i + 4 <= patch.size(); i += 4) {
    std::size_t at = (static_cast<unsigned char>(patch[i]) | static_cast<unsigned char>(patch[i + 1]) << 8);
    char value = patch[i + 2];
    int op = static_cast<unsigned char>(patch[i + 3]) % 4;
    if (op == 1) {
      file.insert(file.begin() + static_cast<std::ptrdiff_t>(std::min(at, file.size())), value);
    } else if (file.empty()) {
      continue;
    } else if (op == 0) {
      file[at % file.size()] = value;
    } else if (op == 2) {
      file.erase(at % file.size(), 1);
    } else {
      file.resize(at % file.size());
    }
  }
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 2) return 0;
  const Base& b = base();
  const bool replace = data[1] & 1;
  std::string_view rest = fuzz::bytes_of(data + 2, size - 2);
  std::size_t pick = data[0] % (b.files.size() + 1);
  std::string dir = fuzz::scratch() + "/ix";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string manifest = b.manifest;
  std::size_t i = 0;
  for (const auto& [name, bytes] : b.files) {
    if (i++ == pick) {
      std::string body = replace ? std::string(rest) : edit(bytes, rest);
      fuzz::put("ix/" + name, body);
      ix::Manifest m = ix::Manifest::load(b.dir);
      for (auto& f : m.files)
        if (f.name == name) {
          f.bytes = body.size();
          f.sha256 = ix::sha256_hex(body);
        }
      manifest = m.to_json();
    } else {
      fuzz::put("ix/" + name, bytes);
    }
  }
  if (pick == b.files.size()) manifest = replace ? std::string(rest) : edit(b.manifest, rest);
  fuzz::put("ix/manifest.json", manifest);
  // manifest.sha256 matches the manifest written (unless it is the file
  // picked), so that the structures behind it are what is fuzzed.
  if (b.files.count("manifest.sha256") &&
      static_cast<std::size_t>(std::distance(b.files.begin(), b.files.find("manifest.sha256"))) != pick)
    fuzz::put("ix/manifest.sha256", ix::sha256_hex(manifest) + "\n");
  try {
    ix::Index index(dir);
    use(index);
  } catch (const DataError&) {
  }
  return 0;
}
