// A content-addressed cache of answers on disk (--cache DIR): an entry's name
// is the SHA-256 of what determines the answer (the kind of call, the URL,
// the model, the parameters, the input text; never the API key), so a re-run
// makes no request and gives the same bytes. Entries are written to a
// temporary file and renamed into place, so processes sharing the directory
// (Slurm array tasks, GNU parallel) see a whole entry or none; a damaged
// entry reads as absent and is written again.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace hewn::remote {

class Cache {
 public:
  // The directory is made when the first entry is written.
  explicit Cache(std::string dir);

  // The key of parts: the hex SHA-256 of each part's length and bytes, so
  // ("ab", "c") and ("a", "bc") differ. Errors: none.
  static std::string key(std::initializer_list<std::string_view> parts);

  // The entry of key into out; false when it is absent or damaged.
  // Errors: none.
  bool get(const std::string& key, std::string& out) const;

  // Stores value under key (DIR/ab/cdef...).
  // Errors: DataError "DIR: cannot write a cache entry: <reason>
  // (--cache DIR elsewhere, or --no-cache)".
  void put(const std::string& key, std::string_view value) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// $XDG_CACHE_HOME/hewn/remote, else $HOME/.cache/hewn/remote; "" when neither
// variable is set. Errors: none.
std::string default_cache_dir();

}  // namespace hewn::remote
