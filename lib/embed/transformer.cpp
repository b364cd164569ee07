#include "embed/transformer.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "core/error.hpp"
#include "embed/bert.hpp"
#include "embed/denormals.hpp"
#include "embed/fastmath.hpp"
#include "embed/safetensors.hpp"

namespace hewn::embed {

#if defined(__x86_64__)
#define HEWN_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=haswell", "default")))
#else
#define HEWN_CLONES
#endif

namespace {

constexpr std::size_t kQueryBlock = 128;  // query rows per block of attention scores

// x = RMSNorm(x + r) per row: x / sqrt(mean(x^2) + eps) * g.
HEWN_CLONES void add_rms_norm(float* x, const float* r, std::size_t m, std::size_t h, const float* g, float eps) {
  for (std::size_t i = 0; i < m; ++i) {
    float* row = x + i * h;
    if (r)
      for (std::size_t j = 0; j < h; ++j) row[j] += r[i * h + j];
    float acc[16] = {};
    std::size_t j = 0;
    for (; j + 16 <= h; j += 16)
      for (std::size_t l = 0; l < 16; ++l) acc[l] += row[j + l] * row[j + l];
    for (std::size_t l = 0; j < h; ++j, ++l) acc[l] += row[j] * row[j];
    float s = 0;
    for (float a : acc) s += a;
    const float inv = 1.0f / std::sqrt(s / static_cast<float>(h) + eps);
    for (j = 0; j < h; ++j) row[j] = row[j] * inv * g[j];
  }
}

// GLU over m rows of 2 * n values [a | b]: out[i, j] = act(a[j]) * b[j]
// (rows of n values, in place at the start of u).
template <class Act>
[[gnu::always_inline]] inline void glu(float* u, std::size_t m, std::size_t n, Act act) {
  for (std::size_t i = 0; i < m; ++i) {
    const float* a = u + i * 2 * n;
    const float* b = a + n;
    float* o = u + i * n;
    for (std::size_t j = 0; j < n; ++j) o[j] = act(a[j]) * b[j];
  }
}
HEWN_CLONES void glu_silu(float* u, std::size_t m, std::size_t n) {
  glu(u, m, n, [](float x) { return x / (1.0f + fast_exp(-x)); });
}
HEWN_CLONES void glu_gelu(float* u, std::size_t m, std::size_t n) {
  glu(u, m, n, [](float x) { return 0.5f * x * (1.0f + fast_erf(x * 0.70710678118654752f)); });
}

// Rotates the first 2 * half dims of a head vector (GPT-NeoX halves).
inline void rotate(float* v, const float* c, const float* s, std::size_t half) {
  for (std::size_t j = 0; j < half; ++j) {
    const float a = v[j], b = v[j + half];
    v[j] = a * c[j] - b * s[j];
    v[j + half] = b * c[j] + a * s[j];
  }
}

// ALiBi slopes (Press et al.; the JinaBERT/BLOOM recipe for head counts that
// are not powers of two).
std::vector<float> alibi_slopes(std::size_t n) {
  auto pow2 = [](std::size_t k) {
    std::vector<double> s;
    const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(static_cast<double>(k)) - 3)));
    for (std::size_t i = 0; i < k; ++i) s.push_back(std::pow(start, static_cast<double>(i + 1)));
    return s;
  };
  std::size_t p = 1;
  while (p * 2 <= n) p *= 2;
  std::vector<double> s = pow2(p);
  if (p < n) {
    std::vector<double> extra = pow2(2 * p);
    for (std::size_t i = 0; i < n - p; ++i) s.push_back(extra[2 * i]);
  }
  return {s.begin(), s.end()};
}

struct Work {
  std::vector<float> x, h, qkv, ctx, tmp, up, scores, wbuf;
};

}  // namespace

bool is_transformer_family(const std::string& type, const std::string& pe) {
  return type == "nomic_bert" || type == "modernbert" || type == "xlm-roberta" || type == "qwen3" ||
         (type == "bert" && pe == "alibi");
}

