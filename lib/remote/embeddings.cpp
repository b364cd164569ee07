#include "remote/embeddings.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "remote/json_reader.hpp"
#include "remote/response.hpp"
#include "remote/retry.hpp"

namespace hewn::remote {

void append_embeddings_body(std::string& out, const EmbeddingsOptions& o, std::span<const std::string_view> inputs) {
  out += "{\"model\":";
  json::append_string(out, o.model);
  out += ",\"input\":[";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i) out += ',';
    json::append_string(out, inputs[i]);
  }
  out += "],\"encoding_format\":";
  out += o.base64 ? "\"base64\"" : "\"float\"";
  if (o.dimensions) {
    out += ",\"dimensions\":";
    json::append_uint(out, o.dimensions);
  }
  out += '}';
}

namespace {

float to_float(double d, std::size_t item) {
  float f = static_cast<float>(d);
  if (!std::isfinite(f)) throw BadResponse("response embedding " + std::to_string(item) + " has a value out of float range");
  return f;
}

void check_dim(std::size_t got, std::size_t& dim, std::size_t item) {
  if (got == 0) throw BadResponse("response embedding " + std::to_string(item) + " is empty");
  if (dim == 0) dim = got;
  if (got != dim)
    throw BadResponse("response embedding " + std::to_string(item) + " has " + std::to_string(got) + " values, not " +
                      std::to_string(dim));
}

}  // namespace

std::uint64_t parse_embeddings(std::string_view body, std::size_t n, std::size_t& dim, std::vector<float>& out) {
  simdjson::dom::parser p;
  jr::object top = jr::as_object(jr::parse(p, body), "");
  jr::array data = jr::as_array(jr::require(top, "data", ""), ".data");
  std::size_t count = data.size();
  if (count != n)
    throw BadResponse("response has " + std::to_string(count) + (count == 1 ? " embedding" : " embeddings") + " for " +
                      std::to_string(n) + (n == 1 ? " input" : " inputs"));
  std::vector<char> seen(n, 0);
  std::string bytes;
  std::size_t k = 0;
  for (jr::element item : data) {
    std::string path = ".data[" + std::to_string(k) + "]";
    jr::object o = jr::as_object(item, path);
    jr::element ie;
    std::uint64_t index = k;  // servers that leave "index" out answer in order
    if (jr::member(o, "index", ie)) index = jr::as_index(ie, path + ".index");
    if (index >= n) jr::bad(path + ".index", "is out of range (" + std::to_string(n) + " inputs)");
    if (seen[index]) jr::bad(path + ".index", "repeats index " + std::to_string(index));
    seen[index] = 1;
    jr::element e = jr::require(o, "embedding", path);
    std::string_view b64;
    if (!e.get(b64)) {
      bytes.clear();
      if (!decode_base64(b64, bytes) || bytes.size() % 4)
        jr::bad(path + ".embedding", "is not valid base64 of float32 values");
      check_dim(bytes.size() / 4, dim, index);
      if (out.size() < n * dim) out.resize(n * dim);
      float* v = &out[index * dim];
      for (std::size_t j = 0; j < dim; ++j) {
        std::uint32_t u = 0;
        for (int b = 0; b < 4; ++b) u |= std::uint32_t(static_cast<unsigned char>(bytes[4 * j + b])) << (8 * b);
        v[j] = std::bit_cast<float>(u);
        if (!std::isfinite(v[j]))
          throw BadResponse("response embedding " + std::to_string(index) + " has a value that is not finite");
      }
    } else {
      jr::array a = jr::as_array(e, path + ".embedding");
      check_dim(a.size(), dim, index);
      if (out.size() < n * dim) out.resize(n * dim);
      float* v = &out[index * dim];
      std::size_t j = 0;
      for (jr::element x : a) {
        v[j] = to_float(jr::as_number(x, path + ".embedding[" + std::to_string(j) + "]"), index);
        ++j;
      }
    }
    ++k;
  }
  out.resize(n * dim);
  jr::element usage, pt;
  std::uint64_t tokens = 0;
  jr::object uo;
  if (jr::member(top, "usage", usage) && !usage.get(uo) && jr::member(uo, "prompt_tokens", pt) && pt.get(tokens)) tokens = 0;
  return tokens;
}

