// The backends' constructors, used by make_embedder() (embedder.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "embed/embedder.hpp"

namespace hewn::embed {

// DIR with config.json, tokenizer.json, model.safetensors ("embeddings",
// optional "weights" and "mapping").
// Errors: see make_embedder().
std::unique_ptr<const Embedder> make_model2vec(const std::string& dir, std::optional<bool> normalize);

// DIR in Hugging Face BERT layout, or another transformer family
// (transformer.hpp), or a BERT with Options::int8 (run by Transformer).
// Errors: see make_embedder().
std::unique_ptr<const Embedder> make_bert(const Options& options);

}  // namespace hewn::embed
