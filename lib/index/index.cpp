#include "index/index.hpp"

#include <zstd.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "index/columns.hpp"
#include "index/layout.hpp"
#include "core/line_reader.hpp"

namespace hewn::index {

namespace {

bool ascending(const Array<std::uint64_t>& v, std::uint64_t first, std::uint64_t last) {
  return !v.empty() && v.front() == first && v.back() == last && v.ascending();
}

}  // namespace

Index::Index(const std::string& dir) : dir_(dir) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  m_ = Manifest::load(dir_);
  try {  // settings this hewn cannot analyze with (a stemmer it lacks) are the index's fault
    Analyzer probe(m_.analyzer);
  } catch (const UsageError& e) {
    throw DataError(dir_ + "/manifest.json: " + e.what());
  }
  if (!m_.segments.empty() || m_.deleted) {
    open_segments();
    return;
  }
  load_files();
}

Index::Index(const std::string& dir, const Manifest& m, PlainTag) : dir_(dir), m_(m) { load_files(); }

MappedFile& Index::map(const char* name) {
  maps_.emplace_back(name, map_listed(dir_, m_.file(dir_, name)));
  return maps_.back().second;  // its bytes stay where they are when maps_ grows
}

void Index::load_files() {
  auto path = [&](const char* name) { return dir_ + "/" + name; };
  {
    layout::LexiconView lex = layout::read_lexicon(map("lexicon.bin").bytes(), path("lexicon.bin"));
    term_off_ = std::move(lex.term_off);
    df_ = std::move(lex.df);
    first_block_ = std::move(lex.first_block);
    term_max_ = std::move(lex.term_max);
    blob_ = lex.blob;
  }
  {
    layout::BlocksView blk = layout::read_blocks(map("blocks.bin").bytes(), path("blocks.bin"));
    blk_last_ = std::move(blk.last);
    blk_max_ = std::move(blk.max);
    blk_off_ = std::move(blk.offset);
  }
  postings_ = map("postings.bin").bytes();
  lengths_ = layout::read_lengths(map("lengths.bin").bytes(), path("lengths.bin"), m_.chunks);
  n_ = static_cast<std::uint32_t>(lengths_.size());
  {
    layout::ChunkInfoView info = layout::read_chunk_info(map("docinfo.bin").bytes(), path("docinfo.bin"), n_);
    chunk_info_off_ = std::move(info.offset);
    chunk_info_ = info.entries;
  }
  {
    layout::DocumentsView d = layout::read_documents(map("groups.bin").bytes(), path("groups.bin"), n_);
    document_off_ = std::move(d.offset);
    members_ = std::move(d.members);
    document_of_ = std::move(d.document_of);
    pos_of_ = std::move(d.position);
  }
  init_norms();
  term_ok_ = std::make_unique<std::atomic<std::uint8_t>[]>(df_.size());
  validate();
}

// As document_norms() computes each chunk's (the same operations, so the
// same bits), for a length.
float Index::norm_of_length(std::uint32_t len) const {
  const Bm25Params& p = m_.bm25;
  float avg = static_cast<float>(m_.avgdl > 0 ? m_.avgdl : 1.0);
  float dl = static_cast<float>(p.variant == Variant::lucene ? byte4_to_length(length_to_byte4(len)) : len);
  return p.k1 * ((1.0f - p.b) + p.b * dl / avg);
}

// A table by length instead of an array by chunk: opening reads no length,
// and the hot loop still reads one float (from a table that stays cached).
void Index::init_norms() {
  norm_of_.resize(norm_table_size);
  for (std::uint32_t len = 0; len < norm_table_size; ++len) norm_of_[len] = norm_of_length(len);
}

