// A pack's life after its certificate (docs/ledger.md#pack-lifecycle, EU
// FMD / EMVS): the holder dispenses it; the issuer or an agency records it
// destroyed, stolen, exported, sampled, given as a free sample or locked; a
// decommissioned pack cannot move or be decommissioned again; the party that
// decommissioned it undoes it at the same premises within 10 days of block
// time unless it is destroyed, stolen, expired or recalled. Every allowed and
// refused transition, at admission and at apply.
#include "ledger/lifecycle.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "ledger/verdict.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kCert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";  // the fixture
const std::string kPharmacyGln = "0061414000017";
const std::string kOtherGln = "0031234500004";  // the distributor's warehouse
constexpr int64_t kDayMillis = 24 * 60 * 60 * 1000;

const std::vector<PackState> kDecommissioned = {
    PackState::kDispensed, PackState::kExported,  PackState::kSampled, PackState::kFreeSample,
    PackState::kLocked,    PackState::kDestroyed, PackState::kStolen};

std::string Did(const std::string& party) {
  return Fixture("parties.json")["parties"][party]["did"].get<std::string>();
}

int event_number = 0;
std::string NextEventId() {
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-9100-%012d", ++event_number);
  return id;
}

// An event (unsigned) about `cert`, whose item has `serial`, with no
// parties, disposition or place.
Json Event(const std::string& cert, const std::string& serial, const std::string& biz_step) {
  Json e = Fixture("shipping-event.json");
  e.erase("proof");
  e.erase("sourceList");
  e.erase("destinationList");
  e.erase("disposition");
  e.erase("readPoint");
  e["eventID"] = NextEventId();
  e["certificationInfo"] = cert;
  e["epcList"] = Json::array({"https://id.gs1.org/01/07501234000017/21/" + serial});
  e["bizStep"] = biz_step;
  return e;
}

// A lifecycle event leading to `target` (kActive: the undo) at premises `gln`.
Json Act(const std::string& cert, const std::string& serial, PackState target,
         const std::string& gln = kPharmacyGln) {
  Json e = Event(cert, serial, std::string(LifecycleBizStep(target)));
  e["disposition"] = std::string(LifecycleDisposition(target));
  e["bizLocation"] = {{"id", "https://id.gs1.org/414/" + gln}};
  return e;
}

Json Shipping(const std::string& cert, const std::string& serial, const std::string& to) {
  Json e = Event(cert, serial, "shipping");
  e["destinationList"] = {{{"type", "possessing_party"}, {"destination", to}}};
  return e;
}

// A ledger holding the example certificate, and a registered pharmacy (in
// Canada, by the CBSA) to which the manufacturer shipped it and which
// received it. Documents are posted as a validator posts them: admitted at
// `now`, then applied alone in a block of time `now`.
struct Ledger : PostingLedger {
  const crypto::KeyPair pharmacy = NewKey(0x41);
  const std::string pharmacy_did = DidOfKey(pharmacy);
  int64_t now = kNov30;

