// Directory trees as ripgrep walks them: sorted, depth first, honouring
// .gitignore and .git/info/exclude (inside a git repository) and .ignore
// files and --glob
// overrides, skipping hidden names, and safe from symbolic link loops.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::io {

struct WalkOptions {
  bool hidden = false;     // also names starting with '.' (a .git directory never)
  bool no_ignore = false;  // read no .gitignore, .ignore and .git/info/exclude files
  bool follow = false;     // follow symbolic links (else they are left out)
  // ripgrep's --glob: gitignore-style patterns on paths relative to the
  // walked directory; "!" before one excludes what it matches, otherwise it
  // includes (and once any includes are given, a file must match one); the
  // last one that matches decides, over the ignore files.
  std::vector<std::string> globs;
};

// Gitignore pattern matching: '*' and '?' stay within a path component,
// '[a-z]' and '[!a-z]' classes, '\' escapes, "**/" any number of leading
// directories, "/**" everything inside, "/**/" zero or more directories.
// Errors: none.
bool glob_match(std::string_view pattern, std::string_view path);

// One ignore file's rules (or the --glob overrides).
class IgnoreRules {
 public:
  // Parses gitignore lines: blank lines and "#" comments skipped, trailing
  // spaces dropped (unless escaped), "!" negates, a trailing "/" matches
  // directories only, a "/" at the start or in the middle anchors the
  // pattern to the file's directory (else it matches a name at any depth).
  void parse(std::string_view text);
  void add(std::string_view line);
  // +1: ignored (or, for overrides, included), -1: negated (re-included, or
  // excluded), 0: no rule matches. rel is the path relative to the rules'
  // directory.
  int match(std::string_view rel, bool is_dir) const;
  bool empty() const { return rules_.empty(); }
  bool has_positive() const;

 private:
  struct Rule {
    std::string glob;
    bool negate, dir_only, anchored;
  };
  std::vector<Rule> rules_;
};

// Walks one directory tree.
class Walker {
 public:
  // root: a directory (a symbolic link to one is followed). Parent
  // directories' .ignore files, and .gitignore files up to the repository's
  // top and its .git/info/exclude, count too, as in ripgrep.
  // Errors: DataError "root: cannot read directory: <reason>".
  Walker(std::string root, WalkOptions options);
  ~Walker();
  // The next file's path (root, "/", the path inside it; without "./" when
  // root is "."), in sorted order; false at the end.
  // Errors: DataError "dir: cannot read directory: <reason>".
  bool next(std::string& path);
  // Symbolic links that led back into a directory being walked (with
  // follow), skipped.
  std::uint64_t loops() const { return loops_; }

 private:
  struct Dir;
  void open_dir(std::string rel, std::uint64_t dev, std::uint64_t ino);
  bool ignored(const std::string& rel, std::string_view name, bool is_dir) const;
  std::string root_;
  WalkOptions options_;
  IgnoreRules overrides_;
  struct Rules {
    std::string up, down;  // path prefix to prepend (ancestor files) or strip (descendants)
    IgnoreRules ignore, git, exclude;  // exclude: the repository's .git/info/exclude (at its top)
    std::size_t depth;     // the Dir depth that owns them (0: the root and above)
  };
  std::vector<Rules> rules_;
  std::vector<std::unique_ptr<Dir>> stack_;
  bool in_repo_ = false;
  std::uint64_t loops_ = 0;
};

}  // namespace hewn::io
