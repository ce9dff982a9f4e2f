// FileFaults: a fault-injecting file system under KvStore, for the cluster
// simulator and the storage tests. A store opened with KvOptions::faults set
// writes its files through it to the real disk, while it keeps, per file,
// how many bytes have been synced; on command it then makes those files
// look as a machine would leave them:
//   - power loss (CutPower, then Restore once the stores are closed): every
//     byte written since a file's last sync is lost, each store on its own;
//     with `torn`, one file keeps a part of its unsynced tail (a write cut
//     short, which a store's recovery must drop whole);
//   - fsync errors (FailSyncs): a sync reports kIOError and syncs nothing;
//   - bit rot (FlipBit): one bit of a synced part of a file changes.
// Directory entries are taken as durable once made (renames and new files
// are not lost); only file contents are.
//
// Production never sets it (KvOptions::faults is null): RocksDB then uses the
// disk directly.
//
// Thread-safety: thread-safe (RocksDB's background threads write through it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/status.h"

namespace frontera::storage {

class FileFaults {
 public:
  FileFaults();
  ~FileFaults();
  FileFaults(const FileFaults&) = delete;
  FileFaults& operator=(const FileFaults&) = delete;

  // The power goes: from now on every write and sync of a file under `dir`
  // fails (kIOError) and changes nothing, until Restore.
  void CutPower(const std::string& dir);

  // What a power loss left, once every store under `dir` is closed: each
  // file written through this seam is cut back to what was synced. With
  // `torn`, the file with the most unsynced bytes keeps a prefix of them,
  // chosen by `seed` (never all of them). Writes under `dir` work again.
  struct PowerLoss {
    uint64_t files_cut = 0;  // files that lost bytes
    uint64_t bytes_lost = 0;
    bool torn = false;  // a partial write was left behind
  };
  Result<PowerLoss> Restore(const std::string& dir, bool torn, uint64_t seed);

  // Files under `dir` are being removed or replaced by other means (a
  // directory renamed into place): forgets what it knew of them.
  void Forget(const std::string& dir);

  // While `fail` is set, syncing a file under `dir` fails with kIOError and
  // leaves its unsynced bytes unsynced.
  void FailSyncs(const std::string& dir, bool fail);

  // Flips the bit `mask` of the byte at `offset` in `file` (XOR; calling it
  // twice restores the byte).
  static Status FlipBit(const std::string& file, uint64_t offset, uint8_t mask);

  // The bytes of `file` synced so far (its whole length when this seam did
  // not write it).
  uint64_t SyncedBytes(const std::string& file) const;

  // For KvStore only: the rocksdb::Env to open a store with (an opaque
  // pointer, so that RocksDB's headers stay in storage/*.cc).
  void* env() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontera::storage