  Ledger() {
    Json registration = {
        {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
        {"type", "PartyRegistration"},
        {"id", "urn:uuid:00000000-0000-4000-9200-000000000001"},
        {"issuer", Did("ca-cbsa")},
        {"party",
         {{"did", pharmacy_did},
          {"name", "Pharmacie du Port"},
          {"role", "pharmacy"},
          {"country", "CA"},
          {"gln", kPharmacyGln}}}};
    REQUIRE(Post(SignedBy(registration, KeyOf("ca-cbsa")), DocumentKind::kParty, "").ok());
    REQUIRE(Post(Fixture("pharma-credential.json"), DocumentKind::kCredential, "").ok());
    REQUIRE(
        Post(SignedBy(Shipping(kCert, "SN000123", pharmacy_did), KeyOf("mx-manufacturer"))).ok());
    REQUIRE(Post(SignedBy(Event(kCert, "SN000123", "receiving"), pharmacy)).ok());
  }
  // The status at admission (at `now`), else at apply (in a block of time
  // `block_time`, `now` by default); moves `now` on by a second.
  Status Post(const Json& doc, DocumentKind kind = DocumentKind::kEvent,
              const std::string& cert = kCert, int64_t block_time = 0) {
    auto admitted = sm->Admit(kind, cert, doc, now);
    if (!admitted.ok()) return admitted.status();
    Block b = ApplyAndWrite(*sm, store.get(), ++index,
                            Proposal{block_time != 0 ? block_time : now, {admitted->proposed}});
    now += 1000;
    return b.outcomes[0].status;
  }
  Status ByPharmacy(const Json& doc) { return Post(SignedBy(doc, pharmacy)); }
  Status By(const std::string& party, const Json& doc, const std::string& cert = kCert) {
    return Post(SignedBy(doc, KeyOf(party)), DocumentKind::kEvent, cert);
  }
  PackLifecycle Lifecycle(const std::string& cert = kCert) {
    auto l = sm->PackLifecycleOf(cert);
    REQUIRE_MESSAGE(l.ok(), l.status().ToString());
    return *l;
  }
  // A new product certificate of the manufacturer, held by it; its id.
  std::string NewPack(const std::string& serial, const std::string& expiry = "") {
    const std::string id = "urn:uuid:00000000-0000-4000-9300-000000" + serial.substr(2);
    Json doc = Fixture("pharma-credential.json");
    doc["id"] = id;
    doc["credentialSubject"]["serial"] = serial;
    doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
    doc["credentialSubject"].erase("label");
    if (!expiry.empty()) {
      doc["credentialSubject"]["expiry"] = expiry;
      doc.erase("validUntil");  // optional; it may not outlast the expiry day
    }
    const Status s = Post(SignedBy(doc, KeyOf("mx-manufacturer")), DocumentKind::kCredential, "");
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return id;
  }
};

// The refusal's code, first pointer and a part of its reason.
void CheckRefused(const Status& s, Status::Code code, const std::string& pointer,
                  const std::string& reason) {
  CHECK_MESSAGE(s.code() == code, s.ToString());
  REQUIRE_MESSAGE(!s.field_errors().empty(), s.ToString());
  CHECK(s.field_errors()[0].pointer == pointer);
  CHECK_MESSAGE(s.message().find(reason) != std::string::npos, s.ToString());
}

TEST_CASE("each lifecycle act is one bizStep with one disposition (formats.md §6.3)") {
  struct Row {
    PackState target;
    std::string biz_step;
    std::string disposition;
  };
  const std::string fr = "https://frontera.example/ns/v1/";
  const std::vector<Row> table = {
      {PackState::kDispensed, "dispensing", "dispensed"},
      {PackState::kDestroyed, "destroying", "destroyed"},
      {PackState::kSampled, "sampling", fr + "disposition/sampled"},
      {PackState::kStolen, "decommissioning", "stolen"},
      {PackState::kExported, fr + "bizstep/exporting", fr + "disposition/exported"},
      {PackState::kFreeSample, fr + "bizstep/free_sampling", fr + "disposition/free_sample"},
      {PackState::kLocked, fr + "bizstep/locking", fr + "disposition/locked"},
      {PackState::kActive, fr + "bizstep/undo_decommissioning", "active"},
  };
  for (const Row& row : table) {
    CHECK(LifecycleTargetOfBizStep(row.biz_step) == row.target);
    CHECK(LifecycleBizStep(row.target) == row.biz_step);
    CHECK(LifecycleDisposition(row.target) == row.disposition);
    CHECK(ParsePackState(PackStateName(row.target)) == row.target);
  }
  CHECK_FALSE(LifecycleTargetOfBizStep("https://ref.gs1.org/cbv/BizStep-dispensing"));
  CHECK(IsTerminal(PackState::kDestroyed));
  CHECK(IsTerminal(PackState::kStolen));
  CHECK_FALSE(IsTerminal(PackState::kDispensed));

  // The event carries the paired disposition and the premises' GLN.
  Json dispensing = SignedBy(Act(kCert, "SN000123", PackState::kDispensed), NewKey(0x41));
  auto parsed = ParseEvent(dispensing);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->kind == EventKind::kLifecycle);
  CHECK(parsed->lifecycle_target == PackState::kDispensed);
  CHECK(parsed->lifecycle_gln == kPharmacyGln);
  CHECK(parsed->lifecycle_gln_pointer == "/bizLocation/id");
  Json wrong_disposition = dispensing;
  wrong_disposition["disposition"] = "destroyed";
  CheckRefused(ParseEvent(wrong_disposition).status(), Status::Code::kFailedPrecondition,
               "/disposition", "");
  Json no_place = dispensing;
  no_place.erase("bizLocation");
  CheckRefused(ParseEvent(no_place).status(), Status::Code::kFailedPrecondition, "/bizLocation",
               "");
  Json at_read_point = no_place;
  at_read_point["readPoint"] = {{"id", "https://id.gs1.org/414/" + kOtherGln}};
  CHECK(ParseEvent(at_read_point)->lifecycle_gln_pointer == "/readPoint/id");
  Json bad_gln = dispensing;
  bad_gln["bizLocation"]["id"] = "https://id.gs1.org/414/0061414000018";
  CheckRefused(ParseEvent(bad_gln).status(), Status::Code::kFailedPrecondition, "/bizLocation/id",
               "");
  Json not_a_gln = dispensing;
  not_a_gln["bizLocation"]["id"] = "urn:epc:id:sgln:0614141.00001.0";
  CheckRefused(ParseEvent(not_a_gln).status(), Status::Code::kFailedPrecondition, "/bizLocation/id",
               "");
}

