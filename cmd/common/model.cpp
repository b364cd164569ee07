#include "common/model.hpp"

#include "embed/hf_cache.hpp"

namespace hewn::cli {

bool remote_model(const embed::Options& o) {
  return o.backend == "openai" ||
         (o.backend.empty() && (o.model.starts_with("http://") || o.model.starts_with("https://")));
}

std::unique_ptr<const embed::Embedder> open_model(embed::Options& o, bool hub) {
  if (hub && !remote_model(o)) o.model = embed::resolve_model(o.model);
  return embed::make_embedder(o);
}

std::unique_ptr<const embed::Embedder> open_named_model(const std::string& name) {
  auto o = embed::options_for_model(name);
  if (!o) return nullptr;
  return embed::make_embedder(*o);
}

}  // namespace hewn::cli
