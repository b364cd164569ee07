// The on-disk format's building blocks: little-endian binary writers and
// bounds-checked readers, variable-byte integers, SHA-256 of files,
// read-only mappings of files with views over their arrays, and whole-file
// reads with checksum verification. The layout itself is documented in
// index(1), section FILES; when checksums are verified, in its section
// INTEGRITY.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::index {

// The newest format version this code reads: 2 for an index with
// segments or deleted chunks (index add, index delete); an index without
// them is written as version 1 (plain_format_version), as before.
inline constexpr int format_version = 2;
inline constexpr int plain_format_version = 1;
// Postings per block (each block has its maximum tf part).
inline constexpr std::uint32_t block_size = 128;
// Chunk records per zstd frame of the document store.
inline constexpr std::uint32_t records_per_block = 32;

inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Decodes a varint at p (the caller guarantees that the bytes are there:
// data was checksummed and written by put_varint).
inline std::uint64_t get_varint(const std::uint8_t*& p) {
  std::uint64_t v = 0;
  int shift = 0;
  while (*p & 0x80) {
    v |= static_cast<std::uint64_t>(*p++ & 0x7f) << shift;
    shift += 7;
  }
  v |= static_cast<std::uint64_t>(*p++) << shift;
  return v;
}

// Decodes a varint at p that must end before end; false (p unspecified)
// when it does not, or when it has more than 64 bits.
[[nodiscard]] inline bool get_varint_checked(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    std::uint8_t byte = *p++;
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return shift < 63 || (byte & 0x7f) <= 1;
  }
  return false;
}

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
void put_array(std::string& out, const std::vector<T>& v) {
  if (v.empty()) return;
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// Element i of an array of T that starts at p (any alignment).
template <class T>
T load(const unsigned char* p, std::size_t i) {
  T v;
  std::memcpy(&v, p + i * sizeof(T), sizeof(T));
  return v;
}

// n little-endian values of type T in place (a mapped file's, which may
// not be aligned for T), read with memcpy; or values it owns (an index
// assembled in memory). Moving keeps the view valid; copying is not allowed.
template <class T>
class Array {
 public:
  Array() = default;
  Array(const void* p, std::size_t n) : p_(static_cast<const unsigned char*>(p)), n_(n) {}
  explicit Array(std::vector<T>&& own) : own_(std::move(own)), p_(bytes_of(own_)), n_(own_.size()) {}
  Array(Array&& o) noexcept : own_(std::move(o.own_)), p_(o.p_), n_(o.n_) {}  // a vector's buffer moves with it
  Array& operator=(Array&& o) noexcept {
    own_ = std::move(o.own_);
    p_ = o.p_;
    n_ = o.n_;
    return *this;
  }
  Array& operator=(std::vector<T>&& own) { return *this = Array(std::move(own)); }
  T operator[](std::size_t i) const { return load<T>(p_, i); }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const unsigned char* bytes() const { return p_; }
  T front() const { return (*this)[0]; }
  T back() const { return (*this)[n_ - 1]; }
  std::vector<T> to_vector() const {
    std::vector<T> v(n_);
    if (n_) std::memcpy(v.data(), p_, n_ * sizeof(T));
    return v;
  }
  // Whether no element is below the one before it.
  bool ascending() const {
    for (std::size_t i = 1; i < n_; ++i)
      if ((*this)[i] < (*this)[i - 1]) return false;
    return true;
  }

 private:
  static const unsigned char* bytes_of(const std::vector<T>& v) {
    return reinterpret_cast<const unsigned char*>(v.data());
  }
  std::vector<T> own_;
  const unsigned char* p_ = nullptr;
  std::size_t n_ = 0;
};

// Reads a file's bytes with bounds checks; errors name the file.
class BinReader {
 public:
  BinReader(std::string_view data, std::string name) : data_(data), name_(std::move(name)) {}
  // Errors: DataError "FILE: truncated or corrupt" when fewer bytes remain.
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <class T>
  void get_array(std::vector<T>& v, std::uint64_t n) {
    if (n > (data_.size() - pos_) / sizeof(T)) fail();
    v.resize(n);
    if (n == 0) return;
    std::memcpy(v.data(), data_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
  }
  std::string_view bytes(std::uint64_t n) {
    need(n);
    auto s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  // A view of the next n elements of type T (read in place, unaligned).
  // Errors: as get().
  template <class T>
  Array<T> view(std::uint64_t n);
  std::size_t remaining() const { return data_.size() - pos_; }
  [[noreturn]] void fail() const;

 private:
  void need(std::uint64_t n) const {
    if (n > data_.size() - pos_) fail();
  }
  std::string_view data_;
  std::size_t pos_ = 0;
  std::string name_;
};

template <class T>
Array<T> BinReader::view(std::uint64_t n) {
  if (n > (data_.size() - pos_) / sizeof(T)) fail();
  Array<T> a(data_.data() + pos_, n);
  pos_ += n * sizeof(T);
  return a;
}

// Incremental SHA-256 (OpenSSL).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  // Lower-case hex digest; the object is then spent.
  std::string hex();

 private:
  void* ctx_;
};

std::string sha256_hex(std::string_view bytes);

// One file of an index, as listed in manifest.json.
struct FileEntry {
  std::string name;
  std::uint64_t bytes = 0;
  std::string sha256;
};

// Writes bytes to DIR/NAME (a new file), returning its manifest entry.
// Errors: DataError "DIR/NAME: write error: <reason>".
FileEntry write_file(const std::string& dir, const std::string& name, std::string_view bytes);

// A file written in pieces (the document store), hashed as it goes.
class FileWriter {
 public:
  // Errors: DataError "PATH: cannot create: <reason>".
  FileWriter(const std::string& dir, const std::string& name);
  ~FileWriter();
  // Errors: DataError "PATH: write error: <reason>".
  void write(std::string_view bytes);
  // Closes the file. Errors: as write().
  FileEntry finish();
  std::uint64_t size() const { return entry_.bytes; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  Sha256 sha_;
  FileEntry entry_;
};

// A file mapped read-only into memory (empty files have no mapping).
// Move-only; the mapping goes with the object.
class MappedFile {
 public:
  MappedFile() = default;
  // populate: map every page at once (MAP_POPULATE), for a file that is
  // read whole (a Flat index's vectors): far cheaper than a fault per page.
  // Errors: DataError "PATH: cannot open: <reason>".
  explicit MappedFile(const std::string& path, bool populate = false);
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr, o.size_ = 0; }
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Maps DIR/NAME and checks its size against its manifest entry (not its
// SHA-256: verify_file() does, index verify and index build do).
// Errors: DataError "DIR/NAME: cannot open: <reason>", "DIR/NAME: size
// differs from manifest.json (the index is corrupt)".
MappedFile map_listed(const std::string& dir, const FileEntry& entry, bool populate = false);

// Checks DIR/NAME's size and SHA-256 against its manifest entry, reading it
// through a mapping. Errors: as read_verified().
void verify_file(const std::string& dir, const FileEntry& entry);

// Reads DIR/NAME whole and checks it against its manifest entry.
// Errors: DataError "DIR/NAME: cannot open: <reason>" when missing,
// "DIR/NAME: checksum mismatch (the index is corrupt)" when its size or
// SHA-256 differ.
std::string read_verified(const std::string& dir, const FileEntry& entry);

}  // namespace hewn::index
