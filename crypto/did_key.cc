#include "crypto/did_key.h"

#include <algorithm>
#include <string>

#include "common/encoding.h"

namespace frontera::crypto {

namespace {

constexpr std::string_view kDidKeyPrefix = "did:key:";
// Multicodec "ed25519-pub" (0xed) as an unsigned varint: 0xed 0x01.
constexpr uint8_t kEd25519Multicodec[2] = {0xed, 0x01};
// 34 bytes encode to at most 47 base58 characters; anything longer is not ours
// and is refused before the quadratic decoder sees it.
constexpr size_t kMultibaseCharsMax = 64;

std::string MultibaseOf(const PublicKey& public_key) {
  Bytes bytes(std::begin(kEd25519Multicodec), std::end(kEd25519Multicodec));
  bytes.insert(bytes.end(), public_key.begin(), public_key.end());
  return "z" + Base58Encode(bytes);
}

}  // namespace

std::string DidKeyFromPublicKey(const PublicKey& public_key) {
  return std::string(kDidKeyPrefix) + MultibaseOf(public_key);
}

std::string VerificationMethodFromPublicKey(const PublicKey& public_key) {
  std::string multibase = MultibaseOf(public_key);
  return std::string(kDidKeyPrefix) + multibase + "#" + multibase;
}

Result<PublicKey> PublicKeyFromDidKey(std::string_view did) {
  if (did.substr(0, kDidKeyPrefix.size()) != kDidKeyPrefix) {
    return Status::InvalidArgument("not a did:key DID (it must start with \"did:key:\")");
  }
  std::string_view multibase = did.substr(kDidKeyPrefix.size());
  // did:key "Format": the method-specific id is a multibase value; Ed25519
  // keys use base58btc, whose multibase prefix is 'z'.
  if (multibase.empty() || multibase[0] != 'z') {
    return Status::InvalidArgument("did:key must use multibase base58btc (prefix 'z')");
  }
  if (multibase.size() > kMultibaseCharsMax) {
    return Status::InvalidArgument("did:key identifier is too long for an Ed25519 key");
  }
  Result<Bytes> decoded = Base58Decode(multibase.substr(1));
  if (!decoded.ok()) {
    return Status::InvalidArgument("did:key identifier is not base58btc: " +
                                   decoded.status().message());
  }
  const Bytes& bytes = *decoded;
  if (bytes.size() < 2 || bytes[0] != kEd25519Multicodec[0] || bytes[1] != kEd25519Multicodec[1]) {
    return Status::InvalidArgument(
        "did:key is not an Ed25519 key (multicodec prefix must be 0xed 0x01)");
  }
  if (bytes.size() != 2 + 32) {
    return Status::InvalidArgument("did:key Ed25519 key must be 32 bytes, got " +
                                   std::to_string(bytes.size() - 2));
  }
  PublicKey key;
  std::copy(bytes.begin() + 2, bytes.end(), key.begin());
  // One key, one DID: base58 has one form per byte string, so a text that does
  // not re-encode identically was not canonical. Whether the 32 bytes are a
  // usable point is left to Verify: libsodium's strict verification rejects
  // small-order and non-canonical keys, and a subgroup check here would cost as
  // much as a signature verification on every document.
  if (MultibaseOf(key) != multibase) {
    return Status::InvalidArgument("did:key is not canonically encoded");
  }
  return key;
}

Result<VerificationMethodRef> ParseVerificationMethod(std::string_view verification_method) {
  size_t hash = verification_method.find('#');
  if (hash == std::string_view::npos) {
    return Status::InvalidArgument(
        "verification method must be \"did:key:<key>#<key>\" (the fragment is missing)");
  }
  std::string_view did = verification_method.substr(0, hash);
  std::string_view fragment = verification_method.substr(hash + 1);
  Result<PublicKey> key = PublicKeyFromDidKey(did);
  if (!key.ok()) return key.status();
  // did:key "Document Creation Algorithm": an Ed25519 did:key has one
  // verification method, whose fragment repeats the multibase key.
  if (fragment != did.substr(kDidKeyPrefix.size())) {
    return Status::InvalidArgument(
        "verification method fragment must equal the did:key's multibase key");
  }
  return VerificationMethodRef{std::string(did), *key};
}

}  // namespace frontera::crypto