TEST_CASE("the pharmacy holding a pack dispenses it, once; verifying it reads ALREADY DISPENSED") {
  Ledger l;
  // Not the issuer (it shipped the pack away), nor an agency, nor a party
  // the pack is only in transit to.
  CheckRefused(l.By("mx-manufacturer", Act(kCert, "SN000123", PackState::kDispensed)),
               Status::Code::kPermissionDenied, "/proof/verificationMethod", "holding the pack");
  CheckRefused(l.By("ca-cbsa", Act(kCert, "SN000123", PackState::kDispensed)),
               Status::Code::kPermissionDenied, "/proof/verificationMethod", "holding the pack");
  const std::string in_transit = l.NewPack("SN900001");
  REQUIRE(
      l.By("mx-manufacturer", Shipping(in_transit, "SN900001", l.pharmacy_did), in_transit).ok());
  Json early = Act(in_transit, "SN900001", PackState::kDispensed);
  CheckRefused(l.Post(SignedBy(early, l.pharmacy), DocumentKind::kEvent, in_transit),
               Status::Code::kPermissionDenied, "/proof/verificationMethod", "receive it first");

  const int64_t dispensed_at = l.now;
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)).ok());
  const PackLifecycle lifecycle = l.Lifecycle();
  CHECK(lifecycle.state == PackState::kDispensed);
  CHECK(lifecycle.gln == kPharmacyGln);
  CHECK(lifecycle.time_unix_ms == dispensed_at);
  CHECK(lifecycle.by == l.pharmacy_did);

  // The certificate view says where and when.
  auto view = l.sm->CertificateView(kCert);
  REQUIRE(view.ok());
  CHECK((*view)["lifecycle"]["state"] == "dispensed");
  CHECK((*view)["lifecycle"]["gln"] == kPharmacyGln);
  CHECK((*view)["lifecycle"]["time"] == FormatRfc3339(dispensed_at));
  CHECK((*view)["status"] == "active");  // the certificate stands; the pack is used

  // A second dispense is refused, by the pharmacy as by anyone.
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)),
               Status::Code::kFailedPrecondition, "/bizStep", "already dispensed");

  // The verdict on it, from the view as a verifier reads it.
  auto read = LifecycleOfCertificate(*view);
  REQUIRE(read.ok());
  VerdictFacts facts;
  facts.authentic = true;
  facts.on_ledger = true;
  facts.lifecycle = *read;
  const LabelVerdict verdict = Decide(facts);
  CHECK(verdict.verdict == Verdict::kDecommissioned);
  CHECK(verdict.Headline() == "ALREADY DISPENSED");
  CHECK(verdict.Sentence() == "ALREADY DISPENSED: dispensed at GLN 0061414000017 on " +
                                  FormatRfc3339(dispensed_at) + " (a possible clone)");
  CHECK(ParseVerdict("DECOMMISSIONED").value() == Verdict::kDecommissioned);

  // It is ledger state: a restarted validator reads the same.
  l.Reopen();
  CHECK(l.Lifecycle().state == PackState::kDispensed);
  CHECK(
      l.sm->PackLifecycleOf("urn:uuid:00000000-0000-4000-9300-000000099999").status().IsNotFound());
}

