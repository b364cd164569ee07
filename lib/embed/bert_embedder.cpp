// The bert backend: tokenizer + an encoder (BertModel, or Transformer for
// the other families and int8) + pooling.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <span>

#include "core/error.hpp"
#include "embed/backends.hpp"
#include "embed/bert.hpp"
#include "embed/model_files.hpp"
#include "embed/transformer.hpp"

namespace hewn::embed {
namespace {

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class Model>
class BertEmbedder final : public Embedder {
 public:
  BertEmbedder(const Options& o, Model model) : name_(model_name(o.model)), model_(std::move(model)) {
    const auto& c = model_.config();
    tok_ = load_tokenizer(o.model);
    pre_ = tok_->prefix();
    suf_ = tok_->suffix();
    // Length: --max-tokens, else sentence_bert_config.json's max_seq_length,
    // else the tokenizer's truncation, else the model's positions.
    max_ = c.max_positions;
    std::string from = o.model + "/config.json: max_position_embeddings";  // where max_ came from
    std::string sb = o.model + "/sentence_bert_config.json";
    if (file_exists(sb)) {
      JsonConfig s = JsonConfig::load(sb);
      if (s.number("max_seq_length") && s.size("max_seq_length") < max_) {
        max_ = s.size("max_seq_length");
        from = sb + ": max_seq_length";
      }
    } else if (tok_->max_length() && *tok_->max_length() < max_) {
      max_ = *tok_->max_length();
      from = o.model + "/tokenizer.json: truncation max_length";
    }
    if (o.max_tokens) {
      if (o.max_tokens > c.max_positions)
        throw UsageError("--max-tokens " + std::to_string(o.max_tokens) + " exceeds the model's " +
                         std::to_string(c.max_positions) + " positions");
      max_ = o.max_tokens;
    }
    if (max_ <= pre_.size() + suf_.size()) {
      if (o.max_tokens)
        throw UsageError("--max-tokens " + std::to_string(max_) + " leaves no room between the special tokens");
      throw DataError(from + " " + std::to_string(max_) + " leaves no room between the special tokens");
    }
    // Pooling: --pooling, else 1_Pooling/config.json, else mean.
    pooling_ = o.pooling;
    std::string pc = o.model + "/1_Pooling/config.json";
    if (pooling_.empty() && file_exists(pc)) {
      JsonConfig p = JsonConfig::load(pc);
      auto on = [&](const char* k) { return p.boolean(k) && *p.boolean(k); };
      if (on("pooling_mode_cls_token"))
        pooling_ = "cls";
      else if (on("pooling_mode_mean_tokens"))
        pooling_ = "mean";
      else if (on("pooling_mode_lasttoken"))
        pooling_ = "last";
      else
        throw DataError(pc + ": unsupported pooling mode (cls, mean tokens or last token)");
    }
    if (pooling_.empty()) pooling_ = "mean";
    if (pooling_ != "mean" && pooling_ != "cls" && pooling_ != "last")
      throw UsageError("unknown --pooling " + hewn::quoted(pooling_) + " (mean, cls or last)");
    // Matryoshka: the first --dimensions values.
    dim_ = c.hidden;
    if (o.dimensions) {
      if (o.dimensions > c.hidden)
        throw UsageError("--dimensions " + std::to_string(o.dimensions) + " exceeds the model's " +
                         std::to_string(c.hidden));
      dim_ = o.dimensions;
    }
    // Normalize: the option, else whether modules.json has a Normalize module.
    std::string mj = o.model + "/modules.json";
    if (o.batch) batch_ = o.batch;
    normalize_ = o.normalize.value_or(file_exists(mj) &&
                                      slurp(mj).find("sentence_transformers.models.Normalize") != std::string::npos);
  }

  const std::string& name() const override { return name_; }
  std::size_t dim() const override { return dim_; }
  bool normalizes() const override { return normalize_; }

  EmbedInfo embed(std::string_view text, float* out) const override {
    thread_local TokenVectors tv;
    EmbedInfo info = run(text, tv);
    pool(tv.data.data(), tv.count, out);
    return info;
  }

  bool batches() const override { return batch_ > 1; }
  bool transformer() const override { return true; }

  void embed_batch(std::span<const std::string_view> texts, float* out, EmbedInfo* infos) const override {
    thread_local std::vector<tokenize::Token> toks;
    thread_local std::vector<std::uint32_t> ids;  // every sequence's ids, back to back
    thread_local std::vector<std::size_t> begin;
    thread_local std::vector<std::span<const std::uint32_t>> seqs;
    thread_local std::vector<float> hidden;
    const std::size_t n = texts.size(), H = model_.config().hidden, d = dim();
    ids.clear();
    begin.assign(1, 0);
    for (std::size_t i = 0; i < n; ++i) {
      infos[i] = tokens_of(texts[i], toks);
      ids.insert(ids.end(), pre_.begin(), pre_.end());
      for (const auto& t : toks) ids.push_back(t.id);
      ids.insert(ids.end(), suf_.begin(), suf_.end());
      begin.push_back(ids.size());
    }
    auto len = [&](std::size_t i) { return begin[i + 1] - begin[i]; };
    for (std::size_t g = 0; g < n;) {
      // Packed passes (no padding): up to batch_ sequences and max_batch_tokens tokens.
      std::size_t e = g + 1, tokens = len(g);
      while (e < n && e - g < batch_ && tokens + len(e) <= max_batch_tokens) tokens += len(e++);
      seqs.clear();
      for (std::size_t k = g; k < e; ++k) seqs.emplace_back(ids.data() + begin[k], len(k));
      hidden.clear();
      model_.forward(seqs, hidden);
      const float* rows = hidden.data();
      for (std::size_t k = g; k < e; ++k) {
        pool(rows, len(k), out + k * d);
        rows += len(k) * H;
      }
      g = e;
    }
  }

