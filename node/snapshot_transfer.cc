#include "node/snapshot_transfer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/binary.h"
#include "common/check.h"

namespace frontera::node {

namespace fs = std::filesystem;

namespace {

constexpr uint8_t kChunkVersion = 1;
constexpr size_t kFileNameMax = 255;

bool SafeFileName(std::string_view name) {
  return !name.empty() && name.size() <= kFileNameMax && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::string SnapshotDirName(const consensus::SnapshotMeta& s) {
  return std::to_string(s.index) + "-" + std::to_string(s.term);
}

}  // namespace

// Layout (common/binary.h, big-endian): version u8 | index u64 | term u64 |
// file_number u32 | file_count u32 | file_size u64 | offset u64 |
// name length u32 | name | data (the rest).
std::string EncodeSnapshotChunk(const SnapshotChunk& c) {
  std::string out;
  out.reserve(1 + 8 * 4 + 4 * 3 + c.file_name.size() + c.data.size());
  BinaryWriter w(out);
  w.U8(kChunkVersion);
  w.U64(c.snapshot.index);
  w.U64(c.snapshot.term);
  w.U32(c.file_number);
  w.U32(c.file_count);
  w.U64(c.file_size);
  w.U64(c.offset);
  w.Bytes32(c.file_name);
  w.Raw(c.data);
  return out;
}

Result<SnapshotChunk> DecodeSnapshotChunk(std::string_view bytes) {
  BinaryReader r(bytes, "snapshot chunk");
  uint8_t version = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("version", version));
  if (version != kChunkVersion) {
    return r.Error("version", "unknown version " + std::to_string(version) + " (this build reads " +
                                  std::to_string(kChunkVersion) + ")");
  }
  SnapshotChunk c;
  std::string_view name;
  FRONTERA_RETURN_IF_ERROR(r.U64("index", c.snapshot.index));
  FRONTERA_RETURN_IF_ERROR(r.U64("term", c.snapshot.term));
  FRONTERA_RETURN_IF_ERROR(r.U32("file number", c.file_number));
  FRONTERA_RETURN_IF_ERROR(r.U32("file count", c.file_count));
  FRONTERA_RETURN_IF_ERROR(r.U64("file size", c.file_size));
  FRONTERA_RETURN_IF_ERROR(r.U64("offset", c.offset));
  FRONTERA_RETURN_IF_ERROR(r.Bytes32("file name", kFileNameMax, name));
  c.file_name.assign(name);
  if (!SafeFileName(c.file_name)) {
    return Status::InvalidArgument("snapshot chunk names an unsafe file \"" + c.file_name + "\"");
  }
  if (c.file_count == 0 || c.file_number >= c.file_count) {
    return Status::InvalidArgument("snapshot chunk file number out of range");
  }
  c.data = std::string(r.Rest());
  if (c.offset > c.file_size || c.data.size() > c.file_size - c.offset) {
    return Status::InvalidArgument("snapshot chunk lies outside its file");
  }
  return c;
}

Status StreamSnapshot(const std::string& dir, const consensus::SnapshotMeta& snapshot,
                      size_t chunk_bytes, const std::function<bool(std::string)>& send) {
  if (chunk_bytes == 0) return Status::InvalidArgument("snapshot chunk size must be positive");
  std::error_code ec;
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) {
      return Status::FailedPrecondition("snapshot " + dir + " holds a non-file " +
                                        entry.path().string());
    }
    names.push_back(entry.path().filename().string());
  }
  if (ec) return Status::IOError("cannot list snapshot " + dir + ": " + ec.message());
  // Sorted: the receiver sees the same order every time.
  std::sort(names.begin(), names.end());
  std::string buffer(chunk_bytes, '\0');
  for (uint32_t i = 0; i < names.size(); ++i) {
    const fs::path path = fs::path(dir) / names[i];
    std::ifstream in(path, std::ios::binary);
    const uint64_t size = fs::file_size(path, ec);
    if (!in || ec) return Status::IOError("cannot read " + path.string());
    uint64_t offset = 0;
    do {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_bytes, size - offset));
      in.read(buffer.data(), static_cast<std::streamsize>(n));
      if (static_cast<size_t>(in.gcount()) != n) {
        return Status::IOError("short read from " + path.string());
      }
      SnapshotChunk c{snapshot,           i,    static_cast<uint32_t>(names.size()),
                      names[i],           size, offset,
                      buffer.substr(0, n)};
      if (!send(EncodeSnapshotChunk(c))) {
        return Status::Unavailable("the peer link dropped a snapshot chunk");
      }
      offset += n;
    } while (offset < size);
  }
  return Status::Ok();
}

SnapshotReceiver::SnapshotReceiver(std::string staging_root, uint64_t bytes_max, uint32_t files_max)
    : staging_root_(std::move(staging_root)), bytes_max_(bytes_max), files_max_(files_max) {
  FRONTERA_CHECK(files_max_ >= 1 && files_max_ <= kSnapshotFilesMaxLimit)
      << "SnapshotReceiver files_max " << files_max_;
  // A previous process's staging can never complete: its sender and term
  // are gone with it.
  Reset();
}