TransformerConfig read_transformer_config(const std::string& dir) {
  JsonConfig c = JsonConfig::load(dir + "/config.json");
  TransformerConfig t;
  const std::string* type = c.string("model_type");
  t.family = type ? *type : "";
  auto str = [&](const char* k, const char* dflt) {
    const std::string* s = c.string(k);
    return s ? *s : std::string(dflt);
  };
  auto flag = [&](const char* k, bool dflt) {
    const bool* b = c.boolean(k);
    return b ? *b : dflt;
  };
  auto num = [&](const char* k, double dflt) {
    const double* d = c.number(k);
    return d ? *d : dflt;
  };
  auto unsupported = [&](const char* key, const std::string& v, const char* known) {
    throw DataError(c.path + ": unsupported " + key + " " + hewn::quoted(v) + " (" + known + ")");
  };
  auto need = [&](const char* key, const std::string& v, const char* want) {
    if (v != want) unsupported(key, v, want);
  };
  auto no_number = [&](const char* key) {  // a setting the forward pass does not implement (null is fine)
    if (c.number(key) || c.string(key))
      throw DataError(c.path + ": unsupported " + key + " (the forward pass implements none)");
  };
  if (t.family == "nomic_bert") {
    t.vocab = c.size("vocab_size");
    t.hidden = c.size("n_embd");
    t.layers = c.size("n_layer");
    t.heads = c.size("n_head");
    t.intermediate = c.number("n_inner") ? c.size("n_inner") : 4 * t.hidden;
    t.max_positions = c.size("n_positions");
    t.type_vocab = c.number("type_vocab_size") ? c.size("type_vocab_size") : 2;
    t.eps = static_cast<float>(num("layer_norm_epsilon", 1e-12));
    t.pre_norm = flag("prenorm", false);
    if (t.pre_norm) unsupported("prenorm", "true", "false");
    if (flag("use_rms_norm", false)) unsupported("use_rms_norm", "true", "false");
    if (flag("rotary_emb_interleaved", false)) unsupported("rotary_emb_interleaved", "true", "false");
    need("activation_function", str("activation_function", "swiglu"), "swiglu");
    no_number("rotary_scaling_factor");
    t.positions = TransformerConfig::Positions::rotary;
    t.rope_theta = t.rope_theta_local = num("rotary_emb_base", 10000);
    t.mlp = TransformerConfig::Mlp::swiglu;
    const double frac = num("rotary_emb_fraction", 1.0);
    t.rotary_dim = static_cast<std::size_t>(frac * static_cast<double>(t.hidden / std::max<std::size_t>(1, t.heads)));
  } else if (t.family == "modernbert") {
    t.vocab = c.size("vocab_size");
    t.hidden = c.size("hidden_size");
    t.layers = c.size("num_hidden_layers");
    t.heads = c.size("num_attention_heads");
    t.intermediate = c.size("intermediate_size");
    t.max_positions = c.size("max_position_embeddings");
    t.eps = static_cast<float>(num("norm_eps", 1e-5));
    t.pre_norm = true;
    t.final_norm = true;
    t.positions = TransformerConfig::Positions::rotary;
    t.rope_theta = num("global_rope_theta", 160000);
    t.rope_theta_local = num("local_rope_theta", t.rope_theta);
    t.local_window = c.number("local_attention") ? c.size("local_attention") : 128;
    t.global_every = c.number("global_attn_every_n_layers") ? c.size("global_attn_every_n_layers") : 3;
    need("hidden_activation", str("hidden_activation", "gelu"), "gelu");
    t.mlp = TransformerConfig::Mlp::geglu;
  } else if (t.family == "bert" && str("position_embedding_type", "absolute") == "alibi") {
    t.vocab = c.size("vocab_size");
    t.hidden = c.size("hidden_size");
    t.layers = c.size("num_hidden_layers");
    t.heads = c.size("num_attention_heads");
    t.intermediate = c.size("intermediate_size");
    t.max_positions = c.size("max_position_embeddings");
    t.type_vocab = c.number("type_vocab_size") ? c.size("type_vocab_size") : 2;
    t.eps = static_cast<float>(num("layer_norm_eps", 1e-12));
    t.positions = TransformerConfig::Positions::alibi;
    need("feed_forward_type", str("feed_forward_type", "original"), "geglu");
    need("hidden_act", str("hidden_act", "gelu"), "gelu");
    t.mlp = TransformerConfig::Mlp::geglu;
  } else if (t.family == "xlm-roberta" || t.family == "bert") {  // bert: with --int8
    const bool xlmr = t.family == "xlm-roberta";
    t.vocab = c.size("vocab_size");
    t.hidden = c.size("hidden_size");
    t.layers = c.size("num_hidden_layers");
    t.heads = c.size("num_attention_heads");
    t.intermediate = c.size("intermediate_size");
    t.type_vocab = c.number("type_vocab_size") ? c.size("type_vocab_size") : xlmr ? 1 : 2;
    t.eps = static_cast<float>(num("layer_norm_eps", xlmr ? 1e-5 : 1e-12));
    need("hidden_act", str("hidden_act", "gelu"), "gelu");
    need("position_embedding_type", str("position_embedding_type", "absolute"), "absolute");
    if (xlmr) {
      const double pad = num("pad_token_id", 1);
      if (pad < 0 || pad != std::floor(pad)) throw DataError(c.path + ": missing or bad \"pad_token_id\"");
      t.position_offset = static_cast<std::size_t>(pad) + 1;
    }
    const std::size_t table = c.size("max_position_embeddings");
    if (table <= t.position_offset) throw DataError(c.path + ": max_position_embeddings leaves no positions");
    t.max_positions = table - t.position_offset;
  } else if (t.family == "qwen3") {
    t.vocab = c.size("vocab_size");
    t.hidden = c.size("hidden_size");
    t.layers = c.size("num_hidden_layers");
    t.heads = c.size("num_attention_heads");
    t.kv_heads = c.number("num_key_value_heads") ? c.size("num_key_value_heads") : t.heads;
    t.head_dim = c.number("head_dim") ? c.size("head_dim") : t.hidden / t.heads;
    t.intermediate = c.size("intermediate_size");
    t.max_positions = c.size("max_position_embeddings");
    t.eps = static_cast<float>(num("rms_norm_eps", 1e-6));
    t.norm = TransformerConfig::Norm::rms;
    t.pre_norm = true;
    t.embed_norm = false;
    t.final_norm = true;
    t.causal = true;
    t.qk_norm = true;
    t.positions = TransformerConfig::Positions::rotary;
    t.rope_theta = t.rope_theta_local = num("rope_theta", 1000000);
    t.mlp = TransformerConfig::Mlp::swiglu;
    need("hidden_act", str("hidden_act", "silu"), "silu");
    if (flag("attention_bias", false)) unsupported("attention_bias", "true", "false");
    if (flag("use_sliding_window", false)) unsupported("use_sliding_window", "true", "false");
    if (c.string("rope_scaling")) unsupported("rope_scaling", *c.string("rope_scaling"), "null");
  } else {
    throw DataError(c.path + ": unsupported model_type " + hewn::quoted(t.family) +
                    " (nomic_bert, modernbert, xlm-roberta, qwen3, bert)");
  }
  if (!t.kv_heads) t.kv_heads = t.heads;
  if (!t.head_dim) {
    if (t.hidden % t.heads) throw DataError(c.path + ": the hidden size is not a multiple of the number of heads");
    t.head_dim = t.hidden / t.heads;
  }
  if (t.heads % t.kv_heads) throw DataError(c.path + ": num_attention_heads is not a multiple of num_key_value_heads");
  if (t.positions == TransformerConfig::Positions::rotary) {
    if (!t.rotary_dim) t.rotary_dim = t.head_dim;
    if (t.rotary_dim > t.head_dim || t.rotary_dim % 2) throw DataError(c.path + ": bad rotary dimension");
  }
  return t;
}

