#include "remote/service.hpp"

#include "remote/response.hpp"

namespace hewn::remote {

Service::Service(Session session, std::string path)
    : session_(std::move(session)), path_(std::move(path)), url_(session_.endpoint.url(path_)) {}

void Service::call(std::span<const std::string> bodies, const std::function<void(std::size_t, std::string_view)>& check,
                   std::vector<Reply>& replies) const {
  replies.assign(bodies.size(), Reply());
  std::vector<std::string> keys(bodies.size());
  std::vector<Request> requests;
  std::vector<std::size_t> sent;
  Stats& stats = session_.transport->stats();
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (session_.cache) {
      keys[i] = Cache::key({path_, url_, bodies[i]});
      if (session_.cache->get(keys[i], replies[i].body)) {
        try {
          check(i, replies[i].body);
          replies[i].ok = true;
          stats.cache_hits.fetch_add(1, std::memory_order_relaxed);
          continue;
        } catch (const BadResponse&) {  // a damaged entry: ask again
        }
      }
    }
    requests.push_back({url_, bodies[i], (bodies[i].size() + 3) / 4});
    sent.push_back(i);
  }
  std::vector<Outcome> outcomes(requests.size());
  session_.transport->send(requests, outcomes);
  for (std::size_t k = 0; k < sent.size(); ++k) {
    Reply& r = replies[sent[k]];
    Outcome& o = outcomes[k];
    if (!o.ok) {
      r.error = std::move(o.error);
      continue;
    }
    try {
      check(sent[k], o.body);
    } catch (const BadResponse& e) {
      r.error = "POST " + shown_url(url_) + ": " + e.what();
      session_.transport->stats().failed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    r.ok = true;
    r.body = std::move(o.body);
    if (session_.cache) session_.cache->put(keys[sent[k]], r.body);
  }
}

}  // namespace hewn::remote
