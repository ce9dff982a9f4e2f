// Illegitimate-product notices (docs/ledger.md#notices, docs/formats.md
// §18): an agency or a trading partner files an initial notice that flags
// the certificates it names illegitimate; the filer or an agency follows it
// up or terminates it; a termination clears the flags the notice raised
// unless another open notice or an agency's flag still holds them.
#include "ledger/notice.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kCert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kCert2 = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71";
const std::string kNotice = "urn:uuid:5e000000-0000-4000-8000-000000000001";

int serial = 0;

std::string NextId() {
  return "urn:uuid:5e000000-0000-4000-8000-0000000001" + std::to_string(10 + ++serial);
}

std::string Did(const std::string& party) {
  return Fixture("parties.json")["parties"][party]["did"].get<std::string>();
}

Json Initial(const std::string& id, const std::vector<std::string>& certificates,
             const std::string& party) {
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", "IllegitimateProductNotice"},
          {"id", id},
          {"issuer", Did(party)},
          {"noticeType", "initial"},
          {"certificates", certificates},
          {"classification", "counterfeit"},
          {"dateOfDetermination", "2026-11-29"},
          {"description", "Blister foil print differs from the reference pack"},
          {"quantity", {{"value", 12}}},
          {"contact",
           {{"name", "Ana Ruiz"}, {"phone", "+52 55 1234 5678"}, {"email", "qa@example.mx"}}}};
}

Json Later(const std::string& type, const std::string& initial, const std::string& party) {
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", "IllegitimateProductNotice"},
          {"id", NextId()},
          {"issuer", Did(party)},
          {"noticeType", type},
          {"initialNotice", initial},
          {"description", type == "termination" ? "FDA consulted: the packs were genuine"
                                                : "Twelve more packs found at the same site"}};
}

// The example unit shipped by its manufacturer to `to` (the carrier unless said).
Json Shipping(const std::string& to = "mx-carrier") {
  Json e = Fixture("shipping-event.json");
  e.erase("proof");
  e["eventID"] = NextId();
  e["destinationList"][0]["destination"] = Did(to);
  return SignedBy(e, KeyOf("mx-manufacturer"));
}

// An inspecting event by `agency` that sets or unsets the illegitimate flag.
Json AgencyFlag(const std::string& key, const std::string& agency) {
  Json e = Fixture("shipping-event.json");
  e.erase("proof");
  e.erase("sourceList");
  e.erase("destinationList");
  e.erase("disposition");
  e["bizStep"] = "inspecting";
  e["eventID"] = NextId();
  e["persistentDisposition"][key] = {"https://frontera.example/ns/v1/disposition/illegitimate"};
  e["frontera:reason"] = "seized at the border";
  return SignedBy(e, KeyOf(agency));
}

