#include "crypto/did_key.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/encoding.h"
#include "common/mutex.h"

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

// DIDs already parsed, with their keys. The same few registered parties sign
// and are named in every document, and each parse costs a quadratic base58
// decode and an encode; the memo answers the repeats. Only valid DIDs are
// kept, and the parse is a pure function, so the memo never changes a result.
class DidKeyMemo {
 public:
  std::optional<PublicKey> Find(std::string_view did) {
    MutexLock lock(mu_);
    auto it = keys_.find(std::string(did));
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }
  void Insert(std::string_view did, const PublicKey& key) {
    MutexLock lock(mu_);
    // Bounded: start over rather than track recency (a registry has far
    // fewer parties than this).
    if (keys_.size() >= kEntriesMax) keys_.clear();
    keys_.emplace(std::string(did), key);
  }

 private:
  static constexpr size_t kEntriesMax = 4096;
  Mutex mu_;
  std::unordered_map<std::string, PublicKey> keys_ GUARDED_BY(mu_);
};

DidKeyMemo& Memo() {
  static DidKeyMemo* memo = new DidKeyMemo();  // never destroyed: used until exit
  return *memo;
}

Result<PublicKey> ParseDidKey(std::string_view did);

}  // namespace

std::string DidKeyFromPublicKey(const PublicKey& public_key) {
  return std::string(kDidKeyPrefix) + MultibaseOf(public_key);
}

std::string VerificationMethodFromPublicKey(const PublicKey& public_key) {
  std::string multibase = MultibaseOf(public_key);
  return std::string(kDidKeyPrefix) + multibase + "#" + multibase;
}

Result<PublicKey> PublicKeyFromDidKey(std::string_view did) {
  if (std::optional<PublicKey> known = Memo().Find(did)) return *known;
  Result<PublicKey> key = ParseDidKey(did);
  if (key.ok()) Memo().Insert(did, *key);
  return key;
}

namespace {

Result<PublicKey> ParseDidKey(std::string_view did) {
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

}  // namespace

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
