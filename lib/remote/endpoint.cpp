#include "remote/endpoint.hpp"

#include <cstdlib>

#include "core/error.hpp"

namespace hewn::remote {

std::string Endpoint::url(std::string_view path) const {
  std::string u = base_url;
  u += '/';
  u += path;
  return u;
}

namespace {
bool starts_with_scheme(std::string_view u) { return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0; }

// [scheme://][userinfo@]host...: where the authority starts and ends.
std::pair<std::size_t, std::size_t> authority(std::string_view u) {
  std::size_t b = u.find("://");
  b = b == std::string_view::npos ? 0 : b + 3;
  std::size_t e = u.find_first_of("/?#", b);
  return {b, e == std::string_view::npos ? u.size() : e};
}
}  // namespace

Endpoint make_endpoint(std::string base, std::string_view key_env) {
  if (base.empty()) {
    const char* env = std::getenv("OPENAI_BASE_URL");
    base = env && *env ? env : std::string(default_base_url);
  }
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (!starts_with_scheme(base) || base.find_first_of(" \t\r\n") != std::string::npos)
    throw UsageError("--base-url: " + quoted(base) + " is not an http:// or https:// URL");
  auto [ab, ae] = authority(base);
  if (ab == ae) throw UsageError("--base-url: " + quoted(base) + " is not an http:// or https:// URL");
  if (std::string_view(base).substr(ab, ae - ab).find('@') != std::string_view::npos)
    throw UsageError(
        "--base-url: a URL must not hold a user name or password (put the key in an environment variable)");
  if (key_env.empty() || key_env.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                             std::string_view::npos || (key_env[0] >= '0' && key_env[0] <= '9'))
    throw UsageError("--api-key-env: " + quoted(key_env) + " is not a variable name");
  Endpoint e;
  e.base_url = std::move(base);
  if (const char* k = std::getenv(std::string(key_env).c_str())) e.key = k;
  return e;
}

std::string shown_url(std::string_view u) {
  auto [ab, ae] = authority(u);
  std::string out(u.substr(0, ab));
  std::string_view auth = u.substr(ab, ae - ab);
  std::size_t at = auth.rfind('@');
  out += at == std::string_view::npos ? auth : auth.substr(at + 1);
  std::string_view rest = u.substr(ae);
  out += rest.substr(0, rest.find_first_of("?#"));
  return out;
}

std::string scrub(std::string_view text, std::string_view key) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (!key.empty() && text.compare(i, key.size(), key) == 0) {
      out += "***";
      i += key.size();
      continue;
    }
    unsigned char c = static_cast<unsigned char>(text[i++]);
    out += c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c);
  }
  return out;
}

}  // namespace hewn::remote