Transformer::Transformer(const std::string& dir, bool int8) : cfg_(read_transformer_config(dir)), int8_(int8) {
  single_threaded_blas();
  SafeTensors st(dir + "/model.safetensors");
  const TransformerConfig& c = cfg_;
  const std::size_t H = c.hidden, I = c.intermediate, D = c.head_dim, NH = c.heads, KV = c.kv_heads;
  const std::size_t QKV = (NH + 2 * KV) * D;
  // The family's names, and a prefix the checkpoint may add.
  std::string emb_name = c.family == "modernbert" ? "embeddings.tok_embeddings.weight"
                         : c.family == "qwen3"    ? "embed_tokens.weight"
                                                  : "embeddings.word_embeddings.weight";
  std::string p;
  for (const char* pre : {"", "model.", "bert.", "roberta."})
    if (st.find(pre + emb_name)) {
      p = pre;
      break;
    }
  auto get = [&](const std::string& name, std::initializer_list<std::size_t> shape) {
    return st.floats(st.require(p + name), shape, {"F32", "F16", "BF16"});
  };
  auto opt = [&](const std::string& name, std::initializer_list<std::size_t> shape) {
    return st.find(p + name) ? get(name, shape) : std::vector<float>();
  };
  auto matrix = [&](std::vector<float> f, std::size_t rows, std::size_t cols) {
    Matrix m;
    m.rows = rows;
    m.cols = cols;
    if (!int8_) {
      m.f = std::move(f);
      return m;
    }
    m.q.resize(rows * cols);
    m.scale.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      float mx = 0;
      for (std::size_t j = 0; j < cols; ++j) mx = std::max(mx, std::abs(f[r * cols + j]));
      const float s = mx > 0 ? mx / 127.0f : 1.0f;
      m.scale[r] = s;
      for (std::size_t j = 0; j < cols; ++j)
        m.q[r * cols + j] = static_cast<std::int8_t>(std::lround(f[r * cols + j] / s));
    }
    return m;
  };
  auto cat = [](std::initializer_list<const std::vector<float>*> parts) {
    std::vector<float> v;
    for (auto* x : parts) v.insert(v.end(), x->begin(), x->end());
    return v;
  };
  word_ = get(emb_name, {c.vocab, H});
  if (c.type_vocab) {
    type0_ = get("embeddings.token_type_embeddings.weight", {c.type_vocab, H});
    type0_.resize(H);  // token type 0, the only one embed uses
  }
  layers_.resize(c.layers);
  if (c.family == "nomic_bert") {
    emb_g_ = get("emb_ln.weight", {H});
    emb_b_ = get("emb_ln.bias", {H});
    for (std::size_t l = 0; l < c.layers; ++l) {
      std::string n = "encoder.layers." + std::to_string(l) + ".";
      Layer& L = layers_[l];
      L.qkv = matrix(get(n + "attn.Wqkv.weight", {3 * H, H}), 3 * H, H);
      L.qkv_b = opt(n + "attn.Wqkv.bias", {3 * H});
      L.out = matrix(get(n + "attn.out_proj.weight", {H, H}), H, H);
      L.out_b = opt(n + "attn.out_proj.bias", {H});
      // y = fc11(x) * silu(fc12(x)): the activated part (fc12) first.
      auto fc11 = get(n + "mlp.fc11.weight", {I, H}), fc12 = get(n + "mlp.fc12.weight", {I, H});
      L.up = matrix(cat({&fc12, &fc11}), 2 * I, H);
      auto b11 = opt(n + "mlp.fc11.bias", {I}), b12 = opt(n + "mlp.fc12.bias", {I});
      if (!b11.empty() || !b12.empty()) {
        b11.resize(I);
        b12.resize(I);
        L.up_b = cat({&b12, &b11});
      }
      L.down = matrix(get(n + "mlp.fc2.weight", {H, I}), H, I);
      L.down_b = opt(n + "mlp.fc2.bias", {H});
      L.n1_g = get(n + "norm1.weight", {H});
      L.n1_b = get(n + "norm1.bias", {H});
      L.n2_g = get(n + "norm2.weight", {H});
      L.n2_b = get(n + "norm2.bias", {H});
    }
  } else if (c.family == "modernbert") {
    emb_g_ = get("embeddings.norm.weight", {H});
    emb_b_ = opt("embeddings.norm.bias", {H});
    for (std::size_t l = 0; l < c.layers; ++l) {
      std::string n = "layers." + std::to_string(l) + ".";
      Layer& L = layers_[l];
      if (l > 0) {  // the first layer's attn_norm is the identity
        L.n1_g = get(n + "attn_norm.weight", {H});
        L.n1_b = opt(n + "attn_norm.bias", {H});
      }
      L.qkv = matrix(get(n + "attn.Wqkv.weight", {3 * H, H}), 3 * H, H);
      L.qkv_b = opt(n + "attn.Wqkv.bias", {3 * H});
      L.out = matrix(get(n + "attn.Wo.weight", {H, H}), H, H);
      L.out_b = opt(n + "attn.Wo.bias", {H});
      L.n2_g = get(n + "mlp_norm.weight", {H});
      L.n2_b = opt(n + "mlp_norm.bias", {H});
      // Wi's output is [input | gate]: gelu(input) * gate.
      L.up = matrix(get(n + "mlp.Wi.weight", {2 * I, H}), 2 * I, H);
      L.up_b = opt(n + "mlp.Wi.bias", {2 * I});
      L.down = matrix(get(n + "mlp.Wo.weight", {H, I}), H, I);
      L.down_b = opt(n + "mlp.Wo.bias", {H});
    }
    final_g_ = get("final_norm.weight", {H});
    final_b_ = opt("final_norm.bias", {H});
  } else if (c.family == "qwen3") {
    for (std::size_t l = 0; l < c.layers; ++l) {
      std::string n = "layers." + std::to_string(l) + ".";
      Layer& L = layers_[l];
      L.n1_g = get(n + "input_layernorm.weight", {H});
      auto q = get(n + "self_attn.q_proj.weight", {NH * D, H}), k = get(n + "self_attn.k_proj.weight", {KV * D, H}),
           v = get(n + "self_attn.v_proj.weight", {KV * D, H});
      L.qkv = matrix(cat({&q, &k, &v}), QKV, H);
      L.out = matrix(get(n + "self_attn.o_proj.weight", {H, NH * D}), H, NH * D);
      L.q_norm = get(n + "self_attn.q_norm.weight", {D});
      L.k_norm = get(n + "self_attn.k_norm.weight", {D});
      L.n2_g = get(n + "post_attention_layernorm.weight", {H});
      auto gate = get(n + "mlp.gate_proj.weight", {I, H}), up = get(n + "mlp.up_proj.weight", {I, H});
      L.up = matrix(cat({&gate, &up}), 2 * I, H);
      L.down = matrix(get(n + "mlp.down_proj.weight", {H, I}), H, I);
    }
    final_g_ = get("norm.weight", {H});
  } else {  // BERT layout: xlm-roberta, jina (bert with ALiBi and a GLU feed-forward)
    emb_g_ = get("embeddings.LayerNorm.weight", {H});
    emb_b_ = get("embeddings.LayerNorm.bias", {H});
    if (c.positions == TransformerConfig::Positions::absolute)
      pos_ = get("embeddings.position_embeddings.weight", {c.max_positions + c.position_offset, H});
    for (std::size_t l = 0; l < c.layers; ++l) {
      std::string n = "encoder.layer." + std::to_string(l) + ".";
      Layer& L = layers_[l];
      std::vector<float> w, b;
      for (const char* part : {"query", "key", "value"}) {
        auto pw = get(n + "attention.self." + part + ".weight", {H, H});
        auto pb = get(n + "attention.self." + part + ".bias", {H});
        w.insert(w.end(), pw.begin(), pw.end());
        b.insert(b.end(), pb.begin(), pb.end());
      }
      L.qkv = matrix(std::move(w), 3 * H, H);
      L.qkv_b = std::move(b);
      L.out = matrix(get(n + "attention.output.dense.weight", {H, H}), H, H);
      L.out_b = get(n + "attention.output.dense.bias", {H});
      L.n1_g = get(n + "attention.output.LayerNorm.weight", {H});
      L.n1_b = get(n + "attention.output.LayerNorm.bias", {H});
      if (c.mlp == TransformerConfig::Mlp::geglu) {
        // gated_layers' output is [gated | non-gated]: gelu(gated) * non-gated.
        L.up = matrix(get(n + "mlp.gated_layers.weight", {2 * I, H}), 2 * I, H);
        L.up_b = opt(n + "mlp.gated_layers.bias", {2 * I});
        L.down = matrix(get(n + "mlp.wo.weight", {H, I}), H, I);
        L.down_b = get(n + "mlp.wo.bias", {H});
        L.n2_g = get(n + "mlp.layernorm.weight", {H});
        L.n2_b = get(n + "mlp.layernorm.bias", {H});
      } else {
        L.up = matrix(get(n + "intermediate.dense.weight", {I, H}), I, H);
        L.up_b = get(n + "intermediate.dense.bias", {I});
        L.down = matrix(get(n + "output.dense.weight", {H, I}), H, I);
        L.down_b = get(n + "output.dense.bias", {H});
        L.n2_g = get(n + "output.LayerNorm.weight", {H});
        L.n2_b = get(n + "output.LayerNorm.bias", {H});
      }
    }
  }
  // Norms without a bias (ModernBERT's) get a zero one.
  if (c.norm == TransformerConfig::Norm::layer) {
    auto zero = [&](std::vector<float>& g, std::vector<float>& b) {
      if (!g.empty() && b.empty()) b.assign(g.size(), 0.0f);
    };
    zero(emb_g_, emb_b_);
    zero(final_g_, final_b_);
    for (Layer& L : layers_) {
      zero(L.n1_g, L.n1_b);
      zero(L.n2_g, L.n2_b);
    }
  }
  // Rotary tables (computed in double precision), for the positions a
  // sequence may have.
  if (c.positions == TransformerConfig::Positions::rotary) {
    table_positions_ = c.max_positions;
    const std::size_t half = c.rotary_dim / 2;
    auto table = [&](double theta, std::vector<float>& cs, std::vector<float>& sn) {
      cs.resize(table_positions_ * half);
      sn.resize(table_positions_ * half);
      std::vector<double> inv(half);
      for (std::size_t j = 0; j < half; ++j)
        inv[j] = std::pow(theta, -2.0 * static_cast<double>(j) / static_cast<double>(c.rotary_dim));
      for (std::size_t t = 0; t < table_positions_; ++t)
        for (std::size_t j = 0; j < half; ++j) {
          const double a = static_cast<double>(t) * inv[j];
          cs[t * half + j] = static_cast<float>(std::cos(a));
          sn[t * half + j] = static_cast<float>(std::sin(a));
        }
    };
    table(c.rope_theta, cos_, sin_);
    if (c.local_window && c.rope_theta_local != c.rope_theta)
      table(c.rope_theta_local, cos_local_, sin_local_);
  }
  if (c.positions == TransformerConfig::Positions::alibi) alibi_ = alibi_slopes(NH);
}

