// The write-ahead-log scan that tells a torn last record from damage with
// intact records after it, over logs built here in RocksDB's record format.
#include "storage/wal_scan.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "common/crc32c.h"

namespace frontera::storage {
namespace {

constexpr size_t kBlock = 32768;

// Appends one physical record (legacy header: masked CRC32C, length, type).
void PutRecord(std::string& log, uint8_t type, const std::string& payload) {
  std::string typed(1, static_cast<char>(type));
  typed += payload;
  const uint32_t crc = Crc32c(typed);
  const uint32_t masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
  for (int i = 0; i < 4; ++i) log += static_cast<char>((masked >> (8 * i)) & 0xff);
  log += static_cast<char>(payload.size() & 0xff);
  log += static_cast<char>(payload.size() >> 8);
  log += typed;
}

// One logical record, fragmented across blocks as the writer does: a block
// with fewer than 7 bytes left is padded with zeros.
void PutLogical(std::string& log, const std::string& data) {
  size_t pos = 0;
  bool first = true;
  do {
    size_t left = kBlock - log.size() % kBlock;
    if (left < 7) {
      log.append(left, '\0');
      left = kBlock;
    }
    const size_t n = std::min(left - 7, data.size() - pos);
    const bool last = pos + n == data.size();
    PutRecord(log, first && last ? 1 : first ? 2 : last ? 4 : 3, data.substr(pos, n));
    pos += n;
    first = false;
  } while (pos < data.size());
}

// `n` logical records of `bytes` bytes each.
std::string Log(int n, size_t bytes) {
  std::string log;
  for (int i = 0; i < n; ++i) PutLogical(log, std::string(bytes, static_cast<char>('a' + i % 26)));
  return log;
}

TEST_CASE("an intact log, padded blocks and preallocated zeros are intact") {
  CHECK(ScanWal("").verdict == WalScan::Verdict::kIntact);
  const std::string log = Log(400, 200);  // spans three blocks
  REQUIRE(log.size() > 2 * kBlock);
  CHECK(ScanWal(log).verdict == WalScan::Verdict::kIntact);
  CHECK(ScanWal(log + std::string(4096, '\0')).verdict == WalScan::Verdict::kIntact);
}

TEST_CASE("a record cut short at the end is a torn tail") {
  const std::string log = Log(10, 100);
  for (size_t cut : {1, 6, 7, 50, 106}) {
    CAPTURE(cut);
    const WalScan scan = ScanWal(log.substr(0, log.size() - cut));
    CHECK(scan.verdict == WalScan::Verdict::kTornTail);
    CHECK(scan.damage_offset == 9 * 107);
  }
}

TEST_CASE("a header cut short whose bytes are zero is a torn tail, not preallocated space") {
  // A torn write kept the first byte of the next header, the low byte of its
  // CRC, which was zero (seed 23269): RocksDB reports a truncated header.
  const std::string log = Log(10, 100);
  for (size_t zeros : {1, 3, 6}) {
    CAPTURE(zeros);
    const WalScan scan = ScanWal(log + std::string(zeros, '\0'));
    CHECK(scan.verdict == WalScan::Verdict::kTornTail);
    CHECK(scan.damage_offset == log.size());
    CHECK(scan.reason == "the file ends inside a record header");
  }
  CHECK(ScanWal(log + std::string(7, '\0')).verdict == WalScan::Verdict::kIntact);
}

TEST_CASE("damage followed by an intact record is damage, wherever it is") {
  const std::string log = Log(10, 100);
  SUBCASE("a flipped payload byte") {
    std::string bad = log;
    bad[3 * 107 + 20] ^= 0x01;
    const WalScan scan = ScanWal(bad);
    CHECK(scan.verdict == WalScan::Verdict::kDamaged);
    CHECK(scan.damage_offset == 3 * 107);
    CHECK(scan.intact_after == 4 * 107);
    CHECK(scan.reason == "checksum mismatch");
  }
  SUBCASE("a length byte that makes the record look cut short") {
    std::string bad = log;
    bad[8 * 107 + 5] ^= 0x40;  // 100 + 16,384 bytes: beyond the file
    const WalScan scan = ScanWal(bad);
    CHECK(scan.verdict == WalScan::Verdict::kDamaged);
    CHECK(scan.intact_after == 9 * 107);
  }
  SUBCASE("an unknown type") {
    std::string bad = log;
    bad[2 * 107 + 6] = 0x7f;
    const WalScan scan = ScanWal(bad);
    CHECK(scan.verdict == WalScan::Verdict::kDamaged);
    CHECK(scan.reason == "record type 127 is unknown");
  }
  SUBCASE("the last record damaged has nothing intact after it") {
    std::string bad = log;
    bad[9 * 107 + 50] ^= 0x01;
    CHECK(ScanWal(bad).verdict == WalScan::Verdict::kTornTail);
  }
}

TEST_CASE("damage in one block with intact records in the next is damage") {
  std::string bad = Log(400, 200);
  bad[1000] ^= 0x10;
  const WalScan scan = ScanWal(bad);
  CHECK(scan.verdict == WalScan::Verdict::kDamaged);
  CHECK(scan.intact_after > scan.damage_offset);
}

TEST_CASE("a non-zero block trailer is damage") {
  // 127-byte records: 258 fill the first block but for a 2-byte trailer.
  std::string log = Log(400, 120);
  REQUIRE(log[kBlock - 2] == '\0');
  REQUIRE(log[kBlock - 1] == '\0');
  log[kBlock - 1] = 1;
  const WalScan scan = ScanWal(log);
  CHECK(scan.reason == "a block trailer is not zero");
  CHECK(scan.verdict == WalScan::Verdict::kDamaged);
}

}  // namespace
}  // namespace frontera::storage
