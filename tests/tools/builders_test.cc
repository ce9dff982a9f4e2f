#include "tools/builders.h"

#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "ledger/documents.h"
#include "tests/tools/test_support.h"

namespace frontera::tools {
namespace {

using testing::FixtureDid;
using testing::FixtureKey;
using testing::LoadFixture;

ProductFields FixtureProductFields() {
  ProductFields f;
  f.id = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  f.valid_from = "2026-11-02T14:05:00Z";
  f.gtin = "07501234000017";
  f.lot = "LOT42A";
  f.serial = "SN000123";
  f.expiry = "2028-10-31";
  f.product_name = "Amoxicillin 500 mg capsules";
  f.strength_dosage_form = "500 mg, capsule";
  f.container_size = "30 capsules";
  f.manufacturer = {FixtureDid("mx-manufacturer"), "Laboratorios Ejemplo S.A. de C.V.", "MX",
                    "7501234000017"};
  return f;
}

PartyInfo Distributor() {
  return {FixtureDid("us-distributor"), "Example Pharma Distribution LLC", "US", ""};
}

PrecursorFields FixturePrecursorFields() {
  PrecursorFields f;
  f.id = "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
  f.valid_from = "2026-11-20T08:00:00Z";
  f.sscc = "375012345000000013";
  f.substance_name = "Pseudoephedrine hydrochloride";
  f.cas_rn = "345-78-8";
  f.un_table = "I";
  f.hs_code = "2939.42";
  f.quantity_value = ParseQuantity("200").value();
  f.uom = "KGM";
  f.concentration = "99.5 %";
  f.exporter = {FixtureDid("mx-manufacturer"), "Laboratorios Ejemplo S.A. de C.V.", "MX", ""};
  f.importer = Distributor();
  f.consignee = Distributor();
  f.point_of_entry = "USLRD";
  f.dispatch_date = "2026-11-21";
  f.pre_export_notification = "PEN-MX-2026-000123";
  f.import_permit = "DEA486-2026-0042";
  return f;
}

TEST_CASE("pharma credential from the fixture's fields reproduces its label and proofValue") {
  crypto::KeyPair key = FixtureKey("mx-manufacturer");
  Json built = BuildProductCredential(FixtureProductFields());
  auto labelled = AttachLabel(built, "verify.frontera.example", key);
  REQUIRE_MESSAGE(labelled.ok(), labelled.status().ToString());
  auto secured = SignDocument(*labelled, key, "2026-11-02T14:05:00Z");
  REQUIRE_MESSAGE(secured.ok(), secured.status().ToString());

  Json fixture = LoadFixture("pharma-credential.json");
  CHECK((*secured)["credentialSubject"]["label"] == fixture["credentialSubject"]["label"]);
  CHECK((*secured)["proof"]["proofValue"] == fixture["proof"]["proofValue"]);
  CHECK(*secured == fixture);  // same members, same shapes, nothing extra
}

TEST_CASE("precursor credential from the fixture's fields reproduces its proofValue") {
  crypto::KeyPair key = FixtureKey("mx-manufacturer");
  auto labelled = AttachLabel(BuildPrecursorCredential(FixturePrecursorFields()),
                              "verify.frontera.example", key);
  REQUIRE_MESSAGE(labelled.ok(), labelled.status().ToString());
  auto secured = SignDocument(*labelled, key, "2026-11-20T08:00:00Z");
  REQUIRE(secured.ok());
  Json fixture = LoadFixture("precursor-credential.json");
  CHECK((*secured)["proof"]["proofValue"] == fixture["proof"]["proofValue"]);
  CHECK(*secured == fixture);
}

TEST_CASE("shipping event from the fixture's fields reproduces its proofValue") {
  EventFields f;
  f.kind = ledger::EventKind::kShipping;
  f.event_id = "urn:uuid:5e2a9c1b-3d4f-4a6b-8c7d-9e0f1a2b3c4d";
  f.event_time = "2026-11-03T09:30:00.000-06:00";
  f.certificate_id = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  f.epc = "https://id.gs1.org/01/07501234000017/21/SN000123";
  f.signer_did = FixtureDid("mx-manufacturer");
  f.destination_party = FixtureDid("mx-carrier");
  f.read_point = "https://id.gs1.org/414/7501234000017";
  auto event = BuildEvent(f);
  REQUIRE(event.ok());
  auto secured = SignDocument(*event, FixtureKey("mx-manufacturer"), "2026-11-03T15:30:00Z");
  REQUIRE(secured.ok());
  Json fixture = LoadFixture("shipping-event.json");
  CHECK((*secured)["proof"]["proofValue"] == fixture["proof"]["proofValue"]);
  CHECK(*secured == fixture);
}

TEST_CASE("built credentials are accepted by the ledger's parser and verify") {
  crypto::KeyPair key = FixtureKey("mx-manufacturer");
  ProductFields product = FixtureProductFields();
  product.id = NewUrnUuid();
  product.ndc = "0093-4155-73";
  product.serial = "SN/7+A";  // needs percent-encoding in the Digital Link
  auto secured = SignDocument(BuildProductCredential(product), key, "2026-11-02T14:05:00Z");
  REQUIRE(secured.ok());
  auto parsed = ledger::ParseCredential(*secured);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->serial == "SN/7+A");
  CHECK(parsed->subject_id == "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN%2F7%2BA");
  CHECK(parsed->valid_until == "2028-10-31T23:59:59Z");  // end of the expiry day
  auto verified = crypto::VerifyProof(*secured);
  REQUIRE(verified.ok());
  CHECK(verified->controller == FixtureDid("mx-manufacturer"));

