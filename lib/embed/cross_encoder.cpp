#include "embed/cross_encoder.hpp"

#include <cblas.h>
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <span>

#include "core/error.hpp"
#include "embed/bert.hpp"
#include "embed/model_files.hpp"
#include "embed/safetensors.hpp"

namespace hewn::embed {
namespace {

using simdjson::dom::element;

element parse_file(const std::string& path, simdjson::dom::parser& parser, simdjson::padded_string& text) {
  if (simdjson::padded_string::load(path).get(text))
    throw DataError(path + ": cannot open: " + std::strerror(errno ? errno : ENOENT));
  element root;
  if (auto err = parser.parse(text).get(root)) throw DataError(path + ": invalid JSON: " + simdjson::error_message(err));
  return root;
}

// The ids of a [token, id] pair (BertProcessing's "cls" and "sep").
std::uint32_t pair_id(const std::string& path, element pp, const char* key) {
  simdjson::dom::array a;
  std::uint64_t id;
  if (pp[key].get(a) || a.size() != 2 || a.at(1).get(id) || id > 0x7FFFFFFF)
    throw DataError(path + ": post_processor." + key + ": expected [token, id]");
  return static_cast<std::uint32_t>(id);
}

bool read_template(const std::string& path, element pp, PairTemplate& t) {
  std::string_view type;
  if (pp["type"].get(type)) throw DataError(path + ": post_processor: missing \"type\"");
  auto special = [](std::uint32_t id, std::uint8_t ty) {
    PairTemplate::Piece p;
    p.ids = {id};
    p.type = ty;
    return p;
  };
  auto seq = [](int s, std::uint8_t ty) {
    PairTemplate::Piece p;
    p.sequence = s;
    p.type = ty;
    return p;
  };
  if (type == "BertProcessing") {
    std::uint32_t cls = pair_id(path, pp, "cls"), sep = pair_id(path, pp, "sep");
    t.pieces = {special(cls, 0), seq(0, 0), special(sep, 0), seq(1, 1), special(sep, 1)};
    return true;
  }
  if (type == "RobertaProcessing") {
    std::uint32_t cls = pair_id(path, pp, "cls"), sep = pair_id(path, pp, "sep");
    t.pieces = {special(cls, 0), seq(0, 0), special(sep, 0), special(sep, 0), seq(1, 0), special(sep, 0)};
    return true;
  }
  if (type == "TemplateProcessing") {
    simdjson::dom::array pair;
    simdjson::dom::object specials;
    if (pp["pair"].get(pair)) throw DataError(path + ": post_processor.pair: expected an array");
    if (pp["special_tokens"].get(specials)) throw DataError(path + ": post_processor.special_tokens: expected an object");
    int seen[2] = {0, 0};
    for (element item : pair) {
      element e;
      std::uint64_t ty = 0;
      if (!item["Sequence"].get(e)) {
        std::string_view id;
        if (e["id"].get(id) || (id != "A" && id != "B"))
          throw DataError(path + ": post_processor.pair: a Sequence other than A or B");
        if (e["type_id"].get(ty)) ty = 0;
        int s = id == "A" ? 0 : 1;
        ++seen[s];
        t.pieces.push_back(seq(s, static_cast<std::uint8_t>(std::min<std::uint64_t>(ty, 255))));
      } else if (!item["SpecialToken"].get(e)) {
        std::string_view id;
        simdjson::dom::array ids;
        if (e["id"].get(id) || specials[id]["ids"].get(ids))
          throw DataError(path + ": post_processor.pair: a SpecialToken missing from special_tokens");
        if (e["type_id"].get(ty)) ty = 0;
        PairTemplate::Piece p;
        p.type = static_cast<std::uint8_t>(std::min<std::uint64_t>(ty, 255));
        for (element x : ids) {
          std::uint64_t v;
          if (x.get(v) || v > 0x7FFFFFFF) throw DataError(path + ": post_processor.special_tokens: expected token ids");
          p.ids.push_back(static_cast<std::uint32_t>(v));
        }
        t.pieces.push_back(std::move(p));
      } else {
        throw DataError(path + ": post_processor.pair: expected Sequence or SpecialToken items");
      }
    }
    if (seen[0] != 1 || seen[1] != 1)
      throw DataError(path + ": post_processor.pair: expected $A and $B once each (a query-passage pair)");
    return true;
  }
  if (type == "Sequence") {
    simdjson::dom::array list;
    if (pp["processors"].get(list)) throw DataError(path + ": post_processor.processors: expected an array");
    for (element x : list)
      if (std::string_view ty; !x["type"].get(ty) && ty != "ByteLevel" && read_template(path, x, t)) return true;
    return false;
  }
  throw DataError(path + ": post_processor: unsupported type " + hewn::quoted(type) +
                  " for pairs (TemplateProcessing, BertProcessing, RobertaProcessing, Sequence)");
}

// y[m, n] = x[m, k] w[n, k]^T + b
void dense(const float* x, std::size_t m, std::size_t k, const std::vector<float>& w, const std::vector<float>& b,
           std::size_t n, float* y) {
  for (std::size_t i = 0; i < m; ++i) std::memcpy(y + i * n, b.data(), n * sizeof(float));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
              1.0f, x, static_cast<int>(k), w.data(), static_cast<int>(k), 1.0f, y, static_cast<int>(n));
}

class CrossEncoder final : public PairScorer {
 public:
  explicit CrossEncoder(const CrossEncoderOptions& o) : name_(model_name(o.model)), model_(o.model, true) {
    const BertConfig& c = model_.config();
    roberta_ = c.model_type != "bert";
    std::string tj = model_file(o.model, "tokenizer.json");
    tok_ = load_tokenizer(o.model);
    tmpl_ = read_pair_template(tj);
    specials_ = tmpl_.specials();
    // Length: --rerank-max-tokens, else the tokenizer's truncation, else the
    // model's positions.
    const std::size_t positions = c.max_positions - c.position_offset;
    max_ = positions;
    std::string from = o.model + "/config.json: max_position_embeddings";
    if (tok_->max_length() && *tok_->max_length() < max_) {
      max_ = *tok_->max_length();
      from = tj + ": truncation max_length";
    }
    if (o.max_tokens) {
      if (o.max_tokens > positions)
        throw UsageError("--rerank-max-tokens " + std::to_string(o.max_tokens) + " exceeds the model's " +
                         std::to_string(positions) + " positions");
      max_ = o.max_tokens;
      from = "--rerank-max-tokens";
    }
    if (max_ <= specials_ + 1) {
      std::string what = from + " " + std::to_string(max_) + " leaves no room for a query and a passage beside the " +
                         std::to_string(specials_) + " special tokens";
      if (o.max_tokens) throw UsageError(what);
      throw DataError(what);
    }
    std::string cfg = o.model + "/config.json";
    if (o.activation.empty())
      act_ = cross_encoder_activation(cfg);
    else if (o.activation == "none")
      act_ = Activation::identity;
    else if (o.activation == "sigmoid")
      act_ = Activation::sigmoid;
    else
      throw UsageError("unknown --rerank-activation " + hewn::quoted(o.activation) + " (none or sigmoid)");
    load_head(o.model, cfg);
  }

