#include "storage/file_faults.h"

#include <errno.h>
#include <fcntl.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace frontera::storage {
namespace {

bool Under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

std::string Trimmed(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

// What the seam knows of the files it wrote, shared with their handles.
struct FileState {
  uint64_t size = 0;    // bytes written
  uint64_t synced = 0;  // of which synced
};

class FaultFs;

class FaultFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(std::unique_ptr<rocksdb::FSWritableFile> target, FaultFs* fs, std::string name)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), name_(std::move(name)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override;

 private:
  rocksdb::IOStatus Written(rocksdb::IOStatus s, uint64_t end);
  rocksdb::IOStatus Synced(rocksdb::IOStatus s);

  FaultFs* const fs_;
  const std::string name_;
};

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FronteraFileFaults"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (Down(f)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + f);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, options, &file, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu);
      files[f] = FileState{};
    }
    *r = std::make_unique<FaultFile>(std::move(file), this, f);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (Down(f)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + f);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, options, &file, dbg);
    if (!s.ok()) return s;
    uint64_t size = 0;
    (void)target()->GetFileSize(f, rocksdb::IOOptions(), &size, dbg);
    {
      std::lock_guard<std::mutex> lock(mu);
      auto [it, inserted] = files.try_emplace(f, FileState{size, size});
      if (!inserted) it->second.size = std::max(it->second.size, size);
    }
    *r = std::make_unique<FaultFile>(std::move(file), this, f);
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override {
    // Log recycling is off in KvStore; a reused file is a new one.
    (void)old;
    return NewWritableFile(f, options, r, dbg);
  }
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (Down(f)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + f);
    rocksdb::IOStatus s = target()->DeleteFile(f, options, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      files.erase(f);
    }
    return s;
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (Down(from) || Down(to)) return rocksdb::IOStatus::IOError("power cut (FileFaults)");
    rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      files.erase(to);
      if (auto it = files.find(from); it != files.end()) {
        files[to] = it->second;
        files.erase(it);
      }
    }
    return s;
  }

  bool Down(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& dir : down) {
      if (Under(path, dir)) return true;
    }
    return false;
  }
  bool SyncsFail(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu);
    for (const std::string& dir : failing_syncs) {
      if (Under(path, dir)) return true;
    }
    for (const std::string& dir : down) {
      if (Under(path, dir)) return true;
    }
    return false;
  }

  std::mutex mu;
  std::map<std::string, FileState> files;  // by path, as RocksDB names them
  std::set<std::string> down;              // directories whose power is cut
  std::set<std::string> failing_syncs;     // directories whose syncs fail
};

rocksdb::IOStatus FaultFile::Written(rocksdb::IOStatus s, uint64_t end) {
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(fs_->mu);
  FileState& state = fs_->files[name_];
  state.size = std::max(state.size, end);
  return s;
}

rocksdb::IOStatus FaultFile::Synced(rocksdb::IOStatus s) {
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(fs_->mu);
  FileState& state = fs_->files[name_];
  state.synced = state.size;
  return s;
}

rocksdb::IOStatus FaultFile::Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                    rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  const uint64_t end = GetFileSize(options, dbg) + data.size();
  return Written(target()->Append(data, options, dbg), end);
}

rocksdb::IOStatus FaultFile::Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                                    const rocksdb::DataVerificationInfo& info,
                                    rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  const uint64_t end = GetFileSize(options, dbg) + data.size();
  return Written(target()->Append(data, options, info, dbg), end);
}

rocksdb::IOStatus FaultFile::PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  return Written(target()->PositionedAppend(data, offset, options, dbg), offset + data.size());
}

rocksdb::IOStatus FaultFile::PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                              const rocksdb::IOOptions& options,
                                              const rocksdb::DataVerificationInfo& info,
                                              rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  return Written(target()->PositionedAppend(data, offset, options, info, dbg),
                 offset + data.size());
}

rocksdb::IOStatus FaultFile::Truncate(uint64_t size, const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  rocksdb::IOStatus s = target()->Truncate(size, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(fs_->mu);
    FileState& state = fs_->files[name_];
    state.size = size;
    state.synced = std::min(state.synced, size);
  }
  return s;
}

rocksdb::IOStatus FaultFile::Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) {
  if (fs_->SyncsFail(name_)) return rocksdb::IOStatus::IOError("fsync failed (FileFaults)");
  return Synced(target()->Sync(options, dbg));
}

rocksdb::IOStatus FaultFile::Fsync(const rocksdb::IOOptions& options,
                                   rocksdb::IODebugContext* dbg) {
  if (fs_->SyncsFail(name_)) return rocksdb::IOStatus::IOError("fsync failed (FileFaults)");
  return Synced(target()->Fsync(options, dbg));
}

