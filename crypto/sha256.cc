#include "crypto/sha256.h"

#include <sodium.h>

#include "common/check.h"

namespace frontera::crypto {

namespace {

// The header keeps libsodium out of its includes, so the state lives in an
// opaque buffer; these asserts keep that buffer honest across libsodium
// versions.
static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256Hasher::state_ is too small");
static_assert(alignof(crypto_hash_sha256_state) <= 64, "Sha256Hasher::state_ is under-aligned");

}  // namespace

Sha256Digest Sha256(ByteView data) {
  Sha256Digest digest;
  crypto_hash_sha256(digest.data(), data.data(), data.size());
  return digest;
}

Sha256Hasher::Sha256Hasher() {
  crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_));
}

void Sha256Hasher::Update(ByteView data) {
  FRONTERA_CHECK(!finished_) << "Sha256Hasher::Update after Finish";
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_), data.data(),
                            data.size());
}

Sha256Digest Sha256Hasher::Finish() {
  FRONTERA_CHECK(!finished_) << "Sha256Hasher::Finish called twice";
  finished_ = true;
  Sha256Digest digest;
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), digest.data());
  return digest;
}

}  // namespace frontera::crypto
