#include "index/dense.hpp"

#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <omp.h>

#include "core/error.hpp"

namespace hewn::index {

namespace {
faiss::MetricType metric_of(const std::string& m) {
  if (m == "ip") return faiss::METRIC_INNER_PRODUCT;
  if (m == "l2") return faiss::METRIC_L2;
  throw UsageError("unknown metric " + hewn::quoted(m) + " (ip, l2)");
}
}  // namespace

FileEntry build_dense(const std::string& dir, const std::string& name, const DenseSettings& s,
                      const std::vector<float>& vectors, std::uint64_t n) {
  faiss::MetricType metric = metric_of(s.metric);
  std::unique_ptr<faiss::Index> idx;
  try {
    idx.reset(faiss::index_factory(static_cast<int>(s.dim), s.factory.c_str(), metric));
  } catch (const faiss::FaissException& e) {
    throw UsageError("--dense " + hewn::quoted(s.factory) + ": " + e.msg);
  }
  try {
    if (!idx->is_trained) idx->train(static_cast<faiss::Index::idx_t>(n), vectors.data());
    idx->add(static_cast<faiss::Index::idx_t>(n), vectors.data());
  } catch (const faiss::FaissException& e) {
    throw DataError("--dense " + hewn::quoted(s.factory) + ": cannot train: " + e.msg);
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
}

DenseIndex::~DenseIndex() { delete static_cast<faiss::Index*>(index_); }

void DenseIndex::set_parameter(const std::string& name, double value, const std::string& option) {
  faiss::ParameterSpace ps;
  try {
    ps.set_index_parameter(static_cast<faiss::Index*>(index_), name, value);
  } catch (const faiss::FaissException& e) {
    throw UsageError(option + ": not a parameter of this dense index");
  }
}

void DenseIndex::search(const float* q, std::uint32_t k, std::vector<std::pair<std::uint32_t, float>>& out) const {
  out.clear();
  auto* idx = static_cast<faiss::Index*>(index_);
  if (k == 0 || idx->ntotal == 0) return;
  omp_set_num_threads(1);  // one query per call: parallelism comes from query -j
  std::vector<float> dist(k);
  std::vector<faiss::Index::idx_t> lab(k);
  idx->search(1, q, k, dist.data(), lab.data());
  for (std::uint32_t i = 0; i < k; ++i) {
    if (lab[i] < 0) break;
    out.emplace_back(static_cast<std::uint32_t>(lab[i]), l2_ ? -dist[i] : dist[i]);
  }
}

}  // namespace hewn::index
