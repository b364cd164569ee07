// Cross-encoders: a query and a passage read together by a transformer
// encoder, whose first token's vector a classification head turns into one
// relevance score. Hugging Face layouts (config.json, model.safetensors,
// tokenizer.json) of BertForSequenceClassification (ms-marco-MiniLM: pooler
// dense + tanh, then "classifier") and XLMRobertaForSequenceClassification
// (bge-reranker: "classifier.dense" + tanh, then "classifier.out_proj"), on
// BertModel's kernels. Implements the PairScorer port (core/pair_scorer.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/pair_scorer.hpp"

namespace hewn::embed {

// What turns the head's logit into the score.
enum class Activation { identity, sigmoid, tanh };

struct CrossEncoderOptions {
  std::string model;           // the model directory
  std::size_t max_tokens = 0;  // tokens per pair, special tokens included; 0: the model's limit
  std::string activation;      // "", "none" or "sigmoid"; "": as config.json says (see cross_encoder_activation)
};

// How a tokenizer.json's post-processor lays out a pair: special tokens and
// the two sequences (0: the query, 1: the passage), each with its token type.
struct PairTemplate {
  struct Piece {
    int sequence = -1;                // 0 or 1; -1: the special ids below
    std::vector<std::uint32_t> ids;   // special tokens
    std::uint8_t type = 0;            // token type of the piece's tokens
  };
  std::vector<Piece> pieces;
  // Number of special tokens in a pair.
  std::size_t specials() const;
};

// Reads the pair layout of PATH's "post_processor": TemplateProcessing's
// "pair", BertProcessing ([CLS] A [SEP] B [SEP], B of type 1),
// RobertaProcessing (<s> A </s> </s> B </s>, all type 0), or the one of
// those inside a Sequence.
// Errors: DataError "PATH: cannot open: ...", "PATH: invalid JSON: ...",
// "PATH: post_processor: ..." for none, another type, or a template that
// does not hold $A and $B once each.
PairTemplate read_pair_template(const std::string& path);

// The activation config.json asks for: sentence-transformers'
// "sentence_transformers": {"activation_fn": ...} (v4 and later), else its
// "sbert_ce_default_activation_function" (earlier versions):
// torch.nn.modules.linear.Identity, torch.nn.modules.activation.Sigmoid or
// .Tanh; neither: sigmoid (sentence-transformers' CrossEncoder default for
// a model with one label).
// Errors: DataError "PATH: cannot open: ...", "PATH: invalid JSON: ...",
// "PATH: unsupported activation "x" (Identity, Sigmoid, Tanh)".
Activation cross_encoder_activation(const std::string& config_path);

// Loads a cross-encoder from options.model.
// Errors: UsageError for a --rerank-max-tokens beyond the model's positions
// or leaving no room beside the special tokens, an unknown activation;
// DataError naming the file for a missing or malformed config.json,
// tokenizer.json or model.safetensors, an unsupported model_type (bert,
// xlm-roberta, roberta), a missing head tensor (named), a head with other
// than one label ("reranking needs one relevance label"), an id2label whose
// size differs from the head's.
std::unique_ptr<const PairScorer> make_cross_encoder(const CrossEncoderOptions& options);

}  // namespace hewn::embed
