// SHA-256 (FIPS 180-4), via libsodium.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/bytes.h"

namespace frontera::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(ByteView data);
inline Sha256Digest Sha256(std::string_view data) { return Sha256(AsBytes(data)); }

// Incremental hashing. Not thread-safe; one instance per computation.
class Sha256Hasher {
 public:
  Sha256Hasher();
  void Update(ByteView data);
  void Update(std::string_view data) { Update(AsBytes(data)); }
  // REQUIRES: Finish() not called before on this instance.
  Sha256Digest Finish();

 private:
  alignas(64) unsigned char state_[128];  // crypto_hash_sha256_state, opaque here
  bool finished_ = false;
};

}  // namespace frontera::crypto