std::uint64_t estimate_tokens(std::string_view text) { return text.size() < 4 ? 1 : (text.size() + 3) / 4; }

namespace {

bool plain(unsigned char c) { return c > 0x20 && c < 0x7F && c != '%' && c != '&' && c != '#' && c != '='; }

void percent_encode(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (plain(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
    if (h < 0 || l < 0) return std::nullopt;
    out += static_cast<char>(h * 16 + l);
    i += 2;
  }
  return out;
}

}  // namespace

std::string model_identity(std::string_view base_url, std::string_view model, unsigned dimensions) {
  std::string out(base_url);
  out += "#model=";
  percent_encode(out, model);
  if (dimensions) out += "&dimensions=" + std::to_string(dimensions);
  return out;
}

std::optional<ModelUrl> parse_model_url(std::string_view s) {
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) return std::nullopt;
  std::size_t hash = s.find('#');
  if (hash == std::string_view::npos) return std::nullopt;
  ModelUrl m;
  m.base_url = std::string(s.substr(0, hash));
  while (m.base_url.size() > 1 && m.base_url.back() == '/') m.base_url.pop_back();
  std::string_view rest = s.substr(hash + 1);
  bool have_model = false;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "model" && !have_model) {
      auto d = percent_decode(v);
      if (!d || d->empty()) return std::nullopt;
      m.model = *d;
      have_model = true;
    } else if (k == "dimensions" && !m.dimensions) {
      if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
      unsigned long d = std::stoul(std::string(v));
      if (d < 1 || d > 65536) return std::nullopt;
      m.dimensions = static_cast<unsigned>(d);
    } else {
      return std::nullopt;
    }
  }
  if (!have_model) return std::nullopt;
  return m;
}

EmbeddingClient::EmbeddingClient(Session session, EmbeddingsOptions options)
    : session_(std::move(session)), o_(std::move(options)) {
  if (o_.model.empty()) throw UsageError("the openai backend needs --model NAME");
  if (o_.batch < 1 || o_.batch > 2048) throw UsageError("--batch: from 1 to 2048 texts a request");
  if (o_.batch_tokens < 1) throw UsageError("--batch-tokens must be at least 1");
  if (o_.dimensions > 65536) throw UsageError("--dimensions: from 1 to 65536");
  url_ = session_.endpoint.url("embeddings");
  name_ = model_identity(session_.endpoint.base_url, o_.model, o_.dimensions);
  // What besides the text determines a vector (the cache key's parameters).
  params_ = std::to_string(o_.dimensions) + (o_.base64 ? " base64" : " float");
  dim_ = o_.dimensions;
  if (dim_ == 0) {
    std::string_view probe = "hewn";
    std::vector<std::string> errors;
    // dim_ == 0: encode_each learns it from the answer.
    encode_each(std::span<const std::string_view>(&probe, 1), nullptr, errors);
    if (!errors[0].empty()) throw DataError(errors[0] + " (learning the model's dimension)");
  }
}

void EmbeddingClient::encode(std::span<const std::string_view> texts, float* out) const {
  std::vector<std::string> errors;
  encode_each(texts, out, errors);
  for (const std::string& e : errors)
    if (!e.empty()) throw DataError(e);
}

