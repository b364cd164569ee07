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

bool ascending(const std::vector<std::uint64_t>& v, std::uint64_t first, std::uint64_t last) {
  if (v.empty() || v.front() != first || v.back() != last) return false;
  return std::is_sorted(v.begin(), v.end());
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

void Index::load_files() {
  {
    layout::Lexicon lex = layout::read_lexicon(dir_, m_);
    term_off_ = std::move(lex.term_off);
    df_ = std::move(lex.df);
    first_block_ = std::move(lex.first_block);
    term_max_ = std::move(lex.term_max);
    blob_ = std::move(lex.blob);
  }
  {
    layout::Blocks blk = layout::read_blocks(dir_, m_);
    if (first_block_.back() != blk.last.size()) BinReader(std::string_view(), dir_ + "/blocks.bin").fail();
    blk_last_ = std::move(blk.last);
    blk_max_ = std::move(blk.max);
    blk_off_ = std::move(blk.offset);
  }
  postings_ = layout::read_postings(dir_, m_);
  lengths_ = layout::read_lengths(dir_, m_);
  n_ = static_cast<std::uint32_t>(lengths_.size());
  {
    layout::ChunkInfoTable info = layout::read_chunk_info(dir_, m_, n_);
    chunk_info_ = std::move(info.bytes);
    chunk_info_off_ = std::move(info.offset);
  }
  {
    layout::Documents d = layout::read_documents(dir_, m_, n_);
    document_off_ = std::move(d.offset);
    members_ = std::move(d.members);
    document_of_ = std::move(d.document_of);
    pos_of_ = std::move(d.position);
  }
  norms_ = document_norms(m_.bm25, lengths_, m_.avgdl);
  validate();
}

// The files' checksums match the manifest, so damage on disk is caught
// before this; these checks keep a reader safe from files that a faulty
// writer made consistent with their checksums. Every array index used by
// the readers is checked here, once, so that the query loops need none.
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
  const std::uint64_t posting_bytes = postings_.size() - 16;
  if (!ascending(blk_off_, 0, posting_bytes)) bad("blocks.bin");
  const auto* base = reinterpret_cast<const std::uint8_t*>(postings_.data());
  for (std::uint64_t t = 0; t < nt; ++t) {
    std::uint64_t doc = 0, left = df_[t];
    for (std::uint64_t b = first_block_[t]; b < first_block_[t + 1]; ++b) {
      const std::uint8_t *p = base + blk_off_[b], *end = base + blk_off_[b + 1];
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
        if (tf_part(m_.bm25, static_cast<std::uint32_t>(v), norms_[docs[k]]) > blk_max_[b]) bad("blocks.bin");
      }
      if (p != end) bad("postings.bin");
      left -= count;
    }
  }
  const auto* info = reinterpret_cast<const std::uint8_t*>(chunk_info_.data());
  const std::uint64_t info_start = 8 + (std::uint64_t(n_) + 1) * 8;
  if (!ascending(chunk_info_off_, info_start, chunk_info_.size())) bad("docinfo.bin");
  for (std::uint32_t d = 0; d < n_; ++d) {
    const std::uint8_t *p = info + chunk_info_off_[d], *end = info + chunk_info_off_[d + 1];
    std::uint64_t v;
    for (int field = 0; field < 5; ++field) {
      if (!get_varint_checked(p, end, v)) bad("docinfo.bin");
      if (field < 2) {
        if (v > static_cast<std::uint64_t>(end - p)) bad("docinfo.bin");
        p += v;
      }
    }
    if (p != end) bad("docinfo.bin");
  }
  const std::uint64_t ng = document_off_.size() - 1;
  if (!ascending(document_off_, 0, n_)) bad("groups.bin");
  for (std::uint32_t d = 0; d < n_; ++d) {
    std::uint32_t g = document_of_[d];
    if (g >= ng || pos_of_[d] >= document_off_[g + 1] - document_off_[g] || members_[document_off_[g] + pos_of_[d]] != d)
      bad("groups.bin");
  }
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

const float* Index::vector(std::uint32_t chunk) const {
  if (!segs_.empty()) return segs_[where_[chunk].first]->vector(where_[chunk].second);
  std::call_once(vectors_once_, [&] { vectors_ = layout::read_vectors(dir_, m_, n_); });
  return vectors_.data() + std::size_t(chunk) * m_.dense.dim;
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
  ChunkInfo d;
  const auto* p = reinterpret_cast<const std::uint8_t*>(chunk_info_.data()) + chunk_info_off_[chunk];
  std::size_t len = get_varint(p);
  d.id = std::string_view(reinterpret_cast<const char*>(p), len);
  p += len;
  len = get_varint(p);
  d.doc = std::string_view(reinterpret_cast<const char*>(p), len);
  p += len;
  d.start = get_varint(p);
  d.end = get_varint(p);
  d.n = static_cast<std::int64_t>(get_varint(p)) - 1;
  return d;
}

void Index::load_store() const {
  std::call_once(store_once_, [&] {
    layout::Store st = layout::read_store(dir_, m_, n_);
    store_off_ = std::move(st.offset);
    store_ = std::move(st.bytes);
  });
}

std::string Index::record(std::uint32_t chunk) const {
  if (!segs_.empty()) return segs_[where_[chunk].first]->record(where_[chunk].second);
  load_store();
  std::uint64_t b = chunk / m_.records_per_block;
  std::string where = dir_ + "/docstore.bin";
  if (b + 1 >= store_off_.size()) throw DataError(where + ": truncated or corrupt");
  const char* z = store_.data() + store_off_[b];
  std::size_t zn = store_off_[b + 1] - store_off_[b];
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
  last_ = ix.block_last();
  max_ = ix.block_max();
  off_ = ix.block_offset();
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
  const std::uint8_t* p = data_ + off_[b];
  std::uint32_t d = b == begin_ ? 0 : last_[b - 1];
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
