// The model2vec backend: the mean of static token vectors, following the
// reference implementation (MinishLab model2vec / model2vec-rs).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "embed/backends.hpp"
#include "embed/bert.hpp"
#include "embed/fastmath.hpp"
#include "embed/model_files.hpp"
#include "embed/safetensors.hpp"

namespace hewn::embed {
namespace {

constexpr std::size_t max_ids = 512;

class Model2Vec final : public Embedder {
 public:
  Model2Vec(const std::string& dir, std::optional<bool> normalize) : name_(model_name(dir)) {
    JsonConfig cfg = JsonConfig::load(model_file(dir, "config.json"));
    const bool* n = cfg.boolean("normalize");
    normalize_ = normalize.value_or(n ? *n : true);
    tok_ = load_tokenizer(dir);
    TokenizerFacts facts = read_tokenizer_facts(dir + "/tokenizer.json");
    unk_ = facts.unk_id;
    max_chars_ = max_ids * facts.median_token_bytes;
    SafeTensors st(model_file(dir, "model.safetensors"));
    const Tensor* emb = st.find("embeddings");
    if (!emb) emb = st.find("0");
    if (!emb) throw DataError(st.path() + ": no tensor \"embeddings\"");
    emb_ = st.floats(*emb, {0, 0}, {"F32", "F16", "I8"});
    rows_ = emb->shape[0];
    dim_ = emb->shape[1];
    if (const Tensor* w = st.find("weights")) weights_ = st.floats(*w, {0}, {"F64", "F32", "F16"});
    if (const Tensor* m = st.find("mapping")) {
      mapping_ = st.ints(*m, {0});
      for (std::size_t i = 0; i < mapping_.size(); ++i)
        if (mapping_[i] < 0 || static_cast<std::size_t>(mapping_[i]) >= rows_)
          throw DataError(st.path() + ": tensor \"mapping\": row " + std::to_string(mapping_[i]) + " at " +
                          std::to_string(i) + " is outside \"embeddings\"");
    }
  }

  const std::string& name() const override { return name_; }
  std::size_t dim() const override { return dim_; }

  EmbedInfo embed(std::string_view text, float* out) const override {
    thread_local std::vector<tokenize::Token> toks;
    EmbedInfo info;
    // Cut to max_ids x median token length code points before tokenizing.
    // (A text of no more bytes than that has no more code points.)
    std::size_t i = 0, cps = 0;
    if (text.size() <= max_chars_) i = text.size();
    while (i < text.size() && cps < max_chars_) {
      i += 1;
      while (i < text.size() && !utf8::is_boundary(text, i)) ++i;
      ++cps;
    }
    if (i < text.size()) {
      text = text.substr(0, i);
      info.truncated = true;
    }
    toks.clear();
    tok_->encode(text, toks);
    // The rows to add, in token order ([UNK] left out, at most max_ids).
    thread_local std::vector<const float*> rows;
    thread_local std::vector<float> scales;
    rows.clear();
    scales.clear();
    for (const tokenize::Token& t : toks) {
      if (unk_ && t.id == *unk_) continue;
      if (rows.size() == max_ids) {
        info.truncated = true;
        break;
      }
      std::size_t row = t.id < mapping_.size() ? static_cast<std::size_t>(mapping_[t.id]) : t.id;
      if (row >= rows_) throw DataError("token id " + std::to_string(t.id) + " has no row in the model's embeddings");
      rows.push_back(&emb_[row * dim_]);
      scales.push_back(t.id < weights_.size() ? weights_[t.id] : 1.0f);
    }
    std::fill(out, out + dim_, 0.0f);
    std::size_t count = rows.size();
    // Rows are scattered over a table larger than the caches: fetch a few
    // tokens ahead while adding.
    constexpr std::size_t ahead = 4;
    auto fetch = [&](std::size_t k) {
      const char* r = reinterpret_cast<const char*>(rows[k]);
      for (std::size_t b = 0; b < dim_ * sizeof(float); b += 64) __builtin_prefetch(r + b);
    };
    for (std::size_t k = 0; k < std::min(ahead, count); ++k) fetch(k);
    for (std::size_t k = 0; k < count; ++k) {
      if (k + ahead < count) fetch(k + ahead);
      add_scaled(out, rows[k], scales[k], dim_);
    }
    float denom = static_cast<float>(count == 0 ? 1 : count);
    for (std::size_t j = 0; j < dim_; ++j) out[j] /= denom;
    if (normalize_) {
      float s = 0;
      for (std::size_t j = 0; j < dim_; ++j) s += out[j] * out[j];
      float norm = std::max(std::sqrt(s), 1e-12f);
      for (std::size_t j = 0; j < dim_; ++j) out[j] /= norm;
    }
    return info;
  }

 private:
  std::string name_;
  bool normalize_ = true;
  std::shared_ptr<const tokenize::Tokenizer> tok_;
  std::optional<std::uint32_t> unk_;
  std::size_t max_chars_ = 0, rows_ = 0, dim_ = 0;
  std::vector<float> emb_, weights_;
  std::vector<std::int64_t> mapping_;
};

}  // namespace

std::unique_ptr<const Embedder> make_model2vec(const std::string& dir, std::optional<bool> normalize) {
  return std::make_unique<Model2Vec>(dir, normalize);
}

}  // namespace hewn::embed
