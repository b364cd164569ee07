#include "embed/openai.hpp"

#include "core/error.hpp"
#include "remote/embeddings.hpp"

namespace hewn::embed {
namespace {

class OpenAIEmbedder final : public Embedder {
 public:
  OpenAIEmbedder(remote::Session s, remote::EmbeddingsOptions o, bool normalize)
      : client_(std::move(s), std::move(o)), normalize_(normalize) {}

  const std::string& name() const override { return client_.name(); }
  std::size_t dim() const override { return client_.dim(); }
  bool normalizes() const override { return normalize_; }
  bool batches() const override { return true; }
  bool remote() const override { return true; }

  EmbedInfo embed(std::string_view text, float* out) const override {
    EmbedInfo info;
    embed_batch(std::span<const std::string_view>(&text, 1), out, &info);
    return info;
  }

  void embed_batch(std::span<const std::string_view> texts, float* out, EmbedInfo* infos) const override {
    thread_local std::vector<std::string> errors;
    client_.encode_each(texts, out, errors);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      infos[i] = EmbedInfo();
      infos[i].error = std::move(errors[i]);
      if (normalize_ && infos[i].error.empty()) l2_normalize(out + i * dim(), dim());
    }
  }

  remote::Stats& stats() const { return client_.stats(); }

 private:
  remote::EmbeddingClient client_;
  bool normalize_;
};

}  // namespace

std::unique_ptr<const Embedder> make_openai(const Options& o) {
  remote::Connection c = o.remote;
  remote::EmbeddingsOptions eo;
  eo.model = o.model;
  eo.dimensions = o.dimensions;
  if (auto url = remote::parse_model_url(o.model)) {
    if (!c.base_url.empty() && c.base_url != url->base_url)
      throw UsageError("--base-url: the model URL already names the base URL");
    if (o.dimensions && url->dimensions && o.dimensions != url->dimensions)
      throw UsageError("--dimensions: the model URL already names them");
    c.base_url = url->base_url;
    eo.model = url->model;
    if (url->dimensions) eo.dimensions = url->dimensions;
  } else if (o.model.rfind("http://", 0) == 0 || o.model.rfind("https://", 0) == 0) {
    throw UsageError("--model: a model URL is BASE#model=NAME (e.g. http://127.0.0.1:8000/v1#model=bge-m3), not " +
                     quoted(o.model));
  }
  eo.base64 = !o.float_encoding;
  if (o.batch) eo.batch = o.batch;
  if (o.batch_tokens) eo.batch_tokens = o.batch_tokens;
  eo.count_tokens = o.count_tokens;
  return std::make_unique<OpenAIEmbedder>(remote::open_session(c), std::move(eo), o.normalize.value_or(false));
}

remote::Stats* remote_stats(const Embedder& e) {
  auto* o = dynamic_cast<const OpenAIEmbedder*>(&e);
  return o ? &o->stats() : nullptr;
}

}  // namespace hewn::embed
