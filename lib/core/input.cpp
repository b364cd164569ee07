#include "core/input.hpp"

#include <algorithm>
#include <cerrno>
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

// The common part of decompressing sources: blocks of the compressed
// inner source, read as the decoder asks, and the messages of bad streams.
class Decompressor : public ByteSource {
 protected:
  Decompressor(std::unique_ptr<ByteSource> inner, const char* format, std::size_t block = 1 << 16)
      : ByteSource(inner->name()), inner_(std::move(inner)), buf_(block), format_(format) {}
  // Makes compressed bytes available; false at the end of the inner source.
  bool fill() {
    if (pos_ < len_) return true;
    if (eof_) return false;
    pos_ = 0;
    len_ = inner_->read(buf_.data(), buf_.size());
    eof_ = len_ == 0;
    return !eof_;
  }
  // After the end of a stream: skips NUL padding (as gzip and bzip2 do) and
  // says whether more bytes follow (another stream).
  bool more_after_end() {
    while (fill()) {
      while (pos_ < len_ && buf_[pos_] == '\0') ++pos_;
      if (pos_ < len_) return true;
    }
    return false;
  }
  const char* in() const { return buf_.data() + pos_; }
  std::size_t avail() const { return len_ - pos_; }
  void consume(std::size_t n) { pos_ += n; }
  [[noreturn]] void truncated() const { data_error(name_, 0, std::string("truncated ") + format_ + " stream"); }
  [[noreturn]] void corrupt(const std::string& what) const {
    data_error(name_, 0, std::string("corrupt ") + format_ + " stream: " + what);
  }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
  const char* format_;
};

class ZstdSource final : public Decompressor {
 public:
  explicit ZstdSource(std::unique_ptr<ByteSource> inner)
      : Decompressor(std::move(inner), "zstd", ZSTD_DStreamInSize()) {
    ds_ = ZSTD_createDStream();
    if (!ds_) throw std::bad_alloc();
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }

  std::size_t read(char* buf, std::size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (!fill()) {
        if (pending_ != 0) truncated();
        return 0;
      }
      ZSTD_inBuffer src{in(), avail(), 0};
      std::size_t r = ZSTD_decompressStream(ds_, &out, &src);
      consume(src.pos);
      if (ZSTD_isError(r)) corrupt(ZSTD_getErrorName(r));
      pending_ = r;
    }
    return out.pos;
  }

 private:
  ZSTD_DStream* ds_ = nullptr;
  std::size_t pending_ = 0;
};

// gzip, one member after another (as gzip -d reads them).
class GzipSource final : public Decompressor {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> inner) : Decompressor(std::move(inner), "gzip") {
    if (inflateInit2(&z_, 15 + 16) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&z_); }

  std::size_t read(char* buf, std::size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    const uInt room = z_.avail_out;
    while (z_.avail_out == room) {
      if (ended_) {
        if (!more_after_end()) return 0;
        inflateReset(&z_);
        ended_ = false;
      }
      if (!fill()) truncated();
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in()));
      z_.avail_in = static_cast<uInt>(std::min<std::size_t>(avail(), 1u << 30));
      const uInt given = z_.avail_in;
      int r = inflate(&z_, Z_NO_FLUSH);
      consume(given - z_.avail_in);
      if (r == Z_STREAM_END) ended_ = true;
      else if (r != Z_OK && r != Z_BUF_ERROR) corrupt(z_.msg ? z_.msg : zError(r));
    }
    return room - z_.avail_out;
  }

 private:
  z_stream z_{};
  bool ended_ = false;
};

