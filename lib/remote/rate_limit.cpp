#include "remote/rate_limit.hpp"

#include <algorithm>

namespace hewn::remote {

double RateLimiter::next(double now) const {
  return std::max({now, hold_, rpm_ > 0 ? next_request_ : 0.0, tpm_ > 0 ? next_tokens_ : 0.0});
}

void RateLimiter::take(double start, std::uint64_t tokens) {
  if (rpm_ > 0) next_request_ = std::max(next_request_, start) + 60.0 / rpm_;
  if (tpm_ > 0) next_tokens_ = std::max(next_tokens_, start) + static_cast<double>(tokens) * 60.0 / tpm_;
}

void RateLimiter::hold_until(double t) { hold_ = std::max(hold_, t); }

}  // namespace hewn::remote
