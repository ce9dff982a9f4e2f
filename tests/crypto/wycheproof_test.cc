// Project Wycheproof conformance (tests/fixtures/wycheproof/README.md): every
// case of every vector file is run through the primitive Frontera actually
// uses, and its verdict must be reproduced.
//   Ed25519           crypto::Verify, behind PublicKeyFromBytes /
//                     SignatureFromBytes as every caller parses wire bytes
//   X25519            crypto_scalarmult, which crypto_kx (the peer
//                     transport's key exchange) runs on the peer's key
//   ChaCha20-Poly1305 crypto_aead_chacha20poly1305_ietf_encrypt / _decrypt,
//                     the peer transport's frame seal and open
#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>

#include "common/bytes.h"
#include "common/encoding.h"
#include "crypto/ed25519.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

nlohmann::json LoadVectors(const char* file_name, const char* algorithm) {
  std::filesystem::path path =
      std::filesystem::path(FRONTERA_FIXTURES_DIR) / "wycheproof" / file_name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read ", path.string());
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json vectors = nlohmann::json::parse(text.str());
  REQUIRE(vectors.at("algorithm") == algorithm);
  REQUIRE(vectors.at("testGroups").is_array());
  return vectors;
}

Bytes Hex(const nlohmann::json& field) {
  Result<Bytes> bytes = HexDecode(field.get<std::string>());
  REQUIRE(bytes.ok());
  return std::move(bytes).value();
}

// Tallies the verdicts of one file, so that a parse that finds nothing, or an
// upstream file that changed under us, fails instead of passing vacuously.
struct Tally {
  int valid = 0;
  int invalid = 0;
  int acceptable_accepted = 0;
  int acceptable_refused = 0;
  int Total() const { return valid + invalid + acceptable_accepted + acceptable_refused; }
};

std::string CaseName(const nlohmann::json& test) {
  return "tcId " + std::to_string(test.at("tcId").get<int>()) + " (" +
         test.at("comment").get<std::string>() + ") flags " + test.at("flags").dump();
}

// The Ed25519 check a validator runs on bytes from the wire or a document:
// parse the key and the signature at their fixed sizes, then verify.
bool AcceptsEd25519(ByteView public_key, ByteView message, ByteView signature) {
  Result<PublicKey> key = PublicKeyFromBytes(public_key);
  Result<Signature> sig = SignatureFromBytes(signature);
  return key.ok() && sig.ok() && Verify(*key, message, *sig);
}

TEST_CASE("Wycheproof Ed25519: crypto::Verify reproduces every verdict") {
  nlohmann::json vectors = LoadVectors("ed25519_test.json", "EDDSA");
  Tally tally;
  for (const nlohmann::json& group : vectors["testGroups"]) {
    REQUIRE(group.at("type") == "EddsaVerify");
    Bytes public_key = Hex(group.at("publicKey").at("pk"));
    for (const nlohmann::json& test : group.at("tests")) {
      CAPTURE(CaseName(test));
      Bytes message = Hex(test.at("msg"));
      Bytes signature = Hex(test.at("sig"));
      bool accepted = AcceptsEd25519(public_key, message, signature);
      const std::string result = test.at("result");
      if (result == "valid") {
        CHECK(accepted);
        ++tally.valid;
      } else if (result == "invalid") {
        CHECK_FALSE(accepted);
        ++tally.invalid;
      } else {
        // This file has no "acceptable" case; one appearing means the vectors
        // were updated and the case needs a decision recorded here.
        FAIL("unexpected verdict ", result);
      }
    }
  }
  CHECK(tally.Total() == vectors.at("numberOfTests").get<int>());
  CHECK(tally.valid == 88);
  CHECK(tally.invalid == 63);
}

TEST_CASE("Wycheproof X25519: crypto_scalarmult (under crypto_kx) reproduces every verdict") {
  nlohmann::json vectors = LoadVectors("x25519_test.json", "XDH");
  Tally tally;
  const Bytes all_zero(crypto_scalarmult_BYTES, 0);
  for (const nlohmann::json& group : vectors["testGroups"]) {
    REQUIRE(group.at("type") == "XdhComp");
    REQUIRE(group.at("curve") == "curve25519");
    for (const nlohmann::json& test : group.at("tests")) {
      CAPTURE(CaseName(test));
      Bytes peer_public = Hex(test.at("public"));
      Bytes private_key = Hex(test.at("private"));
      Bytes shared = Hex(test.at("shared"));
      // The transport reads the peer's ephemeral key as exactly 32 bytes
      // (node/peer_wire.h); every vector here has that size.
      REQUIRE(peer_public.size() == crypto_scalarmult_BYTES);
      REQUIRE(private_key.size() == crypto_scalarmult_SCALARBYTES);

      Bytes out(crypto_scalarmult_BYTES);
      bool accepted = crypto_scalarmult(out.data(), private_key.data(), peer_public.data()) == 0;

      // crypto_kx derives the session keys from this same product and fails
      // exactly when it does, so the verdict carries over to the handshake.
      std::array<uint8_t, crypto_kx_PUBLICKEYBYTES> own_public{};
      REQUIRE(crypto_scalarmult_base(own_public.data(), private_key.data()) == 0);
      std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> rx{};
      std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> tx{};
      bool kx_accepted = crypto_kx_client_session_keys(rx.data(), tx.data(), own_public.data(),
                                                       private_key.data(), peer_public.data()) == 0;
      CHECK(kx_accepted == accepted);

      const std::string result = test.at("result");
      if (result == "valid") {
        CHECK(accepted);
        CHECK(HexEncode(out) == HexEncode(shared));
        ++tally.valid;
      } else if (result == "acceptable") {
        // "acceptable" marks inputs RFC 7748 lets an implementation either
        // compute or refuse: public keys on the twist, non-canonical
        // (>= 2^255 - 19) encodings, and low-order points. libsodium computes
        // the first two exactly as RFC 7748 §5 says, and refuses a peer key
        // whose product is all zero (a low-order point, RFC 7748 §6.1 "check
        // ... is not the all-zero value"): the stricter choice, since such a
        // key would let a peer force a known session key. Record precisely
        // that: refused iff the expected shared secret is all zero.
        if (shared == all_zero) {
          CHECK_FALSE(accepted);
          ++tally.acceptable_refused;
        } else {
          CHECK(accepted);
          CHECK(HexEncode(out) == HexEncode(shared));
          ++tally.acceptable_accepted;
        }
      } else {
        FAIL("unexpected verdict ", result);
      }
    }
  }
  CHECK(tally.Total() == vectors.at("numberOfTests").get<int>());
  CHECK(tally.valid == 264);
  CHECK(tally.invalid == 0);
  CHECK(tally.acceptable_accepted == 223);
  CHECK(tally.acceptable_refused == 31);
}

