// The text-encoder port: what chunk, query and score need from a model
// (a name, a dimension, vectors for a batch of texts) without linking one.
// embed::Embedder implements it in-process; a remote endpoint client can
// implement it too. cmd/ composes the concrete encoder and hands it down, so
// the consuming libraries never depend on embed (or OpenBLAS, or libcurl).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hewn {

class TextEncoder {
 public:
  virtual ~TextEncoder() = default;
  // The model's identity, as written in records' "model" field.
  virtual const std::string& name() const = 0;
  // Floats per vector.
  virtual std::size_t dim() const = 0;
  // Writes dim() floats for each texts[i] (valid UTF-8) to out + i * dim().
  // Safe to call from several threads at once.
  // Errors: DataError for a text the model cannot take (token-level errors;
  // a remote request that failed after its retries), naming what failed.
  virtual void encode(std::span<const std::string_view> texts, float* out) const = 0;
  // One text, for callers that embed texts one at a time (query's
  // questions, score's sentences): encode() of a batch of one by default; a
  // model whose batches compute apart (BERT's packed passes) gives the
  // vector it gives a text alone.
  // Errors: those of encode().
  virtual void encode_one(std::string_view text, float* out) const { encode({&text, 1}, out); }
  // Several texts that fail apart: errors (resized to texts.size()) gets,
  // for each text left without a vector, why (a request that failed), ""
  // for the others. By default encode(), which fails them together.
  // Errors: those of encode() that are not one text's.
  virtual void encode_each(std::span<const std::string_view> texts, float* out,
                           std::vector<std::string>& errors) const {
    encode(texts, out);
    errors.assign(texts.size(), std::string());
  }
  // True for a remote model, whose texts cost a request's latency: callers
  // that embed one text at a time then gather them for encode_each().
  virtual bool remote() const { return false; }
};

}  // namespace hewn