// xz, concatenated streams and padding included (as xz -d reads them).
class XzSource final : public Decompressor {
 public:
  explicit XzSource(std::unique_ptr<ByteSource> inner) : Decompressor(std::move(inner), "xz") {
    if (lzma_stream_decoder(&s_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) throw std::bad_alloc();
  }
  ~XzSource() override { lzma_end(&s_); }

  std::size_t read(char* buf, std::size_t n) override {
    s_.next_out = reinterpret_cast<uint8_t*>(buf);
    s_.avail_out = n;
    while (s_.avail_out == n && !done_) {
      lzma_action action = fill() ? LZMA_RUN : LZMA_FINISH;
      s_.next_in = reinterpret_cast<const uint8_t*>(in());
      s_.avail_in = avail();
      lzma_ret r = lzma_code(&s_, action);
      consume(avail() - s_.avail_in);
      if (r == LZMA_STREAM_END) done_ = true;
      else if (r == LZMA_BUF_ERROR && action == LZMA_FINISH) truncated();
      else if (r != LZMA_OK) corrupt(message(r));
    }
    return n - s_.avail_out;
  }

 private:
  static const char* message(lzma_ret r) {
    switch (r) {
      case LZMA_MEM_ERROR: return "out of memory";
      case LZMA_FORMAT_ERROR: return "not in the xz format";
      case LZMA_OPTIONS_ERROR: return "unsupported options";
      case LZMA_DATA_ERROR: return "compressed data is corrupt";
      case LZMA_BUF_ERROR: return "unexpected end of input";
      default: return "decoder error";
    }
  }
  lzma_stream s_ = LZMA_STREAM_INIT;
  bool done_ = false;
};

// bzip2, one stream after another (as bzip2 -d reads them).
class Bzip2Source final : public Decompressor {
 public:
  explicit Bzip2Source(std::unique_ptr<ByteSource> inner) : Decompressor(std::move(inner), "bzip2") { init(); }
  ~Bzip2Source() override { BZ2_bzDecompressEnd(&s_); }

  std::size_t read(char* buf, std::size_t n) override {
    s_.next_out = buf;
    s_.avail_out = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
    const unsigned room = s_.avail_out;
    while (s_.avail_out == room) {
      if (ended_) {
        if (!more_after_end()) return 0;
        BZ2_bzDecompressEnd(&s_);
        init();
        s_.next_out = buf;
        s_.avail_out = room;
        ended_ = false;
      }
      if (!fill()) truncated();
      s_.next_in = const_cast<char*>(in());
      s_.avail_in = static_cast<unsigned>(std::min<std::size_t>(avail(), 1u << 30));
      const unsigned given = s_.avail_in;
      int r = BZ2_bzDecompress(&s_);
      consume(given - s_.avail_in);
      if (r == BZ_STREAM_END) ended_ = true;
      else if (r != BZ_OK) corrupt(r == BZ_DATA_ERROR_MAGIC ? "not in the bzip2 format" : r == BZ_MEM_ERROR ? "out of memory" : "compressed data is corrupt");
    }
    return room - s_.avail_out;
  }

 private:
  void init() {
    s_ = bz_stream{};
    if (BZ2_bzDecompressInit(&s_, 0, 0) != BZ_OK) throw std::bad_alloc();
  }
  bz_stream s_{};
  bool ended_ = false;
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
  return decompress(std::move(src));
}

std::unique_ptr<ByteSource> decompress(std::unique_ptr<ByteSource> src) {
  // Sniff the first bytes for a magic number: zstd 28 B5 2F FD, gzip 1F 8B,
  // xz FD 37 7A 58 5A 00, bzip2 "BZh" and a block size digit.
  std::string head(6, '\0');
  std::size_t have = 0;
  while (have < head.size()) {
    std::size_t got = src->read(head.data() + have, head.size() - have);
    if (got == 0) break;
    have += got;
  }
  head.resize(have);
  const std::string_view h = head;
  enum { none, zstd, gzip, xz, bzip2 } format = none;
  if (h.starts_with("\x28\xB5\x2F\xFD")) format = zstd;
  else if (h.starts_with("\x1F\x8B")) format = gzip;
  else if (h == std::string_view("\xFD" "7zXZ\0", 6)) format = xz;
  else if (h.size() >= 4 && h.starts_with("BZh") && h[3] >= '1' && h[3] <= '9') format = bzip2;
  auto prefixed = std::make_unique<PrefixedSource>(std::move(src), std::move(head));
  switch (format) {
    case zstd: return std::make_unique<ZstdSource>(std::move(prefixed));
    case gzip: return std::make_unique<GzipSource>(std::move(prefixed));
    case xz: return std::make_unique<XzSource>(std::move(prefixed));
    case bzip2: return std::make_unique<Bzip2Source>(std::move(prefixed));
    case none: break;
  }
  return prefixed;
}

std::string_view without_compression_suffix(std::string_view name) {
  for (std::string_view ext : {".zst", ".gz", ".xz", ".bz2"})
    if (name.size() > ext.size() && name.ends_with(ext)) return name.substr(0, name.size() - ext.size());
  return name;
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
