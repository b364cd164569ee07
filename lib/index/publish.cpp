#include "index/publish.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <signal.h>
#include <unistd.h>

#include "core/error.hpp"

namespace hewn::index {

namespace fs = std::filesystem;

namespace {

// Temporary siblings are ".NAME.tmp-HOST-PID": the host and process that
// own one tell whether it is stale.
std::string host_name() {
  char h[256] = {};
  if (::gethostname(h, sizeof h - 1) != 0 || !h[0]) return "localhost";
  return h;
}

std::string temp_prefix(const fs::path& dir) { return "." + dir.filename().string() + ".tmp-" + host_name() + "-"; }

fs::path parent_of(const fs::path& dir) { return dir.parent_path().empty() ? fs::path(".") : dir.parent_path(); }

// Removes the temporary siblings that writers on this host left when they
// were killed (their process is gone).
void remove_stale(const fs::path& dir) {
  std::string prefix = temp_prefix(dir);
  std::error_code ec;
  for (fs::directory_iterator it(parent_of(dir), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = name.substr(prefix.size());
    char* stop = nullptr;
    long pid = std::strtol(rest.c_str(), &stop, 10);
    if (pid <= 0 || (*stop && std::strcmp(stop, ".old") != 0)) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string make_temp_sibling(const std::string& dir) {
  fs::path p(dir);
  std::string tmp = (parent_of(p) / temp_prefix(p)).string() + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directory(tmp, ec)) throw DataError(tmp + ": cannot create: " + ec.message());
  return tmp;
}

void publish(const std::string& tmp, const std::string& dir) {
  sync_dir(tmp);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) != 0) {
      std::string old = tmp + ".old";
      if (std::rename(dir.c_str(), old.c_str()) != 0 || std::rename(tmp.c_str(), dir.c_str()) != 0)
        throw DataError(dir + ": cannot rename into place: " + std::strerror(errno));
      fs::remove_all(old, ec);
    }
    fs::remove_all(tmp, ec);  // now the old directory
  } else if (std::rename(tmp.c_str(), dir.c_str()) != 0) {
    throw DataError(dir + ": cannot rename into place: " + std::strerror(errno));
  }
  fs::path published(dir);
  sync_dir(parent_of(published).string());
  remove_stale(published);
}

}  // namespace hewn::index
