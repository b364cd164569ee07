#include "core/input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <zstd.h>

#include "core/error.hpp"

namespace hewn::io {
namespace {

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string name, bool owned) : ByteSource(std::move(name)), fd_(fd), owned_(owned) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  std::size_t read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      data_error(name_, 0, std::string("read error: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  bool owned_;
};

// Replays bytes already read (to sniff the format), then the inner source.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::unique_ptr<ByteSource> inner, std::string prefix)
      : ByteSource(inner->name()), inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  std::size_t read(char* buf, std::size_t n) override {
    if (pos_ < prefix_.size()) {
      std::size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return inner_->read(buf, n);
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string prefix_;
  std::size_t pos_ = 0;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<ByteSource> inner)
      : ByteSource(inner->name()), inner_(std::move(inner)), in_buf_(ZSTD_DStreamInSize()) {
    ds_ = ZSTD_createDStream();
    if (!ds_) throw std::bad_alloc();
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }

  std::size_t read(char* buf, std::size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (in_.pos == in_.size) {
        if (eof_) {
          if (pending_ != 0) data_error(name_, 0, "truncated zstd stream");
          return 0;
        }
        std::size_t got = inner_->read(in_buf_.data(), in_buf_.size());
        if (got == 0) {
          eof_ = true;
          continue;
        }
        in_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
      }
      std::size_t r = ZSTD_decompressStream(ds_, &out, &in_);
      if (ZSTD_isError(r)) data_error(name_, 0, std::string("corrupt zstd stream: ") + ZSTD_getErrorName(r));
      pending_ = r;
    }
    return out.pos;
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  ZSTD_DStream* ds_ = nullptr;
  std::size_t pending_ = 0;
  bool eof_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> open_input(const std::string& path) {
  std::unique_ptr<ByteSource> src;
  if (path == "-") {
    src = std::make_unique<FdSource>(0, std::string(stdin_name), false);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) data_error(path, 0, std::string("cannot open: ") + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      data_error(path, 0, "cannot open: is a directory");
    }
    src = std::make_unique<FdSource>(fd, path, true);
  }
  return decompress_if_zstd(std::move(src));
}

std::unique_ptr<ByteSource> decompress_if_zstd(std::unique_ptr<ByteSource> src) {
  // Sniff the first four bytes for the zstd magic number 28 B5 2F FD.
  std::string head(4, '\0');
  std::size_t have = 0;
  while (have < 4) {
    std::size_t got = src->read(head.data() + have, 4 - have);
    if (got == 0) break;
    have += got;
  }
  head.resize(have);
  static constexpr unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  bool zstd = have == 4 && std::memcmp(head.data(), magic, 4) == 0;
  auto prefixed = std::make_unique<PrefixedSource>(std::move(src), std::move(head));
  if (zstd) return std::make_unique<ZstdSource>(std::move(prefixed));
  return prefixed;
}

namespace {
class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string name, std::string data) : ByteSource(std::move(name)), data_(std::move(data)) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};
}  // namespace

std::unique_ptr<ByteSource> open_memory(std::string name, std::string data) {
  return std::make_unique<MemorySource>(std::move(name), std::move(data));
}

std::string read_all(ByteSource& src) {
  std::string out;
  std::size_t len = 0;
  out.resize(1 << 16);
  for (;;) {
    if (len == out.size()) out.resize(out.size() * 2);
    std::size_t got = src.read(out.data() + len, out.size() - len);
    if (got == 0) break;
    len += got;
  }
  out.resize(len);
  return out;
}

}  // namespace hewn::io
