#include "remote/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

namespace hewn::remote {

Verdict classify(long status) {
  if (status >= 200 && status < 300) return Verdict::ok;
  if (status == 0 || status == 408 || status == 409 || status == 425 || status == 429 || status >= 500)
    return Verdict::retry;
  if (status == 401 || status == 403 || status == 404) return Verdict::stop;
  return Verdict::give_up;
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::optional<double> number(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}
}  // namespace

std::optional<double> parse_retry_after(std::string_view value, std::time_t now) {
  value = trim(value);
  if (auto v = number(value)) return *v;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string s(value);
  char mon[4] = {};
  int day = 0, year = 0, h = 0, m = 0, sec = 0, used = 0;
  if (std::sscanf(s.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d GMT%n", &day, mon, &year, &h, &m, &sec, &used) != 6 ||
      used != static_cast<int>(s.size()))
    return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (std::strcmp(mon, months[i]) == 0) month = i;
  if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  return t > now ? static_cast<double>(t - now) : 0.0;
}

std::optional<double> parse_duration(std::string_view value) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  double total = 0;
  while (!value.empty()) {
    std::size_t n = 0;
    while (n < value.size() && ((value[n] >= '0' && value[n] <= '9') || value[n] == '.')) ++n;
    auto v = number(value.substr(0, n));
    if (!v) return std::nullopt;
    value.remove_prefix(n);
    if (value.rfind("ms", 0) == 0) {
      total += *v / 1000;
      value.remove_prefix(2);
    } else if (!value.empty() && (value[0] == 'h' || value[0] == 'm' || value[0] == 's')) {
      total += *v * (value[0] == 'h' ? 3600 : value[0] == 'm' ? 60 : 1);
      value.remove_prefix(1);
    } else {
      return std::nullopt;
    }
  }
  return total;
}

double backoff_delay(unsigned attempt, double base, double cap, double u) {
  double d = std::min(cap, base * std::ldexp(1.0, static_cast<int>(std::min(attempt, 60u))));
  return d / 2 + u * d / 2;
}

}  // namespace hewn::remote
