#include "embed/embedder.hpp"

#include <cmath>

#include "core/error.hpp"
#include "embed/hash.hpp"

namespace hewn::embed {

void l2_normalize(float* v, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(v[i]) * v[i];
  if (s <= 0) return;
  float inv = static_cast<float>(1.0 / std::sqrt(s));
  for (std::size_t i = 0; i < n; ++i) v[i] *= inv;
}

std::unique_ptr<const Embedder> make_embedder(const Options& o) {
  std::string backend = o.backend;
  if (backend.empty() && o.model.empty()) backend = "hash";
  if (backend == "hash") {
    if (!o.model.empty()) throw UsageError("the hash backend takes no --model");
    if (!o.pooling.empty()) throw UsageError("--pooling is for the bert backend");
    return make_hash_embedder(o.dim, o.normalize.value_or(true));
  }
  if (backend == "model2vec" || backend == "bert" || backend.empty())
    throw UsageError("backend " + quoted(backend.empty() ? "auto" : backend) + " is not available in this build");
  throw UsageError("unknown backend " + quoted(backend) + " (hash, model2vec or bert)");
}

}  // namespace hewn::embed
