// The flags of tools that call a remote endpoint (embed --backend openai;
// later the LLM chunkers and rerank): where to connect, with which key
// variable, how many requests in flight, retries, time-outs, rate limits and
// the cache. An option group like those of tool.hpp, header-only so that
// only the tools that use it link libcurl.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "common/tool.hpp"
#include "core/error.hpp"
#include "remote/connection.hpp"
#include "remote/transport.hpp"

namespace hewn::cli {

struct RemoteOptions {
  remote::Connection c;
  bool no_cache = false;

  void add(CLI::App& app) {
    app.add_option("--base-url", c.base_url,
                   "openai: endpoint base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)")
        ->type_name("URL");
    app.add_option("--api-key-env", c.api_key_env, "openai: environment variable that holds the API key")
        ->type_name("NAME")
        ->capture_default_str();
    app.add_option("--concurrency", c.transport.concurrency,
                   "openai: requests in flight at once, all threads together")
        ->check(whole(1, 4096))
        ->capture_default_str();
    app.add_option("--retries", c.transport.retries,
                   "openai: further attempts after a 429, a 5xx, a time-out or a lost connection")
        ->check(whole(0, 100))
        ->capture_default_str();
    app.add_option("--timeout", c.transport.timeout, "openai: seconds one attempt of a request may take in all")
        ->type_name("S")
        ->capture_default_str();
    app.add_option("--connect-timeout", c.transport.connect_timeout, "openai: seconds to connect")
        ->type_name("S")
        ->capture_default_str();
    app.add_option("--read-timeout", c.transport.read_timeout,
                   "openai: seconds an attempt may go without receiving (an answer that stalls), then retried")
        ->check(whole(1, 86400))
        ->type_name("S")
        ->capture_default_str();
    app.add_option("--rpm", c.transport.rpm, "openai: at most N requests a minute (client side)")->type_name("N");
    app.add_option("--tpm", c.transport.tpm, "openai: at most N estimated tokens a minute (client side)")
        ->type_name("N");
    app.add_option("--cache", c.cache_dir, "openai: answer cache directory (default: $XDG_CACHE_HOME/hewn/remote)")
        ->type_name("DIR");
    app.add_flag("--no-cache", no_cache, "openai: neither read nor write the answer cache");
  }

  // The options given on the command line, for a usage check.
  static constexpr const char* names[] = {"--base-url", "--api-key-env", "--concurrency", "--retries",
                                          "--timeout",  "--connect-timeout", "--read-timeout", "--rpm", "--tpm",
                                          "--cache",    "--no-cache"};

  // Errors: UsageError "--cache and --no-cache exclude each other".
  remote::Connection connection() const {
    if (no_cache && !c.cache_dir.empty()) throw UsageError("--cache and --no-cache exclude each other");
    remote::Connection out = c;
    out.cache = !no_cache;
    return out;
  }
};

// "12 requests (1 retry, 0 failed), 3 cache hits, 456 tokens", for -v.
// Errors: none.
inline std::string remote_summary(const remote::Stats& st) {
  auto n = [](std::uint64_t v, const char* one, const char* many) {
    return std::to_string(v) + " " + (v == 1 ? one : many);
  };
  return n(st.requests.load(), "request", "requests") + " (" + n(st.retries.load(), "retry", "retries") + ", " +
         std::to_string(st.failed.load()) + " failed), " + n(st.cache_hits.load(), "cache hit", "cache hits") + ", " +
         n(st.tokens.load(), "token", "tokens");
}

}  // namespace hewn::cli
