// Tells a torn last record of a RocksDB write-ahead-log file from damage
// that silently drops synced records after it.
//
// A crash can cut short only the write in progress, which never returned,
// so the only damage recovery may drop is at the very end of a file. RocksDB's
// kTolerateCorruptedTailRecords cannot tell the two apart when the damage
// makes a record look cut short (a flipped length or type byte): it then
// drops every record after it, synced votes and entries included. This scan
// finds the first bad record and looks for any intact record after it; one
// found means synced data would be lost.
//
// The file format (RocksDB's, inherited from LevelDB's log format): 32 KiB
// blocks; each physical record is a 7-byte header (masked CRC32C of the type
// byte and the payload, 16-bit little-endian length, type) and its payload,
// never crossing a block; a block's last 6 bytes or fewer are zero padding.
// Recyclable records (types 5–8) add a 4-byte log number to the header,
// covered by the CRC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace frontera::storage {

struct WalScan {
  enum class Verdict {
    kIntact,    // every record checks out up to the end of the file
    kTornTail,  // damage at the end only, with no intact record after it
    kDamaged,   // an intact record follows the damage: synced data would be lost
  };
  Verdict verdict = Verdict::kIntact;
  uint64_t damage_offset = 0;  // first bad byte (kTornTail, kDamaged)
  uint64_t intact_after = 0;   // offset of an intact record after it (kDamaged)
  std::string reason;          // what is wrong at damage_offset
};

WalScan ScanWal(std::string_view file);

}  // namespace frontera::storage
