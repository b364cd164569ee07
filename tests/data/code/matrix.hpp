// A small matrix library: templates, namespaces, nested classes, operators.
#pragma once

#include <array>
#include <cstddef>
#include <ostream>

#define MATRIX_ASSERT(x) \
  do {                   \
    if (!(x)) throw std::out_of_range(#x); \
  } while (0)

namespace linalg {

template <typename T, std::size_t R, std::size_t C>
class Matrix {
 public:
  class Row {
   public:
    Row(T* data) : data_(data) {}
    T& operator[](std::size_t c) { return data_[c]; }

   private:
    T* data_;
  };

  Matrix() { data_.fill(T{}); }

  static Matrix identity() {
    static_assert(R == C, "identity needs a square matrix");
    Matrix m;
    for (std::size_t i = 0; i < R; ++i) m(i, i) = T{1};
    return m;
  }

  T& operator()(std::size_t r, std::size_t c) {
    MATRIX_ASSERT(r < R && c < C);
    return data_[r * C + c];
  }

  Row operator[](std::size_t r) { return Row(&data_[r * C]); }

  template <std::size_t K>
  Matrix<T, R, K> operator*(const Matrix<T, C, K>& other) const {
    Matrix<T, R, K> out;
    for (std::size_t i = 0; i < R; ++i)
      for (std::size_t j = 0; j < K; ++j) {
        T sum{};
        for (std::size_t k = 0; k < C; ++k) sum += at(i, k) * other.at(k, j);
        out(i, j) = sum;
      }
    return out;
  }

  const T& at(std::size_t r, std::size_t c) const { return data_[r * C + c]; }

 private:
  std::array<T, R * C> data_;
};

namespace detail {
inline void print_row(std::ostream& os, const double* row, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) os << (i ? " " : "") << row[i];
  os << '\n';
}
}  // namespace detail

template <typename T, std::size_t R, std::size_t C>
std::ostream& operator<<(std::ostream& os, const Matrix<T, R, C>& m) {
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t c = 0; c < C; ++c) os << m.at(r, c) << (c + 1 == C ? '\n' : ' ');
  return os;
}

}  // namespace linalg
