// HTTP POSTs of JSON over libcurl's multi interface: one event-loop thread
// keeps up to `concurrency` requests in flight for every caller together
// (worker threads hand it batches and wait), over kept-alive connections
// (HTTP/2 where the server offers it over TLS), with TLS verification on and
// proxies taken from the environment as curl reads them (http_proxy,
// https_proxy, no_proxy). Failed attempts are retried by the policy of
// retry.hpp, bounded by `retries`; client-side rate limits by rate_limit.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace hewn::remote {

struct TransportOptions {
  unsigned concurrency = 8;      // requests in flight, all callers together (>= 1)
  unsigned retries = 6;          // further attempts after a transient failure
  double timeout = 120;          // seconds one attempt may take in all (connect included)
  double connect_timeout = 10;   // seconds to connect
  unsigned read_timeout = 60;    // seconds an attempt may move no byte (the answer stalls)
  double backoff = 0.5;          // first back-off in seconds, doubled each retry
  double max_backoff = 30;       // longest computed back-off
  double max_retry_after = 300;  // longest wait a server may ask for; a longer one fails at once
  double rpm = 0, tpm = 0;       // client-side limits per minute (0: none)
};

// What a run did, for -v and progress. Updated by the transport and the
// clients; read at any time.
struct Stats {
  std::atomic<std::uint64_t> requests{0};    // HTTP attempts completed (retries included)
  std::atomic<std::uint64_t> retries{0};     // attempts scheduled again
  std::atomic<std::uint64_t> failed{0};      // requests given up
  std::atomic<std::uint64_t> cache_hits{0};  // answers (texts, for embeddings) from the cache
  std::atomic<std::uint64_t> tokens{0};      // tokens the server counted (usage)
  std::atomic<unsigned> in_flight{0};
};

struct Request {
  std::string url;
  std::string body;          // JSON
  std::uint64_t tokens = 0;  // estimated, for --tpm
};

struct Outcome {
  bool ok = false;
  long status = 0;     // HTTP status of the last attempt; 0: none
  std::string body;    // the response body (also of a refused request)
  std::string error;   // when !ok: "POST URL: what" (one line, key scrubbed)
  unsigned attempts = 0;
};

class Transport {
 public:
  // key: the API key ("" for none).
  // Errors: std::runtime_error when libcurl cannot start.
  Transport(const TransportOptions& options, std::string key);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends every request (at most `concurrency` in flight, shared with every
  // other caller) and waits until each has its outcome: a 2xx response, or
  // an error after a refusal (4xx) or after the retries. Thread-safe.
  // Errors: UsageError "POST URL: HTTP 401: <server's text>" (also 403,
  // 404, an unknown host, a failed TLS verification): the endpoint is wrong
  // for every request, so every request in flight, from every caller, stops
  // and every later send() raises the same error.
  void send(std::span<const Request> requests, std::span<Outcome> outcomes);

  Stats& stats();
  const TransportOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hewn::remote
