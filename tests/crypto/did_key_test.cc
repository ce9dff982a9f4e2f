#include "crypto/did_key.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/encoding.h"
#include "crypto/json.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

Json Parties() {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/parties.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseJson(ss.str()).value()["parties"];
}

PublicKey KeyFromHex(const std::string& hex) {
  return PublicKeyFromBytes(HexDecode(hex).value()).value();
}

TEST_CASE("fixtures: did:key of each party's public key is the listed DID") {
  Json parties = Parties();
  REQUIRE(parties.size() == 6);
  for (const auto& [name, party] : parties.items()) {
    CAPTURE(name);
    PublicKey key = KeyFromHex(party["publicKeyHex"].get<std::string>());
    CHECK(DidKeyFromPublicKey(key) == party["did"].get<std::string>());
    CHECK(VerificationMethodFromPublicKey(key) == party["verificationMethod"].get<std::string>());
    CHECK(PublicKeyFromDidKey(party["did"].get<std::string>()).value() == key);
    Result<VerificationMethodRef> method =
        ParseVerificationMethod(party["verificationMethod"].get<std::string>());
    REQUIRE(method.ok());
    CHECK(method->did == party["did"].get<std::string>());
    CHECK(method->public_key == key);
    // The test seed derives the listed key.
    Seed seed = SeedFromBytes(HexDecode(party["testSeedHex"].get<std::string>()).value()).value();
    CHECK(KeyPair::FromSeed(seed).public_key() == key);
  }
}

TEST_CASE("Ed25519 did:key starts with z6Mk") {
  std::string did = DidKeyFromPublicKey(KeyPair::Generate().public_key());
  CHECK(did.rfind("did:key:z6Mk", 0) == 0);
}

// did:key of an arbitrary multicodec-prefixed byte string.
std::string DidOf(const Bytes& multicodec_and_key) {
  return "did:key:z" + Base58Encode(multicodec_and_key);
}

TEST_CASE("PublicKeyFromDidKey rejects other methods, encodings, key types and lengths") {
  PublicKey key = KeyPair::Generate().public_key();
  std::string did = DidKeyFromPublicKey(key);
  std::string multibase = did.substr(8);

  CHECK(PublicKeyFromDidKey("did:web:example.com").status().IsInvalidArgument());
  CHECK_FALSE(PublicKeyFromDidKey("did:key:").ok());
  // Multibase prefixes other than 'z' (base58btc): 'f' hex, 'u' base64url, 'm' base64.
  Bytes prefixed = {0xed, 0x01};
  prefixed.insert(prefixed.end(), key.begin(), key.end());
  CHECK_FALSE(PublicKeyFromDidKey("did:key:f" + HexEncode(prefixed)).ok());
  CHECK_FALSE(PublicKeyFromDidKey("did:key:u" + Base64UrlEncode(prefixed)).ok());
  CHECK_FALSE(PublicKeyFromDidKey("did:key:Z" + multibase.substr(1)).ok());
  // Wrong multicodec: secp256k1-pub (0xe7 0x01), x25519-pub (0xec 0x01), bare key.
  Bytes secp = prefixed;
  secp[0] = 0xe7;
  CHECK_FALSE(PublicKeyFromDidKey(DidOf(secp)).ok());
  Bytes x25519 = prefixed;
  x25519[0] = 0xec;
  CHECK_FALSE(PublicKeyFromDidKey(DidOf(x25519)).ok());
  CHECK_FALSE(PublicKeyFromDidKey(DidOf(Bytes(key.begin(), key.end()))).ok());
  // Wrong length.
  Bytes shorter(prefixed.begin(), prefixed.end() - 1);
  CHECK_FALSE(PublicKeyFromDidKey(DidOf(shorter)).ok());
  Bytes longer = prefixed;
  longer.push_back(0);
  CHECK_FALSE(PublicKeyFromDidKey(DidOf(longer)).ok());
  // Not base58, or a fragment left on.
  CHECK_FALSE(PublicKeyFromDidKey("did:key:z0OIl").ok());
  CHECK_FALSE(PublicKeyFromDidKey(did + "#" + multibase).ok());
  // A small-order key (all zero) parses, but no signature by it verifies.
  Bytes zero_key = {0xed, 0x01};
  zero_key.resize(34, 0);
  PublicKey small_order = PublicKeyFromDidKey(DidOf(zero_key)).value();
  Signature forged{};
  CHECK_FALSE(Verify(small_order, std::string_view(""), forged));
  // And the real one still parses.
  CHECK(PublicKeyFromDidKey(did).value() == key);
}

TEST_CASE("a DID parsed again gives the same key, and a bad one stays refused") {
  // PublicKeyFromDidKey keeps the DIDs it parsed: repeats must answer the
  // same, and near misses of a known DID must not be taken for it.
  PublicKey key = KeyPair::Generate().public_key();
  const std::string did = DidKeyFromPublicKey(key);
  for (int i = 0; i < 3; ++i) CHECK(PublicKeyFromDidKey(did).value() == key);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(PublicKeyFromDidKey(did + "x").ok());
    CHECK_FALSE(PublicKeyFromDidKey(did.substr(0, did.size() - 1)).ok());
    CHECK_FALSE(PublicKeyFromDidKey(did + "#" + did.substr(8)).ok());
  }
  // Many distinct DIDs (beyond the memo's bound) all parse to their keys.
  for (int i = 0; i < 5000; ++i) {
    PublicKey other = KeyPair::Generate().public_key();
    REQUIRE(PublicKeyFromDidKey(DidKeyFromPublicKey(other)).value() == other);
  }
  CHECK(PublicKeyFromDidKey(did).value() == key);
}

TEST_CASE("ParseVerificationMethod requires the fragment to repeat the key") {
  std::string did_a = DidKeyFromPublicKey(KeyPair::Generate().public_key());
  std::string did_b = DidKeyFromPublicKey(KeyPair::Generate().public_key());
  CHECK(ParseVerificationMethod(did_a + "#" + did_a.substr(8)).ok());
  CHECK(ParseVerificationMethod(did_a).status().IsInvalidArgument());
  CHECK_FALSE(ParseVerificationMethod(did_a + "#").ok());
  CHECK_FALSE(ParseVerificationMethod(did_a + "#key-1").ok());
  CHECK_FALSE(ParseVerificationMethod(did_a + "#" + did_b.substr(8)).ok());
  CHECK_FALSE(ParseVerificationMethod("did:web:example.com#key-1").ok());
}

}  // namespace
}  // namespace frontera::crypto
