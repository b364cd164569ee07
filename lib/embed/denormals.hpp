// Flushing denormal floats to zero for the span of a forward pass.
// Attention probabilities of long sequences underflow into denormals
// (below 1.2e-38), on which x86 multiply-adds take a microcode assist of
// about a hundred cycles each: with them, sgemm ran 5 times slower over
// a 512-token NomicBERT. Values that small change no output beyond 1e-30.
#pragma once

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace hewn::embed {

// Sets flush-to-zero and denormals-are-zero on the calling thread (the
// thread OpenBLAS runs on, single-threaded), and restores the caller's
// setting at the end of the scope. Errors: none.
class FlushDenormals {
 public:
#if defined(__SSE__) || defined(__x86_64__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#else
  FlushDenormals() = default;
#endif
 public:
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace hewn::embed
