#include "index/format.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <sys/stat.h>
#include <algorithm>

#include "core/error.hpp"
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hewn::index {

void BinReader::fail() const { throw DataError(name_ + ": truncated or corrupt"); }

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw Error("OpenSSL: cannot initialise SHA-256");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view b) { EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), b.data(), b.size()); }

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s.push_back(digits[md[i] >> 4]);
    s.push_back(digits[md[i] & 15]);
  }
  return s;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

FileWriter::FileWriter(const std::string& dir, const std::string& name) : path_(dir + "/" + name) {
  entry_.name = name;
  f_ = std::fopen(path_.c_str(), "wbx");
  if (!f_) throw DataError(path_ + ": cannot create: " + std::strerror(errno));
}

FileWriter::~FileWriter() {
  if (f_) std::fclose(f_);
}

void FileWriter::write(std::string_view b) {
  if (b.empty()) return;
  if (std::fwrite(b.data(), 1, b.size(), f_) != b.size()) throw DataError(path_ + ": write error: " + std::strerror(errno));
  sha_.update(b);
  entry_.bytes += b.size();
}

FileEntry FileWriter::finish() {
  // Flushed to the disk too, so that the rename that publishes the index
  // never gets ahead of its contents (a power cut leaves the old index).
  int bad = std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0;
  int e = errno;
  bad |= std::fclose(f_) != 0;
  f_ = nullptr;
  if (bad) throw DataError(path_ + ": write error: " + std::strerror(e ? e : errno));
  entry_.sha256 = sha_.hex();
  return entry_;
}

FileEntry write_file(const std::string& dir, const std::string& name, std::string_view bytes) {
  FileWriter w(dir, name);
  w.write(bytes);
  return w.finish();
}

namespace {
// The bytes of a file as they are (no zstd sniffing: the document store
// starts with a zstd frame).
std::string read_plain(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  std::size_t size = ::fstat(::fileno(f), &st) == 0 && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
  std::string data(size, '\0');
  std::size_t got = size ? std::fread(data.data(), 1, size, f) : 0;
  data.resize(got);
  if (got == size) {  // to the end, whatever fstat said
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  }
  bool bad = std::ferror(f);
  int e = errno;
  std::fclose(f);
  if (bad) throw DataError(path + ": read error: " + std::strerror(e));
  return data;
}
}  // namespace

MappedFile::MappedFile(const std::string& path, bool populate) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  int bad = ::fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? (S_ISDIR(st.st_mode) ? EISDIR : EINVAL) : 0;
  if (bad) {
    ::close(fd);
    throw DataError(path + ": cannot open: " + std::strerror(bad));
  }
  if (st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_SHARED | (populate ? MAP_POPULATE : 0),
                     fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw DataError(path + ": cannot open: " + std::strerror(e));
    }
    data_ = static_cast<const char*>(p);
    size_ = static_cast<std::size_t>(st.st_size);
  }
  ::close(fd);  // the mapping stays
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    data_ = o.data_;
    size_ = o.size_;
    o.data_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

MappedFile map_listed(const std::string& dir, const FileEntry& entry, bool populate) {
  std::string path = dir + "/" + entry.name;
  MappedFile f(path, populate);
  if (f.bytes().size() != entry.bytes) throw DataError(path + ": size differs from manifest.json (the index is corrupt)");
  return f;
}

void verify_file(const std::string& dir, const FileEntry& entry) {
  std::string path = dir + "/" + entry.name;
  MappedFile f(path);
  if (f.bytes().size() != entry.bytes || sha256_hex(f.bytes()) != entry.sha256)
    throw DataError(path + ": checksum mismatch (the index is corrupt)");
}

std::string read_verified(const std::string& dir, const FileEntry& entry) {
  std::string path = dir + "/" + entry.name;
  std::string data = read_plain(path);
  if (data.size() != entry.bytes || sha256_hex(data) != entry.sha256)
    throw DataError(path + ": checksum mismatch (the index is corrupt)");
  return data;
}

}  // namespace hewn::index
