#include "embed/embedder.hpp"

#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "embed/backends.hpp"
#include "embed/bert.hpp"
#include "embed/hash.hpp"
#include "embed/model_files.hpp"
#include "embed/openai.hpp"
#include "remote/embeddings.hpp"
#include "embed/transformer.hpp"

namespace hewn::embed {

void l2_normalize(float* v, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(v[i]) * v[i];
  if (s <= 0) return;
  float inv = static_cast<float>(1.0 / std::sqrt(s));
  for (std::size_t i = 0; i < n; ++i) v[i] *= inv;
}

void Embedder::embed_batch(std::span<const std::string_view> texts, float* out, EmbedInfo* infos) const {
  for (std::size_t i = 0; i < texts.size(); ++i) infos[i] = embed(texts[i], out + i * dim());
}

void Embedder::encode(std::span<const std::string_view> texts, float* out) const {
  std::vector<EmbedInfo> infos(texts.size());
  embed_batch(texts, out, infos.data());
  for (const EmbedInfo& info : infos)
    if (!info.error.empty()) throw DataError(info.error);
}

EmbedInfo Embedder::embed_tokens(std::string_view, TokenVectors&) const {
  throw UsageError("--tokens needs the bert backend");
}

void Embedder::document_tokens(std::string_view, std::size_t, TokenVectors&) const {
  throw UsageError("--late needs the bert backend");
}

std::optional<Options> options_for_model(const std::string& model) {
  Options eo;
  if (model.size() > 5 && model.size() < 12 && model.rfind("hash-", 0) == 0 &&
      model.find_first_not_of("0123456789", 5) == std::string::npos) {
    eo.backend = "hash";
    eo.dim = std::stoul(model.substr(5));
    if (eo.dim == 0) return std::nullopt;
    return eo;
  }
  if (auto url = remote::parse_model_url(model)) {  // a remote model: embed --backend openai
    eo.backend = "openai";
    eo.model = model;
    return eo;
  }
  std::error_code ec;
  if (!model.empty() && std::filesystem::is_directory(model, ec)) {
    eo.model = model;
    return eo;
  }
  return std::nullopt;
}

std::unique_ptr<const Embedder> make_embedder(const Options& o) {
  single_threaded_blas();
  std::string backend = o.backend;
  if (backend.empty() && o.model.empty()) backend = "hash";
  if (backend == "hash") {
    if (!o.model.empty()) throw UsageError("the hash backend takes no --model");
    if (!o.pooling.empty()) throw UsageError("--pooling is for the bert backend");
    if (o.max_tokens) throw UsageError("--max-tokens is for the bert backend");
    if (o.batch) throw UsageError("--batch is for the bert and openai backends");
    if (o.dimensions) throw UsageError("--dimensions is for the bert and openai backends");
    if (o.int8) throw UsageError("--int8 is for the bert backend");
    return make_hash_embedder(o.dim, o.normalize.value_or(true));
  }
  if (backend.empty() && (o.model.rfind("http://", 0) == 0 || o.model.rfind("https://", 0) == 0))
    backend = "openai";  // a model URL
  if (backend != "model2vec" && backend != "bert" && backend != "openai" && !backend.empty())
    throw UsageError("unknown backend " + hewn::quoted(backend) + " (hash, model2vec, bert or openai)");
  if (backend == "openai") {
    if (o.model.empty()) throw UsageError("the openai backend needs --model NAME");
    return make_openai(o);
  }
  if (o.model.empty()) throw UsageError("the " + backend + " backend needs --model DIR");
  if (backend.empty()) {
    JsonConfig c = JsonConfig::load(model_file(o.model, "config.json"));
    const std::string* type = c.string("model_type");
    if (type && *type == "model2vec")
      backend = "model2vec";
    else if (type && (*type == "bert" || is_transformer_family(*type, "")))
      backend = "bert";
    else
      throw DataError(c.path + ": unsupported model_type " + hewn::quoted(type ? *type : "") +
                      " (model2vec, bert, nomic_bert, modernbert, xlm-roberta, qwen3)");
  }
  if (backend == "model2vec") {
    if (!o.pooling.empty()) throw UsageError("--pooling is for the bert backend");
    if (o.max_tokens) throw UsageError("--max-tokens is for the bert backend");
    if (o.batch) throw UsageError("--batch is for the bert and openai backends");
    if (o.dimensions) throw UsageError("--dimensions is for the bert and openai backends");
    if (o.int8) throw UsageError("--int8 is for the bert backend");
    return make_model2vec(o.model, o.normalize);
  }
  if (backend == "bert") return make_bert(o);
  throw UsageError("unknown backend " + hewn::quoted(backend) + " (hash, model2vec, bert or openai)");
}

}  // namespace hewn::embed
