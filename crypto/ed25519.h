// Ed25519 (RFC 8032) via libsodium, with its strict verification rules
// (canonical S, non-small-order points) everywhere.
//
// Thread-safety: all functions are thread-safe; KeyPair is immutable.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"

namespace frontera::crypto {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;
using Seed = std::array<uint8_t, 32>;

// Must be called once before any other crypto function (idempotent, thread-safe).
// Aborts if libsodium cannot initialise.
void InitCrypto();

// Fills `out` from the system's CSPRNG (for identifiers such as urn:uuid v4).
void RandomBytes(std::span<uint8_t> out);

class KeyPair {
 public:
  // The key pair whose RFC 8032 private key is `seed`.
  static KeyPair FromSeed(const Seed& seed);
  // A fresh key pair from the system's CSPRNG.
  static KeyPair Generate();

  const PublicKey& public_key() const { return public_key_; }
  const Seed& seed() const { return seed_; }
  Signature Sign(ByteView message) const;
  Signature Sign(std::string_view message) const { return Sign(AsBytes(message)); }

 private:
  KeyPair() = default;
  Seed seed_{};
  PublicKey public_key_{};
  std::array<uint8_t, 64> secret_key_{};  // libsodium's seed ‖ public key form
};

// True iff `signature` is a valid Ed25519 signature of `message` by `public_key`.
bool Verify(const PublicKey& public_key, ByteView message, const Signature& signature);
inline bool Verify(const PublicKey& public_key, std::string_view message,
                   const Signature& signature) {
  return Verify(public_key, AsBytes(message), signature);
}

// Parses a 32-byte public key / 64-byte signature from bytes of any length.
Result<PublicKey> PublicKeyFromBytes(ByteView bytes);
Result<Signature> SignatureFromBytes(ByteView bytes);
Result<Seed> SeedFromBytes(ByteView bytes);

}  // namespace frontera::crypto
