#include "core/walk.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace hewn::io {
namespace {

bool match_class(std::string_view p, std::size_t& pi, char c) {
  // p[pi] == '['; on return pi is after the closing ']'.
  std::size_t i = pi + 1;
  bool neg = i < p.size() && (p[i] == '!' || p[i] == '^');
  if (neg) ++i;
  bool hit = false, first = true;
  while (i < p.size() && (first || p[i] != ']')) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) lo = p[++i];
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) hit = true;
    ++i;
  }
  if (i >= p.size()) {  // no closing bracket: a literal '['
    ++pi;
    return c == '[';
  }
  pi = i + 1;
  return hit != neg && c != '/';
}

bool match_at(std::string_view p, std::size_t pi, std::string_view s, std::size_t si) {
  while (pi < p.size()) {
    if (p.substr(pi).starts_with("**") && (pi == 0 || p[pi - 1] == '/')) {
      std::size_t rest = pi + 2;
      if (rest == p.size()) return true;  // "/**" at the end: everything inside
      if (p[rest] == '/') {               // "**/": zero or more directories
        ++rest;
        for (std::size_t k = si; k <= s.size(); ++k)
          if ((k == si || s[k - 1] == '/') && match_at(p, rest, s, k)) return true;
        return false;
      }
    }
    char c = p[pi];
    if (c == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      for (std::size_t k = si;; ++k) {
        if (match_at(p, pi, s, k)) return true;
        if (k == s.size() || s[k] == '/') return false;
      }
    }
    if (si == s.size()) return false;
    if (c == '?') {
      if (s[si] == '/') return false;
      ++pi;
      ++si;
      continue;
    }
    if (c == '[') {
      if (!match_class(p, pi, s[si])) return false;
      ++si;
      continue;
    }
    if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
    if (c != s[si]) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

std::string read_small_file(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

std::string join(const std::string& a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return a;
  return a.back() == '/' ? a + std::string(b) : a + "/" + std::string(b);
}

// The text of the repository's info/exclude for a directory that holds
// .git: .git/info/exclude, or, where .git is a file ("gitdir: DIR", a linked
// worktree or a submodule), DIR/info/exclude, or that of DIR's commondir.
std::string git_exclude(const std::string& dir) {
  const std::string dot = join(dir, ".git");
  struct stat st;
  if (::stat(dot.c_str(), &st) != 0) return {};
  if (S_ISDIR(st.st_mode)) return read_small_file(join(dot, "info/exclude"));
  auto line = [](std::string t) {
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    return t;
  };
  std::string gitdir = line(read_small_file(dot));
  if (!gitdir.starts_with("gitdir: ")) return {};
  gitdir = gitdir.substr(8);
  if (gitdir.empty()) return {};
  if (gitdir[0] != '/') gitdir = join(dir, gitdir);
  std::string common = line(read_small_file(join(gitdir, "commondir")));
  if (!common.empty()) gitdir = common[0] == '/' ? common : join(gitdir, common);
  return read_small_file(join(gitdir, "info/exclude"));
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) { return match_at(pattern, 0, path, 0); }

void IgnoreRules::parse(std::string_view text) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    add(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void IgnoreRules::add(std::string_view line) {
  if (line.empty() || line[0] == '#') return;
  while (!line.empty() && line.back() == ' ' && !(line.size() >= 2 && line[line.size() - 2] == '\\'))
    line.remove_suffix(1);
  Rule r{"", false, false, false};
  if (line.starts_with("!")) {
    r.negate = true;
    line.remove_prefix(1);
  } else if (line.starts_with("\\!") || line.starts_with("\\#")) {
    line.remove_prefix(1);
  }
  if (line.ends_with("/")) {
    r.dir_only = true;
    line.remove_suffix(1);
  }
  if (line.empty()) return;
  r.anchored = line.find('/') != std::string_view::npos;
  if (line.starts_with("/")) line.remove_prefix(1);
  r.glob = line;
  rules_.push_back(std::move(r));
}

bool IgnoreRules::has_positive() const {
  return std::any_of(rules_.begin(), rules_.end(), [](const Rule& r) { return !r.negate; });
}

int IgnoreRules::match(std::string_view rel, bool is_dir) const {
  std::string_view name = rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->dir_only && !is_dir) continue;
    bool hit = it->anchored ? glob_match(it->glob, rel) : glob_match(it->glob, name);
    if (hit) return it->negate ? -1 : 1;
  }
  return 0;
}

struct Walker::Dir {
  std::string rel;  // "" for the root
  struct Entry {
    std::string name;
    unsigned char type;
  };
  std::vector<Entry> entries;
  std::size_t next = 0;
  bool repo = false;
  std::uint64_t dev = 0, ino = 0;
};

Walker::Walker(std::string root, WalkOptions options) : root_(std::move(root)), options_(std::move(options)) {
  for (const std::string& g : options_.globs) overrides_.add(g);
  struct stat st;
  if (::stat(root_.c_str(), &st) != 0) data_error(root_, 0, std::string("cannot read directory: ") + std::strerror(errno));
  if (!options_.no_ignore) {
    // The ancestors' ignore files, outermost first (an absolute path's
    // components, so that ".." and symbolic links read as the shell does).
    std::string abs = root_;
    if (abs.empty() || abs[0] != '/') {
      char cwd[4096];
      if (::getcwd(cwd, sizeof cwd)) abs = join(cwd, root_);
    }
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < abs.size();) {
      std::size_t j = abs.find('/', i);
      if (j == std::string::npos) j = abs.size();
      std::string_view p(abs.data() + i, j - i);
      if (p == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!p.empty() && p != ".") {
        parts.emplace_back(p);
      }
      i = j + 1;
    }
    // in_repo: the root or an ancestor holds .git.
    std::vector<std::string> dirs;  // "/", "/a", "/a/b" ... up to the root's parent
    std::string d = "/";
    dirs.push_back(d);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) dirs.push_back(d = join(d, parts[i]));
    std::size_t repo_top = dirs.size();  // index of the repository's top among dirs, or dirs.size()
    if (!exists(join(root_, ".git")))
      for (std::size_t i = dirs.size(); i-- > 0;)
        if (exists(join(dirs[i], ".git"))) {
          repo_top = i;
          in_repo_ = true;
          break;
        }
    if (exists(join(root_, ".git"))) in_repo_ = true;
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      std::string up;
      for (std::size_t k = i; k < parts.size(); ++k) up += parts[k] + "/";
      Rules r{up, "", {}, {}, {}, 0};
      r.ignore.parse(read_small_file(join(dirs[i], ".ignore")));
      if (in_repo_ && i >= repo_top && repo_top < dirs.size())
        r.git.parse(read_small_file(join(dirs[i], ".gitignore")));
      if (in_repo_ && i == repo_top) r.exclude.parse(git_exclude(dirs[i]));
      if (!r.ignore.empty() || !r.git.empty() || !r.exclude.empty()) rules_.push_back(std::move(r));
    }
  }
  open_dir("", st.st_dev, st.st_ino);
}

