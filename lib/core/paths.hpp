// Paths of outputs: where writing a file or publishing a directory lands.
#pragma once

#include <string>

namespace hewn::io {

// The path that path names once symbolic links are followed (the path
// itself when it is not a link; a dangling link's target), so that an
// output written beside it and renamed into place replaces the link's
// target, never the link. Relative link targets are taken from the link's
// directory; a loop (more than 40 links) gives up and returns the last path
// reached, for open() or rename() to report.
// Errors: none.
std::string resolve_links(std::string path);

}  // namespace hewn::io
