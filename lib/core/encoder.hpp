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
};

}  // namespace hewn
