// Reading safetensors files (Hugging Face's tensor format): an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the raw little-endian data. The file is mapped,
// not read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::embed {

struct Tensor {
  std::string name;
  std::string dtype;                 // "F32", "F16", "BF16", "F64", "I8", "I32", "I64", ...
  std::vector<std::size_t> shape;
  const unsigned char* data = nullptr;
  std::size_t bytes = 0;
  std::size_t elements() const;
};

class SafeTensors {
 public:
  // Maps and checks the file.
  // Errors: DataError "PATH: cannot open: <reason>"; "PATH: corrupt
  // safetensors header: <what>" for a short file, a header length beyond the
  // file, header JSON that does not parse or lacks dtype/shape/data_offsets,
  // a byte range outside the data or not matching dtype x shape, an unknown
  // dtype.
  explicit SafeTensors(const std::string& path);
  ~SafeTensors();
  SafeTensors(const SafeTensors&) = delete;
  SafeTensors& operator=(const SafeTensors&) = delete;

  const std::string& path() const { return path_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  // nullptr when absent.
  const Tensor* find(std::string_view name) const;
  // Errors: DataError "PATH: no tensor "name"".
  const Tensor& require(std::string_view name) const;

  // The tensor's values as float32, checking its shape (a 0 in shape matches
  // any size). Accepts F32, F16, BF16, F64, I8, I32.
  // Errors: DataError "PATH: tensor "name" has shape [a,b], expected [c,d]";
  // "PATH: tensor "name" has dtype X, not one of A, B" when its dtype is not
  // in allowed (empty: all of the above); "PATH: tensor "name" holds NaN
  // (element i)" or "... holds an infinity ..." (F64 values beyond float's
  // range become infinities).
  std::vector<float> floats(const Tensor& t, std::initializer_list<std::size_t> shape,
                            std::initializer_list<std::string_view> allowed = {}) const;
  // Integer tensor values (I32, I64).
  // Errors: as floats().
  std::vector<std::int64_t> ints(const Tensor& t, std::initializer_list<std::size_t> shape) const;

 private:
  void check(const Tensor& t, std::initializer_list<std::size_t> shape,
             std::initializer_list<std::string_view> allowed) const;
  std::string path_;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::vector<Tensor> tensors_;
};

// Size in bytes of one element of a safetensors dtype; 0 when unknown.
std::size_t dtype_size(std::string_view dtype);

}  // namespace hewn::embed
