// The chat, completions, rerank and embeddings clients end to end, through
// the transport and the cache, against tests/tools/openai-server on
// 127.0.0.1 (started here on an ephemeral port, killed at the end).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "remote/chat.hpp"
#include "remote/completions.hpp"
#include "remote/embeddings.hpp"
#include "remote/rerank.hpp"

using namespace hewn::remote;

namespace {

// The test server for the life of one test case.
class TestServer {
 public:
  TestServer() {
    int fd[2];
    REQUIRE(::pipe(fd) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fd[1], 1);
      ::close(fd[0]);
      std::string script = std::string(HEWN_SOURCE_DIR) + "/tests/tools/openai-server";
      ::execlp("python3", "python3", script.c_str(), "serve", "--lifetime", "60", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fd[1]);
    FILE* f = ::fdopen(fd[0], "r");
    char line[32] = {};
    if (f && std::fgets(line, sizeof line, f)) port_ = std::atoi(line);
    if (f) std::fclose(f);
    ::unsetenv("http_proxy");
    ::unsetenv("HTTP_PROXY");
    ::unsetenv("all_proxy");
    ::unsetenv("ALL_PROXY");
    ::setenv("no_proxy", "127.0.0.1", 1);
  }
  ~TestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  Session session(const std::string& path = "/v1", const std::string& cache = "") const {
    Connection c;
    c.base_url = "http://127.0.0.1:" + std::to_string(port_) + path;
    c.api_key_env = "HEWN_TEST_NO_KEY";
    c.transport.concurrency = 4;
    c.transport.retries = 1;
    c.transport.backoff = 0.05;
    c.cache = !cache.empty();
    c.cache_dir = cache;
    return open_session(c);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("clients: chat, logprobs and rerank answers through the transport, errors per request") {
  TestServer server;
  REQUIRE(server.port() > 0);
  Session s = server.session();

  ChatClient chat(s);
  std::vector<ChatRequest> rq(2);
  rq[0].model = rq[1].model = "llm";
  rq[0].messages = {{"system", "be brief"}, {"user", "cut here"}};
  rq[0].temperature = 0;
  rq[0].seed = 1;
  rq[1].messages = {{"user", "two words"}};
  rq[1].json = true;
  std::vector<ChatAnswer> answers;
  std::vector<std::string> errors;
  chat.complete(rq, answers, errors);
  CHECK(errors == std::vector<std::string>{"", ""});
  CHECK(answers[0].content == "echo: cut here");
  CHECK(answers[0].finish_reason == "stop");
  CHECK(answers[0].prompt_tokens == 4);
  CHECK(answers[1].content == R"({"echo": "two words", "words": 2})");

  CompletionsClient completions(s, "base");
  std::vector<std::vector<TokenLogprob>> lp;
  completions.logprobs(std::vector<std::string>{"Hello big world", "caf\xc3\xa9 au lait"}, lp, errors);
  REQUIRE(lp.size() == 2);
  REQUIRE(lp[0].size() == 3);  // the generated token is dropped
  CHECK(lp[0][1].token == " big");
  CHECK(lp[0][1].offset == 5);
  CHECK_FALSE(lp[0][0].logprob);
  CHECK(*lp[0][2].logprob < 0);
  REQUIRE(lp[1].size() == 3);
  CHECK(lp[1][2].offset == 7);  // code points: "café au" is 7

  RerankClient cohere(s, RerankShape::cohere), tei(s, RerankShape::tei);
  RerankRequest rr;
  rr.model = "rr";
  rr.query = "red apples";
  rr.documents = {"the stock market", "green apples and red pears", "red apples"};
  rr.top_n = 2;
  std::vector<std::vector<RerankResult>> results;
  cohere.rerank(std::vector<RerankRequest>{rr}, results, errors);
  REQUIRE(results[0].size() == 2);
  CHECK(results[0][0].index == 2);
  CHECK(results[0][1].index == 1);
  tei.rerank(std::vector<RerankRequest>{rr}, results, errors);
  REQUIRE(results[0].size() == 3);
  CHECK(results[0][2].index == 0);

  // A request that fails after its retries is an error of that request only.
  Session bad = server.session("/fault/500/v1");
  ChatClient failing(bad);
  failing.complete(std::vector<ChatRequest>(rq.begin(), rq.begin() + 1), answers, errors);
  CHECK(errors[0].find("/fault/500/v1/chat/completions: HTTP 500: injected 500 (test) (gave up after 2 attempts)") !=
        std::string::npos);
  // 401 stops: a UsageError naming the URL.
  ChatClient refused(server.session("/fault/401/v1"));
  CHECK_THROWS_AS(refused.complete(rq, answers, errors), hewn::UsageError);
}

TEST_CASE("clients: a cached answer makes no request; the encoder learns the dimension") {
  TestServer server;
  REQUIRE(server.port() > 0);
  auto dir = std::filesystem::temp_directory_path() / ("hewn-clients-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Session s = server.session("/v1", dir.string());
  ChatClient chat(s);
  std::vector<ChatRequest> rq(1);
  rq[0].model = "llm";
  rq[0].messages = {{"user", "hello"}};
  std::vector<ChatAnswer> answers;
  std::vector<std::string> errors;
  chat.complete(rq, answers, errors);
  auto requests = s.transport->stats().requests.load();
  chat.complete(rq, answers, errors);
  CHECK(s.transport->stats().requests.load() == requests);
  CHECK(s.transport->stats().cache_hits.load() == 1);
  CHECK(answers[0].content == "echo: hello");

  EmbeddingsOptions eo;
  eo.model = "emb";
  EmbeddingClient enc(s, eo);
  CHECK(enc.dim() == 8);
  CHECK(enc.name() == "http://127.0.0.1:" + std::to_string(server.port()) + "/v1#model=emb");
  std::vector<float> v(16);
  std::vector<std::string_view> texts = {"a", "b"};
  enc.encode(texts, v.data());
  std::vector<float> again(16);
  enc.encode(texts, again.data());
  CHECK(v == again);
  std::filesystem::remove_all(dir);
}
