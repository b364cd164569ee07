#include "core/output.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
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

// Calls f on consecutive pieces of bytes of at most 1 GiB (zlib and libbz2
// count in 32 bits).
template <class F>
void in_pieces(std::string_view bytes, F f) {
  while (!bytes.empty()) {
    std::size_t k = std::min<std::size_t>(bytes.size(), 1u << 30);
    f(bytes.substr(0, k));
    bytes.remove_prefix(k);
  }
}

// gzip (level 6, gzip's default).
class GzipSink final : public ByteSink {
 public:
  explicit GzipSink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)), out_(1 << 16) {
    if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSink() override { deflateEnd(&z_); }
  void write(std::string_view bytes) override {
    in_pieces(bytes, [&](std::string_view piece) { run(piece, Z_NO_FLUSH); });
  }
  void commit() override {
    run({}, Z_FINISH);
    inner_->commit();
  }

 private:
  void run(std::string_view bytes, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(bytes.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      int r = deflate(&z_, flush);
      if (r == Z_STREAM_ERROR) throw Error("gzip: deflate failed");
      inner_->write({out_.data(), out_.size() - z_.avail_out});
      if (flush == Z_FINISH ? r == Z_STREAM_END : z_.avail_in == 0 && z_.avail_out != 0) break;
    }
  }
  std::unique_ptr<ByteSink> inner_;
  std::vector<char> out_;
  z_stream z_{};
};

// xz (preset 6, xz's default; CRC64 check).
class XzSink final : public ByteSink {
 public:
  explicit XzSink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)), out_(1 << 16) {
    if (lzma_easy_encoder(&s_, 6, LZMA_CHECK_CRC64) != LZMA_OK) throw std::bad_alloc();
  }
  ~XzSink() override { lzma_end(&s_); }
  void write(std::string_view bytes) override { run(bytes, LZMA_RUN); }
  void commit() override {
    run({}, LZMA_FINISH);
    inner_->commit();
  }

 private:
  void run(std::string_view bytes, lzma_action action) {
    s_.next_in = reinterpret_cast<const uint8_t*>(bytes.data());
    s_.avail_in = bytes.size();
    for (;;) {
      s_.next_out = reinterpret_cast<uint8_t*>(out_.data());
      s_.avail_out = out_.size();
      lzma_ret r = lzma_code(&s_, action);
      if (r != LZMA_OK && r != LZMA_STREAM_END) throw Error("xz: encoder error " + std::to_string(r));
      inner_->write({out_.data(), out_.size() - s_.avail_out});
      if (action == LZMA_FINISH ? r == LZMA_STREAM_END : s_.avail_in == 0 && s_.avail_out != 0) break;
    }
  }
  std::unique_ptr<ByteSink> inner_;
  std::vector<char> out_;
  lzma_stream s_ = LZMA_STREAM_INIT;
};

// bzip2 (900 kB blocks, bzip2's default).
class Bzip2Sink final : public ByteSink {
 public:
  explicit Bzip2Sink(std::unique_ptr<ByteSink> inner) : inner_(std::move(inner)), out_(1 << 16) {
    if (BZ2_bzCompressInit(&s_, 9, 0, 0) != BZ_OK) throw std::bad_alloc();
  }
  ~Bzip2Sink() override { BZ2_bzCompressEnd(&s_); }
  void write(std::string_view bytes) override {
    in_pieces(bytes, [&](std::string_view piece) { run(piece, BZ_RUN); });
  }
  void commit() override {
    run({}, BZ_FINISH);
    inner_->commit();
  }

 private:
  void run(std::string_view bytes, int action) {
    s_.next_in = const_cast<char*>(bytes.data());
    s_.avail_in = static_cast<unsigned>(bytes.size());
    for (;;) {
      s_.next_out = out_.data();
      s_.avail_out = static_cast<unsigned>(out_.size());
      int r = BZ2_bzCompress(&s_, action);
      if (r < 0) throw Error("bzip2: compressor error " + std::to_string(r));
      inner_->write({out_.data(), out_.size() - s_.avail_out});
      if (action == BZ_FINISH ? r == BZ_STREAM_END : s_.avail_in == 0) break;
    }
  }
  std::unique_ptr<ByteSink> inner_;
  std::vector<char> out_;
  bz_stream s_{};
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
  else if (ends_with(path, ".gz")) sink = std::make_unique<GzipSink>(std::move(sink));
  else if (ends_with(path, ".xz")) sink = std::make_unique<XzSink>(std::move(sink));
  else if (ends_with(path, ".bz2")) sink = std::make_unique<Bzip2Sink>(std::move(sink));
  return buffered(std::move(sink));
}

std::unique_ptr<ByteSink> buffered(std::unique_ptr<ByteSink> inner) {
  return std::make_unique<BufferedSink>(std::move(inner));
}

}  // namespace hewn::io
