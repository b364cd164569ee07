// Rerankers: the PairScorer (core/pair_scorer.hpp) a name asks for, built by
// one factory: a model directory gives an in-process cross-encoder
// (embed/cross_encoder.hpp); a model URL, BASE#model=NAME, a remote rerank
// endpoint (POST BASE/rerank, remote/rerank.hpp) in the Cohere shape
// (Cohere, Jina, vLLM, Infinity) or text-embeddings-inference's.
#pragma once

#include <memory>
#include <string>

#include "core/pair_scorer.hpp"
#include "remote/connection.hpp"

namespace hewn::embed {

struct RerankerOptions {
  std::string model;           // a model directory, or BASE#model=NAME
  std::size_t max_tokens = 0;  // in-process: see CrossEncoderOptions
  std::string activation;      // in-process: see CrossEncoderOptions
  std::string api;             // remote: "" or "cohere" (the default), "tei"
  remote::Connection remote;   // remote: base_url is taken from model; key variable, transport, cache
};

// True when name is a remote reranker's (http:// or https://). Errors: none.
bool is_remote_reranker(const std::string& name);

// Errors: those of make_cross_encoder() for a directory; for a URL,
// UsageError "--rerank: a reranker URL is BASE#model=NAME (...)", "unknown
// --rerank-api "x" (cohere or tei)", "--rerank-max-tokens and
// --rerank-activation are for in-process models (the server decides)", and
// those of remote::open_session(); UsageError "--rerank "x": not a model
// directory" for anything else.
std::unique_ptr<const PairScorer> make_reranker(const RerankerOptions& options);

}  // namespace hewn::embed
