// Publishing a directory atomically: it is written as a hidden temporary
// sibling ".NAME.tmp-HOST-PID", flushed to disk, then renamed into place
// (swapped with an existing one in one renameat2 exchange, which is then
// removed); siblings that killed writers on this host left are removed.
#pragma once

#include <string>

namespace hewn::index {

// Creates the empty temporary sibling of dir for this process (removing one
// left by an earlier process of the same id) and returns its path.
// Errors: DataError "PATH: cannot create: <reason>".
std::string make_temp_sibling(const std::string& dir);

// Flushes tmp (a temporary sibling of dir whose files were flushed by their
// writers), renames it to dir (exchanging it with an existing dir, which is
// then removed), flushes dir's parent, and removes stale temporary siblings
// of dir whose process is gone.
// Errors: DataError "DIR: cannot rename into place: <reason>".
void publish(const std::string& tmp, const std::string& dir);

}  // namespace hewn::index
