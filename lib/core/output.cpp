#include "core/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zstd.h>

#include "core/error.hpp"
#include "core/paths.hpp"

namespace hewn::io {
namespace {

void write_fd(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    ssize_t put = ::write(fd, bytes.data(), bytes.size());
    if (put < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) throw BrokenPipe();
      data_error(name, 0, std::string("write error: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(put));
  }
}

class StdoutSink final : public ByteSink {
 public:
  void write(std::string_view bytes) override { write_fd(1, bytes, "<stdout>"); }
  void commit() override {}
};

// A regular file is written to a temporary name beside it and renamed into
// place on commit (keeping an existing file's permission bits); anything
// else that exists (a FIFO, a character device such as /dev/null) is written
// in place, since renaming would replace it.
class FileSink final : public ByteSink {
 public:
  explicit FileSink(const std::string& name) : name_(name), path_(resolve_links(name)) {
    struct stat st;
    bool exists = ::stat(path_.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) data_error(name_, 0, "cannot create: Is a directory");
    if (exists && !S_ISREG(st.st_mode)) {
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd_ < 0) data_error(name_, 0, std::string("cannot open: ") + std::strerror(errno));
      return;
    }
    tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) data_error(name_, 0, std::string("cannot create: ") + std::strerror(errno));
    if (exists) (void)::fchmod(fd_, st.st_mode & 07777);
  }
  ~FileSink() override {
    if (fd_ >= 0) {
      ::close(fd_);
      if (!tmp_.empty()) ::unlink(tmp_.c_str());
    }
  }
  void write(std::string_view bytes) override { write_fd(fd_, bytes, name_); }
  void commit() override {
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS)
      data_error(name_, 0, std::string("write error: ") + std::strerror(errno));
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
      if (!tmp_.empty()) ::unlink(tmp_.c_str());
      data_error(name_, 0, std::string("write error: ") + std::strerror(errno));
    }
    if (tmp_.empty()) return;
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      ::unlink(tmp_.c_str());
      data_error(name_, 0, std::string("cannot rename into place: ") + std::strerror(errno));
    }
  }

 private:
  std::string name_, path_, tmp_;  // tmp_ empty: written in place
  int fd_ = -1;
};

class ZstdSink final : public ByteSink {
 public:
  explicit ZstdSink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)), out_(ZSTD_CStreamOutSize()) {
    cs_ = ZSTD_createCStream();
    if (!cs_) throw std::bad_alloc();
    ZSTD_initCStream(cs_, 3);
  }
  ~ZstdSink() override { ZSTD_freeCStream(cs_); }
  void write(std::string_view bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      std::size_t r = ZSTD_compressStream(cs_, &out, &in);
      if (ZSTD_isError(r)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(r));
      inner_->write({out_.data(), out.pos});
    }
  }
  void commit() override {
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      std::size_t left = ZSTD_endStream(cs_, &out);
      if (ZSTD_isError(left)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(left));
      inner_->write({out_.data(), out.pos});
      if (left == 0) break;
    }
    inner_->commit();
  }

 private:
  std::unique_ptr<ByteSink> inner_;
  std::vector<char> out_;
  ZSTD_CStream* cs_ = nullptr;
};

class BufferedSink final : public ByteSink {
 public:
  explicit BufferedSink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)) { buf_.reserve(kSize); }
  void write(std::string_view bytes) override {
    if (buf_.size() + bytes.size() > kSize) {
      flush();
      if (bytes.size() >= kSize) {
        inner_->write(bytes);
        return;
      }
    }
    buf_.append(bytes);
  }
  void commit() override {
    flush();
    inner_->commit();
  }

 private:
  static constexpr std::size_t kSize = 1 << 16;
  void flush() {
    if (!buf_.empty()) inner_->write(buf_);
    buf_.clear();
  }
  std::unique_ptr<ByteSink> inner_;
  std::string buf_;
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::unique_ptr<ByteSink> open_output(const std::string& path) {
  std::unique_ptr<ByteSink> sink;
  if (path == "-") sink = std::make_unique<StdoutSink>();
  else sink = std::make_unique<FileSink>(path);
  if (ends_with(path, ".zst")) sink = std::make_unique<ZstdSink>(std::move(sink));
  return buffered(std::move(sink));
}

std::unique_ptr<ByteSink> buffered(std::unique_ptr<ByteSink> inner) {
  return std::make_unique<BufferedSink>(std::move(inner));
}

}  // namespace hewn::io
