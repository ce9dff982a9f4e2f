#include "tools/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

Status WriteNewFile(const std::string& path, const std::string& content, unsigned mode) {
  // O_EXCL with O_CREAT fails on an existing path, symbolic links included
  // (POSIX open(): "If O_CREAT and O_EXCL are set ... if the file exists"), so
  // a secret is never written through a link planted by someone else. The mode
  // is applied at creation, before any byte is written, so the seed is never
  // readable by others even for an instant (umask may only narrow it further).
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(path + ": already exists; refusing to overwrite it");
    }
    return Status::IOError(path + ": cannot create: " + std::strerror(errno));
  }
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string error = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IOError(path + ": write failed: " + error);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string error = std::strerror(errno);
    ::unlink(path.c_str());
    return Status::IOError(path + ": cannot sync: " + error);
  }
  return Status::Ok();
}

}  // namespace frontera::tools
