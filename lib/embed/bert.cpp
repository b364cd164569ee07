#include "embed/bert.hpp"

#include <cblas.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/error.hpp"
#include "embed/denormals.hpp"
#include "embed/fastmath.hpp"
#include "embed/safetensors.hpp"

// OpenBLAS (Debian's pthread build) exports this; it stops the pool's threads.
extern "C" void blas_thread_shutdown_(void);

namespace hewn::embed {

void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] {
    openblas_set_num_threads(1);
    blas_thread_shutdown_();
  });
}

namespace {

// Y[M,N] = X[M,K] W[N,K]^T + b
void linear(const float* x, std::size_t m, std::size_t k, const std::vector<float>& w, const std::vector<float>& b,
            std::size_t n, float* y) {
  for (std::size_t i = 0; i < m; ++i) std::memcpy(y + i * n, b.data(), n * sizeof(float));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              1.0f, x, static_cast<int>(k), w.data(), static_cast<int>(k), 1.0f, y, static_cast<int>(n));
}

struct Work {
  std::vector<float> x, qkv, ctx, tmp, inter, scores;
};

}  // namespace

JsonConfig JsonConfig::load(const std::string& path) {
  JsonConfig c;
  c.path = path;
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text))
    throw DataError(path + ": cannot open: " + std::strerror(errno ? errno : ENOENT));
  simdjson::dom::object obj;
  if (auto err = parser.parse(text).get(obj))
    throw DataError(path + ": invalid JSON: " + simdjson::error_message(err));
  for (auto [k, v] : obj) {
    std::string key(k);
    if (v.is_string()) {
      c.strings.emplace_back(key, std::string(v.get_string().value()));
    } else if (v.is_number()) {
      c.numbers.emplace_back(key, v.get_double().value());
    } else if (v.is_bool()) {
      c.bools.emplace_back(key, v.get_bool().value());
    }
  }
  return c;
}

const std::string* JsonConfig::string(std::string_view key) const {
  for (auto& [k, v] : strings)
    if (k == key) return &v;
  return nullptr;
}
const double* JsonConfig::number(std::string_view key) const {
  for (auto& [k, v] : numbers)
    if (k == key) return &v;
  return nullptr;
}
const bool* JsonConfig::boolean(std::string_view key) const {
  for (auto& [k, v] : bools)
    if (k == key) return &v;
  return nullptr;
}
std::size_t JsonConfig::size(std::string_view key) const {
  const double* v = number(key);
  if (!v || *v < 1 || *v != std::floor(*v) || *v > 1e9)
    throw DataError(path + ": missing or bad " + hewn::quoted(key));
  return static_cast<std::size_t>(*v);
}