  PrecursorFields precursor = FixturePrecursorFields();
  precursor.quantity_value = ParseQuantity("12.5").value();
  precursor.valid_until = "2027-01-31T00:00:00Z";
  auto secured_precursor =
      SignDocument(BuildPrecursorCredential(precursor), key, "2026-11-20T08:00:00Z");
  REQUIRE(secured_precursor.ok());
  auto parsed_precursor = ledger::ParseCredential(*secured_precursor);
  REQUIRE_MESSAGE(parsed_precursor.ok(), parsed_precursor.status().ToString());
  CHECK(parsed_precursor->type == ledger::CredentialType::kPrecursor);
  CHECK(crypto::VerifyProof(*secured_precursor).ok());
}

TEST_CASE("every event step builds an event the ledger accepts") {
  const char* steps[] = {"shipping",   "departing", "arriving", "receiving",
                         "inspecting", "hold",      "release",  "joint-inspection"};
  for (const char* step : steps) {
    CAPTURE(step);
    auto kind = EventKindFromCliName(step);
    REQUIRE(kind.has_value());
    EventFields f;
    f.kind = *kind;
    f.event_id = NewUrnUuid();
    f.event_time = "2026-11-04T10:00:00.000Z";
    f.certificate_id = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
    f.epc = "https://id.gs1.org/01/07501234000017/21/SN000123";
    f.signer_did = FixtureDid("us-cbp");
    if (*kind == ledger::EventKind::kShipping) f.destination_party = FixtureDid("mx-carrier");
    f.biz_location = "https://id.gs1.org/414/0031234500004";
    auto event = BuildEvent(f);
    REQUIRE(event.ok());
    CHECK((*event)["eventTimeZoneOffset"] == "+00:00");
    auto secured = SignDocument(*event, FixtureKey("us-cbp"), "2026-11-04T10:00:00Z");
    REQUIRE(secured.ok());
    auto parsed = ledger::ParseEvent(*secured);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    CHECK(parsed->kind == *kind);
    CHECK(parsed->biz_step == BizStepOf(*kind));
    CHECK(parsed->biz_location == "https://id.gs1.org/414/0031234500004");
    CHECK(crypto::VerifyProof(*secured).ok());
  }
  CHECK(BizStepOf(ledger::EventKind::kCustomsHold) ==
        "https://frontera.example/ns/v1/bizstep/customs_hold");
  CHECK(DispositionOf(ledger::EventKind::kShipping) == "in_transit");
  CHECK(DispositionOf(ledger::EventKind::kReceiving) == "in_progress");
  CHECK_FALSE(EventKindFromCliName("teleporting").has_value());
}

TEST_CASE("a shipping without a destination or with a bad time is refused") {
  EventFields f;
  f.kind = ledger::EventKind::kShipping;
  f.event_id = NewUrnUuid();
  f.event_time = "2026-11-04T10:00:00Z";
  CHECK(BuildEvent(f).status().IsInvalidArgument());
  f.destination_party = FixtureDid("mx-carrier");
  CHECK(BuildEvent(f).ok());
  f.event_time = "2026-11-04 10:00";
  CHECK(BuildEvent(f).status().IsInvalidArgument());
}

TEST_CASE("revocation has the documented shape and is accepted") {
  RevocationFields f;
  f.id = NewUrnUuid();
  f.credential_id = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  f.issuer = FixtureDid("mx-manufacturer");
  f.reason = "lot recalled";
  Json revocation = BuildRevocation(f);
  CHECK(revocation["type"] == "CredentialRevocation");
  CHECK(revocation["@context"] ==
        Json::array({"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}));
  auto secured = SignDocument(revocation, FixtureKey("mx-manufacturer"), "2026-12-01T00:00:00Z");
  REQUIRE(secured.ok());
  auto parsed = ledger::ParseRevocation(*secured);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->credential_id == f.credential_id);
  CHECK(parsed->reason == "lot recalled");
  CHECK(crypto::VerifyProof(*secured).ok());
  CHECK_FALSE(SignDocument(*secured, FixtureKey("mx-manufacturer"), "2026-12-01T00:00:00Z").ok());
}

TEST_CASE("NewUrnUuid gives distinct version 4 UUIDs") {
  std::regex v4("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUrnUuid();
    CHECK(std::regex_match(id, v4));
    seen.insert(id);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("quantities are positive decimal numbers") {
  CHECK(ParseQuantity("200").value() == Json(200));
  CHECK(ParseQuantity("200").value().is_number_integer());
  CHECK(ParseQuantity("12.5").value() == Json(12.5));
  for (const char* bad : {"", "0", "-3", "1e3", "12.", ".5", "1.2.3", "12 kg", "0.0"}) {
    CAPTURE(bad);
    CHECK(ParseQuantity(bad).status().IsInvalidArgument());
  }
}

TEST_CASE("party records from the node") {
  Json answer = {{"party",
                  {{"did", FixtureDid("mx-manufacturer")},
                   {"name", "Laboratorios Ejemplo S.A. de C.V."},
                   {"role", "manufacturer"},
                   {"country", "MX"},
                   {"gln", "7501234000017"},
                   {"prefixes", {"7501234"}},
                   {"suspended", false}}}};
  auto record = PartyRecordFromJson(answer);
  REQUIRE(record.ok());
  CHECK(record->info.gln == "7501234000017");
  CHECK(record->prefixes == std::vector<std::string>{"7501234"});
  CHECK(PartyRecordFromJson(answer["party"]).ok());  // unwrapped form
  Json incomplete = answer["party"];
  incomplete.erase("country");
  auto missing = PartyRecordFromJson(incomplete);
  REQUIRE_FALSE(missing.ok());
  REQUIRE(missing.status().field_errors().size() == 1);
  CHECK(missing.status().field_errors()[0].pointer == "/country");
}

TEST_CASE("a credential without its identifiers cannot be labelled") {
  Json built = BuildProductCredential(FixtureProductFields());
  built["credentialSubject"].erase("lot");
  auto labelled = AttachLabel(built, "verify.frontera.example", FixtureKey("mx-manufacturer"));
  REQUIRE_FALSE(labelled.ok());
  CHECK(labelled.status().field_errors().at(0).pointer == "/credentialSubject/lot");
}

}  // namespace
}  // namespace frontera::tools