// What is O(terms) to check is checked at open: the lexicon (offsets, block
// counts, maxima, order) and that the blocks cover the postings. Each
// term's blocks and postings are checked the first time a Cursor enters it
// (check_term()); a chunk's document, its info and a stored record as they
// are read; so a damaged or wrongly
// written file is refused, never read out of bounds, without reading the
// whole index at open. Every array index the query loops use is checked
// by one of these before it is used.
void Index::validate() const {
  auto bad = [&](const char* name) { BinReader(std::string_view(), dir_ + "/" + name).fail(); };
  const std::uint64_t nt = df_.size(), nb = blk_last_.size();
  if (!ascending(term_off_, 0, blob_.size())) bad("lexicon.bin");
  if (!ascending(first_block_, 0, nb)) bad("lexicon.bin");
  for (std::uint64_t t = 0; t < nt; ++t) {
    if (df_[t] == 0 || first_block_[t + 1] - first_block_[t] != (df_[t] + block_size - 1) / block_size)
      bad("lexicon.bin");
    if (!(term_max_[t] >= 0) || !std::isfinite(term_max_[t])) bad("lexicon.bin");
    if (t > 0 && !(term(static_cast<std::uint32_t>(t - 1)) < term(static_cast<std::uint32_t>(t)))) bad("lexicon.bin");
  }
  if (blk_off_.front() != 0 || blk_off_.back() != postings_.size()) bad("blocks.bin");
  if (chunk_info_off_.front() != 0) bad("docinfo.bin");
  if (document_off_.front() != 0 || document_off_.back() != n_) bad("groups.bin");
}

void Index::check_term(std::uint32_t t) const {
  if (assembled_ || term_ok_[t].load(std::memory_order_relaxed)) return;
  validate_term(t);
  term_ok_[t].store(1, std::memory_order_relaxed);  // checking twice in two threads is harmless
}

void Index::validate_term(std::uint32_t t) const {
  auto bad = [&](const char* name) { BinReader(std::string_view(), dir_ + "/" + name).fail(); };
  const auto* base = reinterpret_cast<const std::uint8_t*>(postings_.data());
  std::uint64_t doc = 0, left = df_[t];
  for (std::uint64_t b = first_block_[t]; b < first_block_[t + 1]; ++b) {
    const std::uint64_t from = blk_off_[b], to = blk_off_[b + 1];
    if (from > to || to > postings_.size()) bad("blocks.bin");
    const std::uint8_t *p = base + from, *end = base + to;
    std::uint64_t count = std::min<std::uint64_t>(left, block_size), v;
    std::uint32_t docs[block_size];
    for (std::uint64_t k = 0; k < count; ++k) {
      if (!get_varint_checked(p, end, v) || (v == 0 && !(b == first_block_[t] && k == 0))) bad("postings.bin");
      doc += v;
      if (doc >= n_) bad("postings.bin");
      docs[k] = static_cast<std::uint32_t>(doc);
    }
    if (docs[count - 1] != blk_last_[b] || !(blk_max_[b] <= term_max_[t])) bad("blocks.bin");
    for (std::uint64_t k = 0; k < count; ++k) {
      if (!get_varint_checked(p, end, v) || v == 0 || v > 0xffffffffu) bad("postings.bin");
      if (tf_part(m_.bm25, static_cast<std::uint32_t>(v), norm(docs[k])) > blk_max_[b]) bad("blocks.bin");
    }
    if (p != end) bad("postings.bin");
    left -= count;
  }
}

void Index::bad_groups() const { BinReader(std::string_view(), dir_ + "/groups.bin").fail(); }

std::uint32_t Index::group_of(std::uint32_t c) const {
  const std::uint32_t g = document_of_[c], p = pos_of_[c];
  if (std::uint64_t(g) + 1 >= document_off_.size()) bad_groups();
  const std::uint64_t a = document_off_[g], b = document_off_[g + 1];
  if (a > b || b > members_.size() || p >= b - a || members_[a + p] != c) bad_groups();
  return g;
}

std::uint32_t Index::document_size(std::uint32_t d) const {
  if (std::uint64_t(d) + 1 >= document_off_.size()) bad_groups();
  const std::uint64_t a = document_off_[d], b = document_off_[d + 1];
  if (a > b || b > members_.size()) bad_groups();
  return static_cast<std::uint32_t>(b - a);
}

std::uint32_t Index::member(std::uint32_t d, std::uint32_t i) const {
  if (i >= document_size(d)) bad_groups();
  std::uint32_t c = members_[document_off_[d] + i];
  if (c >= n_) bad_groups();
  return c;
}

Index::~Index() = default;

