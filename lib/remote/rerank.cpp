#include "remote/rerank.hpp"

#include "core/json.hpp"
#include "remote/json_reader.hpp"

namespace hewn::remote {

std::string rerank_body(const RerankRequest& r, RerankShape shape) {
  std::string out = "{";
  if (shape == RerankShape::cohere) {
    out += "\"model\":";
    json::append_string(out, r.model);
    out += ',';
  }
  out += "\"query\":";
  json::append_string(out, r.query);
  out += shape == RerankShape::cohere ? ",\"documents\":[" : ",\"texts\":[";
  for (std::size_t i = 0; i < r.documents.size(); ++i) {
    if (i) out += ',';
    json::append_string(out, r.documents[i]);
  }
  out += ']';
  if (shape == RerankShape::cohere) {
    if (r.top_n) {
      out += ",\"top_n\":";
      json::append_uint(out, *r.top_n);
    }
    out += ",\"return_documents\":false}";
  } else {
    out += ",\"raw_scores\":false,\"return_text\":false}";
  }
  return out;
}

std::vector<RerankResult> parse_rerank(std::string_view body, RerankShape shape, std::size_t n) {
  simdjson::dom::parser p;
  jr::element doc = jr::parse(p, body);
  std::string base = shape == RerankShape::cohere ? ".results" : "";
  jr::array items = shape == RerankShape::cohere
                        ? jr::as_array(jr::require(jr::as_object(doc, ""), "results", ""), base)
                        : jr::as_array(doc, "(the whole response)");
  if (items.size() > n)
    throw BadResponse("response has " + std::to_string(items.size()) + " results for " + std::to_string(n) +
                      (n == 1 ? " document" : " documents"));
  const char* score_key = shape == RerankShape::cohere ? "relevance_score" : "score";
  std::vector<RerankResult> out;
  std::vector<char> seen(n, 0);
  std::size_t k = 0;
  for (jr::element it : items) {
    std::string path = base + "[" + std::to_string(k++) + "]";
    jr::object o = jr::as_object(it, path);
    RerankResult r;
    r.index = jr::as_index(jr::require(o, "index", path), path + ".index");
    if (r.index >= n) jr::bad(path + ".index", "is out of range (" + std::to_string(n) + " documents)");
    if (seen[r.index]) jr::bad(path + ".index", "repeats index " + std::to_string(r.index));
    seen[r.index] = 1;
    r.score = jr::as_number(jr::require(o, score_key, path), path + "." + score_key);
    out.push_back(r);
  }
  return out;
}

RerankClient::RerankClient(Session session, RerankShape shape) : service_(std::move(session), "rerank"), shape_(shape) {}

void RerankClient::rerank(std::span<const RerankRequest> requests, std::vector<std::vector<RerankResult>>& results,
                          std::vector<std::string>& errors) const {
  std::vector<std::string> bodies;
  for (const RerankRequest& r : requests) bodies.push_back(rerank_body(r, shape_));
  results.assign(requests.size(), {});
  errors.assign(requests.size(), std::string());
  std::vector<Reply> replies;
  service_.call(
      bodies,
      [&](std::size_t i, std::string_view body) { results[i] = parse_rerank(body, shape_, requests[i].documents.size()); },
      replies);
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (!replies[i].ok) {
      results[i].clear();
      errors[i] = replies[i].error;
    }
}

}  // namespace hewn::remote