rocksdb::IOStatus FaultFile::Flush(const rocksdb::IOOptions& options,
                                   rocksdb::IODebugContext* dbg) {
  if (fs_->Down(name_)) return rocksdb::IOStatus::IOError("power cut (FileFaults): " + name_);
  return target()->Flush(options, dbg);
}

rocksdb::IOStatus FaultFile::Close(const rocksdb::IOOptions& options,
                                   rocksdb::IODebugContext* dbg) {
  // Closing never syncs: what was not synced stays at risk.
  return target()->Close(options, dbg);
}

struct FileFaults::Impl {
  std::shared_ptr<FaultFs> fs = std::make_shared<FaultFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
};

FileFaults::FileFaults() : impl_(std::make_unique<Impl>()) {}
FileFaults::~FileFaults() = default;

void* FileFaults::env() const { return impl_->env.get(); }

void FileFaults::CutPower(const std::string& dir) {
  std::lock_guard<std::mutex> lock(impl_->fs->mu);
  impl_->fs->down.insert(Trimmed(dir));
}

void FileFaults::Forget(const std::string& dir_in) {
  const std::string dir = Trimmed(dir_in);
  std::lock_guard<std::mutex> lock(impl_->fs->mu);
  for (auto it = impl_->fs->files.begin(); it != impl_->fs->files.end();) {
    it = Under(it->first, dir) ? impl_->fs->files.erase(it) : std::next(it);
  }
}

void FileFaults::FailSyncs(const std::string& dir, bool fail) {
  std::lock_guard<std::mutex> lock(impl_->fs->mu);
  if (fail) {
    impl_->fs->failing_syncs.insert(Trimmed(dir));
  } else {
    impl_->fs->failing_syncs.erase(Trimmed(dir));
  }
}

Result<FileFaults::PowerLoss> FileFaults::Restore(const std::string& dir_in, bool torn,
                                                  uint64_t seed) {
  const std::string dir = Trimmed(dir_in);
  FaultFs& fs = *impl_->fs;
  std::lock_guard<std::mutex> lock(fs.mu);
  // The file with the most unsynced bytes is the one a torn write hits.
  std::string torn_file;
  uint64_t most = 0;
  for (const auto& [path, state] : fs.files) {
    if (Under(path, dir) && state.size - std::min(state.size, state.synced) > most) {
      most = state.size - state.synced;
      torn_file = path;
    }
  }
  std::mt19937_64 rng(seed);
  PowerLoss loss;
  for (auto it = fs.files.begin(); it != fs.files.end();) {
    const std::string& path = it->first;
    if (!Under(path, dir)) {
      ++it;
      continue;
    }
    const FileState state = it->second;
    uint64_t keep = std::min(state.synced, state.size);
    if (torn && path == torn_file && most > 1) {
      keep += 1 + rng() % (most - 1);  // part of the last write, never all of it
      loss.torn = true;
    }
    if (keep < state.size) {
      if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0 && errno != ENOENT) {
        return Status::IOError("FileFaults: cannot cut " + path + " back to " +
                               std::to_string(keep) + " bytes");
      }
      ++loss.files_cut;
      loss.bytes_lost += state.size - keep;
    }
    // A new process starts from what is on the disk: every byte is synced.
    it = fs.files.erase(it);
  }
  fs.down.erase(dir);
  return loss;
}

Status FileFaults::FlipBit(const std::string& file, uint64_t offset, uint8_t mask) {
  const int fd = ::open(file.c_str(), O_RDWR);
  if (fd < 0) return Status::IOError("FileFaults: cannot open " + file);
  uint8_t byte = 0;
  Status s = Status::Ok();
  if (::pread(fd, &byte, 1, static_cast<off_t>(offset)) != 1) {
    s = Status::IOError("FileFaults: " + file + " has no byte " + std::to_string(offset));
  } else {
    byte ^= mask;
    if (::pwrite(fd, &byte, 1, static_cast<off_t>(offset)) != 1) {
      s = Status::IOError("FileFaults: cannot write " + file);
    }
  }
  ::close(fd);
  return s;
}

uint64_t FileFaults::SyncedBytes(const std::string& file) const {
  {
    std::lock_guard<std::mutex> lock(impl_->fs->mu);
    auto it = impl_->fs->files.find(file);
    if (it != impl_->fs->files.end()) return it->second.synced;
  }
  uint64_t size = 0;
  (void)impl_->fs->target()->GetFileSize(file, rocksdb::IOOptions(), &size, nullptr);
  return size;
}

}  // namespace frontera::storage