TEST_CASE("the issuer or an agency records the other states; no holder or stranger does") {
  Ledger l;
  int n = 0;
  for (PackState target : kDecommissioned) {
    if (target == PackState::kDispensed) continue;
    CAPTURE(PackStateName(target));
    // The pharmacy holds kCert but did not issue it; the carrier neither.
    CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", target)), Status::Code::kPermissionDenied,
                 "/proof/verificationMethod", "issuer or an agency");
    const std::string serial = "SN91000" + std::to_string(++n);
    const std::string by_issuer = l.NewPack(serial);
    CheckRefused(l.By("mx-carrier", Act(by_issuer, serial, target), by_issuer),
                 Status::Code::kPermissionDenied, "/proof/verificationMethod",
                 "issuer or an agency");
    REQUIRE(l.By("mx-manufacturer", Act(by_issuer, serial, target), by_issuer).ok());
    CHECK(l.Lifecycle(by_issuer).state == target);
    const std::string by_agency_serial = "SN92000" + std::to_string(n);
    const std::string by_agency = l.NewPack(by_agency_serial);
    REQUIRE(l.By("us-cbp", Act(by_agency, by_agency_serial, target), by_agency).ok());
    CHECK(l.Lifecycle(by_agency).state == target);
    CHECK(l.Lifecycle(by_agency).by == Did("us-cbp"));
  }
  CHECK(l.Lifecycle().state == PackState::kActive);
}

TEST_CASE("from each decommissioned state: no act but the undo, and never from the terminal ones") {
  Ledger l;
  int n = 0;
  for (PackState state : kDecommissioned) {
    CAPTURE(PackStateName(state));
    // The manufacturer issued and holds the pack: it may record every act.
    const std::string serial = "SN93000" + std::to_string(++n);
    const std::string cert = l.NewPack(serial);
    REQUIRE(l.By("mx-manufacturer", Act(cert, serial, state), cert).ok());
    for (PackState next : kDecommissioned) {
      CAPTURE(PackStateName(next));
      CheckRefused(l.By("mx-manufacturer", Act(cert, serial, next), cert),
                   Status::Code::kFailedPrecondition, "/bizStep",
                   "already " + std::string(PackStateName(state)).substr(0, 4));
    }
    // It cannot move either.
    CheckRefused(l.By("mx-manufacturer", Shipping(cert, serial, l.pharmacy_did), cert),
                 Status::Code::kFailedPrecondition, "/bizStep", "cannot move");
    CheckRefused(l.By("mx-manufacturer", Event(cert, serial, "departing"), cert),
                 Status::Code::kFailedPrecondition, "/bizStep", "cannot move");
    const Status undo = l.By("mx-manufacturer", Act(cert, serial, PackState::kActive), cert);
    if (IsTerminal(state)) {
      CheckRefused(undo, Status::Code::kFailedPrecondition, "/bizStep", "never undone");
      CHECK(l.Lifecycle(cert).state == state);
    } else {
      REQUIRE_MESSAGE(undo.ok(), undo.ToString());
      CHECK(l.Lifecycle(cert).state == PackState::kActive);
      auto view = l.sm->CertificateView(cert);
      CHECK((*view)["lifecycle"] == PackLifecycle{}.ToViewJson());
      // Active again: it moves, and may be decommissioned again.
      CHECK(l.By("mx-manufacturer", Shipping(cert, serial, l.pharmacy_did), cert).ok());
    }
  }
  // An active pack has nothing to undo.
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kFailedPrecondition, "/bizStep", "nothing to undo");
}

