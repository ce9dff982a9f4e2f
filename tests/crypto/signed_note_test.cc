#include "crypto/signed_note.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/json.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* const kAgencies[] = {"us-cbp", "mx-anam", "ca-cbsa"};

KeyPair AgencyKey(const std::string& name) {
  Json party = ParseJson(ReadFixture("parties.json")).value()["parties"][name];
  Bytes seed = HexDecode(party["testSeedHex"].get<std::string>()).value();
  return KeyPair::FromSeed(SeedFromBytes(seed).value());
}

std::vector<NoteVerifier> AgencyVerifiers() {
  std::vector<NoteVerifier> verifiers;
  for (const char* name : kAgencies) verifiers.push_back({name, AgencyKey(name).public_key()});
  return verifiers;
}

TEST_CASE("fixtures: checkpoint.txt parses, and its body is the 3-leaf checkpoint") {
  std::string encoded = ReadFixture("checkpoint.txt");
  Result<Note> note = ParseNote(encoded);
  REQUIRE(note.ok());
  REQUIRE(note->signatures.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(note->signatures[i].name == kAgencies[i]);
    CHECK(note->signatures[i].key_id ==
          NoteKeyId(kAgencies[i], AgencyKey(kAgencies[i]).public_key()));
  }
  Result<Checkpoint> checkpoint = ParseCheckpointBody(note->text);
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->origin == "frontera.example/north-america-1");
  CHECK(checkpoint->tree_size == 3);
  Json leaves = ParseJson(ReadFixture("leaf-hashes.json")).value();
  CHECK(Base64Encode(checkpoint->root) == leaves["root"].get<std::string>());
  CHECK(checkpoint->extensions.empty());
  CHECK(FormatCheckpointBody(*checkpoint) == note->text);
  CHECK(FormatNote(*note) == encoded);
}

TEST_CASE("fixtures: the three agencies' signatures verify") {
  Note note = ParseNote(ReadFixture("checkpoint.txt")).value();
  CHECK(VerifiedSigners(note, AgencyVerifiers()) ==
        std::vector<std::string>{"us-cbp", "mx-anam", "ca-cbsa"});
  // The result follows the order of the verifiers.
  std::vector<NoteVerifier> reversed = AgencyVerifiers();
  std::reverse(reversed.begin(), reversed.end());
  CHECK(VerifiedSigners(note, reversed) ==
        std::vector<std::string>{"ca-cbsa", "mx-anam", "us-cbp"});
}

TEST_CASE("fixtures: a modified note verifies no signer") {
  std::string encoded = ReadFixture("checkpoint.txt");
  std::string changed = encoded;
  changed.replace(changed.find("\n3\n"), 3, "\n4\n");
  Note note = ParseNote(changed).value();
  CHECK(VerifiedSigners(note, AgencyVerifiers()).empty());
  // Each byte of the text matters.
  Note original = ParseNote(encoded).value();
  for (size_t i = 0; i < original.text.size() - 1; ++i) {
    Note flipped = original;
    flipped.text[i] ^= 0x01;
    CHECK(VerifiedSigners(flipped, AgencyVerifiers()).empty());
  }
  // So does each signature.
  for (size_t s = 0; s < 3; ++s) {
    Note bad = original;
    bad.signatures[s].signature[10] ^= 0x01;
    CHECK(VerifiedSigners(bad, AgencyVerifiers()).size() == 2);
  }
}

TEST_CASE("fixtures: SignNote with the agency seeds reproduces checkpoint.txt byte for byte") {
  std::string encoded = ReadFixture("checkpoint.txt");
  Checkpoint checkpoint = ParseCheckpointBody(ParseNote(encoded).value().text).value();
  KeyPair us = AgencyKey("us-cbp");
  KeyPair mx = AgencyKey("mx-anam");
  KeyPair ca = AgencyKey("ca-cbsa");
  std::string body = FormatCheckpointBody(checkpoint);
  CHECK(SignNote(body, {{"us-cbp", &us}, {"mx-anam", &mx}, {"ca-cbsa", &ca}}) == encoded);
  std::string line = NoteSignatureLine(body, "mx-anam", mx);
  CHECK(encoded.find(line + "\n") != std::string::npos);
  CHECK(line.rfind("\xE2\x80\x94 mx-anam ", 0) == 0);
}

