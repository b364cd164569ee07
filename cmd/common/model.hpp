// The one place a tool opens a model: hash, model2vec, BERT and the other
// transformer families, or an OpenAI-compatible endpoint, from embed's
// options. chunk, query and score hand what it opens to their libraries as
// a TextEncoder (core/encoder.hpp); those never link a model (or OpenBLAS,
// or libcurl). In its own library (hewn_cli_model), so that the tools
// without a model (index) do not link embed.
#pragma once

#include <memory>
#include <string>

#include "embed/embedder.hpp"

namespace hewn::cli {

// True when options name a remote model: --backend openai, or no backend
// and a model URL (http:// or https://). Errors: none.
bool remote_model(const embed::Options& options);

// Opens the model options name. A local --model is a directory or, with
// hub, ORG/NAME[@REV] in the local Hugging Face cache (embed::resolve_model;
// options.model is then set to the snapshot's directory, where the model's
// prompts are read).
// Errors: those of embed::resolve_model() and embed::make_embedder().
std::unique_ptr<const embed::Embedder> open_model(embed::Options& options, bool hub);

// The model a record's or an index manifest's "model" names, when hewn can
// run it here with embed's defaults (embed::options_for_model(): hash-N, a
// model URL, a model directory); nullptr otherwise.
// Errors: those of embed::make_embedder().
std::unique_ptr<const embed::Embedder> open_named_model(const std::string& name);

}  // namespace hewn::cli
