// What every remote client is built from, as the tools' flags give it
// (--base-url, --api-key-env, --concurrency, --retries, --timeout,
// --connect-timeout, --read-timeout, --rpm, --tpm, --cache, --no-cache), and the session
// opened from it: one endpoint, one transport (so one in-flight limit for
// every client and thread sharing it) and the cache.
#pragma once

#include <memory>
#include <string>

#include "remote/cache.hpp"
#include "remote/endpoint.hpp"
#include "remote/transport.hpp"

namespace hewn::remote {

struct Connection {
  std::string base_url;                                   // "": $OPENAI_BASE_URL, else default_base_url
  std::string api_key_env = std::string(default_key_env);  // the variable holding the key
  TransportOptions transport;
  bool cache = true;
  std::string cache_dir;  // "": default_cache_dir() (no cache when that is "" too)
};

struct Session {
  Endpoint endpoint;
  std::shared_ptr<Transport> transport;
  std::shared_ptr<const Cache> cache;  // null: no cache
};

// Errors: those of make_endpoint(); UsageError "--concurrency must be at
// least 1", "--timeout must be positive", "--connect-timeout must be
// positive", "--read-timeout must be at least 1",
// "--rpm must not be negative" (and --tpm).
Session open_session(const Connection& c);

}  // namespace hewn::remote
