#include "core/record_stream.hpp"

namespace hewn::io {

StreamStats run_stream(const StreamOptions& options, const std::function<std::unique_ptr<Handler>()>& make_handler,
                       ByteSink& out, const std::function<void(const std::string&)>& diag,
                       const std::function<void(const StreamStats&)>& progress) {
  InputProducer input(options);
  return ordered_map<std::string>(
      input, options.jobs, options.on_error, make_handler,
      [&](const std::string& bytes, std::size_t from, std::size_t to) {
        out.write(std::string_view(bytes).substr(from, to - from));
      },
      diag, progress);
}

}  // namespace hewn::io
