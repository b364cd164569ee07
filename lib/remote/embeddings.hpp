// POST {base}/embeddings, as OpenAI documents it and vLLM, llama.cpp's
// server, Ollama, text-embeddings-inference and LM Studio serve it:
//   request  {"model": M, "input": [texts], "encoding_format": "base64"|"float",
//             "dimensions": N (only when asked)}
//   response {"data": [{"index": i, "embedding": [floats] | "base64 of
//             little-endian float32"}, ...], "usage": {"prompt_tokens": T}}
// and the client that implements hewn::TextEncoder over it: texts cut into
// requests by count and by estimated tokens, sent concurrently, each text's
// vector cached on its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoder.hpp"
#include "remote/connection.hpp"

namespace hewn::remote {

struct EmbeddingsOptions {
  std::string model;                  // the server's model name (required)
  unsigned dimensions = 0;            // "dimensions" to ask for; 0: not sent (the model's own)
  bool base64 = true;                 // encoding_format base64 (exact float32, 4/3 bytes a value), else float
  std::size_t batch = 128;            // inputs per request, 1 to 2048 (OpenAI's limit)
  std::size_t batch_tokens = 100000;  // estimated tokens per request (OpenAI allows 300000)
  // A text's tokens for batch_tokens and --tpm: the model's tokenizer where
  // the caller has one (thread-safe); unset: estimate_tokens().
  std::function<std::uint64_t(std::string_view)> count_tokens;
};

// Appends the request body for inputs (valid UTF-8). Errors: none.
void append_embeddings_body(std::string& out, const EmbeddingsOptions& o, std::span<const std::string_view> inputs);

// Parses the response to a request of n inputs into out (n * dim floats,
// input i at i * dim, placed by each item's "index"); dim 0 is learnt from
// the first vector. A vector may come as a JSON array or as base64 whatever
// was asked (servers that ignore encoding_format). Returns
// usage.prompt_tokens (0 when absent).
// Errors: BadResponse "response is not valid JSON (...)", "response has no
// field .data", "response has 3 embeddings for 4 inputs", "response field
// .data[2].index is out of range (4 inputs)", "... index 1 appears twice",
// "response embedding 2 has 7 values, not 8", "response embedding 2 has a
// value that is not finite", "response field .data[0].embedding is not
// valid base64 of float32 values".
std::uint64_t parse_embeddings(std::string_view body, std::size_t n, std::size_t& dim, std::vector<float>& out);

// Tokens of a text as --batch-tokens and --tpm count them without the
// model's tokenizer: UTF-8 bytes / 4, rounded up, at least 1 (English runs
// about 4 bytes a token; dense scripts and code run fewer, so leave room
// below a hard limit). Errors: none.
std::uint64_t estimate_tokens(std::string_view text);

// A remote model's identity, as records' "model" field and an index's
// manifest name it: BASE#model=NAME, with &dimensions=N when asked for (NAME
// percent-encoded where it holds %, &, #, = or bytes outside printable
// ASCII). embed --model takes one too. Errors: none.
std::string model_identity(std::string_view base_url, std::string_view model, unsigned dimensions);

struct ModelUrl {
  std::string base_url, model;
  unsigned dimensions = 0;
};
// Reads an identity back; nullopt when s is not http(s)://...#model=NAME[&dimensions=N]
// with a non-empty NAME and N from 1 to 65536. Errors: none.
std::optional<ModelUrl> parse_model_url(std::string_view s);

class EmbeddingClient final : public TextEncoder {
 public:
  // Without o.dimensions the model's dimension is learnt from the vector of
  // one short text ("hewn"), through the cache like any text.
  // Errors: UsageError "the openai backend needs --model NAME", "--batch:
  // from 1 to 2048 texts a request", "--batch-tokens must be at least 1",
  // "--dimensions: from 1 to 65536"; those of Transport::send(); DataError
  // "POST URL: ... (learning the model's dimension)" when that request fails.
  EmbeddingClient(Session session, EmbeddingsOptions options);

  // model_identity() of the base URL, model and dimensions.
  const std::string& name() const override { return name_; }
  std::size_t dim() const override { return dim_; }
  // Errors: DataError, the first failed text's error (see encode_each()).
  void encode(std::span<const std::string_view> texts, float* out) const override;
  // Vectors of texts to out + i * dim(); errors[i] is "" or why text i has
  // none: its request failed after its retries or was refused ("POST URL:
  // HTTP 400: <server's text>"; a refused request of several texts is split
  // in halves until the texts at fault are alone), or the response was
  // wrong. Identical texts are sent once. Thread-safe.
  // Errors: those of Transport::send() (UsageError for 401, 403, 404);
  // DataError from Cache::put().
  void encode_each(std::span<const std::string_view> texts, float* out, std::vector<std::string>& errors) const;

  Stats& stats() const { return session_.transport->stats(); }

 private:
  Session session_;
  EmbeddingsOptions o_;
  std::string url_, name_, params_;
  std::size_t dim_ = 0;
};

}  // namespace hewn::remote
