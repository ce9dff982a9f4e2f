#include "storage/wal_scan.h"

#include <algorithm>

#include "common/crc32c.h"

namespace frontera::storage {
namespace {

constexpr uint64_t kBlockSize = 32768;
constexpr uint64_t kHeaderSize = 7;
constexpr uint64_t kRecyclableHeaderSize = 11;
constexpr uint8_t kZeroType = 0;
constexpr uint8_t kLastLegacyType = 4;      // full, first, middle, last: 1–4
constexpr uint8_t kLastRecyclableType = 8;  // the same four, recyclable: 5–8
constexpr uint8_t kSetCompressionType = 9;  // a legacy-header record
constexpr uint32_t kCrcMaskDelta = 0xa282ead8u;

uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kCrcMaskDelta;
  return (rot >> 17) | (rot << 15);
}

uint32_t LoadLe32(std::string_view b, uint64_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

uint64_t HeaderSize(uint8_t type) {
  if (type == kZeroType || type > kSetCompressionType) return 0;  // not a record
  return type > kLastLegacyType && type <= kLastRecyclableType ? kRecyclableHeaderSize
                                                               : kHeaderSize;
}

// Whether an intact record starts at `at`: a known type, inside its block
// and the file, and its CRC matches. Empty: intact. Otherwise why not.
std::string CheckRecord(std::string_view f, uint64_t at, uint64_t* size) {
  const uint64_t block_left = kBlockSize - at % kBlockSize;
  if (f.size() - at < kHeaderSize) return "the file ends inside a record header";
  const uint8_t type = static_cast<uint8_t>(f[at + 6]);
  const uint64_t header = HeaderSize(type);
  if (header == 0) return "record type " + std::to_string(type) + " is unknown";
  const uint64_t length =
      static_cast<uint8_t>(f[at + 4]) | static_cast<uint64_t>(static_cast<uint8_t>(f[at + 5])) << 8;
  if (header > block_left || length > block_left - header) {
    return "a record of " + std::to_string(length) + " bytes would cross its block";
  }
  if (f.size() - at < header + length) return "the file ends inside a record";
  const uint32_t expected = Unmask(LoadLe32(f, at));
  if (Crc32c(f.substr(at + 6, header - 6 + length)) != expected) {
    return "checksum mismatch";
  }
  *size = header + length;
  return "";
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

WalScan ScanWal(std::string_view f) {
  WalScan out;
  uint64_t at = 0;
  while (at < f.size()) {
    const uint64_t block_left = kBlockSize - at % kBlockSize;
    if (block_left < kHeaderSize) {
      // The writer pads a block's last bytes, too few for a header, with zeros.
      if (!AllZero(f.substr(at, std::min<uint64_t>(block_left, f.size() - at)))) {
        out.reason = "a block trailer is not zero";
        break;
      }
      at += block_left;
      continue;
    }
    // Space preallocated and never written ends a file, and only there;
    // RocksDB reads a whole header of zeros as such. Fewer zeros than a
    // header are the start of one cut short (its CRC's low byte was zero,
    // seed 23269): RocksDB reports a truncated header, a torn tail.
    if (f.size() - at >= kHeaderSize && AllZero(f.substr(at))) return WalScan{};
    uint64_t size = 0;
    out.reason = CheckRecord(f, at, &size);
    if (!out.reason.empty()) break;
    at += size;
  }
  if (at >= f.size()) return WalScan{};
  out.damage_offset = at;
  // A record cut short by a crash is the last thing in the file; anything
  // intact after the first bad byte means the damage is not a torn tail.
  // Block starts first: each holds a header unless the writer stopped.
  auto intact_at = [&](uint64_t q) {
    uint64_t size = 0;
    return CheckRecord(f, q, &size).empty();
  };
  for (uint64_t q = (at / kBlockSize + 1) * kBlockSize; q + kHeaderSize <= f.size();
       q += kBlockSize) {
    if (intact_at(q)) {
      out.verdict = WalScan::Verdict::kDamaged;
      out.intact_after = q;
      return out;
    }
  }
  for (uint64_t q = at + 1; q + kHeaderSize <= f.size(); ++q) {
    if (intact_at(q)) {
      out.verdict = WalScan::Verdict::kDamaged;
      out.intact_after = q;
      return out;
    }
  }
  out.verdict = WalScan::Verdict::kTornTail;
  return out;
}

}  // namespace frontera::storage
