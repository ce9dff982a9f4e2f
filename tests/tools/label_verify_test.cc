#include "tools/label_verify.h"

#include <doctest/doctest.h>

#include "ledger/documents.h"
#include "tests/tools/label_support.h"
#include "tools/builders.h"
#include "tools/exit_codes.h"
#include "tools/scan.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::BundleMaker;
using testing::FixtureKey;
using testing::LabelGenesis;
using testing::LoadFixture;

constexpr char kCertificateId[] = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
constexpr char kItem[] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123";
const int64_t kNow = ledger::gs1::ParseRfc3339Millis("2027-06-01T12:00:00Z").value();
const int64_t kSynced = kNow - 3 * 3'600'000;

std::string FixtureLabel() {
  return TrimScannedLine(ReadTextFile(testing::FixturePath("label-uri.txt")).value());
}

TrustBundle Bundle(const BundleMaker& maker = BundleMaker()) {
  auto bundle = VerifyTrustBundle(maker.Make(), LabelGenesis().hash);
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  bundle->synced_at = "2027-06-01T09:00:00Z";
  bundle->synced_at_millis = kSynced;
  return *bundle;
}

bool Mentions(const LabelReport& report, const std::string& text) {
  if (report.context.find(text) != std::string::npos) return true;
  for (const Check& c : report.checks) {
    for (const std::string& r : c.reasons) {
      if (r.find(text) != std::string::npos) return true;
    }
  }
  return false;
}

