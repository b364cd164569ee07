// Helpers shared by the fuzz targets that feed bytes to file readers.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

// Aborts (a finding) when an invariant fails; unlike assert it stays in
// release builds.
#define FUZZ_REQUIRE(c)     \
  do {                      \
    if (!(c)) std::abort(); \
  } while (0)

namespace fuzz {

// A private scratch directory (in memory when /dev/shm exists), removed at exit.
inline const std::string& scratch() {
  static const std::string dir = [] {
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                     : std::filesystem::temp_directory_path();
    auto d = base / ("hewn-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    static struct Cleanup {
      std::filesystem::path p;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(p, ec);
      }
    } cleanup{d};
    return d.string();
  }();
  return dir;
}

// Writes bytes to scratch()/name and returns the path.
inline std::string put(const std::string& name, std::string_view bytes) {
  std::string path = scratch() + "/" + name;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// A committed fixture (tests/fuzz/fixtures, written by make-seeds fixtures).
inline std::string fixture(const std::string& name) { return std::string(HEWN_SOURCE_DIR) + "/tests/fuzz/fixtures/" + name; }

inline std::string_view bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace fuzz
