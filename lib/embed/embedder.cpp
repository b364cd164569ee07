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

void Embedder::encode_one(std::string_view text, float* out) const {
  EmbedInfo info = embed(text, out);
  if (!info.error.empty()) throw DataError(info.error);  // a remote model's failed request
}

void Embedder::encode_each(std::span<const std::string_view> texts, float* out,
                           std::vector<std::string>& errors) const {
  std::vector<EmbedInfo> infos(texts.size());
  embed_batch(texts, out, infos.data());
  errors.resize(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) errors[i] = std::move(infos[i].error);
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

namespace {

// Options that apply to some backends only (BackendSpec::options).
enum : unsigned { takes_pooling = 1, takes_max_tokens = 2, takes_batch = 4, takes_dimensions = 8, takes_int8 = 16 };

// One row per backend: its name, its words in --help, the options it takes,
// what --model names for it ("": it takes none), its constructor.
struct BackendSpec {
  std::string_view name;
  std::string_view help;
  unsigned options;
  std::string_view model;  // DIR, NAME or "" (no --model)
  std::unique_ptr<const Embedder> (*make)(const Options&);
};

const BackendSpec backends[] = {
    {"hash", "default without --model", 0, "",
     [](const Options& o) { return make_hash_embedder(o.dim, o.normalize.value_or(true)); }},
    {"model2vec", "", 0, "DIR", [](const Options& o) { return make_model2vec(o.model, o.normalize); }},
    {"bert", "default: from config.json", takes_pooling | takes_max_tokens | takes_batch | takes_dimensions | takes_int8,
     "DIR", make_bert},
    {"openai", "an OpenAI-compatible endpoint; the default for a model URL", takes_batch | takes_dimensions, "NAME",
     make_openai},
};

struct Rule {
  unsigned option;
  std::string_view name;
  bool (*given)(const Options&);
};

const Rule rules[] = {
    {takes_pooling, "--pooling", [](const Options& o) { return !o.pooling.empty(); }},
    {takes_max_tokens, "--max-tokens", [](const Options& o) { return o.max_tokens > 0; }},
    {takes_batch, "--batch", [](const Options& o) { return o.batch > 0; }},
    {takes_dimensions, "--dimensions", [](const Options& o) { return o.dimensions > 0; }},
    {takes_int8, "--int8", [](const Options& o) { return o.int8; }},
};

// "a", "a and b", "a, b and c" (or with "or").
std::string list_of(const std::vector<std::string_view>& items, const char* last) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i)
    s += std::string(i == 0 ? "" : i + 1 == items.size() ? last : ", ") + std::string(items[i]);
  return s;
}

[[noreturn]] void unknown_backend(const std::string& name) {
  std::vector<std::string_view> names;
  for (const BackendSpec& b : backends) names.push_back(b.name);
  throw UsageError("unknown backend " + hewn::quoted(name) + " (" + list_of(names, " or ") + ")");
}

// The backend a model directory's config.json names.
// Errors: DataError for a missing or malformed config.json, or a model_type
// hewn does not run.
std::string backend_of_dir(const std::string& dir) {
  JsonConfig c = JsonConfig::load(model_file(dir, "config.json"));
  const std::string* type = c.string("model_type");
  if (type && *type == "model2vec") return "model2vec";
  if (type && (*type == "bert" || is_transformer_family(*type, ""))) return "bert";
  throw DataError(c.path + ": unsupported model_type " + hewn::quoted(type ? *type : "") +
                  " (model2vec, bert, nomic_bert, modernbert, xlm-roberta, qwen3)");
}

}  // namespace

std::string backend_help() {
  std::string out;
  for (std::size_t i = 0; i < std::size(backends); ++i) {
    out += i == 0 ? "" : i + 1 == std::size(backends) ? " or " : ", ";
    out += backends[i].name;
    if (!backends[i].help.empty()) out += " (" + std::string(backends[i].help) + ")";
  }
  return out;
}

std::unique_ptr<const Embedder> make_embedder(const Options& o) {
  single_threaded_blas();
  std::string backend = o.backend;
  if (backend.empty() && o.model.empty()) backend = "hash";
  if (backend.empty() && (o.model.rfind("http://", 0) == 0 || o.model.rfind("https://", 0) == 0))
    backend = "openai";  // a model URL
  const BackendSpec* spec = nullptr;
  for (const BackendSpec& b : backends)
    if (b.name == backend) spec = &b;
  if (!spec && !backend.empty()) unknown_backend(backend);
  if (spec && spec->model.empty() && !o.model.empty())
    throw UsageError("the " + backend + " backend takes no --model");
  if (spec && !spec->model.empty() && o.model.empty())
    throw UsageError("the " + backend + " backend needs --model " + std::string(spec->model));
  if (!spec) {  // by the model directory's config.json
    backend = backend_of_dir(o.model);
    for (const BackendSpec& b : backends)
      if (b.name == backend) spec = &b;
  }
  for (const Rule& r : rules) {
    if (!r.given(o) || (spec->options & r.option)) continue;
    std::vector<std::string_view> to;
    for (const BackendSpec& b : backends)
      if (b.options & r.option) to.push_back(b.name);
    throw UsageError(std::string(r.name) + " is for the " + list_of(to, " and ") +
                     (to.size() > 1 ? " backends" : " backend"));
  }
  return spec->make(o);
}

}  // namespace hewn::embed
