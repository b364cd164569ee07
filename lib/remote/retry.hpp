// When a failed request is tried again, and how long to wait first:
// exponential back-off with jitter, or what the server asks for
// (Retry-After; OpenAI's x-ratelimit-reset-* when a limit is exhausted).
// Pure functions, so that the policy is tested without a network.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

namespace hewn::remote {

enum class Verdict {
  ok,       // 2xx
  retry,    // transient: 408, 409, 425, 429, 5xx, or no response at all (status 0)
  give_up,  // the request itself is refused (400, 413, 422, other 4xx): its inputs fail
  stop      // the endpoint is wrong for every request (401, 403, 404): stop at once
};

// The verdict for an HTTP status (0: no response: a reset, a time-out).
// Errors: none.
Verdict classify(long status);

// A Retry-After value in seconds: delay-seconds ("2", "0.5") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", taken against now, seconds
// since the epoch; a past date is 0). nullopt when it is neither.
// Errors: none.
std::optional<double> parse_retry_after(std::string_view value, std::time_t now);

// A duration as OpenAI's x-ratelimit-reset-requests/-tokens write it
// ("1s", "6m0s", "20ms", "1h2m3.5s", "0.5s") in seconds; nullopt when
// malformed. Errors: none.
std::optional<double> parse_duration(std::string_view value);

// The wait before retry number attempt (0 for the first retry): d =
// min(cap, base * 2^attempt), then d/2 + u*d/2 ("equal jitter", u uniform
// in [0, 1)), so waits grow and parallel clients spread out. Errors: none.
double backoff_delay(unsigned attempt, double base, double cap, double u);

}  // namespace hewn::remote