void EmbeddingClient::encode_each(std::span<const std::string_view> texts, float* out,
                                  std::vector<std::string>& errors) const {
  const std::size_t n = texts.size();
  errors.assign(n, std::string());
  Stats& stats = session_.transport->stats();
  const Cache* cache = session_.cache.get();
  // dim_ is 0 only while the constructor learns it (one thread, one text).
  std::size_t& dim = const_cast<std::size_t&>(dim_);
  std::vector<float> learnt;
  auto dest = [&](std::size_t i) -> float* {
    if (out) return out + i * dim;
    learnt.resize((i + 1) * dim);
    return &learnt[i * dim];
  };
  std::vector<std::string> keys(cache ? n : 0);
  // Texts to ask for: the first of each distinct text not in the cache;
  // later copies take its vector (or its error).
  std::vector<std::size_t> ask;
  std::vector<std::size_t> same_as(n, SIZE_MAX);
  std::unordered_map<std::string_view, std::size_t> first;
  std::string entry;
  for (std::size_t i = 0; i < n; ++i) {
    if (cache) {
      keys[i] = Cache::key({"embeddings", url_, o_.model, params_, texts[i]});
      if (cache->get(keys[i], entry) && !entry.empty() && entry.size() % 4 == 0 && (dim == 0 || entry.size() == dim * 4)) {
        if (dim == 0) dim = entry.size() / 4;
        std::memcpy(dest(i), entry.data(), entry.size());
        stats.cache_hits.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
    }
    auto [it, fresh] = first.emplace(texts[i], i);
    if (fresh)
      ask.push_back(i);
    else
      same_as[i] = it->second;
  }
  // Cut into requests by count and by tokens (counted or estimated), in
  // input order.
  auto count = [this](std::string_view text) {
    return o_.count_tokens ? o_.count_tokens(text) : estimate_tokens(text);
  };
  std::vector<std::vector<std::size_t>> groups;
  std::uint64_t tokens = 0;
  for (std::size_t i : ask) {
    std::uint64_t t = count(texts[i]);
    if (groups.empty() || groups.back().size() >= o_.batch || (tokens + t > o_.batch_tokens && !groups.back().empty())) {
      groups.emplace_back();
      tokens = 0;
    }
    groups.back().push_back(i);
    tokens += t;
  }
  std::vector<std::string_view> inputs;
  std::vector<float> vecs;
  while (!groups.empty()) {  // each round halves the refused groups: at most log2(batch) + 1 rounds
    std::vector<Request> requests(groups.size());
    for (std::size_t g = 0; g < groups.size(); ++g) {
      inputs.clear();
      std::uint64_t est = 0;
      for (std::size_t i : groups[g]) {
        inputs.push_back(texts[i]);
        est += count(texts[i]);
      }
      requests[g].url = url_;
      requests[g].tokens = est;
      append_embeddings_body(requests[g].body, o_, inputs);
    }
    std::vector<Outcome> outcomes(groups.size());
    session_.transport->send(requests, outcomes);
    std::vector<std::vector<std::size_t>> again;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::vector<std::size_t>& members = groups[g];
      Outcome& o = outcomes[g];
      if (!o.ok) {
        if (classify(o.status) == Verdict::give_up && members.size() > 1) {  // a refusal: find the texts at fault
          std::size_t half = members.size() / 2;
          again.emplace_back(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(half));
          again.emplace_back(members.begin() + static_cast<std::ptrdiff_t>(half), members.end());
          continue;
        }
        for (std::size_t i : members) errors[i] = o.error;
        continue;
      }
      try {
        std::uint64_t used = parse_embeddings(o.body, members.size(), dim, vecs);
        stats.tokens.fetch_add(used, std::memory_order_relaxed);
      } catch (const BadResponse& e) {
        stats.failed.fetch_add(1, std::memory_order_relaxed);
        for (std::size_t i : members) errors[i] = "POST " + shown_url(url_) + ": " + e.what();
        continue;
      }
      for (std::size_t k = 0; k < members.size(); ++k) {
        const float* v = &vecs[k * dim];
        std::memcpy(dest(members[k]), v, dim * sizeof(float));
        if (cache)
          cache->put(keys[members[k]], std::string_view(reinterpret_cast<const char*>(v), dim * sizeof(float)));
      }
    }
    groups = std::move(again);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (same_as[i] == SIZE_MAX) continue;
    std::size_t s = same_as[i];
    if (!errors[s].empty())
      errors[i] = errors[s];
    else
      std::memcpy(dest(i), dest(s), dim * sizeof(float));
  }
}

}  // namespace hewn::remote