BertModel::BertModel(const std::string& dir, bool roberta) {
  single_threaded_blas();  // callers run one text per thread (embed -j)
  JsonConfig c = JsonConfig::load(dir + "/config.json");
  const std::string* type = c.string("model_type");
  bool is_roberta = roberta && type && (*type == "xlm-roberta" || *type == "roberta");
  if (!type || (*type != "bert" && !is_roberta))
    throw DataError(c.path + ": unsupported model_type " + hewn::quoted(type ? *type : "") +
                    (roberta ? " (bert, xlm-roberta, roberta)" : " (bert)"));
  cfg_.model_type = *type;
  if (const std::string* act = c.string("hidden_act"); act && *act != "gelu")
    throw DataError(c.path + ": unsupported hidden_act " + hewn::quoted(*act) + " (gelu)");
  if (const std::string* pe = c.string("position_embedding_type"); pe && *pe != "absolute")
    throw DataError(c.path + ": unsupported position_embedding_type " + hewn::quoted(*pe) + " (absolute)");
  cfg_.vocab = c.size("vocab_size");
  cfg_.hidden = c.size("hidden_size");
  cfg_.layers = c.size("num_hidden_layers");
  cfg_.heads = c.size("num_attention_heads");
  cfg_.intermediate = c.size("intermediate_size");
  cfg_.max_positions = c.size("max_position_embeddings");
  cfg_.type_vocab = c.number("type_vocab_size") ? c.size("type_vocab_size") : 2;
  if (const double* e = c.number("layer_norm_eps")) cfg_.eps = static_cast<float>(*e);
  if (cfg_.hidden % cfg_.heads != 0) throw DataError(c.path + ": hidden_size is not a multiple of num_attention_heads");
  if (is_roberta) {
    // RoBERTa's position ids count from padding_idx + 1 (fairseq's rule).
    std::size_t pad = 1;  // RobertaConfig's default
    if (const double* v = c.number("pad_token_id")) {
      if (*v < 0 || *v != std::floor(*v) || *v > 1e9) throw DataError(c.path + ": missing or bad \"pad_token_id\"");
      pad = static_cast<std::size_t>(*v);
    }
    cfg_.position_offset = pad + 1;
    if (cfg_.position_offset >= cfg_.max_positions)
      throw DataError(c.path + ": pad_token_id leaves no positions below max_position_embeddings");
  }

  SafeTensors st(dir + "/model.safetensors");
  const std::string family = is_roberta ? "roberta." : "bert.";
  std::string p = st.find("embeddings.word_embeddings.weight") || !st.find(family + "embeddings.word_embeddings.weight")
                      ? ""
                      : family;
  const std::size_t H = cfg_.hidden, I = cfg_.intermediate;
  auto get = [&](const std::string& name, std::initializer_list<std::size_t> shape) {
    return st.floats(st.require(p + name), shape, {"F32", "F16", "BF16"});
  };
  word_ = get("embeddings.word_embeddings.weight", {cfg_.vocab, H});
  pos_ = get("embeddings.position_embeddings.weight", {cfg_.max_positions, H});
  type_ = get("embeddings.token_type_embeddings.weight", {cfg_.type_vocab, H});
  ln_g_ = get("embeddings.LayerNorm.weight", {H});
  ln_b_ = get("embeddings.LayerNorm.bias", {H});
  layers_.resize(cfg_.layers);
  for (std::size_t l = 0; l < cfg_.layers; ++l) {
    std::string n = "encoder.layer." + std::to_string(l) + ".";
    Layer& L = layers_[l];
    for (const char* part : {"query", "key", "value"}) {
      auto w = get(n + "attention.self." + part + ".weight", {H, H});
      auto b = get(n + "attention.self." + part + ".bias", {H});
      L.qkv_w.insert(L.qkv_w.end(), w.begin(), w.end());
      L.qkv_b.insert(L.qkv_b.end(), b.begin(), b.end());
    }
    L.out_w = get(n + "attention.output.dense.weight", {H, H});
    L.out_b = get(n + "attention.output.dense.bias", {H});
    L.ln1_g = get(n + "attention.output.LayerNorm.weight", {H});
    L.ln1_b = get(n + "attention.output.LayerNorm.bias", {H});
    L.in_w = get(n + "intermediate.dense.weight", {I, H});
    L.in_b = get(n + "intermediate.dense.bias", {I});
    L.ff_w = get(n + "output.dense.weight", {H, I});
    L.ff_b = get(n + "output.dense.bias", {H});
    L.ln2_g = get(n + "output.LayerNorm.weight", {H});
    L.ln2_b = get(n + "output.LayerNorm.bias", {H});
  }
}

