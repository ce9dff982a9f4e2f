#include "crypto/ed25519.h"

#include <doctest/doctest.h>

#include <string>

#include "common/encoding.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

struct Rfc8032Vector {
  const char* name;
  const char* secret_key;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, TEST 2 and TEST 3.
const Rfc8032Vector kVectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

TEST_CASE("RFC 8032 §7.1 TEST 1-3: key derivation, signing and verification") {
  for (const Rfc8032Vector& v : kVectors) {
    CAPTURE(v.name);
    Seed seed = SeedFromBytes(HexDecode(v.secret_key).value()).value();
    KeyPair key = KeyPair::FromSeed(seed);
    CHECK(key.seed() == seed);
    CHECK(HexEncode(key.public_key()) == v.public_key);
    Bytes message = HexDecode(v.message).value();
    Signature signature = key.Sign(message);
    CHECK(HexEncode(signature) == v.signature);
    CHECK(Verify(key.public_key(), message, signature));
  }
}

TEST_CASE("verification rejects a modified message, signature or key") {
  for (const Rfc8032Vector& v : kVectors) {
    CAPTURE(v.name);
    PublicKey public_key = PublicKeyFromBytes(HexDecode(v.public_key).value()).value();
    Bytes message = HexDecode(v.message).value();
    Signature signature = SignatureFromBytes(HexDecode(v.signature).value()).value();
    REQUIRE(Verify(public_key, message, signature));

    Bytes longer = message;
    longer.push_back(0x00);
    CHECK_FALSE(Verify(public_key, longer, signature));
    if (!message.empty()) {
      Bytes changed = message;
      changed[0] ^= 0x01;
      CHECK_FALSE(Verify(public_key, changed, signature));
    }
    for (size_t i = 0; i < signature.size(); ++i) {
      Signature bad = signature;
      bad[i] ^= 0x01;
      CHECK_FALSE(Verify(public_key, message, bad));
    }
    for (size_t i = 0; i < public_key.size(); ++i) {
      PublicKey bad = public_key;
      bad[i] ^= 0x01;
      CHECK_FALSE(Verify(bad, message, signature));
    }
  }
}

TEST_CASE("strict verification: S + L (a malleated signature) is rejected") {
  // RFC 8032 §5.1.7 step 1: S must be < L. Adding the group order L to S of a
  // valid signature gives the same point equation, which lax verifiers accept.
  const uint8_t kL[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                          0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  const Rfc8032Vector& v = kVectors[0];
  PublicKey public_key = PublicKeyFromBytes(HexDecode(v.public_key).value()).value();
  Signature signature = SignatureFromBytes(HexDecode(v.signature).value()).value();
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {  // little-endian S += L
    unsigned sum = signature[32 + i] + kL[i] + carry;
    signature[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  REQUIRE(carry == 0);
  CHECK_FALSE(Verify(public_key, ByteView(), signature));
}

TEST_CASE("generated keys are distinct and sign verifiably") {
  KeyPair a = KeyPair::Generate();
  KeyPair b = KeyPair::Generate();
  CHECK(a.public_key() != b.public_key());
  CHECK(KeyPair::FromSeed(a.seed()).public_key() == a.public_key());
  Signature s = a.Sign(std::string_view("hello"));
  CHECK(Verify(a.public_key(), std::string_view("hello"), s));
  CHECK_FALSE(Verify(b.public_key(), std::string_view("hello"), s));
}

TEST_CASE("fixed-size parsers reject the wrong length") {
  CHECK(PublicKeyFromBytes(Bytes(32, 1)).ok());
  CHECK(PublicKeyFromBytes(Bytes(31, 1)).status().IsInvalidArgument());
  CHECK_FALSE(PublicKeyFromBytes(Bytes(33, 1)).ok());
  CHECK(SignatureFromBytes(Bytes(64, 1)).ok());
  CHECK_FALSE(SignatureFromBytes(Bytes(63, 1)).ok());
  CHECK(SeedFromBytes(Bytes(32, 1)).ok());
  CHECK_FALSE(SeedFromBytes(Bytes()).ok());
}

}  // namespace
}  // namespace frontera::crypto