void Transformer::linear(const float* x, std::size_t m, const Matrix& w, const std::vector<float>& b, float* y) const {
  const std::size_t n = w.rows, k = w.cols;
  const float* wp = w.f.data();
  if (int8_) {  // expand the matrix to float32 for this product
    thread_local std::vector<float> buf;
    buf.resize(n * k);
    for (std::size_t r = 0; r < n; ++r) {
      const float s = w.scale[r];
      const std::int8_t* q = &w.q[r * k];
      float* o = &buf[r * k];
      for (std::size_t j = 0; j < k; ++j) o[j] = static_cast<float>(q[j]) * s;
    }
    wp = buf.data();
  }
  float beta = 0.0f;
  if (!b.empty()) {
    for (std::size_t i = 0; i < m; ++i) std::memcpy(y + i * n, b.data(), n * sizeof(float));
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              1.0f, x, static_cast<int>(k), wp, static_cast<int>(k), beta, y, static_cast<int>(n));
}

void Transformer::norm(float* x, const float* r, std::size_t m, const std::vector<float>& g,
                       const std::vector<float>& b) const {
  if (cfg_.norm == TransformerConfig::Norm::rms)
    add_rms_norm(x, r, m, cfg_.hidden, g.data(), cfg_.eps);
  else
    add_layer_norm(x, r, m, cfg_.hidden, g.data(), b.data(), cfg_.eps);
}

