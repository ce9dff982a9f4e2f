#include "tools/verify.h"

#include <doctest/doctest.h>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/signed_note.h"
#include "ledger/gs1.h"
#include "tests/tools/label_support.h"
#include "tests/tools/test_support.h"
#include "tools/builders.h"

namespace frontera::tools {
namespace {

using testing::FixtureDid;
using testing::FixtureKey;
using testing::LoadFixture;

constexpr char kNetwork[] = "frontera.example/north-america-1";
constexpr char kCertificateId[] = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

int64_t Millis(const char* rfc3339) { return ledger::gs1::ParseRfc3339Millis(rfc3339).value(); }

// The network of the fixtures (three agency validators, the six parties).
Json GenesisJson() { return testing::LabelGenesisJson(); }

ledger::Genesis ParseGenesisOrDie(const Json& json) {
  auto genesis = ledger::ParseGenesis(json);
  REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
  return *genesis;
}

// An EPCIS event on the fixture unit, signed by `signer` (a fixture party).
Json SignedEvent(const char* step, const char* signer, const char* to, const char* time) {
  EventFields f;
  f.kind = *EventKindFromCliName(step);
  f.event_id = NewUrnUuid();
  f.event_time = time;
  f.certificate_id = kCertificateId;
  f.epc = "https://id.gs1.org/01/07501234000017/21/SN000123";
  f.signer_did = FixtureDid(signer);
  if (to != nullptr) f.destination_party = FixtureDid(to);
  Json event = BuildEvent(f).value();
  return SignDocument(event, FixtureKey(signer), time).value();
}

crypto::Hash LeafHashOf(const Json& document) {
  return crypto::LeafHash(AsBytes(crypto::Canonicalize(document).value()));
}

// The ledger as a node would present it: the fixture credential at leaf 0,
// its events after it, a checkpoint of the whole tree.
struct World {
  Json credential = LoadFixture("pharma-credential.json");
  std::vector<Json> events;
  std::string status = "active";
  std::string origin = kNetwork;
  std::vector<std::string> checkpoint_signers = {"us-cbp", "mx-anam", "ca-cbsa"};
  std::vector<Json> other_leaves;  // documents after the events

  World() {
    events.push_back(LoadFixture("shipping-event.json"));  // manufacturer → carrier
    events.push_back(
        SignedEvent("shipping", "mx-carrier", "us-distributor", "2026-11-04T08:00:00.000-06:00"));
    events.push_back(SignedEvent("hold", "us-cbp", nullptr, "2026-11-04T11:00:00.000-06:00"));
    events.push_back(SignedEvent("release", "us-cbp", nullptr, "2026-11-04T12:00:00.000-06:00"));
    events.push_back(
        SignedEvent("receiving", "us-distributor", nullptr, "2026-11-05T09:00:00.000-05:00"));
    other_leaves.push_back(LoadFixture("precursor-credential.json"));
  }

  std::vector<crypto::Hash> Leaves() const {
    std::vector<crypto::Hash> leaves = {LeafHashOf(credential)};
    for (const Json& e : events) leaves.push_back(LeafHashOf(e));
    for (const Json& d : other_leaves) leaves.push_back(LeafHashOf(d));
    return leaves;
  }

  Json CertificateAnswer() const {
    return {{"credential", credential},
            {"status", status},
            {"events", events},
            {"flags", Json::array()},
            {"ledger", {{"leaf_index", 0}, {"block", 1}}}};
  }

  Json ProofAnswer() const {
    std::vector<crypto::Hash> leaves = Leaves();
    crypto::PerfectSubtreeFn perfect = [&](int level, uint64_t index) -> Result<crypto::Hash> {
      uint64_t begin = index << level, end = (index + 1) << level;
      if (end > leaves.size()) return Status::NotFound("no such subtree");
      return crypto::RootFromLeafHashes(
          std::vector<crypto::Hash>(leaves.begin() + begin, leaves.begin() + end));
    };
    auto proof = crypto::InclusionProof(0, leaves.size(), perfect);
    REQUIRE(proof.ok());
    Json inclusion = Json::array();
    for (const crypto::Hash& h : *proof) inclusion.push_back(Base64Encode(h));
    crypto::Checkpoint body{origin, leaves.size(), crypto::RootFromLeafHashes(leaves), {}};
    std::vector<crypto::KeyPair> keys;
    keys.reserve(checkpoint_signers.size());
    for (const std::string& s : checkpoint_signers) keys.push_back(FixtureKey(s));
    std::vector<std::pair<std::string, const crypto::KeyPair*>> signers;
    for (size_t i = 0; i < keys.size(); ++i) signers.push_back({checkpoint_signers[i], &keys[i]});
    return {{"leaf_index", 0},
            {"leaf_hash", Base64Encode(leaves[0])},
            {"tree_size", leaves.size()},
            {"inclusion", inclusion},
            {"checkpoint", crypto::SignNote(crypto::FormatCheckpointBody(body), signers)}};
  }

