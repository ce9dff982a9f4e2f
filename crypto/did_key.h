// did:key for Ed25519 (W3C did:key method): "did:key:z6Mk…" where the part
// after "did:key:" is multibase base58btc ('z') of 0xed 0x01 ‖ public key.
// The verification method of such a DID is "did:key:<mb>#<mb>".
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/ed25519.h"

namespace frontera::crypto {

std::string DidKeyFromPublicKey(const PublicKey& public_key);
std::string VerificationMethodFromPublicKey(const PublicKey& public_key);

// The public key named by a did:key DID. Rejects other methods, other key
// types, and non-canonical encodings.
Result<PublicKey> PublicKeyFromDidKey(std::string_view did);

// Splits "did:key:<mb>#<fragment>" into its DID and checks that the fragment
// equals <mb> (the only verification method of an Ed25519 did:key).
struct VerificationMethodRef {
  std::string did;
  PublicKey public_key;
};
Result<VerificationMethodRef> ParseVerificationMethod(std::string_view verification_method);

}  // namespace frontera::crypto
