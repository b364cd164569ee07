// Byte sources: files, standard input, and compressed streams (zstd, gzip,
// xz, bzip2, found by their magic numbers), read in blocks (never slurped).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hewn::io {

// A stream of bytes with a name for messages.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf; returns 0 at the end.
  // Errors: DataError naming the source (read failure; "truncated gzip
  // stream", "corrupt xz stream: ..." and the like for compressed input).
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit ByteSource(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// The name used for standard input in messages.
inline constexpr std::string_view stdin_name = "<stdin>";

// Opens "-" (standard input) or a path. When the stream starts with the
// magic number of zstd, gzip, xz or bzip2 it is decompressed transparently,
// whatever its name (concatenated streams, or members, one after another;
// NUL padding after a gzip or bzip2 stream is skipped).
// Errors: DataError "PATH: cannot open: <reason>" (missing, unreadable, a
// directory); those of src.read().
std::unique_ptr<ByteSource> open_input(const std::string& path);

// Wraps src so that a stream starting with one of those magic numbers is
// decompressed (open_input does this for files).
// Errors: those of src.read().
std::unique_ptr<ByteSource> decompress(std::unique_ptr<ByteSource> src);

// The name without a compressed file's extension (.zst, .gz, .xz, .bz2), so
// that "docs.jsonl.gz" is named like "docs.jsonl"; other names unchanged.
std::string_view without_compression_suffix(std::string_view name);

// A source over bytes in memory (tests, fuzzing, embedding in programs).
std::unique_ptr<ByteSource> open_memory(std::string name, std::string data);

// Reads a whole source into memory (for raw documents given as files).
// Errors: those of read().
std::string read_all(ByteSource& src);

}  // namespace hewn::io