  Evidence Gather() const {
    auto evidence = EvidenceFromAnswers(kCertificateId, CertificateAnswer(), ProofAnswer());
    REQUIRE_MESSAGE(evidence.ok(), evidence.status().ToString());
    return *evidence;
  }
};

const int64_t kNow = Millis("2027-06-01T00:00:00Z");

// The failed checks of a report, by name.
std::vector<std::string> Failed(const Report& report) {
  std::vector<std::string> failed;
  for (const Check& c : report.checks) {
    if (!c.passed) failed.push_back(c.name);
  }
  return failed;
}

bool AnyReasonContains(const Report& report, const std::string& text) {
  for (const Check& c : report.checks) {
    for (const std::string& r : c.reasons) {
      if (r.find(text) != std::string::npos) return true;
    }
  }
  return false;
}

TEST_CASE("a good certificate with a consistent custody chain is AUTHENTIC") {
  ledger::Genesis genesis = ParseGenesisOrDie(GenesisJson());
  Report report = VerifyEvidence(genesis, World().Gather(), kNow);
  INFO(RenderReport(report));
  CHECK(report.verdict == Verdict::kAuthentic);
  CHECK(ExitCodeOf(report.verdict) == 0);
  CHECK(Failed(report).empty());
  REQUIRE(report.checks.size() == 6);
  CHECK(AnyReasonContains(report, "us-cbp, mx-anam, ca-cbsa"));
  CHECK(AnyReasonContains(report, "custodian now: Example Pharma Distribution LLC"));
  std::string text = RenderReport(report);
  CHECK(text.find("✓ credential signed by its issuer") != std::string::npos);
  CHECK(text.rfind("AUTHENTIC\n") == text.size() - 10);
  Json json = ReportJson(report);
  CHECK(json["verdict"] == "AUTHENTIC");
  CHECK(json["exit_code"] == 0);
  CHECK(json["checks"].size() == 6);
}

TEST_CASE("the fixture checkpoint verifies against the genesis validators") {
  ledger::Genesis genesis = ParseGenesisOrDie(GenesisJson());
  auto note = ReadTextFile(testing::FixturePath("checkpoint.txt"));
  REQUIRE(note.ok());
  CheckpointReport report = VerifyCheckpoint(genesis, *note);
  CHECK(report.valid);
  CHECK(report.tree_size == 3);
  CHECK(report.signers == std::vector<std::string>{"us-cbp", "mx-anam", "ca-cbsa"});
  CHECK(Base64Encode(report.root) == "5PgUf3T3vqPGI2hiF6K5wE+ckrLfFExCm7neoWq4g6Y=");
  CHECK_FALSE(VerifyCheckpoint(genesis, "not a note").valid);
}

TEST_CASE("a tampered credential is NOT AUTHENTIC") {
  World world;
  world.credential["credentialSubject"]["productName"] = "Amoxicillin 875 mg tablets";
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(Failed(report) == std::vector<std::string>{"signature"});
  CHECK(AnyReasonContains(report, "does not verify"));
}

TEST_CASE("an issuer that is not a genesis party is NOT AUTHENTIC") {
  Json genesis = GenesisJson();
  genesis["parties"].erase(0);  // the manufacturer
  Report report = VerifyEvidence(ParseGenesisOrDie(genesis), World().Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(report.checks[1].name == "issuer");
  CHECK_FALSE(report.checks[1].passed);
  CHECK(AnyReasonContains(report, "is not a party of network"));
}

TEST_CASE("a GTIN outside the issuer's prefixes is NOT AUTHENTIC") {
  Json genesis = GenesisJson();
  genesis["parties"][0]["prefixes"] = {"7509999"};
  Report report = VerifyEvidence(ParseGenesisOrDie(genesis), World().Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(Failed(report) == std::vector<std::string>{"issuer"});
  CHECK(AnyReasonContains(report, "not under a GS1 company prefix"));
}

TEST_CASE("an issuer of the wrong role is NOT AUTHENTIC; one suspended since stands") {
  // The ledger took the certificate while its issuer was in good standing:
  // a suspension since stops its new documents, not this one.
  Json suspended = GenesisJson();
  suspended["parties"][0]["suspended"] = true;
  Report after_suspension = VerifyEvidence(ParseGenesisOrDie(suspended), World().Gather(), kNow);
  CHECK(after_suspension.verdict == Verdict::kAuthentic);
  CHECK(AnyReasonContains(after_suspension, "is suspended now"));
  Json distributor = GenesisJson();
  distributor["parties"][0]["role"] = "distributor";
  Report report = VerifyEvidence(ParseGenesisOrDie(distributor), World().Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "only a manufacturer or shipper issues"));
}

TEST_CASE("a wrong inclusion proof is NOT ON LEDGER") {
  World world;
  Json certificate = world.CertificateAnswer();
  Json proof = world.ProofAnswer();
  proof["inclusion"][1] = Base64Encode(crypto::Sha256("not a sibling"));
  Evidence evidence = EvidenceFromAnswers(kCertificateId, certificate, proof).value();
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), evidence, kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(ExitCodeOf(report.verdict) == 4);
  CHECK(Failed(report) == std::vector<std::string>{"inclusion"});

  // A leaf hash that is not the credential's is caught before the proof.
  proof = world.ProofAnswer();
  proof["leaf_hash"] = Base64Encode(crypto::Sha256("other"));
  evidence = EvidenceFromAnswers(kCertificateId, certificate, proof).value();
  report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), evidence, kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(AnyReasonContains(report, "differs from the node's"));
}

TEST_CASE("a checkpoint signed by a minority of validators is NOT ON LEDGER") {
  World world;
  world.checkpoint_signers = {"us-cbp"};
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(Failed(report) == std::vector<std::string>{"checkpoint"});
  CHECK(AnyReasonContains(report, "only 1 of 3 voters signed"));

  // Signatures by keys outside genesis do not count towards the majority.
  world.checkpoint_signers = {"us-cbp", "mx-manufacturer"};
  report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);

