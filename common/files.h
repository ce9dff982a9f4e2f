// Durable file writes, the one way Frontera writes a small file that must
// survive a crash (key files, trust bundles, snapshot pointers and notes, the
// port file), over a file-system seam that tests replace to inject faults
// (LevelDB's Env idea).
//
// What "durable" means here: once a write returns Ok, the file's bytes and
// its directory entry are on stable storage (fsync of the file, then of its
// directory). A write that fails leaves the target as it was: absent for
// WriteNewFile, the old content for ReplaceFile. Every system call's result
// is checked; a failed fsync is an error, never ignored (after a failed fsync
// the kernel may have dropped the dirty pages, so the write is reported
// failed and the temporary file removed).
//
// Thread-safety: the functions share no state; a FileSystem implementation
// says its own. Concurrent writers of one path race as the file system lets
// them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace frontera {

// The system calls a durable write needs, one virtual each, so that a test
// can fail any one of them. Paths are as given; errors carry the path and the
// system's reason.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates `path` with permission bits `mode` for writing. When `exclusive`,
  // an existing file or symbolic link is never opened (O_CREAT | O_EXCL):
  // kAlreadyExists. Otherwise an existing file is truncated. Returns a handle
  // for the calls below.
  virtual Result<int> Create(const std::string& path, unsigned mode, bool exclusive) = 0;
  // Writes all of `bytes` (retrying short writes and EINTR).
  virtual Status Write(int handle, const std::string& path, std::string_view bytes) = 0;
  // fsync(2) of the file's data and metadata.
  virtual Status Sync(int handle, const std::string& path) = 0;
  virtual Status Close(int handle, const std::string& path) = 0;
  // rename(2): atomic replacement of `to`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // fsync(2) of a directory, so that an entry created or renamed in it lasts.
  virtual Status SyncDirectory(const std::string& dir) = 0;
  // Removes a file; a missing one is not an error.
  virtual Status Remove(const std::string& path) = 0;
};

// The operating system's file system (POSIX calls).
FileSystem& DefaultFileSystem();

// Creates `path` (never following or replacing an existing file or link) with
// permission bits `mode`, set before any byte is written, writes `content`,
// and makes file and directory entry durable. kAlreadyExists when `path`
// exists; kIOError otherwise, after removing the partial file.
Status WriteNewFile(const std::string& path, std::string_view content, unsigned mode,
                    FileSystem& fs = DefaultFileSystem());

// Replaces `path` (or creates it) with `content` atomically and durably: a
// temporary file beside it is written and synced, renamed over `path`, and
// the directory synced. A crash leaves either the old content or the new one,
// never a mix. kIOError on any failure, after removing the temporary file.
Status ReplaceFile(const std::string& path, std::string_view content, unsigned mode,
                   FileSystem& fs = DefaultFileSystem());

// Reads a whole regular file of at most `bytes_max` bytes: the one way
// Frontera reads a file that someone else wrote (configs, key files,
// documents, trust bundles, images). A device (/dev/zero), a FIFO or a
// directory is refused before a byte is read, and at most bytes_max + 1
// bytes are ever read, however the file grows meanwhile. Errors name the
// path: kNotFound when it does not exist, kIOError when it is not a regular
// file or cannot be read, kResourceExhausted when it is longer than
// bytes_max.
Result<std::string> ReadSmallFile(const std::string& path, size_t bytes_max);

}  // namespace frontera