DenseIndex* Index::dense() const {
  if (!m_.dense.present) return nullptr;
  std::call_once(dense_once_, [&] {
    if (!segs_.empty()) {
      std::vector<DensePart> parts;
      for (std::size_t s = 0; s < segs_.size(); ++s) {
        std::uint32_t deleted = 0;
        for (auto g : live_of_[s]) deleted += g == no_chunk;
        parts.push_back({segs_[s]->dense(), &live_of_[s], deleted});
      }
      dense_ = std::make_unique<DenseIndex>(std::move(parts), m_.dense.dim);
      return;
    }
    // Flat: the vectors searched where they lie (vectors.bin; an index
    // built before that has the same vectors in dense.faiss too).
    if (m_.dense.factory == "Flat") {
      dense_ = std::make_unique<DenseIndex>(reinterpret_cast<const float*>(vectors().bytes()), n_, m_.dense);
      return;
    }
    dense_ = std::make_unique<DenseIndex>(read_verified(dir_, m_.file(dir_, "dense.faiss")), dir_ + "/dense.faiss",
                                          m_.dense);
  });
  return dense_.get();
}

const Columns& Index::columns() const {
  std::call_once(columns_once_, [&] {
    // An index with segments numbers its live chunks anew: its columns come
    // from the stored records, as for an index built before columns.bin.
    bool listed = segs_.empty() &&
                  std::any_of(m_.files.begin(), m_.files.end(), [](auto& f) { return f.name == "columns.bin"; });
    if (listed) {
      columns_ = std::make_unique<Columns>(layout::read_columns(dir_, m_, n_));
      return;
    }
    // Built before columns.bin: the stored records' fields, as index build
    // takes them (the indexed fields have none).
    ColumnsBuilder b;
    json::Parser parser;
    std::string rec, enc;
    for (std::uint32_t c = 0; c < n_; ++c) {
      rec = record(c);
      std::size_t len = rec.size();
      rec.append(io::line_padding, ' ');
      encode_columns(parser.parse(std::string_view(rec).substr(0, len), dir_ + "/docstore.bin", c + 1), m_.fields, enc);
      b.add(enc);
    }
    columns_ = std::make_unique<Columns>(b.finish());
  });
  return *columns_;
}

const Array<float>& Index::vectors() const {
  std::call_once(vectors_once_, [&] {
    // A Flat search reads every vector: all pages mapped at once.
    vectors_file_ = map_listed(dir_, m_.file(dir_, "vectors.bin"), m_.dense.factory == "Flat");
    vectors_ = layout::read_vectors(vectors_file_.bytes(), dir_ + "/vectors.bin", n_, m_.dense.dim);
  });
  return vectors_;
}

const float* Index::vector(std::uint32_t chunk) const {
  if (!segs_.empty()) return segs_[where_[chunk].first]->vector(where_[chunk].second);
  // vectors.bin's floats start at byte 12 of a page-aligned mapping.
  return reinterpret_cast<const float*>(vectors().bytes()) + std::size_t(chunk) * m_.dense.dim;
}

void Index::check() const {
  if (!segs_.empty()) {
    for (auto& x : segs_) x->check();  // the live collection was assembled from them
  } else {
    for (std::uint32_t t = 0; t < terms(); ++t) check_term(t);
    if (!ascending(document_off_, 0, n_)) bad_groups();
    for (std::uint32_t c = 0; c < n_; ++c) {  // every chunk in its document: groups.bin is consistent
      (void)group_of(c);
      (void)info(c);
    }
    for (std::uint64_t c = 0; c < n_; c += m_.records_per_block)  // each frame, to its last record
      (void)record(static_cast<std::uint32_t>(std::min<std::uint64_t>(c + m_.records_per_block, n_) - 1));
    if (has_dense()) (void)vectors();
  }
  if (has_dense()) (void)dense();
  (void)columns();
}

void verify(const std::string& path) {
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  Manifest m = Manifest::load(dir);
  for (auto& f : m.files) verify_file(dir, f);
  for (auto& s : m.segments) {
    std::string sd = dir + "/" + s.name;
    Manifest sm = Manifest::load(sd);  // checked against DIR/manifest.json as Index opens it
    for (auto& f : sm.files) verify_file(sd, f);
  }
  Index(dir).check();
}

