#include "embed/reranker.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "embed/cross_encoder.hpp"
#include "remote/embeddings.hpp"
#include "remote/rerank.hpp"

namespace hewn::embed {
namespace {

// One request per call: the query and all its passages; the server's
// scores, placed by their "index".
class RemoteReranker final : public PairScorer {
 public:
  RemoteReranker(remote::Session s, remote::RerankShape shape, std::string model, std::string name)
      : url_(s.endpoint.url("rerank")), client_(std::move(s), shape), model_(std::move(model)), name_(std::move(name)) {}

  const std::string& name() const override { return name_; }

  std::size_t score(std::string_view query, std::span<const std::string_view> passages, double* out) const override {
    if (passages.empty()) return 0;
    remote::RerankRequest req;
    req.model = model_;
    req.query = std::string(query);
    req.documents.assign(passages.begin(), passages.end());
    std::vector<std::vector<remote::RerankResult>> results;
    std::vector<std::string> errors;
    client_.rerank(std::span<const remote::RerankRequest>(&req, 1), results, errors);
    if (!errors[0].empty()) throw DataError(errors[0]);
    if (results[0].size() != passages.size())
      throw DataError("POST " + remote::shown_url(url_) + ": response scores " + std::to_string(results[0].size()) +
                      " of " + std::to_string(passages.size()) + " documents");
    for (const remote::RerankResult& r : results[0]) out[r.index] = r.score;
    return 0;  // servers cut (or refuse) long inputs themselves
  }

 private:
  std::string url_;
  remote::RerankClient client_;
  std::string model_, name_;
};

}  // namespace

bool is_remote_reranker(const std::string& name) {
  return name.rfind("http://", 0) == 0 || name.rfind("https://", 0) == 0;
}

std::unique_ptr<const PairScorer> make_reranker(const RerankerOptions& o) {
  if (!is_remote_reranker(o.model)) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.model, ec))
      throw UsageError("--rerank " + hewn::quoted(o.model) + ": not a model directory, nor BASE#model=NAME");
    CrossEncoderOptions co;
    co.model = o.model;
    co.max_tokens = o.max_tokens;
    co.activation = o.activation;
    return make_cross_encoder(co);
  }
  auto url = remote::parse_model_url(o.model);
  if (!url || url->dimensions)
    throw UsageError("--rerank: a reranker URL is BASE#model=NAME (e.g. http://127.0.0.1:8000/v1#model=bge-reranker-base), not " +
                     hewn::quoted(o.model));
  if (o.max_tokens || !o.activation.empty())
    throw UsageError("--rerank-max-tokens and --rerank-activation are for in-process models (the server decides)");
  remote::RerankShape shape = remote::RerankShape::cohere;
  if (o.api == "tei")
    shape = remote::RerankShape::tei;
  else if (!o.api.empty() && o.api != "cohere")
    throw UsageError("unknown --rerank-api " + hewn::quoted(o.api) + " (cohere or tei)");
  remote::Connection c = o.remote;
  c.base_url = url->base_url;
  return std::make_unique<RemoteReranker>(remote::open_session(c), shape, url->model,
                                          remote::model_identity(url->base_url, url->model, 0));
}

}  // namespace hewn::embed
