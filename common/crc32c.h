// CRC32C (Castagnoli): the checksum of Frontera's own records (Raft entries,
// hard state, snapshot point) and of RocksDB's WAL records (storage/wal_scan).
// Reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF
// (RFC 3720 §B.4). Crc32c("123456789") == 0xE3069283.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace frontera {

// CRC32C of `data`. Table-driven, slicing by 8.
uint32_t Crc32c(std::string_view data);
// Continues a CRC32C: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

}  // namespace frontera
