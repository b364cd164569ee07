// Legacy encodings: text in Latin-1, Windows-1252, Shift-JIS, UTF-16... to
// UTF-8 with ICU's converters, and the charset an HTML page declares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::extract {

struct Decoded {
  std::string text;  // valid UTF-8
  // With offsets requested: for each byte of text, the offset of the source
  // byte its character came from; one more entry for the end (the source's
  // size).
  std::vector<std::uint32_t> offsets;
};

// Checks that an encoding name is known to ICU ("latin1", "windows-1252",
// "Shift_JIS", "utf-16le"...).
// Errors: UsageError "unknown --encoding NAME".
void check_encoding(const std::string& name);

// Decodes bytes in encoding (an ICU converter name or alias) to UTF-8; a
// byte order mark at the start is dropped (and, for a UTF-8 or UTF-16 one,
// wins over encoding). offsets: also fill Decoded::offsets.
// Errors: DataError "source:line: not valid ENCODING (byte 0xNN)" for a
// byte sequence the encoding does not map, naming the line (counted in the
// decoded text) and the first byte; DataError "source: unknown charset
// NAME" for a name ICU does not know.
Decoded decode(std::string_view bytes, const std::string& encoding, std::string_view source, bool offsets);

// The charset an HTML page's byte order mark or its <meta charset> /
// <meta http-equiv="Content-Type" content="...; charset=X"> in its first
// 1024 bytes declares (WHATWG's prescan, simplified: comments skipped,
// attributes in any quoting), lowercased; "" when none. A BOM gives
// "utf-8", "utf-16le" or "utf-16be"; a meta that names UTF-16 means UTF-8,
// and ISO-8859-1 or ASCII mean windows-1252, as browsers read them.
// Errors: none.
std::string html_charset(std::string_view bytes);

// True for names of UTF-8 ("utf-8", "utf8", "unicode-1-1-utf-8", any case).
bool is_utf8_name(std::string_view name);

}  // namespace hewn::extract