TEST_CASE(
    "a pack is not handed over while revoked, held or flagged; destroyed, stolen, locked are") {
  Ledger l;
  const std::string suspect = "https://frontera.example/ns/v1/disposition/suspect";
  Json flag = Event(kCert, "SN000123", "inspecting");
  flag["persistentDisposition"] = {{"set", {suspect}}};
  flag["frontera:reason"] = "seal broken";
  REQUIRE(l.By("us-cbp", flag).ok());
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)),
               Status::Code::kFailedPrecondition, "/bizStep", "flagged suspect");

  int n = 0;
  auto pack = [&](auto setup) {
    const std::string serial = "SN94000" + std::to_string(++n);
    const std::string cert = l.NewPack(serial);
    setup(cert, serial);
    return std::pair{cert, serial};
  };
  const auto [held, held_serial] = pack([&](const std::string& c, const std::string& s) {
    REQUIRE(
        l.By("us-cbp", Event(c, s, "https://frontera.example/ns/v1/bizstep/customs_hold"), c).ok());
  });
  const auto [revoked, revoked_serial] = pack([&](const std::string& c, const std::string&) {
    Json revocation = {
        {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
        {"type", "CredentialRevocation"},
        {"id", "urn:uuid:00000000-0000-4000-9400-000000000001"},
        {"credential", c},
        {"issuer", Did("mx-manufacturer")},
        {"reason", "issued in error"}};
    REQUIRE(
        l.Post(SignedBy(revocation, KeyOf("mx-manufacturer")), DocumentKind::kRevocation, c).ok());
  });
  for (PackState target :
       {PackState::kDispensed, PackState::kExported, PackState::kSampled, PackState::kFreeSample}) {
    CAPTURE(PackStateName(target));
    CheckRefused(l.By("mx-manufacturer", Act(held, held_serial, target), held),
                 Status::Code::kFailedPrecondition, "/bizStep", "under customs hold");
    CheckRefused(l.By("mx-manufacturer", Act(revoked, revoked_serial, target), revoked),
                 Status::Code::kFailedPrecondition, "/bizStep", "revoked");
  }
  CHECK(l.By("mx-manufacturer", Act(held, held_serial, PackState::kLocked), held).ok());
  CHECK(l.By("mx-manufacturer", Act(revoked, revoked_serial, PackState::kDestroyed), revoked).ok());
  const auto [flagged, flagged_serial] = pack([&](const std::string& c, const std::string& s) {
    Json f = Event(c, s, "inspecting");
    f["persistentDisposition"] = {{"set", {suspect}}};
    f["frontera:reason"] = "seal broken";
    REQUIRE(l.By("us-cbp", f, c).ok());
  });
  CHECK(l.By("us-cbp", Act(flagged, flagged_serial, PackState::kStolen), flagged).ok());
}

TEST_CASE("undo: the same party, at the same premises, within 10 days of block time") {
  Ledger l;
  const int64_t dispensed_at = l.now;
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)).ok());

  // Another party: the issuer, an agency.
  CheckRefused(l.By("mx-manufacturer", Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kPermissionDenied, "/proof/verificationMethod",
               "only the party that decommissioned");
  CheckRefused(l.By("us-cbp", Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kPermissionDenied, "/proof/verificationMethod",
               "only the party that decommissioned");
  // Other premises, named by bizLocation or by readPoint.
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kActive, kOtherGln)),
               Status::Code::kFailedPrecondition, "/bizLocation/id", "GLN 0061414000017");
  Json at_read_point = Act(kCert, "SN000123", PackState::kActive, kOtherGln);
  at_read_point["readPoint"] = at_read_point["bizLocation"];
  at_read_point.erase("bizLocation");
  CheckRefused(l.ByPharmacy(at_read_point), Status::Code::kFailedPrecondition, "/readPoint/id",
               "premises that made it");

  // Day 10 (exactly 10 days after the dispensing block) is too late.
  l.now = dispensed_at + 10 * kDayMillis;
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kFailedPrecondition, "/bizStep", "too late to undo");
  // Block time decides, not the admitting node's clock: admitted on day 9,
  // the block of day 10 refuses it.
  l.now = dispensed_at + 9 * kDayMillis;
  CheckRefused(l.Post(SignedBy(Act(kCert, "SN000123", PackState::kActive), l.pharmacy),
                      DocumentKind::kEvent, kCert, dispensed_at + 10 * kDayMillis + 5000),
               Status::Code::kFailedPrecondition, "/bizStep", "too late to undo");
}

TEST_CASE("undo on day 9 returns the pack to active; it may then be dispensed again") {
  Ledger l;
  const int64_t dispensed_at = l.now;
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)).ok());
  l.now = dispensed_at + 10 * kDayMillis - 1000;  // the last second of the window
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kActive)).ok());
  CHECK(l.Lifecycle().state == PackState::kActive);
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)).ok());
  CHECK(l.Lifecycle().time_unix_ms == dispensed_at + 10 * kDayMillis);
}

