// Response parsing: exact values, and every wrong answer refused by name.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/base64.hpp"
#include "remote/chat.hpp"
#include "remote/completions.hpp"
#include "remote/embeddings.hpp"
#include "remote/rerank.hpp"
#include "remote/response.hpp"

using namespace hewn::remote;

namespace {
std::string b64(std::vector<float> v) {
  std::string out;
  hewn::append_base64(out, reinterpret_cast<const unsigned char*>(v.data()), v.size() * 4);
  return out;
}

std::string refusal(std::string_view body, std::size_t n, std::size_t dim = 0) {
  std::vector<float> out;
  try {
    parse_embeddings(body, n, dim, out);
  } catch (const BadResponse& e) {
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("embeddings: vectors placed by index, from arrays or base64, usage counted") {
  std::string body = R"({"object":"list","data":[{"index":1,"embedding":")" + b64({0.5f, -0.25f, 3.0f}) +
                     R"("},{"index":0,"embedding":[1e-3,2,-0.125]}],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}})";
  std::vector<float> out;
  std::size_t dim = 0;
  CHECK(parse_embeddings(body, 2, dim, out) == 7);
  CHECK(dim == 3);
  CHECK(out == std::vector<float>{1e-3f, 2.0f, -0.125f, 0.5f, -0.25f, 3.0f});
  // Without index the items are in order; without usage, 0 tokens.
  dim = 0;
  CHECK(parse_embeddings(R"({"data":[{"embedding":[1]},{"embedding":[2]}]})", 2, dim, out) == 0);
  CHECK(out == std::vector<float>{1, 2});
}

TEST_CASE("embeddings: wrong answers are refused by name") {
  CHECK(refusal("{\"data\":[", 1).rfind("response is not valid JSON (", 0) == 0);
  CHECK(refusal("[]", 1) == "response field  is not an object");
  CHECK(refusal(R"({"object":"list"})", 1) == "response has no field .data");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[1,2]}]})", 2) == "response has 1 embedding for 2 inputs");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]})", 2) ==
        "response embedding 1 has 1 values, not 2");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[1,2]}]})", 1, 3) == "response embedding 0 has 2 values, not 3");
  CHECK(refusal(R"({"data":[{"index":2,"embedding":[1]},{"index":0,"embedding":[1]}]})", 2) ==
        "response field .data[0].index is out of range (2 inputs)");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]})", 2) ==
        "response field .data[1].index repeats index 0");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":"AAA"}]})", 1) ==
        "response field .data[0].embedding is not valid base64 of float32 values");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":")" + b64({1.0f, std::nanf("")}) + "\"}]}", 1) ==
        "response embedding 0 has a value that is not finite");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[1e300]}]})", 1) == "response embedding 0 has a value out of float range");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":["1"]}]})", 1) == "response field .data[0].embedding[0] is not a number");
  CHECK(refusal(R"({"data":[{"index":0,"embedding":[]}]})", 1) == "response embedding 0 is empty");
  CHECK(refusal(R"({"data":[{"index":0}]})", 1) == "response has no field .data[0].embedding");
}

