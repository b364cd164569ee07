#include "core/paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace hewn::io {

std::string resolve_links(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::vector<char> buf(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0 || static_cast<std::size_t>(n) >= buf.size()) return path;
    std::string target(buf.data(), static_cast<std::size_t>(n));
    if (target.empty() || target[0] != '/') {
      std::size_t slash = path.rfind('/');
      target = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + target;
    }
    path = std::move(target);
  }
  return path;  // a loop: open() reports it
}

}  // namespace hewn::io
