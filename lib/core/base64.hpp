// Standard base64 (RFC 4648, with padding): embedding_b64 fields.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hewn {

// Appends the base64 form of data[0..n) to out. Errors: none.
void append_base64(std::string& out, const unsigned char* data, std::size_t n);

// Appends the bytes that text encodes to out; false (out then unspecified)
// when text is not canonical padded base64: a length that is not a multiple
// of 4, a character outside the alphabet, padding other than at the end, or
// nonzero bits left in the last character before padding. Errors: none.
[[nodiscard]] bool decode_base64(std::string_view text, std::string& out);

}  // namespace hewn
