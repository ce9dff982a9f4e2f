#include "tools/files.h"

namespace frontera::tools {

Result<std::string> ReadTextFile(const std::string& path, size_t bytes_max) {
  return ReadSmallFile(path, bytes_max);
}

}  // namespace frontera::tools
