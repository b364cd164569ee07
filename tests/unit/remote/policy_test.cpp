// Retries, back-off, rate limits, the cache and what messages show.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "remote/cache.hpp"
#include "remote/connection.hpp"
#include "remote/endpoint.hpp"
#include "remote/rate_limit.hpp"
#include "remote/retry.hpp"

using namespace hewn::remote;

TEST_CASE("classify: 2xx ok; 408/409/425/429/5xx and no answer retried; 401/403/404 stop; other 4xx give up") {
  CHECK(classify(200) == Verdict::ok);
  for (long s : {0L, 408L, 409L, 425L, 429L, 500L, 502L, 503L, 504L}) CHECK(classify(s) == Verdict::retry);
  for (long s : {401L, 403L, 404L}) CHECK(classify(s) == Verdict::stop);
  for (long s : {400L, 413L, 422L}) CHECK(classify(s) == Verdict::give_up);
}

TEST_CASE("Retry-After: seconds or an HTTP date") {
  CHECK(*parse_retry_after("2", 0) == 2);
  CHECK(*parse_retry_after(" 0.5 ", 0) == 0.5);
  // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
  CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30) == 30);
  CHECK(*parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30) == 0);
  CHECK_FALSE(parse_retry_after("soon", 0));
  CHECK_FALSE(parse_retry_after("-1", 0));
  CHECK_FALSE(parse_retry_after("", 0));
}

TEST_CASE("x-ratelimit-reset durations") {
  CHECK(*parse_duration("1s") == 1);
  CHECK(*parse_duration("6m0s") == 360);
  CHECK(*parse_duration("20ms") == doctest::Approx(0.02));
  CHECK(*parse_duration("1h2m3.5s") == doctest::Approx(3723.5));
  CHECK_FALSE(parse_duration("5"));
  CHECK_FALSE(parse_duration("1x"));
  CHECK_FALSE(parse_duration(""));
}

TEST_CASE("back-off: doubles from base up to cap, jittered within [d/2, d)") {
  CHECK(backoff_delay(0, 0.5, 30, 0) == 0.25);
  CHECK(backoff_delay(0, 0.5, 30, 0.999) < 0.5);
  CHECK(backoff_delay(3, 0.5, 30, 0) == 2);
  CHECK(backoff_delay(10, 0.5, 30, 0) == 15);
  CHECK(backoff_delay(1000, 0.5, 30, 0.5) == 22.5);
}

TEST_CASE("rate limiter: requests spaced by 60/rpm, tokens by T*60/tpm, server holds respected") {
  RateLimiter none(0, 0);
  CHECK(none.next(5) == 5);
  RateLimiter rpm(120, 0);  // one request each 0.5 s
  CHECK(rpm.next(10) == 10);
  rpm.take(10, 1);
  CHECK(rpm.next(10.1) == 10.5);
  rpm.take(10.5, 1);
  CHECK(rpm.next(10.6) == 11);
  RateLimiter tpm(0, 6000);  // 100 tokens a second
  tpm.take(0, 250);          // a request larger than a second's budget still goes, alone
  CHECK(tpm.next(0) == 2.5);
  tpm.hold_until(4);
  CHECK(tpm.next(3) == 4);
}

TEST_CASE("cache: keys separate parts; entries round-trip; damaged entries read as absent") {
  CHECK(Cache::key({"ab", "c"}) != Cache::key({"a", "bc"}));
  CHECK(Cache::key({"x"}) == Cache::key({"x"}));
  CHECK(Cache::key({"x"}).size() == 64);
  auto dir = std::filesystem::temp_directory_path() / ("hewn-cache-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Cache c((dir / "deep/er").string());
  std::string k = Cache::key({"embeddings", "http://h/v1/embeddings", "m", "0 base64", "text"});
  std::string out;
  CHECK_FALSE(c.get(k, out));
  c.put(k, std::string("\0\1\2\3", 4));
  REQUIRE(c.get(k, out));
  CHECK(out == std::string("\0\1\2\3", 4));
  auto path = dir / "deep/er" / k.substr(0, 2) / k.substr(2);
  CHECK(std::filesystem::exists(path));
  // No temporary file is left behind.
  std::size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(path.parent_path())) files += e.is_regular_file();
  CHECK(files == 1);
  std::ofstream(path, std::ios::trunc) << "garbage";
  CHECK_FALSE(c.get(k, out));
  std::filesystem::remove_all(dir);
  Cache ro("/proc/hewn-no-such-dir");
  CHECK_THROWS_AS(ro.put(k, "x"), hewn::DataError);
}

TEST_CASE("endpoint: base URL checks; messages show no user info, query string or key") {
  ::setenv("HEWN_TEST_KEY", "sk-secret-123", 1);
  Endpoint e = make_endpoint("http://127.0.0.1:8000/v1/", "HEWN_TEST_KEY");
  CHECK(e.base_url == "http://127.0.0.1:8000/v1");
  CHECK(e.url("embeddings") == "http://127.0.0.1:8000/v1/embeddings");
  CHECK(e.key == "sk-secret-123");
  CHECK(make_endpoint("http://h/v1", "HEWN_NO_SUCH_VARIABLE").key == "");
  CHECK_THROWS_WITH_AS(make_endpoint("ftp://h/v1", "K"), "--base-url: \"ftp://h/v1\" is not an http:// or https:// URL",
                       hewn::UsageError);
  CHECK_THROWS_WITH_AS(make_endpoint("https://u:p@h/v1", "K"),
                       "--base-url: a URL must not hold a user name or password (put the key in an environment variable)",
                       hewn::UsageError);
  CHECK_THROWS_WITH_AS(make_endpoint("http://h/v1", "BAD-NAME"), "--api-key-env: \"BAD-NAME\" is not a variable name",
                       hewn::UsageError);
  CHECK(shown_url("https://u:p@h.example/v1/embeddings?api-version=1&key=x") == "https://h.example/v1/embeddings");
  CHECK(scrub("Incorrect API key provided: sk-secret-123.\nBye", "sk-secret-123") == "Incorrect API key provided: ***. Bye");
  ::setenv("OPENAI_BASE_URL", "http://10.0.0.1:9/v1", 1);
  CHECK(make_endpoint("", "K").base_url == "http://10.0.0.1:9/v1");
  ::unsetenv("OPENAI_BASE_URL");
  CHECK(make_endpoint("", "K").base_url == default_base_url);
}

TEST_CASE("connection: option checks") {
  Connection c;
  c.cache = false;
  c.transport.concurrency = 0;
  CHECK_THROWS_WITH_AS(open_session(c), "--concurrency must be at least 1", hewn::UsageError);
  c.transport.concurrency = 1;
  c.transport.timeout = 0;
  CHECK_THROWS_WITH_AS(open_session(c), "--timeout must be positive", hewn::UsageError);
  c.transport.timeout = 1;
  c.transport.rpm = -1;
  CHECK_THROWS_WITH_AS(open_session(c), "--rpm must not be negative", hewn::UsageError);
}
