// Embedders: text -> fixed-size float vector. One family built from options
// by make_embedder(): "hash" (model-free feature hashing, the default),
// "model2vec" (static token embeddings), "bert" (a transformer encoder in
// Hugging Face layout) and "openai" (an OpenAI-compatible endpoint). Implementations are thread-safe for concurrent const
// calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoder.hpp"
#include "remote/connection.hpp"

namespace hewn::embed {

struct Options {
  std::string backend;                 // "", "hash", "model2vec" or "bert"; "" picks hash without model, else config.json
  std::string model;                   // model directory (model2vec, bert)
  std::size_t dim = 384;               // hash: vector size
  std::optional<bool> normalize;       // L2-normalize; unset: the model's default
  std::string pooling;                 // bert: "", "mean", "cls" or "last" ("" reads 1_Pooling/config.json)
  std::size_t max_tokens = 0;          // bert: tokens per sequence incl. specials; 0: the model's limit
  std::size_t batch = 0;               // bert: sequences per packed forward pass in embed_batch(); 0: 32
                                       // openai: texts per request; 0: 128
  // openai (an OpenAI-compatible /embeddings endpoint; see openai.hpp):
  remote::Connection remote;           // base URL, key variable, transport, cache
  unsigned dimensions = 0;             // openai: "dimensions" to ask for; bert: keep the first N values
                                       // (Matryoshka); 0: the model's own
  bool float_encoding = false;         // encoding_format float instead of base64
  std::size_t batch_tokens = 0;        // estimated tokens per request; 0: 100000
  std::function<std::uint64_t(std::string_view)> count_tokens;  // openai: tokens of a text; unset: estimated
  bool int8 = false;                   // bert: int8 weight-only quantized projections
};

// The text the model's config_sentence_transformers.json gives the prompt
// NAME in its "prompts" ("query", "document", ...); with NAME empty, its
// "default_prompt_name"'s prompt, or "" when it names none or the file is
// absent.
// Errors: DataError "DIR/config_sentence_transformers.json: cannot open"
// or "...: invalid JSON" (a named prompt needs the file); UsageError
// "--prompt NAME: the model's prompts are A, B" for a name it lacks.
std::string model_prompt(const std::string& dir, const std::string& name);

// What happened while embedding one text.
struct EmbedInfo {
  bool truncated = false;  // the text was cut to the model's limit
  std::string error;       // openai: why this text has no vector (its request failed); "" when it has one
};

// Token-level output: one vector per token, with the token's byte span in
// the text (special tokens such as [CLS] have an empty span at 0).
struct TokenVectors {
  std::size_t count = 0;
  std::vector<float> data;  // count x dim, row-major
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  void clear() {
    count = 0;
    data.clear();
    spans.clear();
  }
};

// An embedder is a TextEncoder (core/encoder.hpp) with embed's extras.
class Embedder : public TextEncoder {
 public:
  // The "model" field of output records.
  const std::string& name() const override = 0;
  std::size_t dim() const override = 0;
  // TextEncoder: embed_batch() without the infos (the first error thrown);
  // encode_one(): embed(); encode_each(): embed_batch() with the infos'
  // errors.
  void encode(std::span<const std::string_view> texts, float* out) const override;
  void encode_one(std::string_view text, float* out) const override;
  void encode_each(std::span<const std::string_view> texts, float* out,
                   std::vector<std::string>& errors) const override;
  // Whether embed() returns unit vectors (late chunking follows it).
  virtual bool normalizes() const { return false; }
  // Writes dim() floats for text (valid UTF-8) to out.
  // Errors: none for valid UTF-8 (token-level errors are DataError).
  virtual EmbedInfo embed(std::string_view text, float* out) const = 0;
  // Embeds every text: texts[i]'s vector to out + i * dim(), infos[i] set,
  // as embed() would (by default it calls embed() for each). The bert
  // backend runs them through the encoder in packed batches (no padding; see
  // BertModel::forward) of Options::batch sequences and at most 8192
  // tokens, which gives sgemm larger matrices; the last bits of a vector
  // then depend on the batch it was in (within 1e-6).
  // Errors: those of embed() (then out and infos are unspecified).
  virtual void embed_batch(std::span<const std::string_view> texts, float* out, EmbedInfo* infos) const;
  // True when embed_batch() is faster than embed() text by text.
  virtual bool batches() const { return false; }
  // True for a transformer encoder, which spends milliseconds on a text
  // (callers hand threads small parts of the input); false for backends
  // that embed tens of MB per second.
  virtual bool transformer() const { return false; }
  // Token-level vectors of text (special tokens included), unpooled and
  // unnormalized; truncated like embed().
  // Errors: UsageError "--tokens needs the bert backend" by default.
  virtual EmbedInfo embed_tokens(std::string_view text, TokenVectors& out) const;
  // Late chunking: the vectors of every token of text (special tokens left
  // out), computed in windows of the model's length overlapping by overlap
  // tokens (the first overlap vectors of each later window are dropped).
  // Errors: UsageError "--late needs the bert backend" by default;
  // UsageError when overlap leaves no room in a window.
  virtual void document_tokens(std::string_view text, std::size_t overlap, TokenVectors& out) const;
};

// The backends for --backend's --help, from the table in embedder.cpp (one
// row per backend: name, help, the options it takes, what --model names,
// its constructor): "hash (default without --model), model2vec, ... or
// openai (...)".
std::string backend_help();

// Builds the embedder options ask for, by its backend's row.
// Errors: UsageError for an unknown backend, a dim of 0, a pooling other
// than mean/cls, options the backend does not take; DataError naming the file
// for a missing or malformed model file, an unsupported architecture, a
// tensor with a missing or unsupported dtype or a wrong shape (the tensor
// named), a corrupt safetensors header.
std::unique_ptr<const Embedder> make_embedder(const Options& options);

// The options that rebuild the embedder a record's or manifest's "model"
// names, when hewn can run it here with embed's defaults: "hash-N" (the hash
// backend with N dimensions) or a model directory that exists. nullopt
// otherwise (another model, or an empty name). Raises no errors.
std::optional<Options> options_for_model(const std::string& model);

// L2-normalizes v in place (a zero vector stays zero).
void l2_normalize(float* v, std::size_t n);

}  // namespace hewn::embed