std::optional<std::uint32_t> Index::find(std::string_view t) const {
  std::uint32_t lo = 0, hi = terms();
  while (lo < hi) {
    std::uint32_t mid = lo + (hi - lo) / 2;
    if (term(mid) < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < terms() && term(lo) == t) return lo;
  return std::nullopt;
}

float Index::idf(std::uint32_t t) const { return index::idf(m_.bm25, n_, df_[t]); }

ChunkInfo Index::info(std::uint32_t chunk) const {
  std::string_view entry;
  layout::ChunkInfoFields f;
  if (!layout::chunk_info_entry(chunk_info_off_, chunk_info_, chunk, entry) || !layout::parse_chunk_info(entry, f))
    BinReader(std::string_view(), dir_ + "/docinfo.bin").fail();
  ChunkInfo d;
  d.id = f.id;
  d.doc = f.doc;
  d.start = f.start;
  d.end = f.end;
  d.n = static_cast<std::int64_t>(f.n_plus_1) - 1;
  return d;
}

void Index::load_store() const {
  std::call_once(store_once_, [&] {
    store_idx_ = map_listed(dir_, m_.file(dir_, "docstore.idx"));
    store_off_ = layout::read_store_index(store_idx_.bytes(), dir_ + "/docstore.idx", n_, m_.records_per_block);
    store_ = map_listed(dir_, m_.file(dir_, "docstore.bin"));
  });
}

std::string Index::record(std::uint32_t chunk) const {
  if (!segs_.empty()) return segs_[where_[chunk].first]->record(where_[chunk].second);
  load_store();
  std::uint64_t b = chunk / m_.records_per_block;
  std::string where = dir_ + "/docstore.bin";
  if (b + 1 >= store_off_.size()) throw DataError(where + ": truncated or corrupt");
  const std::uint64_t from = store_off_[b], to = store_off_[b + 1];
  if (from > to || to > store_.bytes().size()) throw DataError(where + ": truncated or corrupt");
  const char* z = store_.bytes().data() + from;
  std::size_t zn = to - from;
  unsigned long long size = ZSTD_getFrameContentSize(z, zn);
  // A zstd block holds at most 128 KiB and takes at least 3 bytes: a larger
  // size in the frame header is a lie, refused before allocating it.
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (zn / 3 + 1) * 131072)
    throw DataError(where + ": truncated or corrupt");
  std::string block(size, '\0');
  std::size_t got = ZSTD_decompress(block.data(), size, z, zn);
  if (ZSTD_isError(got) || got != size) throw DataError(where + ": truncated or corrupt");
  std::size_t pos = 0;
  for (std::uint32_t i = chunk % m_.records_per_block; i > 0; --i) {
    pos = block.find('\n', pos);
    if (pos == std::string::npos) throw DataError(where + ": truncated or corrupt");
    ++pos;
  }
  std::size_t e = block.find('\n', pos);
  if (e == std::string::npos) throw DataError(where + ": truncated or corrupt");
  return block.substr(pos, e - pos);
}

void Cursor::reset(const Index& ix, std::uint32_t term) {
  ix.check_term(term);
  last_ = ix.block_last().bytes();
  max_ = ix.block_max().bytes();
  off_ = ix.block_offset().bytes();
  data_ = ix.postings();
  begin_ = ix.first_block(term);
  end_ = ix.end_block(term);
  df_ = ix.df(term);
  shallow_ = begin_;
  enter(begin_, 0);
}

void Cursor::enter(std::uint64_t b, std::uint32_t target) {
  block_ = b;
  if (b >= end_) {
    chunk_ = no_chunk;
    count_ = pos_ = 0;
    block_ = end_;
    return;
  }
  std::uint64_t i = b - begin_;
  count_ = b + 1 < end_ ? block_size : df_ - static_cast<std::uint32_t>(i) * block_size;
  const std::uint8_t* p = data_ + load<std::uint64_t>(off_, b);
  std::uint32_t d = b == begin_ ? 0 : load<std::uint32_t>(last_, b - 1);
  for (std::uint32_t k = 0; k < count_; ++k) {
    d += static_cast<std::uint32_t>(get_varint(p));
    chunks_[k] = d;
  }
  for (std::uint32_t k = 0; k < count_; ++k) tfs_[k] = static_cast<std::uint32_t>(get_varint(p));
  pos_ = 0;
  while (pos_ < count_ && chunks_[pos_] < target) ++pos_;
  chunk_ = pos_ < count_ ? chunks_[pos_] : no_chunk;  // cannot happen: last_[b] >= target
}

}  // namespace hewn::index
