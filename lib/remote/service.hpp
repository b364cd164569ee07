// One kind of call to one path of an endpoint ("chat/completions",
// "completions", "rerank"): the machinery the chat, completions and rerank
// clients share. Request bodies are sent concurrently through the session's
// transport; an answer the cache holds for the same URL and body is used
// instead of a request; every answer is checked by the client's parser
// before it is kept or cached.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "remote/connection.hpp"

namespace hewn::remote {

// The answer to one request: the response body, or why there is none
// ("POST URL: HTTP 500 (gave up after 7 attempts)", "POST URL: response has
// no field .choices").
struct Reply {
  bool ok = false;
  std::string body;
  std::string error;
};

class Service {
 public:
  Service(Session session, std::string path);

  // replies[i] answers bodies[i]. check(i, body) raises BadResponse for an
  // answer to bodies[i] that is wrong; the reply is then an error, and is
  // not cached.
  // Errors: those of Transport::send() (UsageError for 401, 403, 404);
  // DataError from Cache::put().
  void call(std::span<const std::string> bodies, const std::function<void(std::size_t, std::string_view)>& check,
            std::vector<Reply>& replies) const;

  const std::string& url() const { return url_; }
  const Session& session() const { return session_; }

 private:
  Session session_;
  std::string path_, url_;
};

}  // namespace hewn::remote
