// Client-side rate limits (--rpm, --tpm) and the pauses a server asks for
// (x-ratelimit-remaining-* at 0): when the next request may start. Used by
// the transport's one event-loop thread (not thread-safe). Times are seconds
// on one monotonic clock.
#pragma once

#include <cstdint>

namespace hewn::remote {

class RateLimiter {
 public:
  // rpm requests and tpm (estimated) tokens per minute; 0: no limit.
  RateLimiter(double rpm, double tpm) : rpm_(rpm), tpm_(tpm) {}
  // The earliest time at or after now at which the next request may
  // start: requests start 60/rpm seconds apart, and after a request of T
  // tokens the next waits T*60/tpm seconds (a request larger than the
  // budget still goes, alone). Errors: none.
  double next(double now) const;
  // Records that a request of tokens starts at start (>= next()).
  void take(double start, std::uint64_t tokens);
  // No request starts before t. Errors: none.
  void hold_until(double t);

 private:
  double rpm_, tpm_;
  double next_request_ = 0, next_tokens_ = 0, hold_ = 0;
};

}  // namespace hewn::remote