  const std::string& name() const override { return name_; }

  std::size_t score(std::string_view query, std::span<const std::string_view> passages, double* out) const override {
    thread_local std::vector<tokenize::Token> qtok, ptok;
    thread_local std::vector<std::uint32_t> ids;  // every pair's ids, back to back
    thread_local std::vector<std::uint8_t> types;
    thread_local std::vector<std::size_t> begin;
    thread_local std::vector<std::span<const std::uint32_t>> seqs;
    thread_local std::vector<std::span<const std::uint8_t>> seq_types;
    thread_local std::vector<float> first, mid, logits;
    const std::size_t n = passages.size(), H = model_.config().hidden;
    qtok.clear();
    tok_->encode(query, qtok);
    if (qtok.size() + specials_ >= max_)
      throw DataError("query of " + std::to_string(qtok.size()) + " tokens leaves no room for a passage in the " +
                      "reranker's " + std::to_string(max_) + " tokens (" + std::to_string(specials_) +
                      " of them special; queries are never cut)");
    const std::size_t room = max_ - specials_ - qtok.size();
    std::size_t truncated = 0;
    ids.clear();
    types.clear();
    begin.assign(1, 0);
    for (std::size_t i = 0; i < n; ++i) {
      ptok.clear();
      tok_->encode(passages[i], ptok);
      if (ptok.size() > room) {
        ptok.resize(room);
        ++truncated;
      }
      for (const PairTemplate::Piece& p : tmpl_.pieces) {
        std::uint8_t ty = roberta_ ? 0 : p.type;  // RoBERTa tokenizers give no token types: all 0
        if (p.sequence < 0) {
          ids.insert(ids.end(), p.ids.begin(), p.ids.end());
          types.insert(types.end(), p.ids.size(), ty);
        } else {
          for (const auto& t : p.sequence == 0 ? qtok : ptok) ids.push_back(t.id);
          types.insert(types.end(), (p.sequence == 0 ? qtok : ptok).size(), ty);
        }
      }
      begin.push_back(ids.size());
    }
    auto len = [&](std::size_t i) { return begin[i + 1] - begin[i]; };
    for (std::size_t g = 0; g < n;) {
      // Packed passes (no padding): up to batch pairs and max_batch_tokens tokens.
      std::size_t e = g + 1, tokens = len(g);
      while (e < n && e - g < batch && tokens + len(e) <= max_batch_tokens) tokens += len(e++);
      seqs.clear();
      seq_types.clear();
      for (std::size_t k = g; k < e; ++k) {
        seqs.emplace_back(ids.data() + begin[k], len(k));
        seq_types.emplace_back(types.data() + begin[k], len(k));
      }
      ForwardOptions fo;
      fo.types = &seq_types;
      fo.first_only = true;
      first.clear();
      model_.forward(seqs, first, fo);
      const std::size_t m = e - g;
      mid.resize(m * H);
      logits.resize(m);
      dense(first.data(), m, H, dense_w_, dense_b_, H, mid.data());
      for (float& v : mid) v = std::tanh(v);
      dense(mid.data(), m, H, out_w_, out_b_, 1, logits.data());
      for (std::size_t k = 0; k < m; ++k) out[g + k] = activate(logits[k]);
      g = e;
    }
    return truncated;
  }