  world.checkpoint_signers = {"mx-anam", "ca-cbsa"};  // 2 of 3 is a majority
  CHECK(VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow).verdict ==
        Verdict::kAuthentic);
}

TEST_CASE("a checkpoint of another network is NOT ON LEDGER") {
  World world;
  world.origin = "frontera.example/elsewhere-1";
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(Failed(report) == std::vector<std::string>{"checkpoint"});
  CHECK(AnyReasonContains(report, "not the genesis network"));
}

TEST_CASE("a revoked certificate is REVOKED") {
  World world;
  world.status = "revoked";
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kRevoked);
  CHECK(ExitCodeOf(report.verdict) == 2);
  CHECK(Failed(report) == std::vector<std::string>{"status"});
}

TEST_CASE("a certificate past its expiry is EXPIRED") {
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), World().Gather(),
                                 Millis("2028-11-01T00:00:00Z"));
  CHECK(report.verdict == Verdict::kExpired);
  CHECK(ExitCodeOf(report.verdict) == 3);
  CHECK(AnyReasonContains(report, "expired on 2028-10-31"));
  // The last day of the expiry date is still good.
  CHECK(VerifyEvidence(ParseGenesisOrDie(GenesisJson()), World().Gather(),
                       Millis("2028-10-31T23:00:00Z"))
            .verdict == Verdict::kAuthentic);
}

TEST_CASE("a dispensed pack is ALREADY DISPENSED, exit 7, with where and when") {
  World world;
  Json certificate = world.CertificateAnswer();
  certificate["lifecycle"] = {
      {"state", "dispensed"}, {"gln", "0061414000017"}, {"time", "2027-05-30T10:00:00.000Z"},
      {"block", 9},           {"leaf_index", 4},        {"by", "did:key:z6Mkpharmacy"}};
  auto evidence = EvidenceFromAnswers(kCertificateId, certificate, world.ProofAnswer());
  REQUIRE_MESSAGE(evidence.ok(), evidence.status().ToString());
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), *evidence, kNow);
  CHECK(report.verdict == Verdict::kDecommissioned);
  CHECK(ExitCodeOf(report.verdict) == 7);
  const std::string text = RenderReport(report);
  CHECK_MESSAGE(text.find("ALREADY DISPENSED: dispensed at GLN 0061414000017 on "
                          "2027-05-30T10:00:00Z (a possible clone)\n") != std::string::npos,
                text);
  Json json = ReportJson(report);
  CHECK(json["verdict"] == "DECOMMISSIONED");
  CHECK(json["exit_code"] == 7);
  CHECK(json["lifecycle"]["gln"] == "0061414000017");
  // A malformed lifecycle in a node's answer is refused with its member.
  certificate["lifecycle"]["state"] = "gone";
  auto bad = EvidenceFromAnswers(kCertificateId, certificate, world.ProofAnswer());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().field_errors()[0].pointer == "/lifecycle/state");
}

TEST_CASE("revocation outranks expiry, forgery outranks everything") {
  World world;
  world.status = "revoked";
  CHECK(VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(),
                       Millis("2029-01-01T00:00:00Z"))
            .verdict == Verdict::kRevoked);
  world.credential["validFrom"] = "2026-11-02T14:06:00Z";
  CHECK(VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow).verdict ==
        Verdict::kNotAuthentic);
}

