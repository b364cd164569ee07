// SHA-256 (FIPS 180-4), for checking downloaded rank files.
#pragma once

#include <string>
#include <string_view>

namespace hewn::tokenize {

// The lowercase hex SHA-256 digest of data.
std::string sha256_hex(std::string_view data);

}  // namespace hewn::tokenize
