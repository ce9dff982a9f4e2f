// Small file helpers of the CLI: bounded reads, and writes that never clobber.
//
// Thread-safety: the functions are thread-safe (they share no state), but
// concurrent writers of the same path race as the file system lets them.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace frontera::tools {

// Largest file the CLI reads (documents, key files, genesis descriptions).
inline constexpr size_t kFileBytesMax = 4 << 20;

// The whole content of `path`. kNotFound when it does not exist,
// kResourceExhausted when it is longer than `bytes_max`, kIOError otherwise.
// Messages name the path.
Result<std::string> ReadTextFile(const std::string& path, size_t bytes_max = kFileBytesMax);

// Creates `path` (O_CREAT | O_EXCL, so an existing file or symbolic link is
// never followed or replaced) with permission bits `mode`, writes `content` and
// fsyncs it. kAlreadyExists when `path` exists; kIOError otherwise. On a write
// error the partial file is removed.
Status WriteNewFile(const std::string& path, const std::string& content, unsigned mode);

}  // namespace frontera::tools
