#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/walk.hpp"

using namespace hewn;

namespace {

struct TempTree {
  std::string root;
  TempTree() {
    char tmpl[] = "/tmp/hewn-walk-XXXXXX";
    root = ::mkdtemp(tmpl);
  }
  ~TempTree() { std::system(("rm -rf '" + root + "'").c_str()); }
  void file(const std::string& rel, const std::string& text = "x") {
    std::string p = root + "/" + rel;
    std::system(("mkdir -p \"$(dirname '" + p + "')\"").c_str());
    FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  void dir(const std::string& rel) { std::system(("mkdir -p '" + root + "/" + rel + "'").c_str()); }
  void link(const std::string& target, const std::string& rel) { REQUIRE(::symlink(target.c_str(), (root + "/" + rel).c_str()) == 0); }
  std::vector<std::string> walk(io::WalkOptions o = {}, std::string sub = "") {
    io::Walker w(sub.empty() ? root : root + "/" + sub, std::move(o));
    std::vector<std::string> out;
    std::string p;
    const std::string prefix = (sub.empty() ? root : root + "/" + sub) + "/";
    while (w.next(p)) out.push_back(p.substr(prefix.size()));
    return out;
  }
};

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("glob_match: gitignore patterns") {
  CHECK(io::glob_match("*.md", "a.md"));
  CHECK_FALSE(io::glob_match("*.md", "d/a.md"));
  CHECK(io::glob_match("**/a.md", "x/y/a.md"));
  CHECK(io::glob_match("**/a.md", "a.md"));
  CHECK(io::glob_match("d/**", "d/x/y"));
  CHECK(io::glob_match("a/**/b", "a/b"));
  CHECK(io::glob_match("a/**/b", "a/x/y/b"));
  CHECK(io::glob_match("file[0-9].t?t", "file3.txt"));
  CHECK_FALSE(io::glob_match("file[!0-9].txt", "file3.txt"));
  CHECK(io::glob_match("\\*lit", "*lit"));
}

TEST_CASE("walk: sorted, hidden names and .git left out") {
  TempTree t;
  t.file("b.txt");
  t.file("a/z.txt");
  t.file("a/b/c.txt");
  t.file("A.txt");
  t.file(".hidden/x.txt");
  t.file(".env");
  t.file(".git/config");
  CHECK(t.walk() == V{"A.txt", "a/b/c.txt", "a/z.txt", "b.txt"});
  io::WalkOptions o;
  o.hidden = true;
  CHECK(t.walk(o) == V{".env", ".hidden/x.txt", "A.txt", "a/b/c.txt", "a/z.txt", "b.txt"});
}

TEST_CASE("walk: .gitignore inside a repository, .ignore anywhere, precedence") {
  TempTree t;
  t.dir(".git");
  t.file(".gitignore", "*.log\nbuild/\n/top.txt\n!keep.log\n");
  t.file("a.log");
  t.file("keep.log");
  t.file("top.txt");
  t.file("sub/top.txt");
  t.file("build/out.txt");
  t.file("sub/build");  // a file named build: "build/" matches directories only
  t.file("sub/.gitignore", "!*.log\n");
  t.file("sub/x.log");
  t.file("docs/.ignore", "draft*\n");
  t.file("docs/draft1.md");
  t.file("docs/final.md");
  CHECK(t.walk() == V{"docs/final.md", "keep.log", "sub/build", "sub/top.txt", "sub/x.log"});
  io::WalkOptions all;
  all.no_ignore = true;
  CHECK(t.walk(all).size() == 9);
}

TEST_CASE("walk: .gitignore outside a repository is not read; a parent's is") {
  TempTree t;
  t.file(".gitignore", "*.log\n");
  t.file("a.log");
  t.file("b.txt");
  CHECK(t.walk() == V{"a.log", "b.txt"});
  TempTree r;
  r.dir(".git");
  r.file(".gitignore", "*.log\n");
  r.file("sub/a.log");
  r.file("sub/b.txt");
  CHECK(r.walk({}, "sub") == V{"b.txt"});
}

TEST_CASE("walk: --glob overrides") {
  TempTree t;
  t.dir(".git");
  t.file(".gitignore", "*.md\n");
  t.file("a.md");
  t.file("b.txt");
  t.file("d/c.txt");
  t.file("skip/e.txt");
  io::WalkOptions o;
  o.globs = {"*.md", "*.txt", "!skip"};
  CHECK(t.walk(o) == V{"a.md", "b.txt", "d/c.txt"});
  o.globs = {"*.md"};
  CHECK(t.walk(o) == V{"a.md"});
}

TEST_CASE("walk: symbolic links left out, or followed without looping") {
  TempTree t;
  t.file("d/a.txt");
  t.link("..", "d/up");        // a loop back to the root
  t.link("a.txt", "d/l.txt");  // a link to a file
  t.link("nowhere", "d/dangling");
  CHECK(t.walk() == V{"d/a.txt"});
  io::WalkOptions o;
  o.follow = true;
  io::Walker w(t.root, o);
  std::vector<std::string> got;
  std::string p;
  while (w.next(p)) got.push_back(p.substr(t.root.size() + 1));
  CHECK(got == V{"d/a.txt", "d/l.txt"});
  CHECK(w.loops() == 1);
}

TEST_CASE("walk: a missing root") {
  CHECK_THROWS_AS(io::Walker("/nonexistent/hewn", {}), DataError);
}