TEST_CASE("chat: the first choice's content, finish reason and usage; JSON mode checks the content") {
  std::string body =
      R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"{\"cut\":[3]}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5}})";
  ChatAnswer a = parse_chat(body, true);
  CHECK(a.content == "{\"cut\":[3]}");
  CHECK(a.finish_reason == "stop");
  CHECK(a.prompt_tokens == 12);
  CHECK(a.completion_tokens == 5);
  auto refused = [](std::string_view b, bool json) {
    try {
      parse_chat(b, json);
    } catch (const BadResponse& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(R"({"choices":[]})", false) == "response field .choices is empty");
  CHECK(refused(R"({"choices":[{"message":{"content":null}}]})", false) ==
        "response field .choices[0].message.content is not a string");
  CHECK(refused(R"({"choices":[{"message":{"content":"not json"}}]})", true) == "response content is not a JSON object");
  CHECK(refused(R"({"error":{"message":"x"}})", false) == "response has no field .choices");
}

TEST_CASE("completions: the prompt's token log-probabilities, the generated token dropped") {
  std::string body =
      R"({"choices":[{"text":"Hi there end","logprobs":{"tokens":["Hi"," there"," end"],"token_logprobs":[null,-1.5,-0.25],"text_offset":[0,2,8],"top_logprobs":null}}]})";
  auto t = parse_logprobs(body, 8);
  REQUIRE(t.size() == 2);
  CHECK(t[0].token == "Hi");
  CHECK_FALSE(t[0].logprob);
  CHECK(t[0].offset == 0);
  CHECK(t[1].token == " there");
  CHECK(*t[1].logprob == -1.5);
  CHECK(t[1].offset == 2);
  auto refused = [](std::string_view b) {
    try {
      parse_logprobs(b, 5);
    } catch (const BadResponse& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(R"({"choices":[{"text":"x","logprobs":null}]})") ==
        "response field .choices[0].logprobs is null (the server does not echo log-probabilities)");
  CHECK(refused(R"({"choices":[{"logprobs":{"tokens":["a"],"token_logprobs":[],"text_offset":[0]}}]})") ==
        "response field .choices[0].logprobs.tokens has 1 items, token_logprobs 0, text_offset 1");
  CHECK(refused(R"({"choices":[{"logprobs":{"tokens":["a","b"],"token_logprobs":[null,-1],"text_offset":[3,1]}}]})") ==
        "response field .choices[0].logprobs.text_offset[1] goes backwards");
}

TEST_CASE("rerank: both shapes, in the server's order; bad indexes refused") {
  auto r = parse_rerank(R"({"id":"x","results":[{"index":2,"relevance_score":0.9},{"index":0,"relevance_score":0.1}]})",
                        RerankShape::cohere, 3);
  REQUIRE(r.size() == 2);
  CHECK(r[0].index == 2);
  CHECK(r[0].score == 0.9);
  CHECK(r[1].index == 0);
  r = parse_rerank(R"([{"index":1,"score":4.5},{"index":0,"score":-2}])", RerankShape::tei, 2);
  REQUIRE(r.size() == 2);
  CHECK(r[0].index == 1);
  CHECK(r[1].score == -2);
  auto refused = [](std::string_view b, RerankShape s, std::size_t n) {
    try {
      parse_rerank(b, s, n);
    } catch (const BadResponse& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused(R"({"results":[{"index":3,"relevance_score":1}]})", RerankShape::cohere, 3) ==
        "response field .results[0].index is out of range (3 documents)");
  CHECK(refused(R"([{"index":0,"score":1},{"index":0,"score":2}])", RerankShape::tei, 2) ==
        "response field [1].index repeats index 0");
  CHECK(refused(R"({"results":[{"index":0,"relevance_score":"high"}]})", RerankShape::cohere, 1) ==
        "response field .results[0].relevance_score is not a number");
  CHECK(refused(R"([{"index":0,"score":1},{"index":1,"score":1}])", RerankShape::tei, 1) ==
        "response has 2 results for 1 document");
}

TEST_CASE("server error text: OpenAI, vLLM, TEI/Ollama shapes, else the body's start") {
  CHECK(server_error_text(R"({"error":{"message":"Incorrect API key","type":"invalid_request_error"}})") ==
        "Incorrect API key");
  CHECK(server_error_text(R"({"object":"error","message":"model not found"})") == "model not found");
  CHECK(server_error_text(R"({"error":"Input validation error","error_type":"Validation"})") == "Input validation error");
  CHECK(server_error_text("<html>\nBad Gateway</html>") == "<html> Bad Gateway</html>");
  CHECK(server_error_text("") == "");
  CHECK(server_error_text(std::string(300, 'x')).size() == 200);
}
