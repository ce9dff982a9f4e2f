// The one binary codec of Frontera's own formats: every wire and storage
// encoding (Raft entries and messages, block proposals, snapshot chunks, the
// peer frame header, storage keys) is written with BinaryWriter and read with
// BinaryReader. docs/formats.md, "Binary encodings", lists the formats.
//
// One byte order: fixed-width integers are big-endian (most significant byte
// first), so that an encoded number used as a storage key sorts by bytes in
// numeric order. Variable-width integers are unsigned LEB128 varints: 7 bits a
// byte, least significant group first, high bit = "more follows", at most 10
// bytes; a reader accepts only the shortest form, so each value has exactly
// one encoding.
//
// The reader is bounds-checked and never allocates: what it returns are views
// into its input. Every error is kInvalidArgument and names what is being
// decoded, the field and the byte offset ("raft message: entry term at byte
// 17: truncated varint"), so a bad record can be found with a hex dump.
// Callers reading their own stored data report a damaged record as
// kCorruption (AsCorruption).
//
// Formats read by Frontera but defined by others keep their own byte order
// and are not written with this codec: RocksDB's WAL (storage/wal_scan.cc) and
// the Ed25519, SHA-256 and CRC32C algorithms' internal words.
//
// Thread-safety: a writer or reader is used by one thread; the free functions
// are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace frontera {

// The 4- and 8-byte big-endian forms, at `p` (which holds at least 4 or 8).
void StoreBigEndian32(char* p, uint32_t v);
void StoreBigEndian64(char* p, uint64_t v);
uint32_t LoadBigEndian32(const char* p);
uint64_t LoadBigEndian64(const char* p);

// Bytes the varint form of `v` takes (1..10).
size_t VarintLength(uint64_t v);

// Appends encodings to a string the caller owns (and may have reserved).
class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void Varint(uint64_t v);
  // The bytes as they are, no length.
  void Raw(std::string_view bytes) { out_.append(bytes); }
  // A 4-byte length, then the bytes. The caller keeps sizes below 2^32
  // (FRONTERA_CHECK otherwise).
  void Bytes32(std::string_view bytes);
  // A varint length, then the bytes.
  void VarintBytes(std::string_view bytes);

  // Reserves 4 bytes for a value known only later (a checksum of what
  // follows); returns their position for Patch32.
  size_t Reserve32();
  void Patch32(size_t at, uint32_t v);

  size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

// A bounds-checked cursor over an input that outlives it.
class BinaryReader {
 public:
  // `what` names the record in errors; `base_offset` is added to the offsets
  // reported (for a body read out of a larger input). Both views must
  // outlive the reader.
  BinaryReader(std::string_view in, std::string_view what, size_t base_offset = 0)
      : in_(in), what_(what), base_(base_offset) {}

  size_t remaining() const { return in_.size() - pos_; }
  // Offset of the next byte, in the outermost input.
  size_t offset() const { return base_ + pos_; }
  std::string_view what() const { return what_; }
  // Names what is decoded from here on (one entry of a message, say).
  void set_what(std::string_view what) { what_ = what; }

  // "<what>: <field> at byte <offset>: <problem>", kInvalidArgument.
  Status Error(std::string_view field, std::string_view problem) const;

  Status U8(std::string_view field, uint8_t& out);
  Status U16(std::string_view field, uint16_t& out);
  Status U32(std::string_view field, uint32_t& out);
  Status U64(std::string_view field, uint64_t& out);
  // Strict LEB128 (above).
  Status Varint(std::string_view field, uint64_t& out);
  // The next `n` bytes.
  Status Raw(std::string_view field, uint64_t n, std::string_view& out);
  // A 4-byte length, then that many bytes, at most `max` of them.
  Status Bytes32(std::string_view field, size_t max, std::string_view& out);
  // A varint length, then that many bytes, at most `max` of them.
  Status VarintBytes(std::string_view field, size_t max, std::string_view& out);
  // Everything left.
  std::string_view Rest();
  // Ok when the input is used up; otherwise an error naming the trailing bytes.
  Status End() const;

 private:
  // The `n` bytes after a length read from `start`, at most `max` of them; on
  // an error the reader is back at `start`.
  Status BoundedRaw(std::string_view field, size_t start, uint64_t n, size_t max,
                    std::string_view& out);

  std::string_view in_;
  std::string_view what_;
  size_t base_;
  size_t pos_ = 0;
};

// The same message as kCorruption (damage in data this process stored), or
// `s` itself when it is Ok.
Status AsCorruption(const Status& s);

}  // namespace frontera