TEST_CASE("undo is refused for an expired or recalled pack") {
  Ledger l;
  // Expired: the product's expiry day ended after the decommissioning.
  const std::string expiring = l.NewPack("SN950001", "2026-12-03");
  REQUIRE(l.By("mx-manufacturer", Act(expiring, "SN950001", PackState::kSampled), expiring).ok());
  l.now = kNov30 + 3 * kDayMillis;  // 2026-12-03T10:00Z: the expiry day lasts
  Json too_early = Act(expiring, "SN950001", PackState::kActive);
  // (admitted, then judged in a block of 4 December)
  CheckRefused(l.Post(SignedBy(too_early, KeyOf("mx-manufacturer")), DocumentKind::kEvent, expiring,
                      kNov30 + 4 * kDayMillis),
               Status::Code::kFailedPrecondition, "/epcList", "expired on 2026-12-03");

  // Recalled by an agency's flag, or by a revocation for a recall.
  REQUIRE(l.ByPharmacy(Act(kCert, "SN000123", PackState::kDispensed)).ok());
  Json recall = Event(kCert, "SN000123", "inspecting");
  recall["persistentDisposition"] = {{"set", {"recalled"}}};
  recall["frontera:reason"] = "lot LOT42A recalled";
  REQUIRE(l.By("us-cbp", recall).ok());
  CheckRefused(l.ByPharmacy(Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kFailedPrecondition, "/epcList", "recalled");

  const std::string revoked = l.NewPack("SN950002");
  REQUIRE(l.By("mx-manufacturer", Act(revoked, "SN950002", PackState::kLocked), revoked).ok());
  Json revocation = {
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "CredentialRevocation"},
      {"id", "urn:uuid:00000000-0000-4000-9400-000000000002"},
      {"credential", revoked},
      {"issuer", Did("mx-manufacturer")},
      {"reason", "Recall: lot LOT42A"}};
  REQUIRE(l.Post(SignedBy(revocation, KeyOf("mx-manufacturer")), DocumentKind::kRevocation, revoked)
              .ok());
  CheckRefused(l.By("mx-manufacturer", Act(revoked, "SN950002", PackState::kActive), revoked),
               Status::Code::kFailedPrecondition, "/epcList", "recalled");
}

TEST_CASE("stolen and destroyed packs are never undone, by anyone") {
  Ledger l;
  REQUIRE(l.By("us-cbp", Act(kCert, "SN000123", PackState::kStolen)).ok());
  CheckRefused(l.By("us-cbp", Act(kCert, "SN000123", PackState::kActive)),
               Status::Code::kFailedPrecondition, "/bizStep", "stolen: that is never undone");
  const std::string destroyed = l.NewPack("SN960001");
  REQUIRE(
      l.By("mx-manufacturer", Act(destroyed, "SN960001", PackState::kDestroyed), destroyed).ok());
  CheckRefused(l.By("mx-manufacturer", Act(destroyed, "SN960001", PackState::kActive), destroyed),
               Status::Code::kFailedPrecondition, "/bizStep", "destroyed: that is never undone");
  // A stolen pack found and inspected by an agency is still recorded.
  CHECK(l.By("us-cbp", Event(kCert, "SN000123", "inspecting")).ok());
}

TEST_CASE("a consignment (SSCC) has no pack lifecycle") {
  Ledger l;
  Json precursor = Fixture("precursor-credential.json");
  REQUIRE(l.Post(precursor, DocumentKind::kCredential, "").ok());
  const std::string id = precursor["id"];
  Json act = Act(id, "", PackState::kDestroyed);
  act["epcList"] = Json::array(
      {"https://id.gs1.org/00/" + precursor["credentialSubject"]["sscc"].get<std::string>()});
  CheckRefused(l.By("mx-manufacturer", act, id), Status::Code::kFailedPrecondition, "/bizStep",
               "product certificates");
}

TEST_CASE("a certificate view's lifecycle is read back, and malformed members are refused") {
  PackLifecycle stolen{PackState::kStolen, "did:key:z6Mk", kPharmacyGln, kNov30, 7, 12};
  auto read = LifecycleOfCertificate(Json{{"lifecycle", stolen.ToViewJson()}});
  REQUIRE(read.ok());
  CHECK(read->state == PackState::kStolen);
  CHECK(read->gln == kPharmacyGln);
  CHECK(read->time_unix_ms == kNov30);
  CHECK(LifecycleOfCertificate(Json::object())->state == PackState::kActive);
  Json bad = {{"lifecycle", {{"state", "vanished"}}}};
  CHECK(LifecycleOfCertificate(bad).status().field_errors()[0].pointer == "/lifecycle/state");
  bad = {{"lifecycle", {{"state", "stolen"}, {"gln", kPharmacyGln}, {"time", "yesterday"}}}};
  CHECK(LifecycleOfCertificate(bad).status().field_errors()[0].pointer == "/lifecycle/time");
}

}  // namespace
}  // namespace frontera::ledger
