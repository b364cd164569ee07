// IEEE 754 binary16 and bfloat16 conversions.
#pragma once

#include <bit>
#include <cstdint>

namespace hewn {

inline float half_to_float(std::uint16_t h) {
  std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
  std::uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  std::uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: renormalize
      int e = -1;
      do {
        ++e;
        man <<= 1;
      } while ((man & 0x400) == 0);
      bits = sign | static_cast<std::uint32_t>(127 - 15 - e) << 23 | (man & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000 | man << 13;
  } else {
    bits = sign | (exp + 112) << 23 | man << 13;
  }
  return std::bit_cast<float>(bits);
}

// Round to nearest, ties to even; overflow gives infinity.
inline std::uint16_t float_to_half(float f) {
  std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000);
  std::uint32_t abs = x & 0x7FFFFFFF;
  if (abs >= 0x7F800000) return sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 : 0);  // inf, nan
  if (abs >= 0x477FF000) return sign | 0x7C00;  // rounds to >= 65520: infinity
  if (abs < 0x38800000) {                      // below the smallest normal half: subnormal or zero
    if (abs < 0x33000000) return sign;         // < 2^-25: rounds to zero
    std::uint32_t e = abs >> 23;
    std::uint32_t man = (abs & 0x7FFFFF) | 0x800000;
    std::uint32_t shift = 126 - e;  // 14 - (e - 127) + 13 - ... : value = man * 2^(e-150); half unit 2^-24
    std::uint32_t q = man >> shift, rem = man & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1))) ++q;
    return sign | static_cast<std::uint16_t>(q);
  }
  std::uint32_t r = abs + 0xFFF + ((abs >> 13) & 1);  // round to nearest even at bit 13
  return sign | static_cast<std::uint16_t>((r - 0x38000000) >> 13);
}

inline float bf16_to_float(std::uint16_t h) { return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16); }

}  // namespace hewn
