// Where requests go and how they are authorized: a base URL (OpenAI's
// https://api.openai.com/v1, a local server's http://127.0.0.1:8000/v1) and
// an API key read from an environment variable, never from the command line.
// The key is sent in "Authorization: Bearer KEY" and appears nowhere else:
// not in messages (scrub()), not in cache keys.
#pragma once

#include <string>
#include <string_view>

namespace hewn::remote {

// The base URL when neither --base-url nor $OPENAI_BASE_URL gives one.
inline constexpr std::string_view default_base_url = "https://api.openai.com/v1";
// The environment variable that holds the key by default.
inline constexpr std::string_view default_key_env = "OPENAI_API_KEY";

struct Endpoint {
  std::string base_url;  // no trailing slash
  std::string key;       // empty: no Authorization header (local servers)
  // base_url + "/" + path.
  std::string url(std::string_view path) const;
};

// The endpoint for base (empty: $OPENAI_BASE_URL, else default_base_url;
// trailing slashes dropped) with the key from the environment variable
// key_env (unset or empty: no key).
// Errors: UsageError "--base-url: "URL" is not an http:// or https:// URL",
// "--base-url: a URL must not hold a user name or password (put the key in
// an environment variable)", "--api-key-env: "NAME" is not a variable name".
Endpoint make_endpoint(std::string base, std::string_view key_env);

// The URL as messages show it: user information and the query string
// (where some services put keys) are left out. Errors: none.
std::string shown_url(std::string_view url);

// text with every occurrence of key replaced by "***", and control
// characters by spaces (messages stay one line). Errors: none.
std::string scrub(std::string_view text, std::string_view key);

}  // namespace hewn::remote