 private:
  double activate(float logit) const {
    double x = logit;
    switch (act_) {
      case Activation::sigmoid:
        return 1.0 / (1.0 + std::exp(-x));
      case Activation::tanh:
        return std::tanh(x);
      case Activation::identity:
        break;
    }
    return x;
  }

  void load_head(const std::string& dir, const std::string& cfg) {
    SafeTensors st(dir + "/model.safetensors");
    const std::size_t H = model_.config().hidden;
    auto get = [&](const std::string& name, std::initializer_list<std::size_t> shape) {
      return st.floats(st.require(name), shape, {"F32", "F16", "BF16"});
    };
    // BERT: the pooler (dense + tanh) and "classifier"; RoBERTa: the head's
    // own dense + tanh and "classifier.out_proj".
    std::string pooler = st.find("bert.pooler.dense.weight") ? "bert.pooler.dense" : "pooler.dense";
    std::string d = roberta_ ? "classifier.dense" : pooler, out = roberta_ ? "classifier.out_proj" : "classifier";
    const Tensor& ow = st.require(out + ".weight");
    std::size_t labels = ow.shape.size() == 2 ? ow.shape[0] : 0;
    simdjson::dom::parser parser;
    simdjson::padded_string text;
    element root = parse_file(cfg, parser, text);
    simdjson::dom::object id2label;
    if (!root["id2label"].get(id2label) && id2label.size() != labels)
      throw DataError(cfg + ": id2label has " + std::to_string(id2label.size()) + " labels, the head " +
                      std::to_string(labels) + " (" + st.path() + ": " + out + ".weight)");
    if (labels != 1)
      throw DataError(st.path() + ": tensor " + hewn::quoted(out + ".weight") + " gives " + std::to_string(labels) +
                      " labels; reranking needs one relevance label");
    dense_w_ = get(d + ".weight", {H, H});
    dense_b_ = get(d + ".bias", {H});
    out_w_ = get(out + ".weight", {1, H});
    out_b_ = get(out + ".bias", {1});
  }

  std::string name_;
  BertModel model_;
  bool roberta_ = false;
  std::shared_ptr<const tokenize::Tokenizer> tok_;
  PairTemplate tmpl_;
  std::size_t specials_ = 0, max_ = 0;
  Activation act_ = Activation::identity;
  std::vector<float> dense_w_, dense_b_, out_w_, out_b_;
  static constexpr std::size_t batch = 32;               // pairs per forward pass
  static constexpr std::size_t max_batch_tokens = 8192;  // tokens per forward pass
};

}  // namespace

std::size_t PairTemplate::specials() const {
  std::size_t n = 0;
  for (const Piece& p : pieces) n += p.ids.size();
  return n;
}

PairTemplate read_pair_template(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  element root = parse_file(path, parser, text);
  element pp;
  PairTemplate t;
  if (root["post_processor"].get(pp) || pp.is_null() || !read_template(path, pp, t))
    throw DataError(path + ": post_processor: none that forms query-passage pairs");
  return t;
}

Activation cross_encoder_activation(const std::string& config_path) {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  element root = parse_file(config_path, parser, text);
  std::string_view fn;
  if (root["sentence_transformers"]["activation_fn"].get(fn) && root["sbert_ce_default_activation_function"].get(fn))
    return Activation::sigmoid;
  if (fn == "torch.nn.modules.linear.Identity") return Activation::identity;
  if (fn == "torch.nn.modules.activation.Sigmoid") return Activation::sigmoid;
  if (fn == "torch.nn.modules.activation.Tanh") return Activation::tanh;
  throw DataError(config_path + ": unsupported activation " + hewn::quoted(fn) +
                  " (torch.nn.modules.linear.Identity, torch.nn.modules.activation.Sigmoid or Tanh)");
}

std::unique_ptr<const PairScorer> make_cross_encoder(const CrossEncoderOptions& options) {
  single_threaded_blas();
  return std::make_unique<CrossEncoder>(options);
}

}  // namespace hewn::embed
