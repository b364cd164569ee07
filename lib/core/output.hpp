// Byte sinks: standard output, files written atomically (temporary name, then
// rename), and compression by the path's extension: .zst, .gz, .xz, .bz2.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hewn::io {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends bytes. Errors: BrokenPipe when the reader has gone (EPIPE);
  // DataError "PATH: write error: <reason>" otherwise (disk full, ...).
  virtual void write(std::string_view bytes) = 0;
  // Flushes and, for files, renames the temporary file into place. Must be
  // called once on success; a sink destroyed without commit() removes its
  // temporary file and leaves any existing file untouched.
  // Errors: as write().
  virtual void commit() = 0;
};

// Opens "-" (standard output) or a path. A path ending in ".zst" is written
// zstd-compressed (level 3), ".gz" gzip (level 6), ".xz" xz (preset 6),
// ".bz2" bzip2 (900 kB blocks): the defaults of the zstd, gzip, xz and bzip2
// tools. A regular file (or a path that does not exist
// yet) is written to "PATH.tmp-<pid>" beside it and renamed on commit(),
// keeping an existing file's permission bits; symbolic links are followed,
// so the link stays and its target is replaced. A FIFO or a device (such as
// /dev/null) is written in place: renaming would replace it.
// Errors: DataError "PATH: cannot create: <reason>" ("Is a directory" for a
// directory), "PATH: cannot open: <reason>" for a FIFO or device.
std::unique_ptr<ByteSink> open_output(const std::string& path);

// A sink that buffers writes (64 KiB) in front of another sink.
std::unique_ptr<ByteSink> buffered(std::unique_ptr<ByteSink> inner);

}  // namespace hewn::io
