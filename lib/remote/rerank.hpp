// POST {base}/rerank: a cross-encoder's relevance of each document to a
// query, in the two shapes servers speak:
//   cohere (Cohere, Jina, vLLM, Infinity):
//     request  {"model": M, "query": Q, "documents": [texts], "top_n": N,
//               "return_documents": false}   (top_n only when set)
//     response {"results": [{"index": i, "relevance_score": s}, ...]}
//   tei (Hugging Face text-embeddings-inference):
//     request  {"query": Q, "texts": [texts], "raw_scores": false,
//               "return_text": false}
//     response [{"index": i, "score": s}, ...]
// For the rerank filter to come.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "remote/service.hpp"

namespace hewn::remote {

enum class RerankShape { cohere, tei };

struct RerankRequest {
  std::string model;  // not sent in the tei shape (the server has one model)
  std::string query;
  std::vector<std::string> documents;
  std::optional<std::size_t> top_n;  // cohere: only the best N come back
};

struct RerankResult {
  std::size_t index = 0;  // into documents
  double score = 0;
};

// The request body. Errors: none.
std::string rerank_body(const RerankRequest& r, RerankShape shape);

// The results in the server's order (best first), for n documents.
// Errors: BadResponse "response is not valid JSON (...)", "response has no
// field .results", "response field .results[2].index is out of range (3
// documents)", "... repeats index 1", "... .relevance_score is not a
// number", "response has 4 results for 3 documents".
std::vector<RerankResult> parse_rerank(std::string_view body, RerankShape shape, std::size_t n);

class RerankClient {
 public:
  RerankClient(Session session, RerankShape shape);
  // results[i] for requests[i]; errors[i] is "" or why there are none.
  // Errors: those of Service::call().
  void rerank(std::span<const RerankRequest> requests, std::vector<std::vector<RerankResult>>& results,
              std::vector<std::string>& errors) const;

 private:
  Service service_;
  RerankShape shape_;
};

}  // namespace hewn::remote