void SnapshotReceiver::Reset() {
  std::error_code ec;
  fs::remove_all(staging_root_, ec);
  current_.reset();
  file_count_ = files_done_ = file_number_ = 0;
  file_offset_ = file_size_ = bytes_ = 0;
  file_name_.clear();
  failed_ = false;
}

void SnapshotReceiver::Expect(uint64_t leader, uint64_t term) {
  if (leader == expected_leader_ && term == expected_term_) return;
  expected_leader_ = leader;
  expected_term_ = term;
  // What was staged came from the previous leader, or from this one in an
  // earlier term; either way it will be streamed again from its start.
  Reset();
}

Status SnapshotReceiver::Add(uint64_t from, const SnapshotChunk& c) {
  if (expected_leader_ == 0) {
    return Status::PermissionDenied("snapshot chunk from validator " + std::to_string(from) +
                                    " refused: no leader is known");
  }
  if (from != expected_leader_) {
    return Status::PermissionDenied("snapshot chunk from validator " + std::to_string(from) +
                                    " refused: only the leader (validator " +
                                    std::to_string(expected_leader_) + ") sends snapshots");
  }
  // Raft: a leader's snapshot ends at an entry of its term or an earlier one.
  if (c.snapshot.term > expected_term_) {
    return Status::InvalidArgument(
        "snapshot chunk refused: its snapshot's term " + std::to_string(c.snapshot.term) +
        " is newer than the leader's term " + std::to_string(expected_term_));
  }
  return Stage(c);
}

Status SnapshotReceiver::Stage(const SnapshotChunk& c) {
  // A transfer starts with the first byte of the first file: of a new
  // snapshot, or the same one sent again whole (the earlier attempt failed,
  // or its kSnapshot message was lost). Anything else belongs to a transfer
  // whose start we missed.
  if (c.file_number == 0 && c.offset == 0) {
    Reset();
    current_ = c.snapshot;
    file_count_ = c.file_count;
    if (file_count_ > files_max_) {
      failed_ = true;
      return Status::ResourceExhausted("snapshot of " + std::to_string(file_count_) +
                                       " files refused: more than files_max " +
                                       std::to_string(files_max_));
    }
  } else if (!current_ || *current_ != c.snapshot) {
    return Status::InvalidArgument("snapshot chunk of a transfer whose start was missed");
  }
  if (failed_) return Status::InvalidArgument("snapshot transfer already failed");
  if (c.file_count != file_count_ || c.file_number != file_number_ || c.offset != file_offset_) {
    failed_ = true;
    return Status::InvalidArgument("snapshot chunk out of order");
  }
  if (c.offset == 0) {
    // StreamSnapshot sends files sorted by name: a repeated name would
    // overwrite a staged file and still count as one more done.
    if (c.file_number > 0 && c.file_name <= file_name_) {
      failed_ = true;
      return Status::InvalidArgument("snapshot file \"" + c.file_name + "\" is not after \"" +
                                     file_name_ + "\" in name order");
    }
    // Declared sizes are charged up front: nothing beyond bytes_max is ever
    // written, whatever the chunks claim later.
    if (c.file_size > bytes_max_ - bytes_) {
      failed_ = true;
      return Status::ResourceExhausted("snapshot larger than " + std::to_string(bytes_max_) +
                                       " bytes");
    }
    bytes_ += c.file_size;
    file_name_ = c.file_name;
    file_size_ = c.file_size;
  } else if (c.file_name != file_name_ || c.file_size != file_size_) {
    failed_ = true;
    return Status::InvalidArgument("snapshot chunk of file " + std::to_string(c.file_number) +
                                   " changes its name or size mid-file");
  }
  const fs::path dir = fs::path(staging_root_) / SnapshotDirName(c.snapshot);
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(dir / c.file_name, c.offset == 0 ? std::ios::binary | std::ios::trunc
                                                     : std::ios::binary | std::ios::app);
  out.write(c.data.data(), static_cast<std::streamsize>(c.data.size()));
  out.close();
  if (!out) {
    failed_ = true;
    return Status::IOError("cannot write snapshot file " + (dir / c.file_name).string());
  }
  file_offset_ += c.data.size();
  if (file_offset_ == c.file_size) {
    ++files_done_;
    ++file_number_;
    file_offset_ = 0;
  }
  return Status::Ok();
}

bool SnapshotReceiver::CompleteStaged(const consensus::SnapshotMeta& snapshot) const {
  // The point only: the message also names the membership at it, which the
  // chunks do not carry.
  return current_ && current_->index == snapshot.index && current_->term == snapshot.term &&
         !failed_ && files_done_ == file_count_;
}

std::optional<std::string> SnapshotReceiver::Complete(
    uint64_t from, const consensus::SnapshotMeta& snapshot) const {
  // Staging always belongs to the expectation in force (Expect resets it),
  // so checking the sender suffices.
  if (expected_leader_ == 0 || from != expected_leader_ || !CompleteStaged(snapshot)) {
    return std::nullopt;
  }
  return (fs::path(staging_root_) / SnapshotDirName(snapshot)).string();
}

}  // namespace frontera::node
