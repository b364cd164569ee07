// A native BERT encoder (BERT, MiniLM, BGE, E5 checkpoints in Hugging Face
// layout): embeddings + LayerNorm, then layers of multi-head self-attention
// with a padding mask, residual + LayerNorm (post-LN), a GELU (erf) feed
// forward, residual + LayerNorm. Matrix products run on OpenBLAS sgemm, one
// thread per call (callers parallelize over batches of texts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hewn::embed {

struct BertConfig {
  std::size_t vocab = 0, hidden = 0, layers = 0, heads = 0, intermediate = 0, max_positions = 0, type_vocab = 0;
  float eps = 1e-12f;
  // Position of a sequence's first token: 0 for BERT, pad_token_id + 1 for
  // (XLM-)RoBERTa, whose position ids skip the padding index; a sequence
  // then takes max_positions - position_offset tokens.
  std::size_t position_offset = 0;
  std::string model_type = "bert";
};

// What a forward pass computes besides the defaults (every token of type 0,
// every token's vector out).
struct ForwardOptions {
  // types[b][t]: the token type (segment) of token t of sequence b, for
  // sentence pairs ([CLS] A [SEP] B [SEP] with B of type 1); null: all 0.
  const std::vector<std::span<const std::uint8_t>>* types = nullptr;
  // Only the first token's vector of each sequence ([CLS], what a
  // classification head reads): the last layer then runs attention for that
  // query row alone and its feed-forward and LayerNorms on those rows, and
  // out gets one row per sequence.
  bool first_only = false;
};

// Makes OpenBLAS run every call on the calling thread and stops its thread
// pool, whose idle threads otherwise spin (sched_yield) for about 0.1 s of
// CPU after the library loads, in every process that links it, whichever
// backend it uses. Idempotent. Errors: none.
void single_threaded_blas();

class BertModel {
 public:
  // Loads DIR/config.json and DIR/model.safetensors (tensor names with or
  // without a "bert." prefix; F32, F16 or BF16). With roberta, also
  // "xlm-roberta" and "roberta" checkpoints (the same encoder: tensor names
  // with or without a "roberta." prefix, positions offset by pad_token_id
  // + 1).
  // Errors: DataError "DIR/config.json: cannot open: ...", "...: unsupported
  // model_type "x" (bert)", "...: unsupported hidden_act "x" (gelu)",
  // "...: missing or bad "hidden_size"" and the like; those of SafeTensors
  // (missing tensor, wrong shape or dtype, named).
  explicit BertModel(const std::string& dir, bool roberta = false);

  const BertConfig& config() const { return cfg_; }

  // Runs the encoder over a batch of sequences of ids (special tokens
  // included) and appends each sequence's token vectors (len x hidden,
  // row-major) to out, in order. The batch is packed, not padded: the
  // row-wise steps run over all sequences' tokens back to back (one sgemm
  // per projection), attention over each sequence's own tokens (what a
  // padding mask computes), so no work is spent on padding.
  // Errors: DataError for an id >= vocab or a sequence longer than
  // max_positions (callers truncate first).
  void forward(const std::vector<std::span<const std::uint32_t>>& seqs, std::vector<float>& out) const {
    forward(seqs, out, ForwardOptions{});
  }
  // The same with options (see ForwardOptions).
  // Errors: as above; DataError for a token type >= type_vocab_size, or an
  // empty sequence with first_only.
  void forward(const std::vector<std::span<const std::uint32_t>>& seqs, std::vector<float>& out,
               const ForwardOptions& options) const;

 private:
  struct Layer {
    std::vector<float> qkv_w, qkv_b, out_w, out_b, ln1_g, ln1_b, in_w, in_b, ff_w, ff_b, ln2_g, ln2_b;
  };
  BertConfig cfg_;
  std::vector<float> word_, pos_, type_, ln_g_, ln_b_;
  std::vector<Layer> layers_;
};

// Reads a JSON config file into a simple key lookup (numbers, strings and
// booleans at the top level). Used for config.json and 1_Pooling/config.json.
struct JsonConfig {
  std::string path;
  std::vector<std::pair<std::string, std::string>> strings;
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, bool>> bools;
  // Errors: DataError "PATH: cannot open: ..." or "PATH: invalid JSON: ...".
  static JsonConfig load(const std::string& path);
  const std::string* string(std::string_view key) const;
  const double* number(std::string_view key) const;
  const bool* boolean(std::string_view key) const;
  // Errors: DataError "PATH: missing or bad "key"".
  std::size_t size(std::string_view key) const;
};

}  // namespace hewn::embed
