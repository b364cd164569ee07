// The table of chunk strategies (chunk/registry.hpp): every row builds a
// chunker, --help lists every row, and an option is refused by the rows
// that lack it, with a message naming the rows that have it.
#include <doctest/doctest.h>

#include <string>

#include "chunk/chunker.hpp"
#include "chunk/registry.hpp"
#include "core/error.hpp"

using namespace hewn;
using namespace hewn::chunk;

TEST_CASE("registry: names are unique and found; --help lists each") {
  const std::string help = strategy_help();
  for (const StrategySpec& s : strategy_specs()) {
    CHECK(find_strategy(s.name) == &s);
    CHECK(help.find(std::string(s.name)) != std::string::npos);
    CHECK(static_cast<bool>(s.make));
  }
  CHECK(find_strategy("nope") == nullptr);
  CHECK(help.starts_with("fixed, recursive, sentence, markdown, code (cAST syntax trees), auto ("));
  CHECK(help.find("; with an LLM: lumber (LumberChunker), perplexity, margin (Meta-Chunking) or intent; layout (") !=
        std::string::npos);
}

TEST_CASE("registry: each strategy that needs nothing builds a chunker that splits") {
  for (const StrategySpec& s : strategy_specs()) {
    if (s.needs != Needs::text) continue;
    Options o;
    o.strategy = std::string(s.name);
    o.lang = s.options & applies::languages ? "python" : "en";
    ChunkerFactory f(o);
    CHECK(&f.spec() == &s);
    auto c = f.make();
    REQUIRE(c);
    std::vector<Chunk> out;
    Document doc;
    doc.text = "def f():\n    return 1\n";
    c->split(doc, out);
    CHECK(!out.empty());
  }
}

TEST_CASE("registry: an option is refused by the strategies whose row lacks it") {
  for (const StrategySpec& s : strategy_specs()) {
    Options o;
    o.strategy = std::string(s.name);
    o.overlap = 5;
    if (s.options & applies::overlap) continue;
    CHECK_THROWS_WITH_AS(ChunkerFactory{o},
                         ("--overlap does not apply to the " + std::string(s.name) + " strategy" +
                          (s.options & applies::overlap_sentences ? " (use --overlap-sentences)" : ""))
                             .c_str(),
                         UsageError);
  }
  Options o;
  o.strategy = "fixed";
  o.context = "headings";
  CHECK_THROWS_WITH_AS(ChunkerFactory{o}, "--context headings applies only to the markdown and auto strategies",
                       UsageError);
  o.context.clear();
  o.separators = std::vector<std::string>{" "};
  CHECK_THROWS_WITH_AS(ChunkerFactory{o}, "--separators applies only to the recursive strategy", UsageError);
  o.separators.reset();
  o.semantic.segments = 2;
  CHECK_THROWS_WITH_AS(ChunkerFactory{o},
                       "--model, --backend, --breakpoints, --threshold, --buffer, --skip-window, --segments, "
                       "--target, --piece-size and --chunk-vectors apply only to the semantic, cluster and layout "
                       "strategies",
                       UsageError);
}

TEST_CASE("registry: what a strategy needs") {
  for (const StrategySpec& s : strategy_specs()) {
    if (s.needs == Needs::text) continue;
    Options o;
    o.strategy = std::string(s.name);
    CHECK_THROWS_WITH_AS(
        ChunkerFactory{o},
        ("-s " + std::string(s.name) +
         (s.needs == Needs::llm ? " needs an LLM (--llm-model NAME)" : " needs an encoder (--model or --backend)"))
            .c_str(),
        UsageError);
  }
}