Walker::~Walker() = default;

void Walker::open_dir(std::string rel, std::uint64_t dev, std::uint64_t ino) {
  std::string path = rel.empty() ? root_ : join(root_, rel);
  DIR* d = ::opendir(path.c_str());
  if (!d) data_error(path, 0, std::string("cannot read directory: ") + std::strerror(errno));
  auto dir = std::make_unique<Dir>();
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    dir->entries.push_back({std::string(name), e->d_type});
  }
  int err = errno;
  ::closedir(d);
  if (err) data_error(path, 0, std::string("cannot read directory: ") + std::strerror(err));
  std::sort(dir->entries.begin(), dir->entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  dir->rel = std::move(rel);
  dir->dev = dev;
  dir->ino = ino;
  const bool has_git = std::any_of(dir->entries.begin(), dir->entries.end(), [](const auto& e) { return e.name == ".git"; });
  dir->repo = has_git || (stack_.empty() ? in_repo_ : stack_.back()->repo);
  if (!options_.no_ignore) {
    Rules r{"", dir->rel.empty() ? "" : dir->rel + "/", {}, {}, {}, stack_.size() + 1};
    r.ignore.parse(read_small_file(join(path, ".ignore")));
    if (dir->repo) r.git.parse(read_small_file(join(path, ".gitignore")));
    if (has_git) r.exclude.parse(git_exclude(path));
    if (!r.ignore.empty() || !r.git.empty() || !r.exclude.empty()) rules_.push_back(std::move(r));
  }
  stack_.push_back(std::move(dir));
}

bool Walker::ignored(const std::string& rel, std::string_view name, bool is_dir) const {
  if (name == ".git") return true;
  if (!overrides_.empty()) {
    int m = overrides_.match(rel, is_dir);
    if (m == -1) return true;  // excluded
    if (m == 1) return false;  // included, over the ignore files
    if (!is_dir && overrides_.has_positive()) return true;
  }
  if (!options_.hidden && name.starts_with(".")) return true;
  // Deepest rules first; in each directory .ignore before .gitignore.
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    std::string path = it->up + rel.substr(it->down.size());
    int m = it->ignore.match(path, is_dir);
    if (m == 0) m = it->git.match(path, is_dir);
    if (m != 0) return m > 0;
  }
  // The repositories' info/exclude files rank below every .gitignore (as in
  // git and ripgrep), relative to their repository's top.
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->exclude.empty()) continue;
    int m = it->exclude.match(it->up + rel.substr(it->down.size()), is_dir);
    if (m != 0) return m > 0;
  }
  return false;
}

bool Walker::next(std::string& out) {
  while (!stack_.empty()) {
    Dir& d = *stack_.back();
    if (d.next == d.entries.size()) {
      const std::size_t depth = stack_.size();
      while (!rules_.empty() && rules_.back().depth == depth) rules_.pop_back();
      stack_.pop_back();
      continue;
    }
    const Dir::Entry& e = d.entries[d.next++];
    std::string rel = join(d.rel, e.name);
    std::string path = join(root_, rel);
    if (root_ == "." || root_ == "./") path = rel;
    struct stat st;
    bool link = e.type == DT_LNK;
    if (e.type == DT_UNKNOWN || link) {
      if (::lstat(path.c_str(), &st) != 0) continue;
      link = S_ISLNK(st.st_mode);
    }
    if (link && !options_.follow) continue;
    if (::stat(path.c_str(), &st) != 0) continue;  // vanished, or a dangling link
    const bool is_dir = S_ISDIR(st.st_mode);
    if (!is_dir && !S_ISREG(st.st_mode)) continue;  // FIFOs, sockets, devices
    if (ignored(rel, e.name, is_dir)) continue;
    if (is_dir) {
      bool loop = false;
      for (const auto& a : stack_)
        if (a->dev == static_cast<std::uint64_t>(st.st_dev) && a->ino == static_cast<std::uint64_t>(st.st_ino)) loop = true;
      if (loop) {
        ++loops_;
        continue;
      }
      open_dir(rel, st.st_dev, st.st_ino);
      continue;
    }
    out = std::move(path);
    return true;
  }
  return false;
}

}  // namespace hewn::io
