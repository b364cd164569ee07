#include "index/dense.hpp"

#include <faiss/AutoTune.h>
#include <faiss/IVFlib.h>
#include <faiss/Index.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/utils/distances.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <algorithm>

#include "core/error.hpp"

namespace hewn::index {

namespace {
faiss::MetricType metric_of(const std::string& m) {
  if (m == "ip") return faiss::METRIC_INNER_PRODUCT;
  if (m == "l2") return faiss::METRIC_L2;
  throw UsageError("unknown metric " + hewn::quoted(m) + " (ip, l2)");
}

// The HNSW graph of an index (under a transform such as PCA), or nullptr.
faiss::IndexHNSW* hnsw_of(faiss::Index* idx) {
  while (auto* pt = dynamic_cast<faiss::IndexPreTransform*>(idx)) idx = pt->index;
  return dynamic_cast<faiss::IndexHNSW*>(idx);
}

void set(faiss::Index* idx, const char* name, double value, const std::string& option) {
  faiss::ParameterSpace ps;
  try {
    ps.set_index_parameter(idx, name, value);
  } catch (const faiss::FaissException& e) {
    throw UsageError(option + ": not a parameter of this dense index");
  }
}

}  // namespace

void dense_search_defaults(void* index, DenseSettings& s) {
  auto* idx = static_cast<faiss::Index*>(index);
  if (auto* ivf = faiss::ivflib::try_extract_index_ivf(idx)) {
    if (!s.nprobe) s.nprobe = default_nprobe(ivf->nlist);
    if (s.nprobe > ivf->nlist)
      throw UsageError("--nprobe " + std::to_string(s.nprobe) + ": more than the index's " +
                       std::to_string(ivf->nlist) + " lists");
  } else if (s.nprobe) {
    throw UsageError("--nprobe: not a parameter of this dense index (" + s.factory + ")");
  }
  if (hnsw_of(idx)) {
    if (!s.ef_search) s.ef_search = default_ef_search;
  } else if (s.ef_search) {
    throw UsageError("--ef-search: not a parameter of this dense index (" + s.factory + ")");
  }
}

std::uint32_t default_nprobe(std::size_t nlist) {
  std::size_t p = std::max<std::size_t>((nlist + 3) / 4, 16);
  return static_cast<std::uint32_t>(std::min(p, nlist));
}

FileEntry build_dense(const std::string& dir, const std::string& name, DenseSettings& s,
                      const std::vector<float>& vectors, std::uint64_t n) {
  faiss::MetricType metric = metric_of(s.metric);
  std::unique_ptr<faiss::Index> idx;
  try {
    idx.reset(faiss::index_factory(static_cast<int>(s.dim), s.factory.c_str(), metric));
  } catch (const faiss::FaissException& e) {
    throw UsageError("--dense " + hewn::quoted(s.factory) + ": " + e.msg);
  }
  dense_search_defaults(idx.get(), s);  // checks --nprobe/--ef-search before the long part
  if (s.threads) omp_set_num_threads(static_cast<int>(s.threads));
  try {
    if (!idx->is_trained) {
      if (s.progress) s.progress("training", 0, n);
      idx->train(static_cast<faiss::Index::idx_t>(n), vectors.data());
    }
  } catch (const faiss::FaissException& e) {
    throw DataError("--dense " + hewn::quoted(s.factory) + ": cannot train: " + e.msg);
  }
  // Added in steps of about 1% (at least 4096 vectors), the same whether
  // progress is shown or not, so that a build does not depend on it.
  std::uint64_t step = std::max<std::uint64_t>(n / 100, 4096);
  if (s.progress) s.progress("adding", 0, n);
  for (std::uint64_t done = 0; done < n;) {
    std::uint64_t m = std::min(step, n - done);
    try {
      idx->add(static_cast<faiss::Index::idx_t>(m), vectors.data() + done * s.dim);
    } catch (const faiss::FaissException& e) {
      throw DataError("--dense " + hewn::quoted(s.factory) + ": cannot add vectors: " + e.msg);
    }
    done += m;
    if (s.progress) s.progress("adding", done, n);
  }
  faiss::VectorIOWriter w;
  faiss::write_index(idx.get(), &w);
  return write_file(dir, name, std::string_view(reinterpret_cast<const char*>(w.data.data()), w.data.size()));
}

DenseIndex::DenseIndex(const std::string& bytes, const std::string& path, const DenseSettings& s)
    : index_(nullptr), dim_(s.dim), l2_(s.metric == "l2") {
  faiss::VectorIOReader r;
  r.data.assign(bytes.begin(), bytes.end());
  try {
    index_ = faiss::read_index(&r);
  } catch (const faiss::FaissException& e) {
    throw DataError(path + ": cannot read FAISS index: " + e.msg);
  }
  if (static_cast<faiss::Index*>(index_)->d != static_cast<faiss::Index::idx_t>(dim_)) {
    delete static_cast<faiss::Index*>(index_);
    throw DataError(path + ": dimension differs from manifest.json");
  }
  try {
    DenseSettings d = s;
    dense_search_defaults(index_, d);
    if (d.nprobe) set(static_cast<faiss::Index*>(index_), "nprobe", d.nprobe, "nprobe");
    if (auto* h = hnsw_of(static_cast<faiss::Index*>(index_))) {
      ef_search_ = d.ef_search;
      h->hnsw.efSearch = static_cast<int>(ef_search_);
    }
  } catch (const UsageError& e) {
    delete static_cast<faiss::Index*>(index_);
    throw DataError(path + ": search parameters of manifest.json do not fit the index");
  }
}

DenseIndex::DenseIndex(std::vector<DensePart> parts, std::uint32_t dim)
    : index_(nullptr), parts_(std::move(parts)), dim_(dim), l2_(false) {}

DenseIndex::~DenseIndex() { delete static_cast<faiss::Index*>(index_); }

void DenseIndex::set_parameter(const std::string& name, double value, const std::string& option) {
  if (!parts_.empty()) {
    bool any = false;
    for (auto& p : parts_) {
      try {
        p.index->set_parameter(name, value, option);
        any = true;
      } catch (const UsageError&) {  // a segment without it (index add writes Flat ones)
      }
    }
    if (!any) throw UsageError(option + ": not a parameter of this dense index");
    return;
  }
  if (name == "efSearch") {  // passed with each search (at least k)
    if (!ef_search_) throw UsageError(option + ": not a parameter of this dense index");
    ef_search_ = static_cast<std::uint32_t>(value);
    hnsw_of(static_cast<faiss::Index*>(index_))->hnsw.efSearch = static_cast<int>(ef_search_);
    return;
  }
  set(static_cast<faiss::Index*>(index_), name.c_str(), value, option);
}

void DenseIndex::search(const float* q, std::uint32_t k, std::vector<std::pair<std::uint32_t, float>>& out,
                        const ChunkSet* allow) const {
  out.clear();
  if (!parts_.empty()) {
    if (allow) return;  // the segments' ids are not the live numbers the set holds: the caller scans
    std::vector<std::pair<std::uint32_t, float>> part;
    for (auto& p : parts_) {
      auto size = static_cast<std::uint32_t>(p.global->size());
      p.index->search(q, static_cast<std::uint32_t>(std::min<std::uint64_t>(size, std::uint64_t(k) + p.deleted)), part);
      for (auto& [local, score] : part) {
        std::uint32_t g = local < size ? (*p.global)[local] : 0xffffffffu;
        if (g != 0xffffffffu) out.emplace_back(g, score);
      }
    }
    std::sort(out.begin(), out.end(),
              [](auto& a, auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    if (out.size() > k) out.resize(k);
    return;
  }
  auto* idx = static_cast<faiss::Index*>(index_);
  if (k == 0 || idx->ntotal == 0) return;
  omp_set_num_threads(1);  // one query per call: parallelism comes from query -j
  std::vector<float> dist(k);
  std::vector<faiss::Index::idx_t> lab(k);
  if (allow) {
    // The selector travels in the search parameters, with the breadth of
    // this search (HNSW: at least k) and IVF's nprobe, which parameters
    // would otherwise reset to their defaults.
    faiss::IDSelectorBitmap sel(allow->byte_size(), allow->bytes());
    faiss::SearchParameters plain;
    faiss::SearchParametersHNSW hnsw;
    faiss::SearchParametersIVF ivf;
    faiss::SearchParameters* p = &plain;
    if (ef_search_) {
      hnsw.efSearch = static_cast<int>(std::max(ef_search_, k));
      p = &hnsw;
    } else if (auto* iv = faiss::ivflib::try_extract_index_ivf(idx)) {
      ivf.nprobe = iv->nprobe;
      ivf.max_codes = iv->max_codes;
      p = &ivf;
    }
    p->sel = &sel;
    try {
      std::shared_lock lock(mu_);
      idx->search(1, q, k, dist.data(), lab.data(), p);
    } catch (const faiss::FaissException&) {  // an index that takes no selector: the caller scans
      return;
    }
  } else if (ef_search_ && k > ef_search_) {
    // HNSW: a breadth below k would return fewer than k hits. FAISS 1.7
    // takes the breadth from the index only, so it is raised for this
    // search alone while no other search runs.
    std::unique_lock lock(mu_);
    faiss::IndexHNSW* h = hnsw_of(idx);
    h->hnsw.efSearch = static_cast<int>(k);
    idx->search(1, q, k, dist.data(), lab.data());
    h->hnsw.efSearch = static_cast<int>(ef_search_);
  } else {
    std::shared_lock lock(mu_);
    idx->search(1, q, k, dist.data(), lab.data());
  }
  for (std::uint32_t i = 0; i < k; ++i) {
    if (lab[i] < 0) break;
    out.emplace_back(static_cast<std::uint32_t>(lab[i]), l2_ ? -dist[i] : dist[i]);
  }
}

void DenseIndex::scan(const std::function<const float*(std::uint32_t)>& vector, const float* q,
                      const ChunkSet& allow, std::uint32_t k,
                      std::vector<std::pair<std::uint32_t, float>>& out) const {
  out.clear();
  if (k == 0) return;
  // A heap of the best k, the worst on top (ranking: score, then chunk).
  auto worse = [](const std::pair<std::uint32_t, float>& a, const std::pair<std::uint32_t, float>& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  };
  for (std::uint32_t c = allow.next(0); c != 0xffffffffu; c = allow.next(c + 1)) {
    const float* v = vector(c);
    float s = l2_ ? -faiss::fvec_L2sqr(q, v, dim_) : faiss::fvec_inner_product(q, v, dim_);
    if (out.size() < k) {
      out.emplace_back(c, s);
      std::push_heap(out.begin(), out.end(), worse);
    } else if (worse(std::pair{c, s}, out.front())) {
      std::pop_heap(out.begin(), out.end(), worse);
      out.back() = {c, s};
      std::push_heap(out.begin(), out.end(), worse);
    }
  }
  std::sort(out.begin(), out.end(), worse);
}

}  // namespace hewn::index
