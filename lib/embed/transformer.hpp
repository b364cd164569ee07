// A config-driven transformer stack for the encoder families beyond BERT:
// NomicBERT (nomic_bert), ModernBERT (modernbert), Jina v2 (JinaBERT: bert
// with ALiBi), XLM-RoBERTa (xlm-roberta) and decoder embedders (qwen3), and
// plain BERT (bert.hpp's layout) for int8 inference. One
// block layer covers them all: LayerNorm (with or without bias) or RMSNorm,
// pre- or post-norm, absolute (with an offset), rotary or ALiBi positions,
// GELU / SwiGLU / GeGLU feed-forward, grouped-query attention, per-head
// query/key RMSNorm, causal or sliding-window masks. Matrix products run on
// OpenBLAS sgemm (one thread per call); attention runs in blocks of query
// rows, so no n x n score matrix is ever held (a block of 128 rows over an
// 8k sequence takes 4 MB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hewn::embed {

struct TransformerConfig {
  enum class Norm { layer, rms };
  enum class Positions { absolute, rotary, alibi };
  enum class Mlp { gelu, swiglu, geglu };
  std::string family;  // config.json's model_type as read ("nomic_bert", "modernbert", "bert" (jina), "xlm-roberta", "qwen3")
  std::size_t vocab = 0, hidden = 0, layers = 0, heads = 0, kv_heads = 0, head_dim = 0, intermediate = 0;
  std::size_t max_positions = 0;   // tokens a sequence may have
  std::size_t type_vocab = 0;      // token type embeddings (type 0 is added), 0: none
  std::size_t position_offset = 0; // absolute: position of token t is t + offset (XLM-R: padding_idx + 1)
  Norm norm = Norm::layer;
  bool pre_norm = false;          // x + f(norm(x)); else norm(x + f(x))
  bool embed_norm = true;         // a norm after the embeddings
  bool final_norm = false;        // a norm after the last layer (pre-norm stacks)
  float eps = 1e-12f;
  Positions positions = Positions::absolute;
  double rope_theta = 10000, rope_theta_local = 10000;
  std::size_t rotary_dim = 0;     // leading dims of each head that rotate (GPT-NeoX halves)
  Mlp mlp = Mlp::gelu;
  bool causal = false;
  bool qk_norm = false;           // RMSNorm of each head's query and key (Qwen3)
  std::size_t local_window = 0;   // > 0: local layers see keys within window / 2 of the query
  std::size_t global_every = 0;   // > 0: layer l is global when l % global_every == 0, else local
  bool local(std::size_t layer) const { return local_window && global_every && layer % global_every != 0; }
};

// Builds the config of the model in DIR from its config.json.
// Errors: DataError "DIR/config.json: cannot open: ...", "...: invalid
// JSON: ...", "...: unsupported model_type "x" (...)", "...: missing or bad
// "key"", "...: unsupported KEY "value" (...)" for settings outside what
// the family's forward pass implements (rope scaling, other activations).
TransformerConfig read_transformer_config(const std::string& dir);

// True when config.json's model_type (and, for "bert", its
// position_embedding_type) names a family Transformer runs.
bool is_transformer_family(const std::string& model_type, const std::string& position_embedding_type);

class Transformer {
 public:
  // Loads DIR/config.json and DIR/model.safetensors in the family's Hugging
  // Face tensor names (with or without the family's usual prefix: "model.",
  // "bert.", "roberta."); F32, F16 or BF16. With int8, every projection
  // matrix is kept as int8 with one float scale per output row (symmetric,
  // max |w| / 127) and expanded to float32 a matrix at a time in the
  // forward pass: a quarter of the memory, within the error embed(1)
  // states.
  // Errors: those of read_transformer_config(); those of SafeTensors
  // (missing tensor, wrong shape or dtype, named).
  Transformer(const std::string& dir, bool int8);

  const TransformerConfig& config() const { return cfg_; }

  // As BertModel::forward(): the batch is packed, attention runs over each
  // sequence's own tokens (and the family's mask).
  // Errors: DataError for an id >= vocab or a sequence longer than
  // max_positions.
  void forward(const std::vector<std::span<const std::uint32_t>>& seqs, std::vector<float>& out) const;

 private:
  // A weight matrix [rows, cols] in float32 or int8 with a scale per row.
  struct Matrix {
    std::size_t rows = 0, cols = 0;
    std::vector<float> f;
    std::vector<std::int8_t> q;
    std::vector<float> scale;
  };
  struct Layer {
    Matrix qkv, out, up, down;          // up: [act part; linear part] for GLUs
    std::vector<float> qkv_b, out_b, up_b, down_b;  // empty: no bias
    std::vector<float> n1_g, n1_b, n2_g, n2_b;      // n1_g empty: no norm (ModernBERT's first layer)
    std::vector<float> q_norm, k_norm;
  };
  void linear(const float* x, std::size_t m, const Matrix& w, const std::vector<float>& b, float* y) const;
  void norm(float* x, const float* r, std::size_t m, const std::vector<float>& g, const std::vector<float>& b) const;
  void attention(const float* qkv, std::size_t n, std::size_t layer, float* ctx) const;

  TransformerConfig cfg_;
  bool int8_ = false;
  std::vector<float> word_, pos_, type0_, emb_g_, emb_b_, final_g_, final_b_;
  std::vector<Layer> layers_;
  std::vector<float> cos_, sin_, cos_local_, sin_local_;  // [positions, rotary_dim / 2]
  std::vector<float> alibi_;                              // a slope per head
  std::size_t table_positions_ = 0;
};

}  // namespace hewn::embed