// Attention of one sequence of n tokens: qkv rows [q (NH*D) | k (KV*D) | v
// (KV*D)] (already normalized and rotated), ctx rows NH*D. Query rows go in
// blocks of kQueryBlock; each block's scores cover only the keys some row
// of it may see.
void Transformer::attention(const float* qkv, std::size_t n, std::size_t layer, float* ctx) const {
  thread_local std::vector<float> s;
  const TransformerConfig& c = cfg_;
  const std::size_t D = c.head_dim, NH = c.heads, KV = c.kv_heads, group = NH / KV;
  const std::size_t stride = (NH + 2 * KV) * D, ctx_stride = NH * D;
  const bool local = c.local(layer);
  const std::size_t half = c.local_window / 2;
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  // The keys row i sees: [lo(i), hi(i)).
  auto lo = [&](std::size_t i) { return local && i > half ? i - half : std::size_t(0); };
  auto hi = [&](std::size_t i) { return c.causal ? i + 1 : local ? std::min(n, i + half + 1) : n; };
  for (std::size_t q0 = 0; q0 < n; q0 += kQueryBlock) {
    const std::size_t q1 = std::min(n, q0 + kQueryBlock), rows = q1 - q0;
    const std::size_t k0 = lo(q0), k1 = hi(q1 - 1), cols = k1 - k0;
    s.resize(rows * cols);
    for (std::size_t h = 0; h < NH; ++h) {
      const float* q = qkv + q0 * stride + h * D;
      const float* k = qkv + k0 * stride + (NH + h / group) * D;
      const float* v = qkv + k0 * stride + (NH + KV + h / group) * D;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(cols),
                  static_cast<int>(D), scale, q, static_cast<int>(stride), k, static_cast<int>(stride), 0.0f, s.data(),
                  static_cast<int>(cols));
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t i = q0 + r, a = lo(i) - k0, b = hi(i) - k0;
        float* row = s.data() + r * cols;
        if (!alibi_.empty()) {
          const float m = alibi_[h];
          for (std::size_t j = a; j < b; ++j) {
            const std::size_t kj = k0 + j;
            row[j] -= m * static_cast<float>(kj > i ? kj - i : i - kj);
          }
        }
        softmax_rows(row + a, 1, b - a);
        std::fill(row, row + a, 0.0f);
        std::fill(row + b, row + cols, 0.0f);
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows), static_cast<int>(D),
                  static_cast<int>(cols), 1.0f, s.data(), static_cast<int>(cols), v, static_cast<int>(stride), 0.0f,
                  ctx + q0 * ctx_stride + h * D, static_cast<int>(ctx_stride));
    }
  }
}

