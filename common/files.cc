#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace frontera {
namespace {

std::string Reason(int error) { return std::strerror(error); }

class PosixFileSystem : public FileSystem {
 public:
  Result<int> Create(const std::string& path, unsigned mode, bool exclusive) override {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    const int fd = ::open(path.c_str(), flags, static_cast<mode_t>(mode));
    if (fd >= 0) return fd;
    const int error = errno;
    if (exclusive && error == EEXIST) {
      return Status::AlreadyExists(path + ": already exists; refusing to overwrite it");
    }
    return Status::IOError(path + ": cannot create: " + Reason(error));
  }

  Status Write(int handle, const std::string& path, std::string_view bytes) override {
    size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(handle, bytes.data() + written, bytes.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::IOError(path + ": write failed: " + Reason(errno));
      written += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  Status Sync(int handle, const std::string& path) override {
    if (::fsync(handle) == 0) return Status::Ok();
    return Status::IOError(path + ": cannot sync: " + Reason(errno));
  }

  Status Close(int handle, const std::string& path) override {
    if (::close(handle) == 0) return Status::Ok();
    return Status::IOError(path + ": close failed: " + Reason(errno));
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) == 0) return Status::Ok();
    return Status::IOError(to + ": cannot rename " + from + " over it: " + Reason(errno));
  }

  Status SyncDirectory(const std::string& dir) override {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(dir + ": cannot open the directory: " + Reason(errno));
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (rc != 0) return Status::IOError(dir + ": cannot sync the directory: " + Reason(error));
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    return Status::IOError(path + ": cannot remove: " + Reason(errno));
  }
};

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes, syncs and closes an open handle; closes it on every path.
Status Fill(FileSystem& fs, int handle, const std::string& path, std::string_view content) {
  Status s = fs.Write(handle, path, content);
  if (s.ok()) s = fs.Sync(handle, path);
  const Status closed = fs.Close(handle, path);
  return s.ok() ? closed : s;
}

}  // namespace

FileSystem& DefaultFileSystem() {
  static PosixFileSystem fs;
  return fs;
}

Status WriteNewFile(const std::string& path, std::string_view content, unsigned mode,
                    FileSystem& fs) {
  FRONTERA_ASSIGN_OR_RETURN(const int handle, fs.Create(path, mode, /*exclusive=*/true));
  Status s = Fill(fs, handle, path, content);
  if (s.ok()) s = fs.SyncDirectory(DirectoryOf(path));
  if (!s.ok()) (void)fs.Remove(path);
  return s;
}

Status ReplaceFile(const std::string& path, std::string_view content, unsigned mode,
                   FileSystem& fs) {
  // Unique per process and call: two writers of one path never share a
  // temporary file.
  static std::atomic<uint64_t> sequence{0};
  const std::string temporary =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(sequence.fetch_add(1));
  FRONTERA_ASSIGN_OR_RETURN(const int handle, fs.Create(temporary, mode, /*exclusive=*/true));
  Status s = Fill(fs, handle, temporary, content);
  if (s.ok()) s = fs.Rename(temporary, path);
  if (!s.ok()) {
    (void)fs.Remove(temporary);
    return s;
  }
  return fs.SyncDirectory(DirectoryOf(path));
}

Result<std::string> ReadSmallFile(const std::string& path, size_t bytes_max) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Status::IOError(path + ": not a regular file");
  }
  std::string text(bytes_max + 1, '\0');
  size_t size = 0;
  while (size < text.size()) {
    const ssize_t n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return Status::IOError(path + ": " + error);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size > bytes_max) {
    return Status::ResourceExhausted(path + ": longer than " + std::to_string(bytes_max) +
                                     " bytes");
  }
  text.resize(size);
  return text;
}

}  // namespace frontera
