#include "storage/keys.h"

#include <string>

#include "common/binary.h"

namespace frontera::storage {

std::string EncodeUint64(uint64_t value) {
  std::string out;
  AppendUint64(out, value);
  return out;
}

void AppendUint64(std::string& out, uint64_t value) {
  // Most significant byte first, so that bytewise order is numeric order
  // (docs/storage.md, "Key encodings").
  BinaryWriter(out).U64(value);
}

Result<uint64_t> DecodeUint64(std::string_view bytes) {
  if (bytes.size() != kUint64KeyBytes) {
    return Status::Corruption("stored big-endian uint64 has " + std::to_string(bytes.size()) +
                              " bytes, expected 8");
  }
  return LoadBigEndian64(bytes.data());
}

std::string PrefixSuccessor(std::string_view prefix) {
  // Drop trailing 0xff bytes (they cannot be incremented without carrying),
  // then increment the last remaining byte: every key with the prefix sorts
  // before the result, and nothing between them has the prefix.
  std::string out(prefix);
  while (!out.empty() && static_cast<uint8_t>(out.back()) == 0xff) out.pop_back();
  if (!out.empty()) out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1);
  return out;
}

}  // namespace frontera::storage