const Check* Find(const LabelReport& report, const std::string& name) {
  for (const Check& c : report.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST_CASE("offline: the fixture label is AUTHENTIC, says OFFLINE and the bundle's age") {
  LabelReport report = VerifyLabelOffline(Bundle(), FixtureLabel(), kNow);
  INFO(RenderLabelReport(report, false));
  CHECK(report.verdict == Verdict::kAuthentic);
  CHECK(report.context ==
        "OFFLINE: bundle co-signed 3 h ago at tree size 6; no item filter (inclusion not checked)");
  CHECK(Mentions(report, "not checked: this bundle carries no item filter"));
  CHECK(Mentions(report, "Laboratorios"));
  std::string text = RenderLabelReport(report, false);
  CHECK(text.find("AUTHENTIC (OFFLINE)\n") != std::string::npos);
  CHECK(text.find("\x1b[") == std::string::npos);
  CHECK(RenderLabelReport(report, true).find("\x1b[1;32mAUTHENTIC") != std::string::npos);
  Json json = LabelReportJson(report);
  CHECK(json["mode"] == "offline");
  CHECK(json["verdict"] == "AUTHENTIC");
  CHECK(json["exit_code"] == 0);
}

TEST_CASE("offline: changing any character of the signed part is NOT AUTHENTIC") {
  std::string label = FixtureLabel();
  size_t begin = label.find("/01/");
  size_t end = label.find("&sig=");
  TrustBundle bundle = Bundle();
  for (size_t i = begin; i < end; ++i) {
    std::string changed = label;
    changed[i] = changed[i] == '1' ? '2' : '1';
    LabelReport report = VerifyLabelOffline(bundle, changed, kNow);
    INFO("position ", i, ": ", changed);
    CHECK(report.verdict == Verdict::kNotAuthentic);
    CHECK_FALSE(report.checks[0].passed);
  }
  // …and of the signature itself.
  std::string changed = label;
  changed[end + 10] = changed[end + 10] == 'A' ? 'B' : 'A';
  CHECK(VerifyLabelOffline(bundle, changed, kNow).verdict == Verdict::kNotAuthentic);
}

TEST_CASE("offline: the fixture label on another host is NOT AUTHENTIC (a copied label)") {
  // The signature covers the path only; the host must be the network's.
  std::string label = FixtureLabel();
  label.replace(0, std::string("https://verify.frontera.example").size(), "https://evil.example");
  LabelReport report = VerifyLabelOffline(Bundle(), label, kNow);
  CHECK(report.verdict == Verdict::kNotAuthentic);
  CHECK_FALSE(report.checks[0].passed);
  CHECK(Mentions(report, "not the resolver of network"));
  CHECK(Mentions(report, "evil.example"));
}

TEST_CASE("offline: another party's key is NOT AUTHENTIC") {
  TrustBundle bundle = Bundle();
  ledger::Credential credential =
      ledger::ParseCredential(LoadFixture("pharma-credential.json")).value();
  credential.issuer.clear();
  SUBCASE("a registered carrier signs a label: not allowed to issue") {
    std::string label =
        ledger::BuildLabel("verify.frontera.example", credential, FixtureKey("mx-carrier")).value();
    LabelReport report = VerifyLabelOffline(bundle, label, kNow);
    CHECK(report.verdict == Verdict::kNotAuthentic);
    CHECK(report.checks[0].passed);
    CHECK(Mentions(report, "only a manufacturer or shipper issues labels"));
  }
  SUBCASE("an unregistered key signs a label: unknown kid") {
    crypto::KeyPair stranger = crypto::KeyPair::Generate();
    std::string label = ledger::BuildLabel("verify.frontera.example", credential, stranger).value();
    LabelReport report = VerifyLabelOffline(bundle, label, kNow);
    CHECK(report.verdict == Verdict::kNotAuthentic);
    CHECK(Mentions(report, "unknown issuer"));
  }
  SUBCASE("the kid is swapped for another party's: the signature does not verify") {
    std::string label = FixtureLabel();
    std::string carrier_kid = ledger::LabelKid(FixtureKey("mx-carrier").public_key());
    size_t at = label.find("kid=") + 4;
    label.replace(at, carrier_kid.size(), carrier_kid);
    LabelReport report = VerifyLabelOffline(bundle, label, kNow);
    CHECK(report.verdict == Verdict::kNotAuthentic);
    CHECK(Mentions(report, "does not verify"));
  }
}

TEST_CASE("offline: a label by a registered issuer for an item never certified is NOT ON LEDGER") {
  BundleMaker maker;
  maker.filter_items = std::vector<std::string>{kItem};
  TrustBundle bundle = Bundle(maker);

  // The certified item: AUTHENTIC, saying as of which checkpoint.
  LabelReport certified = VerifyLabelOffline(bundle, FixtureLabel(), kNow);
  INFO(RenderLabelReport(certified, false));
  CHECK(certified.verdict == Verdict::kAuthentic);
  CHECK(Mentions(certified, "on the ledger as of checkpoint 5"));
  CHECK(Mentions(certified, "false-positive rate ≈ 0.39 %"));
  CHECK(certified.context.find("item filter as of checkpoint 5") != std::string::npos);

  // The manufacturer's own key (stolen) signs a label for a serial the
  // ledger never certified: every signature check passes, the filter does not.
  ledger::Credential credential =
      ledger::ParseCredential(LoadFixture("pharma-credential.json")).value();
  credential.serial = "SN999999";
  std::string forged =
      ledger::BuildLabel("verify.frontera.example", credential, FixtureKey("mx-manufacturer"))
          .value();
  LabelReport report = VerifyLabelOffline(bundle, forged, kNow);
  INFO(RenderLabelReport(report, false));
  CHECK(report.checks[0].passed);
  CHECK(report.checks[1].passed);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(static_cast<int>(report.verdict) == kExitNotOnLedger);
  const Check* inclusion = Find(report, "inclusion");
  REQUIRE(inclusion != nullptr);
  CHECK_FALSE(inclusion->passed);
  CHECK(Mentions(report, "is not on the ledger as of checkpoint 5"));
  CHECK(Mentions(report, "run `frontera trust sync` or verify --online"));
  CHECK(RenderLabelReport(report, false).find("NOT ON LEDGER (OFFLINE)") != std::string::npos);
  CHECK(LabelReportJson(report)["exit_code"] == 4);

  // The same label against a bundle without a filter: AUTHENTIC, inclusion
  // not checked, and it says so.
  LabelReport unchecked = VerifyLabelOffline(Bundle(), forged, kNow);
  CHECK(unchecked.verdict == Verdict::kAuthentic);
  CHECK(Mentions(unchecked, "not checked"));
}

TEST_CASE("offline: an item an agency flagged is FLAGGED, headlined by the flag") {
  BundleMaker maker;
  maker.flags.push_back({kCertificateId, kItem, "recalled", 4, "lot recalled by COFEPRIS"});
  maker.flags.push_back({kCertificateId, kItem, "suspect", 5, "seal broken at Laredo"});
  LabelReport flagged = VerifyLabelOffline(Bundle(maker), FixtureLabel(), kNow);
  CHECK(flagged.verdict == Verdict::kFlagged);
  CHECK(ExitCodeOf(flagged.verdict) == 5);
  CHECK(RenderLabelReport(flagged, false).ends_with("SUSPECT: seal broken at Laredo (OFFLINE)\n"));
  CHECK(LabelReportJson(flagged)["flag"] == "suspect");
  CHECK(Mentions(flagged, "flagged recalled at leaf 4: lot recalled by COFEPRIS"));
  // A flag the bundle does not list (or one in force on another item) is
  // not known offline.
  BundleMaker other;
  other.flags.push_back(
      {"urn:uuid:other", "https://id.gs1.org/00/375012345000000013", "suspect", 4, "x"});
  CHECK(VerifyLabelOffline(Bundle(other), FixtureLabel(), kNow).verdict == Verdict::kAuthentic);
  // And an edited flag is refused with the bundle: the note covers them.
  Json edited = maker.Make();
  edited["revocations"]["flags"][1]["reason"] = "all fine";
  auto refused = VerifyTrustBundle(edited, LabelGenesis().hash);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("flag digest") != std::string::npos);
}

TEST_CASE("offline: a revoked item is REVOKED; an expired one EXPIRED") {
  BundleMaker maker;
  maker.revocations.push_back({kCertificateId, kItem, 5});
  LabelReport revoked = VerifyLabelOffline(Bundle(maker), FixtureLabel(), kNow);
  CHECK(revoked.verdict == Verdict::kRevoked);
  CHECK(ExitCodeOf(revoked.verdict) == 2);
  CHECK(Mentions(revoked, "revoked by " + std::string(kCertificateId)));
  // The bundle carries no reason for this entry: REVOKED, nothing more.
  CHECK(RenderLabelReport(revoked, false).ends_with("REVOKED (OFFLINE)\n"));

  // A recall reads the same offline as online: RECALLED with the signed reason
  // the bundle carries (frontera-trust-bundle/2).
  BundleMaker recall;
  recall.revocations.push_back({kCertificateId, kItem, 5, "Recall: contamination at release"});
  LabelReport recalled = VerifyLabelOffline(Bundle(recall), FixtureLabel(), kNow);
  CHECK(recalled.verdict == Verdict::kRevoked);
  CHECK(recalled.Outcome().recalled());
  CHECK(RenderLabelReport(recalled, false)
            .ends_with("RECALLED: Recall: contamination at release (OFFLINE)\n"));
  CHECK(LabelReportJson(recalled)["revocation_reason"] == "Recall: contamination at release");
  CHECK(LabelReportJson(recalled)["recalled"] == true);

  // The label says 17=281031: usable through 2028-10-31 (UTC).
  // (A bundle co-signed an hour before, so that it is not stale then.)
  int64_t last_moment = ledger::gs1::ParseRfc3339Millis("2028-10-31T23:59:59Z").value();
  BundleMaker then;
  then.checkpoint_cosigned_at = then.revocations_cosigned_at =
      static_cast<uint64_t>(last_moment / 1000) - 3600;
  CHECK(VerifyLabelOffline(Bundle(then), FixtureLabel(), last_moment).verdict ==
        Verdict::kAuthentic);
  LabelReport expired = VerifyLabelOffline(Bundle(then), FixtureLabel(), last_moment + 1000);
  CHECK(expired.verdict == Verdict::kExpired);
  CHECK(Mentions(expired, "the product expired on 2028-10-31"));
  CHECK(expired.subject == "GTIN 07501234000017, lot LOT42A, serial SN000123, expires 2028-10-31");
  CHECK(RenderLabelReport(expired, false).find("EXPIRED (OFFLINE)") != std::string::npos);
}

// The ledger as a node presents it: the fixture credential at leaf 2 of 7.
struct Ledger {
  Json credential = LoadFixture("pharma-credential.json");
  std::string status = "active";
  Json revocation;  // null or {"document": {reason}}
  std::vector<crypto::Hash> leaves = testing::FillerLeaves(7);

  OnlineLabelEvidence Online(const TrustBundle* bundle) {
    leaves[2] = testing::LeafOf(credential);
    auto proof = crypto::InclusionProof(2, leaves.size(), testing::PerfectOf(leaves));
    REQUIRE(proof.ok());
    Json inclusion = Json::array();
    for (const crypto::Hash& h : *proof) inclusion.push_back(Base64Encode(h));
    Json certificate = {{"credential", credential},
                        {"status", status},
                        {"events", Json::array()},
                        {"flags", Json::array()},
                        {"revocation", revocation}};
    Json proof_answer = {{"leaf_index", 2},
                         {"leaf_hash", Base64Encode(leaves[2])},
                         {"tree_size", leaves.size()},
                         {"inclusion", inclusion},
                         {"checkpoint", testing::CheckpointOf(leaves)}};
    OnlineLabelEvidence online;
    online.found = true;
    auto evidence = EvidenceFromAnswers(kCertificateId, certificate, proof_answer);
    REQUIRE_MESSAGE(evidence.ok(), evidence.status().ToString());
    online.evidence = *evidence;
    if (bundle != nullptr && bundle->tree_size < leaves.size()) {
      online.consistency =
          crypto::ConsistencyProof(bundle->tree_size, leaves.size(), testing::PerfectOf(leaves))
              .value();
    }
    return online;
  }
};

// A bundle synced when the ledger had its first 6 leaves.
TrustBundle BundleOf(const Ledger& ledger) {
  BundleMaker maker;
  maker.leaves.assign(ledger.leaves.begin(), ledger.leaves.begin() + 6);
  maker.leaves[2] = testing::LeafOf(ledger.credential);
  return Bundle(maker);
}

TEST_CASE(
    "offline: a bundle older than the network's maximum age is STALE BUNDLE, never AUTHENTIC") {
  // Co-signed 8 days before now; the genesis allows 7 (the default).
  BundleMaker old;
  old.checkpoint_cosigned_at = old.revocations_cosigned_at =
      static_cast<uint64_t>(kNow / 1000) - 8 * 86400;
  TrustBundle bundle = Bundle(old);  // its synced_at still says 3 h ago: not trusted
  LabelReport report = VerifyLabelOffline(bundle, FixtureLabel(), kNow);
  INFO(RenderLabelReport(report, false));
  CHECK(report.verdict == Verdict::kStaleBundle);
  CHECK(ExitCodeOf(report.verdict) == kExitStaleBundle);
  CHECK(ExitCodeOf(report.verdict) == 6);
  CHECK(report.context ==
        "OFFLINE: bundle co-signed 8 d ago at tree size 6; no item filter (inclusion not checked)");
  REQUIRE(Find(report, "freshness") != nullptr);
  CHECK_FALSE(Find(report, "freshness")->passed);
  CHECK(Mentions(report, "more than the network's maximum of 7 d"));
  CHECK(RenderLabelReport(report, false).ends_with("STALE BUNDLE (OFFLINE)\n"));
  CHECK(LabelReportJson(report)["verdict"] == "STALE BUNDLE");

  // A forged label is still NOT AUTHENTIC, and a revocation the old bundle
  // lists still stands (revocations are never undone): RECALLED with its reason.
  BundleMaker recalled = old;
  recalled.revocations.push_back({kCertificateId, kItem, 5, "Recall: contamination at release"});
  LabelReport recall = VerifyLabelOffline(Bundle(recalled), FixtureLabel(), kNow);
  CHECK(recall.verdict == Verdict::kRevoked);
  CHECK(RenderLabelReport(recall, false)
            .ends_with("RECALLED: Recall: contamination at release (OFFLINE)\n"));
  std::string forged = FixtureLabel();
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(VerifyLabelOffline(bundle, forged, kNow).verdict == Verdict::kNotAuthentic);

  // Within the age it is judged as usual; a genesis may set a shorter one.
  BundleMaker day_old;
  day_old.checkpoint_cosigned_at = day_old.revocations_cosigned_at =
      static_cast<uint64_t>(kNow / 1000) - 86400;
  CHECK(VerifyLabelOffline(Bundle(day_old), FixtureLabel(), kNow).verdict == Verdict::kAuthentic);
  day_old.genesis["max_bundle_age_seconds"] = 12 * 3600;
  auto strict = VerifyTrustBundle(day_old.Make(), ledger::ParseGenesis(day_old.genesis)->hash);
  REQUIRE(strict.ok());
  CHECK(VerifyLabelOffline(*strict, FixtureLabel(), kNow).verdict == Verdict::kStaleBundle);
}

TEST_CASE("offline: an edited synced_at changes nothing; the signatures' time decides") {
  TrustBundle bundle = Bundle();              // co-signed 3 h before now
  bundle.synced_at = "2027-03-29T12:00:00Z";  // 64 days before now
  bundle.synced_at_millis = ledger::gs1::ParseRfc3339Millis(bundle.synced_at).value();
  LabelReport report = VerifyLabelOffline(bundle, FixtureLabel(), kNow);
  CHECK(report.verdict == Verdict::kAuthentic);
  CHECK(report.context ==
        "OFFLINE: bundle co-signed 3 h ago at tree size 6; no item filter (inclusion not checked)");
  CHECK(Mentions(report, "not checked: this bundle carries no item filter"));
}

TEST_CASE("online: the fixture label on the ledger is AUTHENTIC, consistent with the bundle") {
  Ledger ledger;
  TrustBundle bundle = BundleOf(ledger);
  LabelReport report =
      VerifyLabelOnline(LabelGenesis(), &bundle, FixtureLabel(), ledger.Online(&bundle), kNow);
  INFO(RenderLabelReport(report, false));
  CHECK(report.verdict == Verdict::kAuthentic);
  CHECK(report.certificate_id == kCertificateId);
  REQUIRE(Find(report, "consistency") != nullptr);
  CHECK(Find(report, "consistency")->passed);
  CHECK(Mentions(report, "bundle tree size 6 → node tree size 7"));
  CHECK(report.custody == std::vector<std::string>{"no events recorded",
                                                   "custodian now: Laboratorios Ejemplo S.A. de "
                                                   "C.V. (manufacturer)"});
  CHECK(LabelReportJson(report)["mode"] == "online");
}

TEST_CASE("revoked after the bundle was synced: not known offline, REVOKED online") {
  Ledger ledger;
  TrustBundle bundle = BundleOf(ledger);  // no revocations yet
  LabelReport offline = VerifyLabelOffline(bundle, FixtureLabel(), kNow);
  CHECK(offline.verdict == Verdict::kAuthentic);
  CHECK(Mentions(offline, "not known revoked as of tree size 6 (bundle co-signed 3 h ago)"));

  ledger.status = "revoked";
  ledger.revocation = {{"document", {{"reason", "Recall: contamination at release testing"}}}};
  LabelReport online =
      VerifyLabelOnline(LabelGenesis(), &bundle, FixtureLabel(), ledger.Online(&bundle), kNow);
  CHECK(online.verdict == Verdict::kRevoked);
  CHECK(online.Outcome().recalled());
  CHECK(LabelVerdictText(online) == "RECALLED");
  CHECK(RenderLabelReport(online, false)
            .ends_with("RECALLED: Recall: contamination at release testing\n"));
  CHECK(LabelReportJson(online)["revocation_reason"] == "Recall: contamination at release testing");
  CHECK(online.subject.starts_with("Amoxicillin 500 mg capsules (GTIN 07501234000017"));
  CHECK(Mentions(online, "revoked on the ledger: Recall: contamination"));

  ledger.revocation = {{"document", {{"reason", "issued by mistake"}}}};
  LabelReport plain =
      VerifyLabelOnline(LabelGenesis(), &bundle, FixtureLabel(), ledger.Online(&bundle), kNow);
  CHECK(plain.verdict == Verdict::kRevoked);
  CHECK_FALSE(plain.Outcome().recalled());
  CHECK(LabelVerdictText(plain) == "REVOKED");
}

TEST_CASE("online: a label whose fields differ from the ledger's certificate is NOT AUTHENTIC") {
  Ledger ledger;
  // The issuer's own certificate for another lot, signed properly: the label
  // (for LOT42A) is not this certificate's.
  ledger.credential["credentialSubject"]["lot"] = "LOT43B";
  ledger.credential["credentialSubject"]["id"] =
      "https://id.gs1.org/01/07501234000017/10/LOT43B/21/SN000123";
  ledger.credential["credentialSubject"].erase("label");
  ledger.credential.erase("proof");
  ledger.credential =
      SignDocument(ledger.credential, FixtureKey("mx-manufacturer"), "2026-11-02T14:05:00Z")
          .value();
  LabelReport report =
      VerifyLabelOnline(LabelGenesis(), nullptr, FixtureLabel(), ledger.Online(nullptr), kNow);
  INFO(RenderLabelReport(report, false));
  CHECK(report.verdict == Verdict::kNotAuthentic);
  REQUIRE(Find(report, "ledger") != nullptr);
  CHECK_FALSE(Find(report, "ledger")->passed);
  CHECK(Mentions(report, "carries no credentialSubject.label"));
}

TEST_CASE("online: a bad byte in the inclusion proof is NOT ON LEDGER") {
  Ledger ledger;
  OnlineLabelEvidence online = ledger.Online(nullptr);
  REQUIRE_FALSE(online.evidence.inclusion.empty());
  online.evidence.inclusion[1][7] ^= 0x20;
  LabelReport report = VerifyLabelOnline(LabelGenesis(), nullptr, FixtureLabel(), online, kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(ExitCodeOf(report.verdict) == 4);
  CHECK_FALSE(Find(report, "ledger inclusion")->passed);
}

TEST_CASE("online: a node whose history forked from the bundle's is NOT ON LEDGER") {
  Ledger ledger;
  BundleMaker maker;  // the bundle saw a different leaf 0
  maker.leaves.assign(ledger.leaves.begin(), ledger.leaves.begin() + 6);
  maker.leaves[0] = crypto::LeafHash(AsBytes(std::string("the other history")));
  maker.leaves[2] = testing::LeafOf(ledger.credential);
  TrustBundle bundle = Bundle(maker);
  LabelReport report =
      VerifyLabelOnline(LabelGenesis(), &bundle, FixtureLabel(), ledger.Online(&bundle), kNow);
  CHECK(report.verdict == Verdict::kNotOnLedger);
  CHECK(Mentions(report, "forked or rewrote history"));
}

TEST_CASE("online: an unknown label, or a forged one, as the resolver reports them") {
  OnlineLabelEvidence none;
  none.not_found_reason = "the resolver names no certificate for this label";
  CHECK(VerifyLabelOnline(LabelGenesis(), nullptr, FixtureLabel(), none, kNow).verdict ==
        Verdict::kNotOnLedger);
  CHECK(VerifyLabelOnline(LabelGenesis(), nullptr, "https://example.com/x", none, kNow).verdict ==
        Verdict::kNotAuthentic);
  CHECK(CertificateIdFromResolver({{"verdict", "NOT ON LEDGER"}, {"certificate", nullptr}})
            .status()
            .IsNotFound());
  CHECK(CertificateIdFromResolver({{"certificate", {{"credential", {{"id", "urn:uuid:1"}}}}}})
            .value() == "urn:uuid:1");
  CHECK_FALSE(CertificateIdFromResolver({{"certificate", {{"credential", 3}}}}).ok());
  ledger::Label label = ledger::ParseLabel(FixtureLabel()).value();
  CHECK(ResolverPath(label) ==
        FixtureLabel().substr(std::string("https://verify.frontera.example").size()));
  CHECK(LabelItem(label) == kItem);
}

}  // namespace
}  // namespace frontera::tools
