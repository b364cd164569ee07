// What every client's response parser shares: the error a malformed answer
// raises, and the human text of a server's error body.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hewn::remote {

// A response that is not what the endpoint documents: malformed JSON, a
// missing field, a wrong count or dimension, a value that is not finite.
// what() says which, without the body ("response has 3 embeddings for 4
// inputs"). Clients turn it into an error of the inputs concerned.
class BadResponse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The message of an error body, as OpenAI ({"error": {"message": ...}}),
// vLLM ({"message": ...}), TEI and Ollama ({"error": "..."}) write it; else
// the body's first 200 bytes; "" for an empty body. One line. Errors: none.
std::string server_error_text(std::string_view body);

}  // namespace hewn::remote