struct Ledger : PostingLedger {
  explicit Ledger(StateMachineOptions options = {}) : PostingLedger(options) {
    REQUIRE(PostingLedger::Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
    REQUIRE(
        PostingLedger::Post(PharmaWithSerial(kCert2, "SN000124"), DocumentKind::kCredential).ok());
  }
  Status File(const Json& notice, const std::string& signer) {
    return PostingLedger::Post(SignedBy(notice, KeyOf(signer)), DocumentKind::kNotice);
  }
  Json Flagged(const std::string& cert) {
    auto view = sm->CertificateView(cert);
    REQUIRE(view.ok());
    return (*view)["flagged"];
  }
  bool Moves() { return PostingLedger::Post(Shipping(), DocumentKind::kEvent, kCert).ok(); }
};

std::string FirstPointer(const Status& s) {
  return s.field_errors().empty() ? "" : s.field_errors()[0].pointer;
}

TEST_CASE("ParseNotice: each type carries its own members") {
  CHECK(ParseNotice(SignedBy(Initial(kNotice, {kCert}, "us-cbp"), KeyOf("us-cbp"))).ok());

  Json no_contact = Initial(kNotice, {kCert}, "us-cbp");
  no_contact.erase("contact");
  Status missing = ParseNotice(SignedBy(no_contact, KeyOf("us-cbp"))).status();
  CHECK(missing.IsInvalidArgument());
  CHECK(FirstPointer(missing) == "/contact");

  struct Case {
    const char* what;
    Json document;
    const char* pointer;
  };
  auto initial = [](auto change) {
    Json d = Initial(kNotice, {kCert}, "us-cbp");
    change(d);
    return d;
  };
  const std::vector<Case> refused = {
      {"an unknown classification", initial([](Json& d) { d["classification"] = "damaged"; }),
       "/classification"},
      {"an unknown type", initial([](Json& d) { d["noticeType"] = "update"; }), "/noticeType"},
      {"no certificates", initial([](Json& d) { d["certificates"] = Json::array(); }),
       "/certificates"},
      {"a certificate twice", initial([](Json& d) {
         d["certificates"] = {kCert, kCert};
       }),
       "/certificates/1"},
      {"an initial naming an initial", initial([](Json& d) { d["initialNotice"] = kNotice; }),
       "/initialNotice"},
      {"an incident number before FDA gave one",
       initial([](Json& d) { d["incidentNumber"] = "IN-1"; }), "/incidentNumber"},
      {"not a date", initial([](Json& d) { d["dateOfDetermination"] = "2026-02-30"; }),
       "/dateOfDetermination"},
      {"a fraction of a pack", initial([](Json& d) { d["quantity"]["value"] = 1.5; }),
       "/quantity/value"},
      {"no quantity", initial([](Json& d) { d["quantity"]["value"] = 0; }), "/quantity/value"},
      {"an unknown unit", initial([](Json& d) { d["quantity"]["uom"] = "XBX"; }), "/quantity/uom"},
      {"not an e-mail address", initial([](Json& d) { d["contact"]["email"] = "qa.example.mx"; }),
       "/contact/email"},
      {"not a phone number", initial([](Json& d) { d["contact"]["phone"] = "call me"; }),
       "/contact/phone"},
      {"a description too long", initial([](Json& d) {
         d["description"] = std::string(kNoticeDescriptionCharsMax + 1, 'x');
       }),
       "/description"},
      {"a follow-up naming certificates",
       [] {
         Json d = Later("follow_up", kNotice, "us-cbp");
         d["certificates"] = {kCert};
         return d;
       }(),
       "/certificates"},
      {"a termination with a classification",
       [] {
         Json d = Later("termination", kNotice, "us-cbp");
         d["classification"] = "stolen";
         return d;
       }(),
       "/classification"},
      {"a termination with a quantity",
       [] {
         Json d = Later("termination", kNotice, "us-cbp");
         d["quantity"] = {{"value", 1}};
         return d;
       }(),
       "/quantity"},
  };
  for (const Case& c : refused) {
    CAPTURE(c.what);
    Status s = ParseNotice(SignedBy(c.document, KeyOf("us-cbp"))).status();
    CHECK(s.IsFailedPrecondition());
    CHECK(FirstPointer(s) == c.pointer);
  }
  Json no_initial = Later("follow_up", kNotice, "us-cbp");
  no_initial.erase("initialNotice");
  CHECK(FirstPointer(ParseNotice(SignedBy(no_initial, KeyOf("us-cbp"))).status()) ==
        "/initialNotice");
}

TEST_CASE("the NDC of a product: its own ndc member, else the one a U.S. GTIN embeds") {
  // GTIN-12 "3" + NDC 0002-7597-01 + check digit, as a GTIN-14.
  CHECK(NdcOfGtin("00300027597010") == "0002759701");
  // A case of those packs (indicator digit 5): the same NDC.
  CHECK(NdcOfGtin("50300027597015") == "0002759701");
  CHECK(NdcOfGtin("07501234000017") == std::nullopt);  // a Mexican GTIN
  CHECK(NdcOfGtin("90300027597013") == std::nullopt);  // variable measure
  CHECK(NdcOfProduct({{"gtin", "00300027597010"}}) == "0002759701");
  CHECK(NdcOfProduct({{"gtin", "00300027597010"}, {"ndc", "0002-7597-01"}}) == "0002-7597-01");
  CHECK(NdcOfProduct({{"gtin", "07501234000017"}}) == "");
}

TEST_CASE("an initial notice flags each certificate illegitimate: it cannot move") {
  Ledger l;
  REQUIRE(l.File(Initial(kNotice, {kCert, kCert2}, "mx-manufacturer"), "mx-manufacturer").ok());
  for (const std::string& cert : {kCert, kCert2}) {
    const Json flagged = l.Flagged(cert);
    REQUIRE(flagged.contains("illegitimate"));
    CHECK(flagged["illegitimate"]["notices"] == Json::array({kNotice}));
    CHECK(flagged["illegitimate"]["by"] == Json::array({Did("mx-manufacturer")}));
  }
  CHECK_FALSE(l.Moves());
  // The note offline verifiers get covers the flags: two in force.
  REQUIRE(l.sm->LatestRevocations().flags.size() == 2);
  CHECK(l.sm->LatestRevocations().flags[0].flag == "illegitimate");

  auto view = l.sm->NoticeView(kNotice);
  REQUIRE_MESSAGE(view.ok(), view.status().ToString());
  CHECK((*view)["status"] == "open");
  CHECK((*view)["classification"] == "counterfeit");
  CHECK((*view)["filer"]["name"] == "Laboratorios Ejemplo S.A. de C.V.");
  CHECK((*view)["filer"]["role"] == "manufacturer");
  CHECK((*view)["certificates"].size() == 2);
  CHECK((*view)["certificates"][1]["credentialSubject"]["serial"] == "SN000124");
  CHECK((*view)["initial"]["document"]["id"] == kNotice);
  CHECK((*view)["initial"]["ledger"]["time"].get<std::string>().starts_with("2026-11-30T"));
  CHECK(l.sm->NoticeView("urn:uuid:5e000000-0000-4000-8000-00000000ffff").status().IsNotFound());

  // The same id again is a duplicate document.
  CHECK(l.File(Initial(kNotice, {kCert}, "us-cbp"), "us-cbp").IsAlreadyExists());
}

TEST_CASE("who files an initial notice, about what") {
  Ledger l;
  // Not signed by its issuer.
  Status not_issuer = l.File(Initial(NextId(), {kCert}, "mx-manufacturer"), "us-cbp");
  CHECK(not_issuer.IsFailedPrecondition());
  CHECK(FirstPointer(not_issuer) == "/proof/verificationMethod");
  // A carrier is not a trading partner that notifies.
  Status carrier = l.File(Initial(NextId(), {kCert}, "mx-carrier"), "mx-carrier");
  CHECK(carrier.IsPermissionDenied());
  CHECK(FirstPointer(carrier) == "/issuer");
  // A distributor that neither issued, holds nor is shipped the product.
  Status stranger = l.File(Initial(NextId(), {kCert}, "us-distributor"), "us-distributor");
  CHECK(stranger.IsPermissionDenied());
  CHECK(FirstPointer(stranger) == "/certificates/0");
  // A certificate the ledger does not have.
  Status unknown =
      l.File(Initial(NextId(), {kCert, "urn:uuid:00000000-0000-4000-8000-00000000dead"}, "us-cbp"),
             "us-cbp");
  CHECK(unknown.IsFailedPrecondition());
  CHECK(FirstPointer(unknown) == "/certificates/1");
  // Determined illegitimate after the ledger's date.
  Json future = Initial(NextId(), {kCert}, "us-cbp");
  future["dateOfDetermination"] = "2026-12-01";
  Status later = l.File(future, "us-cbp");
  CHECK(later.IsFailedPrecondition());
  CHECK(FirstPointer(later) == "/dateOfDetermination");
  CHECK(l.Flagged(kCert).is_object());
  CHECK(l.Flagged(kCert).empty());

  // Once the product is shipped to the distributor, it may file.
  REQUIRE(l.Post(Shipping("us-distributor"), DocumentKind::kEvent, kCert).ok());
  CHECK(l.File(Initial(NextId(), {kCert}, "us-distributor"), "us-distributor").ok());
  // An agency files about any product.
  CHECK(l.File(Initial(NextId(), {kCert2}, "mx-anam"), "mx-anam").ok());
}

TEST_CASE("a notice is about drug products, not precursor consignments") {
  Ledger l;
  const Json precursor = Fixture("precursor-credential.json");
  REQUIRE(l.Post(precursor, DocumentKind::kCredential).ok());
  Status s = l.File(Initial(NextId(), {precursor["id"].get<std::string>()}, "us-cbp"), "us-cbp");
  CHECK(s.IsFailedPrecondition());
  CHECK(FirstPointer(s) == "/certificates/0");
}

TEST_CASE("follow-ups by the filer or an agency; the notice shows them") {
  Ledger l;
  REQUIRE(l.File(Initial(kNotice, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  Json follow_up = Later("follow_up", kNotice, "mx-manufacturer");
  follow_up["quantity"] = {{"value", 24}};
  follow_up["incidentNumber"] = "IN-2026-0042";
  REQUIRE(l.File(follow_up, "mx-manufacturer").ok());
  REQUIRE(l.File(Later("follow_up", kNotice, "ca-cbsa"), "ca-cbsa").ok());
  Status other = l.File(Later("follow_up", kNotice, "us-distributor"), "us-distributor");
  CHECK(other.IsPermissionDenied());
  CHECK(FirstPointer(other) == "/proof/verificationMethod");
  Status no_initial = l.File(Later("follow_up", NextId(), "mx-manufacturer"), "mx-manufacturer");
  CHECK(no_initial.IsFailedPrecondition());
  CHECK(FirstPointer(no_initial) == "/initialNotice");

  auto view = l.sm->NoticeView(kNotice);
  REQUIRE(view.ok());
  REQUIRE((*view)["follow_ups"].size() == 2);
  CHECK((*view)["follow_ups"][0]["document"]["incidentNumber"] == "IN-2026-0042");
  CHECK((*view)["parties"] ==
        Json::array({Did("mx-manufacturer"), Did("mx-manufacturer"), Did("ca-cbsa")}));
  // A follow-up's id shows the notice it follows.
  auto by_follow_up = l.sm->NoticeView(follow_up["id"].get<std::string>());
  REQUIRE(by_follow_up.ok());
  CHECK((*by_follow_up)["id"] == kNotice);
  // A follow-up adds information: the flags are as the initial notice left them.
  CHECK(l.Flagged(kCert)["illegitimate"]["notices"] == Json::array({kNotice}));
}

TEST_CASE("a termination by the filer or an agency clears the notice's flags, once") {
  Ledger l;
  REQUIRE(l.File(Initial(kNotice, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  Status other = l.File(Later("termination", kNotice, "us-distributor"), "us-distributor");
  CHECK(other.IsPermissionDenied());
  REQUIRE(l.File(Later("termination", kNotice, "us-cbp"), "us-cbp").ok());
  CHECK(l.Flagged(kCert).empty());
  CHECK(l.sm->LatestRevocations().flags.empty());
  CHECK(l.Moves());

  auto view = l.sm->NoticeView(kNotice);
  REQUIRE(view.ok());
  CHECK((*view)["status"] == "terminated");
  CHECK((*view)["termination"]["ledger"]["by"] == Did("us-cbp"));

  Status again = l.File(Later("termination", kNotice, "mx-manufacturer"), "mx-manufacturer");
  CHECK(again.IsAlreadyExists());
  CHECK(FirstPointer(again) == "/initialNotice");
  Status follow_up = l.File(Later("follow_up", kNotice, "mx-manufacturer"), "mx-manufacturer");
  CHECK(follow_up.IsFailedPrecondition());
  CHECK(FirstPointer(follow_up) == "/initialNotice");
}

TEST_CASE("a termination leaves the flag another open notice or an agency holds") {
  Ledger l;
  const std::string second = NextId();
  REQUIRE(l.File(Initial(kNotice, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  REQUIRE(l.File(Initial(second, {kCert, kCert2}, "us-cbp"), "us-cbp").ok());
  CHECK(l.Flagged(kCert)["illegitimate"]["notices"] == Json::array({kNotice, second}));
  // The first notice ends: the second still holds kCert.
  REQUIRE(l.File(Later("termination", kNotice, "mx-manufacturer"), "mx-manufacturer").ok());
  CHECK(l.Flagged(kCert)["illegitimate"]["notices"] == Json::array({second}));
  CHECK_FALSE(l.Moves());
  REQUIRE(l.File(Later("termination", second, "us-cbp"), "us-cbp").ok());
  CHECK(l.Flagged(kCert).empty());
  CHECK(l.Flagged(kCert2).empty());

  // An agency's own flag outlives a notice that joined it.
  REQUIRE(l.Post(AgencyFlag("set", "mx-anam"), DocumentKind::kEvent, kCert).ok());
  const std::string third = NextId();
  REQUIRE(l.File(Initial(third, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  REQUIRE(l.File(Later("termination", third, "mx-manufacturer"), "mx-manufacturer").ok());
  const Json flagged = l.Flagged(kCert);
  REQUIRE(flagged.contains("illegitimate"));
  CHECK(flagged["illegitimate"]["by"] == Json::array({Did("mx-anam")}));
  CHECK_FALSE(l.Moves());
  REQUIRE(l.Post(AgencyFlag("unset", "mx-anam"), DocumentKind::kEvent, kCert).ok());
  CHECK(l.Moves());
}

TEST_CASE("notice limits: open notices per certificate, follow-ups per notice") {
  StateMachineOptions options;
  options.notices_per_certificate_max = 1;
  options.notice_follow_ups_max = 1;
  Ledger l(options);
  REQUIRE(l.File(Initial(kNotice, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  Status crowded = l.File(Initial(NextId(), {kCert2, kCert}, "us-cbp"), "us-cbp");
  CHECK(crowded.IsResourceExhausted());
  CHECK(FirstPointer(crowded) == "/certificates/1");
  REQUIRE(l.File(Later("follow_up", kNotice, "mx-manufacturer"), "mx-manufacturer").ok());
  CHECK(l.File(Later("follow_up", kNotice, "mx-manufacturer"), "mx-manufacturer")
            .IsResourceExhausted());
  // A termination is not a follow-up: it goes through.
  CHECK(l.File(Later("termination", kNotice, "mx-manufacturer"), "mx-manufacturer").ok());
}

TEST_CASE("notices are ledger state: a reopened state machine has them, flags and all") {
  Ledger l;
  REQUIRE(l.File(Initial(kNotice, {kCert}, "mx-manufacturer"), "mx-manufacturer").ok());
  REQUIRE(l.File(Later("follow_up", kNotice, "us-cbp"), "us-cbp").ok());
  const Json before = *l.sm->NoticeView(kNotice);
  const std::string body = l.sm->RevocationsBody();
  l.Reopen();
  CHECK(*l.sm->NoticeView(kNotice) == before);
  CHECK(l.sm->RevocationsBody() == body);
  // A notice sent again after it committed gets its receipt, not a 409.
  const Json signed_initial =
      SignedBy(Initial(kNotice, {kCert}, "mx-manufacturer"), KeyOf("mx-manufacturer"));
  auto held = l.sm->FindIdentical(Doc(DocumentKind::kNotice, signed_initial));
  REQUIRE(held.has_value());
  CHECK(held->certificate_id == kNotice);
  CHECK(held->status == "open");
}

}  // namespace
}  // namespace frontera::ledger
