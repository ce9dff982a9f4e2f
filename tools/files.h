// Small file helpers of the CLI: bounded reads. Writes: common/files.h.
//
// Thread-safety: the functions are thread-safe (they share no state), but
// concurrent writers of the same path race as the file system lets them.
#pragma once

#include <cstddef>
#include <string>

#include "common/files.h"
#include "common/result.h"

namespace frontera::tools {

// Largest file the CLI reads (documents, key files, genesis descriptions).
inline constexpr size_t kFileBytesMax = 4 << 20;

// The whole content of `path`, at most `bytes_max` bytes (ReadSmallFile of
// common/files.h, with the CLI's limit): kNotFound when it does not exist,
// kResourceExhausted when it is longer, kIOError otherwise. Messages name the
// path.
Result<std::string> ReadTextFile(const std::string& path, size_t bytes_max = kFileBytesMax);

// Files are written with WriteNewFile and ReplaceFile (common/files.h).

}  // namespace frontera::tools