void BertModel::forward(const std::vector<std::span<const std::uint32_t>>& seqs, std::vector<float>& out,
                        const ForwardOptions& o) const {
  FlushDenormals ftz;  // denormals.hpp
  thread_local Work w;
  thread_local std::vector<std::size_t> off;
  const std::size_t H = cfg_.hidden, I = cfg_.intermediate, NH = cfg_.heads, D = H / NH, B = seqs.size();
  // The sequences' rows back to back: row-wise steps (projections, feed
  // forward, LayerNorm) run on all of them at once, attention on each alone.
  std::size_t T = 0, M = 0;
  off.clear();
  for (auto s : seqs) {
    off.push_back(M);
    M += s.size();
    T = std::max(T, s.size());
    if (o.first_only && s.empty()) throw DataError("an empty sequence has no first token");
  }
  if (M == 0) return;
  if (T + cfg_.position_offset > cfg_.max_positions)
    throw DataError("sequence of " + std::to_string(T) + " tokens exceeds max_position_embeddings " +
                    std::to_string(cfg_.max_positions) +
                    (cfg_.position_offset ? " less the offset " + std::to_string(cfg_.position_offset) : ""));
  w.x.resize(M * H);
  w.qkv.resize(M * 3 * H);
  w.ctx.resize(M * H);
  w.tmp.resize(M * H);
  w.inter.resize(M * I);
  w.scores.resize(T * T);
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t t = 0; t < seqs[b].size(); ++t) {
      std::uint32_t id = seqs[b][t];
      if (id >= cfg_.vocab)
        throw DataError("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(cfg_.vocab));
      std::size_t type = o.types ? (*o.types)[b][t] : 0;
      if (type >= cfg_.type_vocab)
        throw DataError("token type " + std::to_string(type) + " is outside the model's " +
                        std::to_string(cfg_.type_vocab) + " types");
      float* row = &w.x[(off[b] + t) * H];
      const float* we = &word_[id * H];
      const float* pe = &pos_[(cfg_.position_offset + t) * H];
      const float* te = &type_[type * H];
      for (std::size_t j = 0; j < H; ++j) row[j] = we[j] + pe[j] + te[j];
    }
  }
  add_layer_norm(w.x.data(), nullptr, M, H, ln_g_.data(), ln_b_.data(), cfg_.eps);
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  // Rows the row-wise steps run on: all M, or with first_only in the last
  // layer each sequence's first (moved to rows 0..B-1).
  std::size_t rows = M;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const bool first = o.first_only && l + 1 == layers_.size();
    linear(w.x.data(), M, H, L.qkv_w, L.qkv_b, 3 * H, w.qkv.data());
    for (std::size_t b = 0; b < B; ++b) {
      const int n = static_cast<int>(seqs[b].size());
      if (n == 0) continue;
      const int nq = first ? 1 : n;  // query rows
      const float* base = &w.qkv[off[b] * 3 * H];
      float* ctx = &w.ctx[(first ? b : off[b]) * H];
      for (std::size_t h = 0; h < NH; ++h) {
        const float* q = base + h * D;
        const float* k = base + H + h * D;
        const float* v = base + 2 * H + h * D;
        // The sequence's own n keys (what a padding mask leaves) and its queries.
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nq, n, static_cast<int>(D), scale, q,
                    static_cast<int>(3 * H), k, static_cast<int>(3 * H), 0.0f, w.scores.data(), n);
        softmax_rows(w.scores.data(), static_cast<std::size_t>(nq), static_cast<std::size_t>(n));
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nq, static_cast<int>(D), n, 1.0f, w.scores.data(), n,
                    v, static_cast<int>(3 * H), 0.0f, ctx + h * D, static_cast<int>(H));
      }
    }
    if (first) {
      // Each sequence's first row to row b (off[b] >= b, in increasing order:
      // no row is overwritten before it is read).
      for (std::size_t b = 0; b < B; ++b)
        if (off[b] != b) std::memcpy(&w.x[b * H], &w.x[off[b] * H], H * sizeof(float));
      rows = B;
    }
    linear(w.ctx.data(), rows, H, L.out_w, L.out_b, H, w.tmp.data());
    add_layer_norm(w.x.data(), w.tmp.data(), rows, H, L.ln1_g.data(), L.ln1_b.data(), cfg_.eps);
    linear(w.x.data(), rows, H, L.in_w, L.in_b, I, w.inter.data());
    gelu(w.inter.data(), rows * I);
    linear(w.inter.data(), rows, I, L.ff_w, L.ff_b, H, w.tmp.data());
    add_layer_norm(w.x.data(), w.tmp.data(), rows, H, L.ln2_g.data(), L.ln2_b.data(), cfg_.eps);
  }
  if (o.first_only && rows == M && M != B) {  // no layers: the embeddings' first rows
    for (std::size_t b = 0; b < B; ++b)
      if (off[b] != b) std::memcpy(&w.x[b * H], &w.x[off[b] * H], H * sizeof(float));
    rows = B;
  }
  out.insert(out.end(), w.x.begin(), w.x.begin() + rows * H);
}

}  // namespace hewn::embed