void Transformer::forward(const std::vector<std::span<const std::uint32_t>>& seqs, std::vector<float>& out) const {
  FlushDenormals ftz;
  thread_local Work w;
  thread_local std::vector<std::size_t> off;
  const TransformerConfig& c = cfg_;
  const std::size_t H = c.hidden, I = c.intermediate, D = c.head_dim, NH = c.heads, KV = c.kv_heads;
  const std::size_t QKV = (NH + 2 * KV) * D, B = seqs.size();
  std::size_t T = 0, M = 0;
  off.clear();
  for (auto s : seqs) {
    off.push_back(M);
    M += s.size();
    T = std::max(T, s.size());
  }
  if (M == 0) return;
  if (T > c.max_positions)
    throw DataError("sequence of " + std::to_string(T) + " tokens exceeds the model's " +
                    std::to_string(c.max_positions) + " positions");
  w.x.resize(M * H);
  w.h.resize(M * H);
  w.qkv.resize(M * QKV);
  w.ctx.resize(M * NH * D);
  w.tmp.resize(M * H);
  const bool glu = c.mlp != TransformerConfig::Mlp::gelu;
  w.up.resize(M * (glu ? 2 : 1) * I);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t t = 0; t < seqs[b].size(); ++t) {
      const std::uint32_t id = seqs[b][t];
      if (id >= c.vocab)
        throw DataError("token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(c.vocab));
      float* row = &w.x[(off[b] + t) * H];
      std::memcpy(row, &word_[id * H], H * sizeof(float));
      if (!pos_.empty()) {
        const float* pe = &pos_[(t + c.position_offset) * H];
        for (std::size_t j = 0; j < H; ++j) row[j] += pe[j];
      }
      if (!type0_.empty())
        for (std::size_t j = 0; j < H; ++j) row[j] += type0_[j];
    }
  if (!emb_g_.empty()) norm(w.x.data(), nullptr, M, emb_g_, emb_b_);
  const std::size_t half = c.rotary_dim / 2;
  for (std::size_t l = 0; l < c.layers; ++l) {
    const Layer& L = layers_[l];
    // Attention.
    const float* in = w.x.data();
    if (c.pre_norm && !L.n1_g.empty()) {
      w.h = w.x;
      norm(w.h.data(), nullptr, M, L.n1_g, L.n1_b);
      in = w.h.data();
    }
    linear(in, M, L.qkv, L.qkv_b, w.qkv.data());
    if (c.qk_norm)
      for (std::size_t i = 0; i < M; ++i) {
        add_rms_norm(&w.qkv[i * QKV], nullptr, NH, D, L.q_norm.data(), c.eps);
        add_rms_norm(&w.qkv[i * QKV + NH * D], nullptr, KV, D, L.k_norm.data(), c.eps);
      }
    if (c.positions == TransformerConfig::Positions::rotary) {
      const bool loc = c.local(l) && !cos_local_.empty();
      const std::vector<float>& cs = loc ? cos_local_ : cos_;
      const std::vector<float>& sn = loc ? sin_local_ : sin_;
      for (std::size_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < seqs[b].size(); ++t) {
          float* row = &w.qkv[(off[b] + t) * QKV];
          for (std::size_t h = 0; h < NH + KV; ++h) rotate(row + h * D, &cs[t * half], &sn[t * half], half);
        }
    }
    for (std::size_t b = 0; b < B; ++b)
      if (!seqs[b].empty()) attention(&w.qkv[off[b] * QKV], seqs[b].size(), l, &w.ctx[off[b] * NH * D]);
    linear(w.ctx.data(), M, L.out, L.out_b, w.tmp.data());
    if (c.pre_norm) {
      for (std::size_t i = 0; i < M * H; ++i) w.x[i] += w.tmp[i];
    } else {
      norm(w.x.data(), w.tmp.data(), M, L.n1_g, L.n1_b);
    }
    // Feed-forward.
    in = w.x.data();
    if (c.pre_norm) {
      w.h = w.x;
      norm(w.h.data(), nullptr, M, L.n2_g, L.n2_b);
      in = w.h.data();
    }
    linear(in, M, L.up, L.up_b, w.up.data());
    if (c.mlp == TransformerConfig::Mlp::swiglu)
      glu_silu(w.up.data(), M, I);
    else if (c.mlp == TransformerConfig::Mlp::geglu)
      glu_gelu(w.up.data(), M, I);
    else
      gelu(w.up.data(), M * I);
    linear(w.up.data(), M, L.down, L.down_b, w.tmp.data());
    if (c.pre_norm) {
      for (std::size_t i = 0; i < M * H; ++i) w.x[i] += w.tmp[i];
    } else {
      norm(w.x.data(), w.tmp.data(), M, L.n2_g, L.n2_b);
    }
  }
  if (!final_g_.empty()) norm(w.x.data(), nullptr, M, final_g_, final_b_);
  out.insert(out.end(), w.x.begin(), w.x.begin() + M * H);
}

}  // namespace hewn::embed
