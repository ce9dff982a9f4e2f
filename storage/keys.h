// Key encodings shared by everything that stores data through KvStore.
//
// RocksDB orders keys by their bytes (the default bytewise comparator), so a
// number that is part of a key is written as 8 bytes big-endian: byte order
// then equals numeric order, and a Scan over [Encode(a), Encode(b)) visits the
// numbers a..b-1 in increasing order. The layout of every key family is in
// docs/storage.md.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace frontera::storage {

inline constexpr size_t kUint64KeyBytes = 8;

// The 8-byte big-endian form of `value`.
std::string EncodeUint64(uint64_t value);
// Appends the 8-byte big-endian form of `value` to `out`.
void AppendUint64(std::string& out, uint64_t value);
// Reads an 8-byte big-endian number. kCorruption when `bytes` is not exactly
// 8 bytes long (a stored key or value of the wrong shape).
Result<uint64_t> DecodeUint64(std::string_view bytes);

// The smallest key that is greater than every key starting with `prefix`, for
// use as the exclusive end of a Scan over that prefix. Returns "" (Scan's "to
// the end of the column") when no such key exists, i.e. when `prefix` is empty
// or made only of 0xff bytes.
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace frontera::storage
