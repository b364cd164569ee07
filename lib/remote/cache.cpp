#include "remote/cache.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"

namespace hewn::remote {
namespace {

// Every entry starts with this line, so a file that is not an entry (or an
// entry of another layout) reads as absent.
constexpr std::string_view magic = "hewn-cache 1\n";

void mkdir_p(const std::string& path) {
  if (path.empty() || ::mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) return;
  if (errno == ENOENT) {
    std::size_t slash = path.find_last_of('/', path.size() - 1);
    if (slash != std::string::npos && slash > 0) {
      mkdir_p(path.substr(0, slash));
      if (::mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) return;
    }
  }
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

Cache::Cache(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

std::string Cache::key(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (std::string_view p : parts) {
    unsigned char len[8];
    std::uint64_t n = p.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    EVP_DigestUpdate(ctx, len, sizeof len);
    EVP_DigestUpdate(ctx, p.data(), p.size());
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_DigestFinal_ex(ctx, md, &md_len);
  EVP_MD_CTX_free(ctx);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < md_len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

bool Cache::get(const std::string& key, std::string& out) const {
  std::string path = dir_ + "/" + key.substr(0, 2) + "/" + key.substr(2);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buf[1 << 16];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      ::close(fd);
      return false;
    }
    if (r == 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  ::close(fd);
  if (out.compare(0, magic.size(), magic) != 0) return false;
  out.erase(0, magic.size());
  return true;
}

void Cache::put(const std::string& key, std::string_view value) const {
  static std::atomic<unsigned long> counter{0};
  std::string sub = dir_ + "/" + key.substr(0, 2);
  std::string path = sub + "/" + key.substr(2);
  std::string tmp = sub + "/.tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1)) + "." +
                    key.substr(2, 8);
  auto fail = [&](int err) {
    throw DataError(dir_ + ": cannot write a cache entry: " + std::strerror(err) +
                    " (--cache DIR elsewhere, or --no-cache)");
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == ENOENT) {
    mkdir_p(sub);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  if (fd < 0) fail(errno);
  bool ok = write_all(fd, magic.data(), magic.size()) && write_all(fd, value.data(), value.size());
  int err = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    fail(err);
  }
}

std::string default_cache_dir() {
  const char* x = std::getenv("XDG_CACHE_HOME");
  if (x && *x == '/') return std::string(x) + "/hewn/remote";
  const char* h = std::getenv("HOME");
  if (h && *h) return std::string(h) + "/.cache/hewn/remote";
  return {};
}

}  // namespace hewn::remote
