#include "crypto/tlog_witness.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/sha256.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

KeyPair KeyOf(uint8_t fill) {
  Seed seed{};
  seed.fill(fill);
  return KeyPair::FromSeed(seed);
}

const KeyPair kLog = KeyOf(1);
const KeyPair kWitness = KeyOf(2);
const KeyPair kOther = KeyOf(3);
const NoteVerifier kWitnessVerifier{"witness.example/w1", kWitness.public_key()};

std::string CheckpointText() {
  Checkpoint cp;
  cp.origin = "frontera.example/test";
  cp.tree_size = 5;
  cp.root.fill(7);
  return FormatCheckpointBody(cp);
}

// The body a witness answers: its signature lines (FormatNote without the
// text and the blank line).
std::string Lines(const std::vector<NoteSignature>& signatures) {
  Note note{CheckpointText(), signatures};
  return FormatNote(note).substr(CheckpointText().size() + 1);
}

TEST_CASE("the add-checkpoint body is the old size, the proof lines, a blank line and the note") {
  const std::string note = CosignNote(CheckpointText(), {{"validator-a", &kLog}}, 1700000000);
  Hash a{}, b{};
  a.fill(0xAA);
  b.fill(0xBB);
  const std::string body = AddCheckpointBody(3, {a, b}, note);
  CHECK(body == "old 3\n" + Base64Encode(ByteView(a.data(), 32)) + "\n" +
                    Base64Encode(ByteView(b.data(), 32)) + "\n\n" + note);
  CHECK(AddCheckpointBody(0, {}, note) == "old 0\n\n" + note);
}

TEST_CASE("a 200 with the witness's cosignature is read and verified") {
  NoteSignature sig = Cosign(CheckpointText(), kWitnessVerifier.name, kWitness, 1700000123);
  // Signatures by keys the log does not know are ignored, as the spec asks.
  NoteSignature stranger = Cosign(CheckpointText(), "other.example/w9", kOther, 1700000123);
  auto answer = ReadAddCheckpointAnswer(200, "text/plain", Lines({stranger, sig}), CheckpointText(),
                                        kWitnessVerifier);
  REQUIRE(answer.ok());
  CHECK(answer->kind == AddCheckpointAnswer::Kind::kCosigned);
  REQUIRE(answer->cosignatures.size() == 1);
  CHECK(answer->cosignatures[0].name == "witness.example/w1");
  CHECK(answer->cosignatures[0].time == 1700000123u);
  Note note{CheckpointText(), answer->cosignatures};
  CHECK(VerifiedWitnesses(note, {kWitnessVerifier}) ==
        std::vector<std::string>{"witness.example/w1"});
}

TEST_CASE("a 200 without a valid cosignature of the genesis witness is refused") {
  SUBCASE("a bad signature") {
    NoteSignature sig = Cosign(CheckpointText(), kWitnessVerifier.name, kWitness, 1700000123);
    sig.signature[0] ^= 1;
    auto answer =
        ReadAddCheckpointAnswer(200, "", Lines({sig}), CheckpointText(), kWitnessVerifier);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.status().message().find("without a valid cosignature") != std::string::npos);
  }
  SUBCASE("a cosignature over another checkpoint") {
    NoteSignature sig = Cosign("frontera.example/test\n6\n" + Base64Encode(Bytes(32, 7)) + "\n",
                               kWitnessVerifier.name, kWitness, 1700000123);
    CHECK_FALSE(
        ReadAddCheckpointAnswer(200, "", Lines({sig}), CheckpointText(), kWitnessVerifier).ok());
  }
  SUBCASE("the wrong key under the witness's name") {
    NoteSignature sig = Cosign(CheckpointText(), kWitnessVerifier.name, kOther, 1700000123);
    CHECK_FALSE(
        ReadAddCheckpointAnswer(200, "", Lines({sig}), CheckpointText(), kWitnessVerifier).ok());
  }
  SUBCASE("the witness's key under another name") {
    NoteSignature sig = Cosign(CheckpointText(), "witness.example/w2", kWitness, 1700000123);
    CHECK_FALSE(
        ReadAddCheckpointAnswer(200, "", Lines({sig}), CheckpointText(), kWitnessVerifier).ok());
  }
  SUBCASE("a plain Ed25519 signature (no time) is not a cosignature") {
    const std::string line =
        NoteSignatureLine(CheckpointText(), kWitnessVerifier.name, kWitness) + "\n";
    CHECK_FALSE(ReadAddCheckpointAnswer(200, "", line, CheckpointText(), kWitnessVerifier).ok());
  }
  SUBCASE("not signature lines") {
    auto answer = ReadAddCheckpointAnswer(200, "", "ok\n", CheckpointText(), kWitnessVerifier);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.status().message().find("not signature lines") != std::string::npos);
    CHECK_FALSE(ReadAddCheckpointAnswer(200, "", "", CheckpointText(), kWitnessVerifier).ok());
  }
}

