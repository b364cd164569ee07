#include "remote/connection.hpp"

#include <cmath>

#include "core/error.hpp"

namespace hewn::remote {

Session open_session(const Connection& c) {
  const TransportOptions& t = c.transport;
  if (t.concurrency < 1) throw UsageError("--concurrency must be at least 1");
  if (!(t.timeout > 0) || !std::isfinite(t.timeout)) throw UsageError("--timeout must be positive");
  if (!(t.connect_timeout > 0) || !std::isfinite(t.connect_timeout))
    throw UsageError("--connect-timeout must be positive");
  if (t.read_timeout < 1) throw UsageError("--read-timeout must be at least 1");
  if (!(t.rpm >= 0) || !std::isfinite(t.rpm)) throw UsageError("--rpm must not be negative");
  if (!(t.tpm >= 0) || !std::isfinite(t.tpm)) throw UsageError("--tpm must not be negative");
  Session s;
  s.endpoint = make_endpoint(c.base_url, c.api_key_env);
  s.transport = std::make_shared<Transport>(t, s.endpoint.key);
  if (c.cache) {
    std::string dir = c.cache_dir.empty() ? default_cache_dir() : c.cache_dir;
    if (!dir.empty()) s.cache = std::make_shared<const Cache>(dir);
  }
  return s;
}

}  // namespace hewn::remote
