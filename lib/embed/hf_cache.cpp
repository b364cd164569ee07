#include "embed/hf_cache.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "core/error.hpp"

namespace hewn::embed {
namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : "";
}

}  // namespace

std::string hf_hub_dir() {
  if (auto v = env("HF_HUB_CACHE"); !v.empty()) return v;
  if (auto v = env("HF_HOME"); !v.empty()) return v + "/hub";
  if (auto v = env("XDG_CACHE_HOME"); !v.empty()) return v + "/huggingface/hub";
  return env("HOME") + "/.cache/huggingface/hub";
}

bool is_hub_name(const std::string& name) {
  std::string repo = name.substr(0, name.find('@'));
  auto slash = repo.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size()) return false;
  if (repo.find('/', slash + 1) != std::string::npos) return false;
  if (repo[0] == '.' || repo[slash + 1] == '.' || repo.find("..") != std::string::npos) return false;
  return name.find('@') == std::string::npos || name.find('@') + 1 < name.size();
}

std::string resolve_model(const std::string& given) {
  if (is_dir(given) || !is_hub_name(given)) return given;
  std::string repo = given.substr(0, given.find('@'));
  std::string rev = given.find('@') == std::string::npos ? "main" : given.substr(given.find('@') + 1);
  const std::string hub = hf_hub_dir();
  std::string dir = hub + "/models--" + repo.substr(0, repo.find('/')) + "--" + repo.substr(repo.find('/') + 1);
  const std::string fix = "; nothing is downloaded: fetch it with `huggingface-cli download " + repo +
                          "` (or set HF_HOME), or give a directory";
  if (is_dir(dir + "/snapshots/" + rev)) return dir + "/snapshots/" + rev;
  std::ifstream ref(dir + "/refs/" + rev);
  std::string commit;
  if (!(ref >> commit)) {
    if (!is_dir(dir)) throw DataError(given + ": not in the Hugging Face cache (" + hub + " has no models--" +
                                      dir.substr(dir.rfind("/models--") + 9) + ")" + fix);
    throw DataError(given + ": not in the Hugging Face cache (" + dir + " has no snapshot or ref " + quoted(rev) + ")" +
                    fix);
  }
  if (!is_dir(dir + "/snapshots/" + commit))
    throw DataError(given + ": not in the Hugging Face cache (" + dir + "/refs/" + rev + " names snapshot " + commit +
                    ", which is missing)" + fix);
  return dir + "/snapshots/" + commit;
}

}  // namespace hewn::embed