TEST_CASE("signatures by unknown keys are ignored, and each verifier counts once") {
  KeyPair a = KeyPair::Generate();
  KeyPair b = KeyPair::Generate();
  std::string text = "example.org/log\n1\n" + Base64Encode(Bytes(32, 0)) + "\n";
  std::string encoded = SignNote(text, {{"a", &a}, {"b", &b}, {"a", &a}});
  Note note = ParseNote(encoded).value();
  CHECK(note.signatures.size() == 3);
  CHECK(VerifiedSigners(note, {{"a", a.public_key()}}) == std::vector<std::string>{"a"});
  // Same name, other key; same key, other name: not the verifier's signature.
  CHECK(VerifiedSigners(note, {{"a", b.public_key()}}).empty());
  CHECK(VerifiedSigners(note, {{"c", a.public_key()}}).empty());
  // A well-formed line of another algorithm (longer signature) is skipped.
  std::string other = encoded + "\xE2\x80\x94 w " + Base64Encode(Bytes(4 + 96, 9)) + "\n";
  Result<Note> with_other = ParseNote(other);
  REQUIRE(with_other.ok());
  CHECK(with_other->signatures.size() == 3);
  CHECK(VerifiedSigners(*with_other, {{"a", a.public_key()}, {"b", b.public_key()}}) ==
        std::vector<std::string>{"a", "b"});
}

// tlog-cosignature v1.0.0, "Format" and "Ed25519 signed message": the example
// checkpoint and cosignature line of the spec, and its signed message.
constexpr char kSpecCheckpoint[] =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr char kSpecWitnessLine[] =
    "\xE2\x80\x94 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
    "mbIUBkBIfZ+qnA==\n";

