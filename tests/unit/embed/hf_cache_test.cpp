#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "embed/hf_cache.hpp"
#include "embed/model_files.hpp"

using namespace hewn;

TEST_CASE("hf cache: names, the hub directory, resolution") {
  CHECK(embed::is_hub_name("BAAI/bge-small-en-v1.5"));
  CHECK(embed::is_hub_name("org/name@v1"));
  CHECK_FALSE(embed::is_hub_name("models/bge/x"));
  CHECK_FALSE(embed::is_hub_name("./bge"));
  CHECK_FALSE(embed::is_hub_name("/abs/x"));
  CHECK_FALSE(embed::is_hub_name("org/../x"));
  CHECK_FALSE(embed::is_hub_name("org/name@"));
  char tmpl[] = "/tmp/hewn-hf-XXXXXX";
  std::string root = ::mkdtemp(tmpl);
  ::setenv("HF_HOME", root.c_str(), 1);
  ::unsetenv("HF_HUB_CACHE");
  CHECK(embed::hf_hub_dir() == root + "/hub");
  std::string repo = root + "/hub/models--org--m";
  REQUIRE(std::system(("mkdir -p " + repo + "/snapshots/c0ffee " + repo + "/refs && echo c0ffee > " + repo +
                       "/refs/main").c_str()) == 0);
  CHECK(embed::resolve_model("org/m") == repo + "/snapshots/c0ffee");
  CHECK(embed::resolve_model("org/m@c0ffee") == repo + "/snapshots/c0ffee");
  CHECK(embed::model_name(embed::resolve_model("org/m")) == "m");
  CHECK(embed::resolve_model("not-a-hub-name") == "not-a-hub-name");
  CHECK_THROWS_AS(embed::resolve_model("org/absent"), DataError);
  REQUIRE(std::system(("echo deadbeef > " + repo + "/refs/main").c_str()) == 0);
  CHECK_THROWS_WITH_AS(embed::resolve_model("org/m"),
                       doctest::Contains("refs/main names snapshot deadbeef, which is missing"), DataError);
  ::unsetenv("HF_HOME");
  std::system(("rm -rf " + root).c_str());
}
