// The "openai" backend: an OpenAI-compatible /embeddings endpoint (OpenAI,
// Azure OpenAI, vLLM, llama.cpp's server, Ollama, text-embeddings-inference,
// LM Studio) as an Embedder, over remote::EmbeddingClient.
#pragma once

#include <memory>

#include "embed/embedder.hpp"
#include "remote/transport.hpp"

namespace hewn::embed {

// Options::model is the server's model name, or a model URL
// (remote::parse_model_url: BASE#model=NAME[&dimensions=N]) that also gives
// the base URL and the dimensions.
// Errors: those of remote::open_session() and remote::EmbeddingClient();
// UsageError "--base-url: the model URL already names the base URL", "--dimensions: the model URL already names them".
std::unique_ptr<const Embedder> make_openai(const Options& options);

// The counters of an openai embedder (requests, retries, cache hits,
// tokens); nullptr for the other backends. Errors: none.
remote::Stats* remote_stats(const Embedder& e);

}  // namespace hewn::embed
