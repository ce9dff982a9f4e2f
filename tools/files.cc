#include "tools/files.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace frontera::tools {

Result<std::string> ReadTextFile(const std::string& path, size_t bytes_max) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Status::IOError(path + ": not a regular file");
  if (static_cast<size_t>(st.st_size) > bytes_max) {
    return Status::ResourceExhausted(path + ": longer than " + std::to_string(bytes_max) +
                                     " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open for reading");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  std::string text = std::move(content).str();
  // The file may have grown between stat and read.
  if (text.size() > bytes_max) {
    return Status::ResourceExhausted(path + ": longer than " + std::to_string(bytes_max) +
                                     " bytes");
  }
  return text;
}

}  // namespace frontera::tools
