// LtHash16: a homomorphic multiset hash (Bellare–Micciancio's lattice hash
// "LtHash", with the parameters that Lewi, Kim, Maykov and Weis call LtHash16
// in "Securing Update Propagation with Homomorphic Hashing", 2019).
//
// The hash of a multiset of byte strings is the lane-wise sum, modulo 2^16,
// of one 1024-lane vector per element. An element's vector is its 2048-byte
// expansion read as 1024 little-endian uint16 lanes:
//   digest    = BLAKE2b-256(element), personalization "frontera-lth16d1"
//   expansion = the first 2048 bytes of the ChaCha20 keystream (RFC 8439,
//               key = digest, nonce = 12 zero bytes, block counter from 0)
// Adding an element adds its vector; removing it subtracts. The result does
// not depend on the order of additions and removals, so a set maintained by
// incremental updates hashes the same as the same set hashed from scratch in
// any order. Format: docs/ledger.md#state-root.
//
// Thread-safety: a value type; not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace frontera::crypto {

class LtHash16 {
 public:
  static constexpr size_t kLanes = 1024;
  static constexpr size_t kBytes = 2 * kLanes;

  // The hash of the empty multiset (every lane zero).
  LtHash16() = default;

  // Adds / removes one element (any bytes). Removing an element that was
  // never added is allowed: the result is the hash of a multiset with a
  // negative count, which only matters to the caller's own invariants.
  void Add(std::string_view element);
  void Remove(std::string_view element);

  // Multiset union / difference of two hashes.
  void Add(const LtHash16& other);
  void Subtract(const LtHash16& other);

  bool IsZero() const;
  bool operator==(const LtHash16&) const = default;

  // The 2048-byte form: lanes in order, each little-endian.
  std::string ToBytes() const;
  // kCorruption when `bytes` is not exactly kBytes long.
  static Result<LtHash16> FromBytes(std::string_view bytes);

 private:
  // Lanes of an element's expansion.
  static std::array<uint16_t, kLanes> Expand(std::string_view element);

  std::array<uint16_t, kLanes> lanes_{};
};

}  // namespace frontera::crypto