TEST_CASE("a 409 carries the witness's recorded size") {
  auto answer =
      ReadAddCheckpointAnswer(409, "text/x.tlog.size", "42\n", CheckpointText(), kWitnessVerifier);
  REQUIRE(answer.ok());
  CHECK(answer->kind == AddCheckpointAnswer::Kind::kConflict);
  CHECK(answer->witness_size == 42u);
  CHECK(ReadAddCheckpointAnswer(409, "text/x.tlog.size; charset=utf-8", "0\n", CheckpointText(),
                                kWitnessVerifier)
            ->witness_size == 0u);
  for (const char* bad : {"42", "042\n", "-1\n", "x\n", "\n", "18446744073709551616\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(
        ReadAddCheckpointAnswer(409, "text/x.tlog.size", bad, CheckpointText(), kWitnessVerifier)
            .ok());
  }
  // A 409 of another media type is the same-size, other-root conflict.
  auto split = ReadAddCheckpointAnswer(409, "text/plain", "different root\n", CheckpointText(),
                                       kWitnessVerifier);
  REQUIRE(split.ok());
  CHECK(split->kind == AddCheckpointAnswer::Kind::kRefused);
  CHECK(split->reason.find("split view") != std::string::npos);
}

TEST_CASE("other statuses are refusals that say why") {
  for (int status : {400, 403, 404, 422, 500}) {
    auto answer = ReadAddCheckpointAnswer(status, "text/plain", "nope\x01\n", CheckpointText(),
                                          kWitnessVerifier);
    REQUIRE(answer.ok());
    CHECK(answer->kind == AddCheckpointAnswer::Kind::kRefused);
    CHECK(answer->reason.starts_with(std::to_string(status)));
    CHECK(answer->reason.find("nope") != std::string::npos);
  }
  CHECK(ReadAddCheckpointAnswer(404, "", "", CheckpointText(), kWitnessVerifier)
            ->reason.find("origin") != std::string::npos);
}

TEST_CASE("witness verifier keys: type 0x04, 0x01, and what is refused") {
  const std::string vkey = FormatCosignerVkey(kWitnessVerifier.name, kWitness.public_key());
  auto parsed = ParseCosignerVkey(vkey);
  REQUIRE(parsed.ok());
  CHECK(parsed->name == kWitnessVerifier.name);
  CHECK(parsed->public_key == kWitness.public_key());
  // Independently: the key id is SHA-256(name ‖ "\n" ‖ 0x04 ‖ key)[:4].
  std::string preimage = kWitnessVerifier.name + "\n\x04";
  preimage.append(reinterpret_cast<const char*>(kWitness.public_key().data()), 32);
  const Sha256Digest digest = Sha256(AsBytes(preimage));
  CHECK(vkey.substr(kWitnessVerifier.name.size() + 1, 8) == HexEncode(ByteView(digest.data(), 4)));

  // The same key written as a signed-note (0x01) key.
  const KeyId plain = NoteKeyId("w", kWitness.public_key());
  Bytes key01(33, 0x01);
  std::copy(kWitness.public_key().begin(), kWitness.public_key().end(), key01.begin() + 1);
  CHECK(ParseCosignerVkey("w+" + HexEncode(ByteView(plain.data(), 4)) + "+" + Base64Encode(key01))
            .ok());

  std::string wrong_id = vkey;
  wrong_id[kWitnessVerifier.name.size() + 1] =
      wrong_id[kWitnessVerifier.name.size() + 1] == '0' ? '1' : '0';
  for (const std::string& bad :
       {std::string("witness"), std::string("w+12345678"), wrong_id,
        "w+" + HexEncode(ByteView(plain.data(), 4)) + "+" + Base64Encode(Bytes(33, 2)),
        std::string("w x+12345678+") + Base64Encode(key01), std::string("w+1234+AAAA")}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseCosignerVkey(bad).ok());
  }
}

}  // namespace
}  // namespace frontera::crypto
