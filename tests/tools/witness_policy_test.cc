// The k-of-witnesses policy of trust bundles (tools::CheckWitnessQuorum,
// docs/cli.md#witnesses): witness cosignature lines on a bundle's checkpoint,
// checked against the genesis witnesses' keys.
#include <doctest/doctest.h>

#include <string>

#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/tlog_witness.h"
#include "tests/tools/label_support.h"
#include "tools/trust.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::BundleMaker;

crypto::KeyPair WitnessKey(uint8_t fill) {
  crypto::Seed seed{};
  seed.fill(fill);
  return crypto::KeyPair::FromSeed(seed);
}

const crypto::KeyPair kW1 = WitnessKey(0x31);
const crypto::KeyPair kW2 = WitnessKey(0x32);

// A bundle maker whose genesis lists witnesses w1 and w2 (and `quorum`).
BundleMaker WitnessedMaker(size_t quorum = 0) {
  BundleMaker maker;
  maker.genesis["witnesses"] = {
      {{"name", "w1.example"},
       {"key", crypto::FormatCosignerVkey("w1.example", kW1.public_key())},
       {"url", "http://127.0.0.1:1"}},
      {{"name", "w2.example"},
       {"key", crypto::FormatCosignerVkey("w2.example", kW2.public_key())},
       {"url", "http://127.0.0.1:2"}}};
  if (quorum != 0) maker.genesis["witness_quorum"] = quorum;
  return maker;
}

crypto::Hash HashOf(const Json& genesis) {
  return crypto::Sha256(crypto::Canonicalize(genesis).value());
}

// `bundle` with a cosignature line of `name` by `key` added to its checkpoint.
Json WithWitnessLine(Json bundle, const std::string& name, const crypto::KeyPair& key) {
  auto note = crypto::ParseNote(bundle["checkpoint"].get<std::string>());
  REQUIRE(note.ok());
  note->signatures.push_back(crypto::Cosign(note->text, name, key, 1800000000));
  bundle["checkpoint"] = crypto::FormatNote(*note);
  return bundle;
}

TEST_CASE("a checkpoint with k valid witness cosignatures meets --witnesses k, not k+1") {
  const BundleMaker maker = WitnessedMaker();
  const Json bundle = WithWitnessLine(maker.Make(), "w1.example", kW1);
  auto verified = VerifyTrustBundle(bundle, HashOf(maker.genesis));
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  CHECK(verified->witness_cosigners == std::vector<std::string>{"w1.example"});
  CHECK(CheckWitnessQuorum(*verified, 0).ok());
  CHECK(CheckWitnessQuorum(*verified, 1).ok());
  Status missing = CheckWitnessQuorum(*verified, 2);
  REQUIRE(missing.IsFailedPrecondition());
  CHECK(
      missing.message().starts_with("WITNESSES MISSING: the checkpoint at tree size 6 carries "
                                    "valid cosignatures of 1 witness(es) (w1.example), 2 "
                                    "required by --witnesses; the genesis lists 2"));

  const Json both = WithWitnessLine(bundle, "w2.example", kW2);
  auto two = VerifyTrustBundle(both, HashOf(maker.genesis));
  REQUIRE(two.ok());
  CHECK(CheckWitnessQuorum(*two, 2).ok());
}

TEST_CASE("without witness lines, the genesis's witness_quorum alone refuses the checkpoint") {
  const BundleMaker maker = WitnessedMaker(/*quorum=*/1);
  auto verified = VerifyTrustBundle(maker.Make(), HashOf(maker.genesis));
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  CHECK(verified->witness_cosigners.empty());
  Status missing = CheckWitnessQuorum(*verified, 0);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.message().find("1 required by the genesis") != std::string::npos);
  // A genesis without witnesses and no flag: nothing is required.
  const BundleMaker plain;
  auto none = VerifyTrustBundle(plain.Make(), HashOf(plain.genesis));
  REQUIRE(none.ok());
  CHECK(CheckWitnessQuorum(*none, 0).ok());
  CHECK_FALSE(CheckWitnessQuorum(*none, 1).ok());
}

TEST_CASE("a witness line that does not verify, or of a witness not in the genesis, refuses") {
  const BundleMaker maker = WitnessedMaker();
  // w1's name with w2's key: the wrong key.
  auto wrong_key =
      VerifyTrustBundle(WithWitnessLine(maker.Make(), "w1.example", kW2), HashOf(maker.genesis));
  REQUIRE_FALSE(wrong_key.ok());
  CHECK(wrong_key.status().ToString().find(
            "the signature line by witness \"w1.example\" is not a valid cosignature/v1") !=
        std::string::npos);
  // A witness the genesis does not list.
  auto stranger =
      VerifyTrustBundle(WithWitnessLine(maker.Make(), "w9.example", kW1), HashOf(maker.genesis));
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.status().ToString().find("\"w9.example\", not a voter of the network") !=
        std::string::npos);
  // A plain (0x01) line by a witness's key is not a cosignature either.
  Json bundle = maker.Make();
  auto note = crypto::ParseNote(bundle["checkpoint"].get<std::string>());
  REQUIRE(note.ok());
  bundle["checkpoint"] = bundle["checkpoint"].get<std::string>() +
                         crypto::NoteSignatureLine(note->text, "w1.example", kW1) + "\n";
  CHECK_FALSE(VerifyTrustBundle(bundle, HashOf(maker.genesis)).ok());
}

}  // namespace
}  // namespace frontera::tools