// The transport's seal: its nonce is a fixed 12-byte counter (RFC 8439 §2.8)
// and its key a 32-byte crypto_kx session key, so a vector with another
// nonce or key size cannot be expressed there at all; it counts as refused.
bool Seal(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& plaintext,
          Bytes& sealed) {
  if (key.size() != crypto_aead_chacha20poly1305_ietf_KEYBYTES ||
      nonce.size() != crypto_aead_chacha20poly1305_ietf_NPUBBYTES) {
    return false;
  }
  sealed.assign(plaintext.size() + crypto_aead_chacha20poly1305_ietf_ABYTES, 0);
  unsigned long long sealed_bytes = 0;
  REQUIRE(crypto_aead_chacha20poly1305_ietf_encrypt(sealed.data(), &sealed_bytes, plaintext.data(),
                                                    plaintext.size(), aad.data(), aad.size(),
                                                    nullptr, nonce.data(), key.data()) == 0);
  REQUIRE(sealed_bytes == sealed.size());
  return true;
}

// The transport's open (same size rules as Seal).
bool Open(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& sealed,
          Bytes& plaintext) {
  if (key.size() != crypto_aead_chacha20poly1305_ietf_KEYBYTES ||
      nonce.size() != crypto_aead_chacha20poly1305_ietf_NPUBBYTES ||
      sealed.size() < crypto_aead_chacha20poly1305_ietf_ABYTES) {
    return false;
  }
  plaintext.assign(sealed.size() - crypto_aead_chacha20poly1305_ietf_ABYTES, 0);
  unsigned long long plaintext_bytes = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(plaintext.data(), &plaintext_bytes, nullptr,
                                                sealed.data(), sealed.size(), aad.data(),
                                                aad.size(), nonce.data(), key.data()) != 0) {
    return false;
  }
  REQUIRE(plaintext_bytes == plaintext.size());
  return true;
}

TEST_CASE("Wycheproof ChaCha20-Poly1305: the transport's seal and open reproduce every verdict") {
  nlohmann::json vectors = LoadVectors("chacha20_poly1305_test.json", "CHACHA20-POLY1305");
  Tally tally;
  for (const nlohmann::json& group : vectors["testGroups"]) {
    REQUIRE(group.at("type") == "AeadTest");
    REQUIRE(group.at("tagSize") == 8 * crypto_aead_chacha20poly1305_ietf_ABYTES);
    for (const nlohmann::json& test : group.at("tests")) {
      CAPTURE(CaseName(test));
      Bytes key = Hex(test.at("key"));
      Bytes nonce = Hex(test.at("iv"));
      Bytes aad = Hex(test.at("aad"));
      Bytes message = Hex(test.at("msg"));
      Bytes expected = Hex(test.at("ct"));
      Bytes tag = Hex(test.at("tag"));
      expected.insert(expected.end(), tag.begin(), tag.end());

      Bytes sealed;
      bool sealed_ok = Seal(key, nonce, aad, message, sealed);
      Bytes opened;
      bool opened_ok = Open(key, nonce, aad, expected, opened);

      const std::string result = test.at("result");
      if (result == "valid") {
        REQUIRE(sealed_ok);
        CHECK(HexEncode(sealed) == HexEncode(expected));
        CHECK(opened_ok);
        CHECK(HexEncode(opened) == HexEncode(message));
        ++tally.valid;
      } else if (result == "invalid") {
        // A modified tag or an impossible nonce size: never opened, and our
        // own seal of the same message never produces those bytes.
        CHECK_FALSE(opened_ok);
        CHECK_FALSE((sealed_ok && sealed == expected));
        ++tally.invalid;
      } else {
        FAIL("unexpected verdict ", result);
      }
    }
  }
  CHECK(tally.Total() == vectors.at("numberOfTests").get<int>());
  CHECK(tally.valid == 256);
  CHECK(tally.invalid == 69);
}

}  // namespace
}  // namespace frontera::crypto
