// AuditTrail: who read which record's commercial details, and when
// (docs/api.md#audit-trail). Every answer in the full view is one entry:
// the reader's DID, what was read ("certificate", "block", "label",
// "audit", "entries" for a tlog entry bundle) and which record. Kept on this validator only, never
// on the ledger: what one agency's node served is its own business to account for, and each
// validator answers for its own readers.
//
// Storage: JSON Lines in <dir>/reads.jsonl, one object per line
// {"seq", "time", "reader", "what", "record"}; `seq` counts up from 1 for
// the validator's lifetime. When a line would take the file past
// file_bytes_max, the file becomes reads.1.jsonl (replacing the one there)
// and a new file starts, so the trail holds between one and two files' worth
// of the newest entries. Each entry is written with one write(2): a crash
// of the process loses none; a power loss may lose what the kernel had not
// written back, and a torn last line is skipped when read.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"

namespace frontera::node {

struct AuditOptions {
  // The size of one file before it is rotated, [64 KiB, 16 GiB].
  size_t file_bytes_max = size_t{64} << 20;
  // The most entries one query returns, [1, 100000].
  size_t query_limit_max = 1000;

  Status Validate() const;
};

struct AuditEntry {
  uint64_t seq = 0;
  std::string time;    // RFC 3339 UTC, this validator's clock
  std::string reader;  // the did:key that signed the read
  std::string what;    // "certificate" | "block" | "label" | "audit" | "entries"
  std::string record;  // the certificate id, block height, … read
};

struct AuditQuery {
  std::string reader = {};  // empty: every reader
  std::string record = {};  // empty: every record
  uint64_t after = 0;       // entries with seq > after
  size_t limit = 100;       // at most this many (<= AuditOptions::query_limit_max)
};

class AuditTrail {
 public:
  // Creates `dir` when missing and finds the last seq in its files.
  // kIOError when the directory or file cannot be created or read.
  static Result<std::unique_ptr<AuditTrail>> Open(const std::filesystem::path& dir,
                                                  AuditOptions options);
  ~AuditTrail();
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // Appends one entry stamped `now_unix_millis`; returns its seq. Fields are
  // cut to 512 bytes each. kIOError when the write fails (the read it
  // accounts for must then not be answered).
  Result<uint64_t> Record(std::string_view reader, std::string_view what, std::string_view record,
                          int64_t now_unix_millis);

  // The matching entries in seq order, oldest first, at most
  // min(query.limit, query_limit_max).
  Result<std::vector<AuditEntry>> Find(const AuditQuery& query) const;

  // Copies every file of the trail into `dir` (created), with no entry
  // half written: Record waits meanwhile. For backups. kIOError naming the
  // file when a copy fails.
  Status CopyTo(const std::filesystem::path& dir) const;

  const AuditOptions& options() const { return options_; }

 private:
  AuditTrail(std::filesystem::path dir, AuditOptions options);
  Status OpenCurrentLocked() REQUIRES(mu_);

  const std::filesystem::path dir_;
  const AuditOptions options_;
  mutable Mutex mu_;
  int fd_ GUARDED_BY(mu_) = -1;
  size_t file_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t last_seq_ GUARDED_BY(mu_) = 0;
};

}  // namespace frontera::node