TEST_CASE("cosignature/v1: the spec's example line parses to its key id and time") {
  Result<Note> note = ParseNote(std::string(kSpecCheckpoint) + "\n" + kSpecWitnessLine);
  REQUIRE(note.ok());
  REQUIRE(note->signatures.size() == 1);
  const NoteSignature& s = note->signatures[0];
  CHECK(s.name == "witness.example.com/w1");
  CHECK(HexEncode(ByteView(s.key_id.data(), 4)) == "8d66cf3f");
  REQUIRE(s.time.has_value());
  CHECK(*s.time == 1679315147);
  // The spec's signed message for that time, byte for byte.
  CHECK(CosignatureMessage(*s.time, note->text) ==
        "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  // Formatting writes the time back: the same line.
  CHECK(FormatNote(*note) == std::string(kSpecCheckpoint) + "\n" + kSpecWitnessLine);
}

TEST_CASE("cosignature/v1: known answer from an independent implementation") {
  // Computed outside Frontera (Python `cryptography`, hashlib) from the spec
  // text: us-cbp's test seed, the body of checkpoint.txt, time 1700000000.
  Note fixture = ParseNote(ReadFixture("checkpoint.txt")).value();
  KeyPair us = AgencyKey("us-cbp");
  CHECK(HexEncode(ByteView(
            NoteKeyId("us-cbp", us.public_key(), NoteSignatureType::kCosignatureV1).data(), 4)) ==
        "e4694b6b");
  const std::string expected =
      "\xE2\x80\x94 us-cbp "
      "5GlLawAAAABlU/EAZcKKe6TJrpiYH+VhxBLb3qJsO9sECSQyh1oMctcTuaa7b0mxIk35MT3HYKBA+"
      "7HiY1v9PNbHRIVcDQGiBQx8Aw==\n";
  CHECK(CosignNote(fixture.text, {{"us-cbp", &us}}, 1700000000) == fixture.text + "\n" + expected);
  Note note = ParseNote(fixture.text + "\n" + expected).value();
  std::vector<VerifiedSignature> signed_by = VerifiedCosigners(note, AgencyVerifiers());
  REQUIRE(signed_by.size() == 1);
  CHECK(signed_by[0].name == "us-cbp");
  CHECK(signed_by[0].time == std::optional<uint64_t>(1700000000));
}

TEST_CASE("cosignature/v1: a changed time or body is refused, and a 0x01 key id does not match") {
  Note fixture = ParseNote(ReadFixture("checkpoint.txt")).value();
  KeyPair us = AgencyKey("us-cbp");
  Note note = ParseNote(CosignNote(fixture.text, {{"us-cbp", &us}}, 1700000000)).value();
  REQUIRE(VerifiedSigners(note, AgencyVerifiers()) == std::vector<std::string>{"us-cbp"});
  Note later = note;
  later.signatures[0].time = 1700000001;  // a tampered time
  CHECK(VerifiedSigners(ParseNote(FormatNote(later)).value(), AgencyVerifiers()).empty());
  Note plain_id = note;
  plain_id.signatures[0].key_id = NoteKeyId("us-cbp", us.public_key());
  CHECK(VerifiedSigners(plain_id, AgencyVerifiers()).empty());
  Note other_body = note;
  other_body.text = "frontera.example/north-america-1\n4\n" + Base64Encode(Bytes(32, 1)) + "\n";
  CHECK(VerifiedSigners(other_body, AgencyVerifiers()).empty());
  // A time above 2^63 - 1 (tlog-cosignature's bound) is malformed.
  Bytes blob(4, 0);
  blob.insert(blob.end(), 8, 0xFF);
  blob.insert(blob.end(), 64, 0);
  Result<Note> huge =
      ParseNote(fixture.text + "\n\xE2\x80\x94 us-cbp " + Base64Encode(blob) + "\n");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().message().find("2^63") != std::string::npos);
}

TEST_CASE("both signature types verify on one note; each signer's newest time is reported") {
  Note fixture = ParseNote(ReadFixture("checkpoint.txt")).value();
  KeyPair us = AgencyKey("us-cbp");
  KeyPair mx = AgencyKey("mx-anam");
  Note note = fixture;  // the three plain 0x01 signatures of the example
  note.signatures.push_back(Cosign(fixture.text, "us-cbp", us, 1700000100));
  note.signatures.push_back(Cosign(fixture.text, "mx-anam", mx, 1700000000));
  note.signatures.push_back(Cosign(fixture.text, "mx-anam", mx, 1700000200));
  Note parsed = ParseNote(FormatNote(note)).value();
  std::vector<VerifiedSignature> signed_by = VerifiedCosigners(parsed, AgencyVerifiers());
  REQUIRE(signed_by.size() == 3);
  CHECK(signed_by[0].name == "us-cbp");
  CHECK(signed_by[0].time == std::optional<uint64_t>(1700000100));
  CHECK(signed_by[1].time == std::optional<uint64_t>(1700000200));
  CHECK(signed_by[2].name == "ca-cbsa");
  CHECK_FALSE(signed_by[2].time.has_value());
  CHECK(VerifiedSigners(parsed, AgencyVerifiers()) ==
        std::vector<std::string>{"us-cbp", "mx-anam", "ca-cbsa"});
}

TEST_CASE("NoteKeyId is SHA-256(name || 0x0A || 0x01 || key)[:4]") {
  KeyPair key = AgencyKey("us-cbp");
  Bytes input = ToBytes("us-cbp\n");
  input.push_back(0x01);
  input.insert(input.end(), key.public_key().begin(), key.public_key().end());
  Sha256Digest digest = Sha256(input);
  KeyId expected = {digest[0], digest[1], digest[2], digest[3]};
  CHECK(NoteKeyId("us-cbp", key.public_key()) == expected);
  CHECK(NoteKeyId("us-cbp2", key.public_key()) != expected);
}