TEST_CASE("a shipping by a party that does not hold the goods is NOT AUTHENTIC") {
  World world;
  // The distributor "ships" before anyone shipped to it.
  world.events.insert(
      world.events.begin() + 1,
      SignedEvent("shipping", "us-distributor", "mx-carrier", "2026-11-03T10:00:00.000-06:00"));
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  INFO(RenderReport(report));
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(Failed(report) == std::vector<std::string>{"custody"});
  CHECK(AnyReasonContains(report, "event 2: shipping by Example Pharma Distribution LLC"));
}

TEST_CASE("receiving by a party it was not shipped to is NOT AUTHENTIC") {
  World world;
  world.events.back() =
      SignedEvent("receiving", "mx-carrier", nullptr, "2026-11-05T09:00:00.000-05:00");
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "but it was shipped to Example Pharma Distribution LLC"));
}

TEST_CASE("a customs act by a party that is not an agency is NOT AUTHENTIC") {
  World world;
  world.events[2] = SignedEvent("hold", "mx-carrier", nullptr, "2026-11-04T11:00:00.000-06:00");
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "only a customs agency performs customs acts"));
}

TEST_CASE("a release by an agency that did not place the hold is NOT AUTHENTIC") {
  World world;
  world.events[3] = SignedEvent("release", "mx-anam", nullptr, "2026-11-04T12:00:00.000-06:00");
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "but the hold was placed by U.S. Customs and Border Protection"));
}

TEST_CASE("a hold in force names its agency") {
  World world;
  world.events.erase(world.events.begin() + 3, world.events.end());  // shipped, then held
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  INFO(RenderReport(report));
  CHECK(AnyReasonContains(report, "under customs hold by U.S. Customs and Border Protection"));
}

TEST_CASE("an event by an unregistered signer or for another certificate is NOT AUTHENTIC") {
  World world;
  crypto::KeyPair stranger = crypto::KeyPair::Generate();
  EventFields f;
  f.kind = ledger::EventKind::kInspecting;
  f.event_id = NewUrnUuid();
  f.event_time = "2026-11-04T10:00:00.000-06:00";
  f.certificate_id = kCertificateId;
  f.epc = "https://id.gs1.org/01/07501234000017/21/SN000123";
  world.events.push_back(
      SignDocument(BuildEvent(f).value(), stranger, "2026-11-06T00:00:00Z").value());
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), world.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "not a registered party"));

  World other;
  f.certificate_id = "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
  other.events.push_back(
      SignDocument(BuildEvent(f).value(), FixtureKey("us-cbp"), "2026-11-06T00:00:00Z").value());
  report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), other.Gather(), kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "not this certificate"));
}

TEST_CASE("a node answering with another credential is NOT AUTHENTIC") {
  World world;
  auto evidence = EvidenceFromAnswers("urn:uuid:11111111-2222-4333-8444-555555555555",
                                      world.CertificateAnswer(), world.ProofAnswer());
  REQUIRE(evidence.ok());
  Report report = VerifyEvidence(ParseGenesisOrDie(GenesisJson()), *evidence, kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK(AnyReasonContains(report, "the node answered with credential"));
}

TEST_CASE("answers of the wrong shape are reported with their member") {
  World world;
  Json proof = world.ProofAnswer();
  proof["inclusion"][0] = "not base64!";
  auto evidence = EvidenceFromAnswers(kCertificateId, world.CertificateAnswer(), proof);
  REQUIRE_FALSE(evidence.ok());
  CHECK(evidence.status().field_errors().at(0).pointer == "/inclusion/0");
  Json certificate = world.CertificateAnswer();
  certificate.erase("status");
  evidence = EvidenceFromAnswers(kCertificateId, certificate, world.ProofAnswer());
  REQUIRE_FALSE(evidence.ok());
  CHECK(evidence.status().field_errors().at(0).pointer == "/status");
  // Events wrapped as the node does ({"document": …, "ledger": …}) are accepted.
  certificate = world.CertificateAnswer();
  for (Json& e : certificate["events"]) e = Json{{"document", e}, {"ledger", Json::object()}};
  evidence = EvidenceFromAnswers(kCertificateId, certificate, world.ProofAnswer());
  REQUIRE(evidence.ok());
  CHECK(evidence->events.size() == world.events.size());
}

TEST_CASE("an unknown certificate gets NOT ON LEDGER") {
  Report report = NotOnLedgerReport("urn:uuid:x", "404");
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(RenderReport(report).find("✗") != std::string::npos);
  CHECK(VerdictName(Verdict::kNotOnLedger) == "NOT ON LEDGER");
}

}  // namespace
}  // namespace frontera::tools
