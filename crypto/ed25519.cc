#include "crypto/ed25519.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <string>

#include "common/check.h"

namespace frontera::crypto {

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init returns 1 when already initialised (by another library);
    // only a negative value is a failure, and then nothing here is safe.
    FRONTERA_CHECK(sodium_init() >= 0) << "libsodium failed to initialise";
  });
}

KeyPair KeyPair::FromSeed(const Seed& seed) {
  KeyPair key;
  key.seed_ = seed;
  // RFC 8032 §5.1.5: the public key is derived from SHA-512(seed); libsodium's
  // 64-byte secret key is seed ‖ public key.
  FRONTERA_CHECK(
      crypto_sign_seed_keypair(key.public_key_.data(), key.secret_key_.data(), seed.data()) == 0);
  return key;
}

KeyPair KeyPair::Generate() {
  InitCrypto();  // the CSPRNG must be ready; cheap after the first call
  Seed seed;
  randombytes_buf(seed.data(), seed.size());
  KeyPair key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Signature KeyPair::Sign(ByteView message) const {
  Signature signature;
  // Ed25519 is deterministic (RFC 8032 §5.1.6): the same key and message give
  // the same signature, which lets tests reproduce independent fixtures.
  FRONTERA_CHECK(crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(),
                                      secret_key_.data()) == 0);
  return signature;
}

bool Verify(const PublicKey& public_key, ByteView message, const Signature& signature) {
  // libsodium (>= 1.0.16, without ED25519_COMPAT) rejects non-canonical S,
  // small-order A and R, and non-canonical encodings (RFC 8032 §5.1.7 plus
  // the stricter checks of docs/formats.md, "Signatures").
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     public_key.data()) == 0;
}

namespace {

template <typename Array>
Result<Array> FixedFromBytes(ByteView bytes, const char* what) {
  Array out;
  if (bytes.size() != out.size()) {
    return Status::InvalidArgument(std::string(what) + " must be " + std::to_string(out.size()) +
                                   " bytes, got " + std::to_string(bytes.size()));
  }
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

}  // namespace

Result<PublicKey> PublicKeyFromBytes(ByteView bytes) {
  return FixedFromBytes<PublicKey>(bytes, "an Ed25519 public key");
}

Result<Signature> SignatureFromBytes(ByteView bytes) {
  return FixedFromBytes<Signature>(bytes, "an Ed25519 signature");
}

Result<Seed> SeedFromBytes(ByteView bytes) {
  return FixedFromBytes<Seed>(bytes, "an Ed25519 seed");
}

void RandomBytes(std::span<uint8_t> out) {
  InitCrypto();
  randombytes_buf(out.data(), out.size());
}

}  // namespace frontera::crypto
