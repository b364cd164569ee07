// The parts of the LLM strategies that need no model: answer parsing,
// Meta-Chunking's minima rule, prompt templates, and the dry run's counts.
#include <doctest/doctest.h>

#include "chunk/llm.hpp"
#include "core/error.hpp"

using namespace hewn;
using namespace hewn::chunk;

TEST_CASE("llm: LumberChunker answers") {
  CHECK(parse_lumber_answer("The shift is here.\nAnswer: ID 12") == 12u);
  CHECK(parse_lumber_answer("Answer: ID 0012.") == 12u);
  CHECK_FALSE(parse_lumber_answer("Answer: paragraph 12"));
  CHECK_FALSE(parse_lumber_answer("ID 12"));
  CHECK_FALSE(parse_lumber_answer("Answer: ID x"));
}

TEST_CASE("llm: list answers lose numbering, blanks and repeats") {
  auto l = parse_list("1. Why?\n2) How?\n\n- Why?\n* When?\n  3: Where?\nWho?", 4);
  CHECK(l == std::vector<std::string>{"Why?", "How?", "When?", "Where?"});
  CHECK(parse_list("", 3).empty());
  CHECK(parse_list("1984 was a year.", 2) == std::vector<std::string>{"1984 was a year."});
}

TEST_CASE("llm: find_minima as Meta-Chunking writes it") {
  std::vector<double> v = {3, 1, 2, 2, 0.5, 0.5, 4, 3.9, 4};
  CHECK(perplexity_minima(v, 0) == std::vector<std::size_t>{1, 4, 7});
  CHECK(perplexity_minima(v, 1) == std::vector<std::size_t>{1, 4});  // 3.9 drops 0.1 only
  CHECK(perplexity_minima({1, 2}, 0).empty());
}

TEST_CASE("llm: templates") {
  std::pair<std::string_view, std::string_view> values[] = {{"chunk", "C"}, {"n", "3"}};
  CHECK(fill_template("Q {n} of {chunk}; {{braces}} }", "t", values) == "Q 3 of C; {braces} }");
  CHECK_THROWS_WITH_AS(fill_template("{doc}", "t.txt", values),
                       "t.txt: unknown placeholder {doc} (known: {chunk}, {n})", UsageError);
  CHECK_THROWS_WITH_AS(fill_template("{chunk", "t.txt", values), "t.txt: unclosed { in the template", UsageError);
  CHECK_NOTHROW(check_prompt("questions", default_prompt("questions"), "built-in"));
  for (auto name : prompt_names()) CHECK_NOTHROW(check_prompt(name, default_prompt(name), "built-in"));
  CHECK_THROWS_WITH_AS(check_prompt("margin", "{first}", "m.txt"), "m.txt: the template must use {second}", UsageError);
}

TEST_CASE("llm: a dry run counts requests and tokens, answers nothing") {
  DryRun d;
  std::vector<Prompt> p(2);
  p[1].text.push_back('b');
  p[0].max_tokens = 10;
  p[0].text.assign(40, 'a');
  std::vector<std::string> answers, errors;
  d.complete(p, answers, errors);
  CHECK(answers == std::vector<std::string>{"", ""});
  std::vector<std::vector<TokenScore>> lp;
  d.logprobs(std::vector<std::string>{"abcdefgh"}, lp, errors);
  REQUIRE(lp.size() == 1);
  CHECK_FALSE(lp[0][0].logprob);
  CHECK(d.chat_requests == 2);
  CHECK(d.logprob_requests == 1);
  CHECK(d.prompt_tokens == 10 + 1 + 2 + 1);
  CHECK(d.answer_tokens == 10 + 1);
}