TEST_CASE("ParseNote rejects malformed notes") {
  KeyPair key = KeyPair::Generate();
  std::string text = "hello\n";
  std::string good = SignNote(text, {{"k", &key}});
  REQUIRE(ParseNote(good).ok());
  std::string sig_line = good.substr(text.size() + 1);

  CHECK(ParseNote("hello\n" + sig_line).status().IsInvalidArgument());  // no blank line
  CHECK_FALSE(ParseNote(text + "\n").ok());                             // no signatures
  CHECK_FALSE(ParseNote(good.substr(0, good.size() - 1)).ok());         // no final newline
  CHECK_FALSE(ParseNote(text + "\n- k " + sig_line.substr(sig_line.find(' ', 4) + 1)).ok());
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94 k+1 " + Base64Encode(Bytes(68, 1)) + "\n").ok());
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94  " + Base64Encode(Bytes(68, 1)) + "\n").ok());
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94 k\xC2\xA0x " + Base64Encode(Bytes(68, 1)) + "\n")
                  .ok());  // NO-BREAK SPACE in the name
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94 k not-base64!\n").ok());
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94 k " + Base64Encode(Bytes(4, 1)) + "\n").ok());
  CHECK_FALSE(ParseNote(text + "\n\xE2\x80\x94 k\n").ok());
  CHECK_FALSE(ParseNote("he\tllo\n\n" + sig_line).ok());  // control character
  CHECK_FALSE(ParseNote("h\xFF\n\n" + sig_line).ok());    // not UTF-8
  CHECK_FALSE(ParseNote(good + "\n").ok());               // blank line among signatures
  // The text may contain blank lines: the last one separates.
  Result<Note> blank_inside = ParseNote("a\n\nb\n\n" + sig_line);
  REQUIRE(blank_inside.ok());
  CHECK(blank_inside->text == "a\n\nb\n");
  // signatures_max bounds the work.
  std::string many = text + "\n";
  for (int i = 0; i < 5; ++i) many += sig_line;
  CHECK(ParseNote(many, 5).ok());
  CHECK_FALSE(ParseNote(many, 4).ok());
}

TEST_CASE("ParseCheckpointBody enforces tlog-checkpoint's note text") {
  std::string root = Base64Encode(Bytes(32, 0xab));
  Result<Checkpoint> ok = ParseCheckpointBody("o\n0\n" + root + "\n");
  REQUIRE(ok.ok());
  CHECK(ok->tree_size == 0);
  Result<Checkpoint> big = ParseCheckpointBody("o\n18446744073709551615\n" + root + "\next 1\n");
  REQUIRE(big.ok());
  CHECK(big->tree_size == UINT64_MAX);
  CHECK(big->extensions == std::vector<std::string>{"ext 1"});
  CHECK(FormatCheckpointBody(*big) == "o\n18446744073709551615\n" + root + "\next 1\n");

  CHECK(ParseCheckpointBody("\n3\n" + root + "\n").status().IsInvalidArgument());  // empty origin
  CHECK_FALSE(ParseCheckpointBody("o\n03\n" + root + "\n").ok());                  // leading zero
  CHECK_FALSE(ParseCheckpointBody("o\n00\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n-1\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n+1\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n1 \n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n18446744073709551616\n" + root + "\n").ok());  // 2^64
  CHECK_FALSE(ParseCheckpointBody("o\n3\n" + Base64Encode(Bytes(31, 1)) + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n3\n" + Base64UrlEncode(Bytes(32, 0xff)) + "\n").ok());
  CHECK_FALSE(ParseCheckpointBody("o\n3\n" + root).ok());           // no final newline
  CHECK_FALSE(ParseCheckpointBody("o\n3\n").ok());                  // no root line
  CHECK_FALSE(ParseCheckpointBody("o\n3\n" + root + "\n\n").ok());  // empty extension line
}

}  // namespace
}  // namespace frontera::crypto