  EmbedInfo embed_tokens(std::string_view text, TokenVectors& out) const override {
    EmbedInfo info = run(text, out);
    truncate_rows(out);
    return info;
  }

  void document_tokens(std::string_view text, std::size_t overlap, TokenVectors& out) const override {
    thread_local std::vector<tokenize::Token> toks;
    thread_local std::vector<std::uint32_t> ids;
    thread_local std::vector<float> hidden;
    toks.clear();
    tok_->encode(text, toks);
    out.clear();
    const std::size_t H = model_.config().hidden, room = max_ - pre_.size() - suf_.size();
    if (overlap >= room)
      throw UsageError("--late-overlap " + std::to_string(overlap) + " must be smaller than the " +
                       std::to_string(room) + " tokens of a window");
    std::size_t start = 0;
    while (start < toks.size() || (start == 0 && toks.empty())) {
      std::size_t end = std::min(toks.size(), start + room);
      ids.assign(pre_.begin(), pre_.end());
      for (std::size_t i = start; i < end; ++i) ids.push_back(toks[i].id);
      ids.insert(ids.end(), suf_.begin(), suf_.end());
      hidden.clear();
      model_.forward({std::span<const std::uint32_t>(ids)}, hidden);
      std::size_t skip = start == 0 ? 0 : overlap;
      for (std::size_t i = start + skip; i < end; ++i) {
        const float* row = &hidden[(pre_.size() + i - start) * H];
        out.data.insert(out.data.end(), row, row + H);
        out.spans.emplace_back(toks[i].begin, toks[i].end);
        ++out.count;
      }
      if (end == toks.size()) break;
      start = end - overlap;
    }
    truncate_rows(out);
  }

 private:
  // Pools count token vectors (rows of dim() floats) into out, normalized
  // when the model asks; no tokens give the zero vector.
  // With --dimensions, the first dim() values (normalized after the cut).
  void pool(const float* rows, std::size_t count, float* out) const {
    const std::size_t H = model_.config().hidden, d = dim();
    if (count == 0) {  // no tokens at all (a tokenizer that adds no special tokens, an empty text)
      std::fill(out, out + d, 0.0f);
      return;
    }
    if (pooling_ == "cls" || pooling_ == "last") {
      const float* row = rows + (pooling_ == "cls" ? 0 : (count - 1) * H);
      std::copy(row, row + d, out);
    } else {
      thread_local std::vector<double> acc;
      acc.assign(d, 0.0);
      for (std::size_t t = 0; t < count; ++t)
        for (std::size_t j = 0; j < d; ++j) acc[j] += rows[t * H + j];
      for (std::size_t j = 0; j < d; ++j) out[j] = static_cast<float>(acc[j] / static_cast<double>(count));
    }
    if (normalize_) l2_normalize(out, d);
  }

  // Token rows of the model's width cut to dim() values.
  void truncate_rows(TokenVectors& tv) const {
    const std::size_t H = model_.config().hidden, d = dim();
    if (d == H) return;
    for (std::size_t t = 0; t < tv.count; ++t)
      std::copy(tv.data.begin() + static_cast<std::ptrdiff_t>(t * H),
                tv.data.begin() + static_cast<std::ptrdiff_t>(t * H + d),
                tv.data.begin() + static_cast<std::ptrdiff_t>(t * d));
    tv.data.resize(tv.count * d);
  }

  // Tokenizes text into toks, cut to the room the special tokens leave.
  EmbedInfo tokens_of(std::string_view text, std::vector<tokenize::Token>& toks) const {
    EmbedInfo info;
    toks.clear();
    tok_->encode(text, toks);
    std::size_t room = max_ - pre_.size() - suf_.size();
    if (toks.size() > room) {
      toks.resize(room);
      info.truncated = true;
    }
    return info;
  }

  EmbedInfo run(std::string_view text, TokenVectors& tv) const {
    thread_local std::vector<tokenize::Token> toks;
    thread_local std::vector<std::uint32_t> ids;
    EmbedInfo info = tokens_of(text, toks);
    ids.assign(pre_.begin(), pre_.end());
    tv.clear();
    for (std::size_t i = 0; i < pre_.size(); ++i) tv.spans.emplace_back(0, 0);
    for (const auto& t : toks) {
      ids.push_back(t.id);
      tv.spans.emplace_back(t.begin, t.end);
    }
    ids.insert(ids.end(), suf_.begin(), suf_.end());
    for (std::size_t i = 0; i < suf_.size(); ++i) tv.spans.emplace_back(0, 0);
    model_.forward({std::span<const std::uint32_t>(ids)}, tv.data);
    tv.count = ids.size();
    return info;
  }

  std::string name_;
  Model model_;
  std::size_t dim_ = 0;
  std::shared_ptr<const tokenize::Tokenizer> tok_;
  std::vector<std::uint32_t> pre_, suf_;
  std::size_t max_ = 0;
  std::string pooling_;
  bool normalize_ = false;
  std::size_t batch_ = 32;
  static constexpr std::size_t max_batch_tokens = 8192;  // tokens per forward pass
};

}  // namespace

std::unique_ptr<const Embedder> make_bert(const Options& options) {
  JsonConfig c = JsonConfig::load(model_file(options.model, "config.json"));
  const std::string* type = c.string("model_type");
  const std::string* pe = c.string("position_embedding_type");
  if (options.int8 || (type && is_transformer_family(*type, pe ? *pe : "")))
    return std::make_unique<BertEmbedder<Transformer>>(options, Transformer(options.model, options.int8));
  return std::make_unique<BertEmbedder<BertModel>>(options, BertModel(options.model));
}

}  // namespace hewn::embed
