#include "embed/safetensors.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "core/half.hpp"

namespace hewn::embed {
namespace {

std::string shape_text(const std::vector<std::size_t>& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(s[i]);
  }
  return out + "]";
}

template <class T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::size_t Tensor::elements() const {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::size_t dtype_size(std::string_view d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2") return 1;
  return 0;
}

SafeTensors::SafeTensors(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw DataError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw DataError(path + ": cannot open: not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      int e = errno;
      ::close(fd);
      throw DataError(path + ": cannot open: " + std::strerror(e));
    }
  }
  ::close(fd);
  auto corrupt = [&](const std::string& what) {
    throw DataError(path + ": corrupt safetensors header: " + what);
  };
  try {
    if (size_ < 8) corrupt("the file is " + std::to_string(size_) + " bytes long");
    const auto* base = static_cast<const unsigned char*>(map_);
    std::uint64_t n = load<std::uint64_t>(base);
    if (n > size_ - 8) corrupt("header length " + std::to_string(n) + " exceeds the file");
    std::size_t data_begin = 8 + n, data_size = size_ - data_begin;
    simdjson::dom::parser parser;
    simdjson::padded_string header(reinterpret_cast<const char*>(base + 8), n);
    simdjson::dom::element root;
    if (auto err = parser.parse(header).get(root)) corrupt(std::string("invalid JSON: ") + simdjson::error_message(err));
    simdjson::dom::object obj;
    if (root.get(obj)) corrupt("the header is not a JSON object");
    for (auto [key, value] : obj) {
      if (key == "__metadata__") continue;
      Tensor t;
      t.name = std::string(key);
      std::string where = "tensor " + hewn::quoted(t.name) + ": ";
      std::string_view dtype;
      simdjson::dom::array shape, offsets;
      if (value["dtype"].get(dtype) || value["shape"].get(shape) || value["data_offsets"].get(offsets))
        corrupt(where + "needs dtype, shape and data_offsets");
      t.dtype = std::string(dtype);
      std::size_t esize = dtype_size(dtype);
      if (esize == 0) corrupt(where + "unknown dtype " + hewn::quoted(dtype));
      for (auto d : shape) {
        std::uint64_t v;
        if (d.get(v)) corrupt(where + "shape is not a list of sizes");
        t.shape.push_back(v);
      }
      std::uint64_t off[2];
      std::size_t k = 0;
      for (auto o : offsets) {
        if (k == 2 || o.get(off[k])) corrupt(where + "data_offsets is not [begin, end]");
        ++k;
      }
      if (k != 2 || off[0] > off[1] || off[1] > data_size)
        corrupt(where + "data_offsets outside the " + std::to_string(data_size) + " data bytes");
      t.bytes = off[1] - off[0];
      std::uint64_t need = esize;  // the shape's bytes, checked for overflow (elements() is then exact)
      for (std::uint64_t d : t.shape)
        if (__builtin_mul_overflow(need, d, &need))
          corrupt(where + "shape " + shape_text(t.shape) + " is too large");
      if (t.bytes != need)
        corrupt(where + std::to_string(t.bytes) + " bytes for " + t.dtype + " " + shape_text(t.shape));
      t.data = base + data_begin + off[0];
      tensors_.push_back(std::move(t));
    }
  } catch (...) {
    if (map_) ::munmap(map_, size_);
    map_ = nullptr;
    throw;
  }
}

SafeTensors::~SafeTensors() {
  if (map_) ::munmap(map_, size_);
}

const Tensor* SafeTensors::find(std::string_view name) const {
  for (const Tensor& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const Tensor& SafeTensors::require(std::string_view name) const {
  if (const Tensor* t = find(name)) return *t;
  throw DataError(path_ + ": no tensor " + hewn::quoted(name));
}

void SafeTensors::check(const Tensor& t, std::initializer_list<std::size_t> shape,
                        std::initializer_list<std::string_view> allowed) const {
  bool ok = t.shape.size() == shape.size();
  std::size_t i = 0;
  for (std::size_t d : shape) {
    if (ok && d != 0 && t.shape[i] != d) ok = false;
    ++i;
  }
  if (!ok) {
    std::string want = "[";
    i = 0;
    for (std::size_t d : shape) {
      if (i++) want += ',';
      want += d ? std::to_string(d) : std::string("*");
    }
    throw DataError(path_ + ": tensor " + hewn::quoted(t.name) + " has shape " + shape_text(t.shape) + ", expected " +
                    want + "]");
  }
  bool dtype_ok = false;
  std::string names;
  for (auto a : allowed) {
    if (t.dtype == a) dtype_ok = true;
    if (!names.empty()) names += ", ";
    names += a;
  }
  if (!dtype_ok)
    throw DataError(path_ + ": tensor " + hewn::quoted(t.name) + " has dtype " + t.dtype + ", not one of " + names);
}

std::vector<float> SafeTensors::floats(const Tensor& t, std::initializer_list<std::size_t> shape,
                                       std::initializer_list<std::string_view> allowed) const {
  if (allowed.size() == 0)
    check(t, shape, {"F32", "F16", "BF16", "F64", "I8", "I32"});
  else
    check(t, shape, allowed);
  std::size_t n = t.elements();
  std::vector<float> out(n);
  const unsigned char* p = t.data;
  if (t.dtype == "F32") {
    std::memcpy(out.data(), p, n * 4);
  } else if (t.dtype == "F16") {
    for (std::size_t i = 0; i < n; ++i) out[i] = half_to_float(load<std::uint16_t>(p + 2 * i));
  } else if (t.dtype == "BF16") {
    for (std::size_t i = 0; i < n; ++i) out[i] = bf16_to_float(load<std::uint16_t>(p + 2 * i));
  } else if (t.dtype == "F64") {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<double>(p + 8 * i));
  } else if (t.dtype == "I8") {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<std::int8_t>(p[i]));
  } else if (t.dtype == "I32") {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<std::int32_t>(p + 4 * i));
  }
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(out[i]))
      throw DataError(path_ + ": tensor " + hewn::quoted(t.name) + " holds " + (std::isnan(out[i]) ? "NaN" : "an infinity") +
                      " (element " + std::to_string(i) + ")");
  return out;
}

std::vector<std::int64_t> SafeTensors::ints(const Tensor& t, std::initializer_list<std::size_t> shape) const {
  check(t, shape, {"I32", "I64"});
  std::size_t n = t.elements();
  std::vector<std::int64_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = t.dtype == "I32" ? load<std::int32_t>(t.data + 4 * i) : load<std::int64_t>(t.data + 8 * i);
  return out;
}

}  // namespace hewn::embed
