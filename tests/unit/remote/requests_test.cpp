// Request bodies exactly as the providers document them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "remote/chat.hpp"
#include "remote/completions.hpp"
#include "remote/embeddings.hpp"
#include "remote/rerank.hpp"

using namespace hewn::remote;

TEST_CASE("embeddings: the body has model, input array, encoding_format, and dimensions only when asked") {
  EmbeddingsOptions o;
  o.model = "text-embedding-3-small";
  std::vector<std::string_view> in = {"a \"quoted\" text", "line\nend", "caf\xc3\xa9"};
  std::string body;
  append_embeddings_body(body, o, in);
  CHECK(body == R"({"model":"text-embedding-3-small","input":["a \"quoted\" text","line\nend","café"],"encoding_format":"base64"})");
  o.base64 = false;
  o.dimensions = 256;
  body.clear();
  append_embeddings_body(body, o, std::vector<std::string_view>{"x"});
  CHECK(body == R"({"model":"text-embedding-3-small","input":["x"],"encoding_format":"float","dimensions":256})");
}

TEST_CASE("chat: optional fields appear only when set; JSON mode is response_format json_object") {
  ChatRequest r;
  r.model = "gpt-4o-mini";
  r.messages = {{"system", "Cut the text."}, {"user", "Hello"}};
  CHECK(chat_body(r) ==
        R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"Cut the text."},{"role":"user","content":"Hello"}]})");
  r.temperature = 0;
  r.seed = 42;
  r.max_tokens = 100;
  r.json = true;
  CHECK(chat_body(r) ==
        R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"Cut the text."},{"role":"user","content":"Hello"}],"temperature":0,"seed":42,"max_tokens":100,"response_format":{"type":"json_object"}})");
}

TEST_CASE("completions: echo and logprobs with one generated token") {
  CHECK(logprobs_body("davinci-002", "Hi there") ==
        R"({"model":"davinci-002","prompt":"Hi there","max_tokens":1,"echo":true,"logprobs":0,"temperature":0})");
}

TEST_CASE("rerank: the Cohere/Jina/vLLM shape and TEI's") {
  RerankRequest r;
  r.model = "rerank-v3.5";
  r.query = "q";
  r.documents = {"d0", "d1"};
  CHECK(rerank_body(r, RerankShape::cohere) ==
        R"({"model":"rerank-v3.5","query":"q","documents":["d0","d1"],"return_documents":false})");
  r.top_n = 1;
  CHECK(rerank_body(r, RerankShape::cohere) ==
        R"({"model":"rerank-v3.5","query":"q","documents":["d0","d1"],"top_n":1,"return_documents":false})");
  CHECK(rerank_body(r, RerankShape::tei) == R"({"query":"q","texts":["d0","d1"],"raw_scores":false,"return_text":false})");
}

TEST_CASE("model identity: BASE#model=NAME[&dimensions=N], read back exactly") {
  CHECK(model_identity("https://api.openai.com/v1", "text-embedding-3-small", 0) ==
        "https://api.openai.com/v1#model=text-embedding-3-small");
  CHECK(model_identity("http://h:8000/v1", "BAAI/bge-m3", 512) == "http://h:8000/v1#model=BAAI/bge-m3&dimensions=512");
  std::string odd = model_identity("http://h/v1", "a&b=c#d %e\xc3\xa9", 0);
  CHECK(odd == "http://h/v1#model=a%26b%3Dc%23d%20%25e%C3%A9");
  auto m = parse_model_url(odd);
  REQUIRE(m);
  CHECK(m->base_url == "http://h/v1");
  CHECK(m->model == "a&b=c#d %e\xc3\xa9");
  CHECK(m->dimensions == 0);
  m = parse_model_url("http://h:8000/v1/#model=nomic-embed-text:latest&dimensions=64");
  REQUIRE(m);
  CHECK(m->base_url == "http://h:8000/v1");
  CHECK(m->model == "nomic-embed-text:latest");
  CHECK(m->dimensions == 64);
  CHECK_FALSE(parse_model_url("hash-384"));
  CHECK_FALSE(parse_model_url("models/bge"));
  CHECK_FALSE(parse_model_url("http://h/v1"));
  CHECK_FALSE(parse_model_url("http://h/v1#model="));
  CHECK_FALSE(parse_model_url("http://h/v1#model=x&dimensions=0"));
  CHECK_FALSE(parse_model_url("http://h/v1#model=x&other=1"));
  CHECK_FALSE(parse_model_url("http://h/v1#model=x%2"));
}

TEST_CASE("token estimate: UTF-8 bytes / 4, rounded up, at least 1") {
  CHECK(estimate_tokens("") == 1);
  CHECK(estimate_tokens("abc") == 1);
  CHECK(estimate_tokens("abcde") == 2);
  CHECK(estimate_tokens(std::string(400, 'x')) == 100);
}
