#include "ledger/documents.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "crypto/ed25519.h"

namespace frontera::ledger {
namespace {

using Code = Status::Code;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Json Fixture(const std::string& name) {
  Result<Json> json = crypto::ParseJson(ReadFixture(name));
  REQUIRE(json.ok());
  return *json;
}

Json Pharma() { return Fixture("pharma-credential.json"); }
Json Precursor() { return Fixture("precursor-credential.json"); }
Json Shipping() { return Fixture("shipping-event.json"); }

Json RevocationDoc() {
  return Json{
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "CredentialRevocation"},
      {"id", "urn:uuid:3f1c2a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b"},
      {"credential", "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70"},
      {"issuer", "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3"},
      {"reason", "Lot LOT42A recalled: contamination found at release testing"},
      {"proof",
       {{"type", "DataIntegrityProof"},
        {"cryptosuite", "eddsa-jcs-2022"},
        {"verificationMethod",
         "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3#"
         "z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3"},
        {"proofPurpose", "assertionMethod"},
        {"proofValue", "z1"}}},
  };
}

Json::json_pointer P(const std::string& pointer) { return Json::json_pointer(pointer); }

Json With(Json document, const std::string& pointer, Json value) {
  document[P(pointer)] = std::move(value);
  return document;
}

Json Without(Json document, const std::string& pointer) {
  Json::json_pointer p = P(pointer);
  document[p.parent_pointer()].erase(p.back());
  return document;
}

// The status has `code` and a field error at `pointer` whose reason contains
// `reason_part`.
void ExpectFieldError(const Status& status, Code code, const std::string& pointer,
                      const std::string& reason_part = "") {
  CAPTURE(status.ToString());
  CHECK(status.code() == code);
  bool found = false;
  for (const FieldError& e : status.field_errors()) {
    if (e.pointer == pointer && e.reason.find(reason_part) != std::string::npos) found = true;
  }
  CHECK_MESSAGE(found,
                "expected a field error at " << pointer << " containing \"" << reason_part << "\"");
}

Status CredentialStatus(const Json& document) { return ParseCredential(document).status(); }
Status EventStatus(const Json& document) { return ParseEvent(document).status(); }
Status RevocationStatus(const Json& document) { return ParseRevocation(document).status(); }

struct Init {
  Init() { crypto::InitCrypto(); }
} init;

constexpr const char* kManufacturer = "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3";
constexpr const char* kCarrier = "did:key:z6MkvCPjuBZY1edsdAQRr4G3m4dXqEuKSGhBgVgnzrJf8TWr";
constexpr const char* kDistributor = "did:key:z6MkfDmFkbn4kWSa8gjEj5czwnpEDftXVedY1Nxa1vqq8Rvv";

// ---------------------------------------------------------------------------
// The fixtures.

TEST_CASE("the pharmaceutical fixture parses with its values") {
  Result<Credential> c = ParseCredential(Pharma());
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->id == "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70");
  CHECK(c->type == CredentialType::kProduct);
  CHECK(c->issuer == kManufacturer);
  CHECK(c->valid_from == "2026-11-02T14:05:00Z");
  CHECK(c->valid_until == "2028-10-31T23:59:59Z");
  CHECK(c->subject_id == "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123");
  CHECK(c->gtin == "07501234000017");
  CHECK(c->lot == "LOT42A");
  CHECK(c->serial == "SN000123");
  CHECK(c->expiry == "2028-10-31");
  CHECK(c->manufacturer_did == kManufacturer);
  CHECK(c->country_of_origin == "MX");
  REQUIRE(c->label.has_value());
  CHECK(c->label->starts_with("https://verify.frontera.example/01/07501234000017/"));
  CHECK(c->proof_verification_method ==
        std::string(kManufacturer) + "#" + std::string(kManufacturer).substr(8));
  CHECK(ItemEpc(*c) == "https://id.gs1.org/01/07501234000017/21/SN000123");
}

TEST_CASE("the precursor fixture parses with its values") {
  Result<Credential> c = ParseCredential(Precursor());
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->id == "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f");
  CHECK(c->type == CredentialType::kPrecursor);
  CHECK(c->valid_until.empty());
  CHECK(c->subject_id == "https://id.gs1.org/00/375012345000000013");
  CHECK(c->sscc == "375012345000000013");
  CHECK(c->cas_rn == "345-78-8");
  CHECK(c->un_table == "I");
  CHECK(c->point_of_entry == "USLRD");
  CHECK(c->exporter.did == kManufacturer);
  CHECK(c->exporter.country == "MX");
  CHECK(c->importer.did == kDistributor);
  CHECK(c->importer.name == "Example Pharma Distribution LLC");
  CHECK(c->consignee.country == "US");
  CHECK(c->label.has_value());
  CHECK(ItemEpc(*c) == "https://id.gs1.org/00/375012345000000013");
}

TEST_CASE("the shipping event fixture parses with its values") {
  Result<Event> e = ParseEvent(Shipping());
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  CHECK(e->event_id == "urn:uuid:5e2a9c1b-3d4f-4a6b-8c7d-9e0f1a2b3c4d");
  CHECK(e->kind == EventKind::kShipping);
  CHECK(e->biz_step == "shipping");
  CHECK(e->event_time == "2026-11-03T09:30:00.000-06:00");
  CHECK(e->certificate_id == "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70");
  CHECK(e->epc_list ==
        std::vector<std::string>{"https://id.gs1.org/01/07501234000017/21/SN000123"});
  CHECK(e->source_party == kManufacturer);
  CHECK(e->destination_party == kCarrier);
  CHECK(e->read_point == "https://id.gs1.org/414/7501234000017");
  CHECK(e->biz_location.empty());
  CHECK(e->proof_verification_method.starts_with(kManufacturer));
}

// ---------------------------------------------------------------------------
// Shape.

TEST_CASE("shape: not an object, missing member, wrong type") {
  ExpectFieldError(CredentialStatus(Json::array()), Code::kInvalidArgument, "");
  ExpectFieldError(EventStatus(Json("x")), Code::kInvalidArgument, "");
  ExpectFieldError(RevocationStatus(Json(3)), Code::kInvalidArgument, "");
  ExpectFieldError(CredentialStatus(Without(Pharma(), "/credentialSubject/gtin")),
                   Code::kInvalidArgument, "/credentialSubject/gtin", "is required");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/gtin", 7501234000017)),
                   Code::kInvalidArgument, "/credentialSubject/gtin", "must be a string");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject", "x")),
                   Code::kInvalidArgument, "/credentialSubject", "must be an object");
  ExpectFieldError(CredentialStatus(Without(Pharma(), "/proof")), Code::kInvalidArgument, "/proof",
                   "is required");
  ExpectFieldError(CredentialStatus(Without(Pharma(), "/proof/verificationMethod")),
                   Code::kInvalidArgument, "/proof/verificationMethod");
  ExpectFieldError(CredentialStatus(Without(Pharma(), "/validFrom")), Code::kInvalidArgument,
                   "/validFrom");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/@context", "x")), Code::kInvalidArgument,
                   "/@context", "must be an array");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/issuer", 1)), Code::kInvalidArgument,
                   "/issuer");
  ExpectFieldError(CredentialStatus(With(Precursor(), "/credentialSubject/quantity/value", "200")),
                   Code::kInvalidArgument, "/credentialSubject/quantity/value", "must be a number");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/type/1", 5)), Code::kInvalidArgument,
                   "/type/1");
}

TEST_CASE("shape errors are all reported, and rules wait for a well-formed document") {
  Json doc = Without(Without(Pharma(), "/credentialSubject/lot"), "/credentialSubject/serial");
  doc = With(doc, "/credentialSubject/gln", "bad");  // unknown member: ignored
  doc = With(doc, "/credentialSubject/manufacturer/gln", "7501234000018");
  Status s = CredentialStatus(doc);
  CHECK(s.IsInvalidArgument());
  CHECK(s.field_errors().size() == 2);
  ExpectFieldError(s, Code::kInvalidArgument, "/credentialSubject/lot");
  ExpectFieldError(s, Code::kInvalidArgument, "/credentialSubject/serial");
  CHECK(s.message().starts_with("credential malformed: /credentialSubject/lot: is required"));
}

TEST_CASE("rule errors of one document are all reported") {
  Json doc = With(Pharma(), "/credentialSubject/manufacturer/gln", "7501234000018");
  doc = With(doc, "/credentialSubject/manufacturer/countryOfOrigin", "XX");
  doc = With(doc, "/credentialSubject/productName", "");
  Status s = CredentialStatus(doc);
  CHECK(s.IsFailedPrecondition());
  CHECK(s.field_errors().size() == 3);
  ExpectFieldError(s, Code::kFailedPrecondition, "/credentialSubject/manufacturer/gln",
                   "GLN check digit should be 7, not 8");
  ExpectFieldError(s, Code::kFailedPrecondition, "/credentialSubject/manufacturer/countryOfOrigin",
                   "ISO 3166-1");
  ExpectFieldError(s, Code::kFailedPrecondition, "/credentialSubject/productName",
                   "must not be empty");
}

TEST_CASE("limits: strings of at most 1024 characters, arrays of at most 100 items") {
  CHECK(ParseCredential(With(Pharma(), "/note", std::string(1024, 'a'))).ok());
  ExpectFieldError(CredentialStatus(With(Pharma(), "/note", std::string(1025, 'a'))),
                   Code::kFailedPrecondition, "/note", "at most 1024 characters");
  // Characters, not bytes: 1024 two-byte characters fit.
  std::string accents;
  for (int i = 0; i < 1024; ++i) accents += "\xC3\xA9";
  CHECK(ParseCredential(With(Pharma(), "/note", accents)).ok());
  Json items = Json::array();
  for (int i = 0; i < 100; ++i) items.push_back(i);
  CHECK(ParseCredential(With(Pharma(), "/extra", items)).ok());
  items.push_back(100);
  ExpectFieldError(CredentialStatus(With(Pharma(), "/extra", items)), Code::kFailedPrecondition,
                   "/extra", "at most 100 items");
  // Pointers escape '/' and '~' in member names (RFC 6901 §3).
  ExpectFieldError(CredentialStatus(With(Pharma(), "/a~1b~0c", std::string(1025, 'a'))),
                   Code::kFailedPrecondition, "/a~1b~0c");
  ExpectFieldError(EventStatus(With(Shipping(), "/disposition", std::string(1025, 'a'))),
                   Code::kFailedPrecondition, "/disposition");
}

// ---------------------------------------------------------------------------
// Credential envelope (W3C VC 2.0).

TEST_CASE("credential @context starts with the VC 2.0 context") {
  CHECK(
      ParseCredential(With(Pharma(), "/@context", {"https://www.w3.org/ns/credentials/v2"})).ok());
  ExpectFieldError(
      CredentialStatus(With(Pharma(), "/@context/0", "https://www.w3.org/2018/credentials/v1")),
      Code::kFailedPrecondition, "/@context/0", "https://www.w3.org/ns/credentials/v2");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/@context", Json::array())),
                   Code::kFailedPrecondition, "/@context", "must not be empty");
}

TEST_CASE("credential type: VerifiableCredential and exactly one Frontera type") {
  ExpectFieldError(CredentialStatus(With(Pharma(), "/type", {"ProductAuthenticityCredential"})),
                   Code::kFailedPrecondition, "/type", "VerifiableCredential");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/type", {"VerifiableCredential"})),
                   Code::kFailedPrecondition, "/type", "exactly one of");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/type",
                                         {"VerifiableCredential", "ProductAuthenticityCredential",
                                          "PrecursorConsignmentCredential"})),
                   Code::kFailedPrecondition, "/type", "exactly one of");
  // A product subject under the precursor type breaks the precursor rules.
  ExpectFieldError(CredentialStatus(With(Pharma(), "/type/1", "PrecursorConsignmentCredential")),
                   Code::kInvalidArgument, "/credentialSubject/sscc", "is required");
}

TEST_CASE("credential id is an absolute URI of at most 256 characters") {
  CHECK(ParseCredential(With(Pharma(), "/id", "https://issuer.example/credentials/42")).ok());
  ExpectFieldError(CredentialStatus(With(Pharma(), "/id", "0b6f3c1e-5d2a")),
                   Code::kFailedPrecondition, "/id", "absolute URI");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/id", "urn:uuid:has space")),
                   Code::kFailedPrecondition, "/id");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/id", "urn:x:" + std::string(251, 'a'))),
                   Code::kFailedPrecondition, "/id", "256");
  CHECK(ParseCredential(With(Pharma(), "/id", "urn:x:" + std::string(250, 'a'))).ok());
}

TEST_CASE("credential issuer is a did:key, as a string or an object with id") {
  CHECK(ParseCredential(With(Pharma(), "/issuer", {{"id", kManufacturer}, {"name", "Lab"}})).ok());
  ExpectFieldError(CredentialStatus(With(Pharma(), "/issuer", "did:web:lab.example")),
                   Code::kFailedPrecondition, "/issuer", "did:key");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/issuer", {{"id", "did:key:z6Mkxyz"}})),
                   Code::kFailedPrecondition, "/issuer/id", "did:key");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/issuer", {{"name", "Lab"}})),
                   Code::kInvalidArgument, "/issuer/id", "is required");
}

TEST_CASE("validFrom is RFC 3339; validUntil is after it") {
  ExpectFieldError(CredentialStatus(With(Pharma(), "/validFrom", "2026-11-02 14:05")),
                   Code::kFailedPrecondition, "/validFrom", "RFC 3339");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/validUntil", "2026-11-02T14:05:00Z")),
                   Code::kFailedPrecondition, "/validUntil", "after validFrom");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/validUntil", "2028-10-31T23:59:59")),
                   Code::kFailedPrecondition, "/validUntil", "offset");
  CHECK(ParseCredential(Without(Pharma(), "/validUntil")).ok());
}

// ---------------------------------------------------------------------------
// Product subject.

TEST_CASE("product gtin: 14 digits with a valid check digit") {
  Json doc = With(Pharma(), "/credentialSubject/gtin", "07501234000018");
  ExpectFieldError(CredentialStatus(doc), Code::kFailedPrecondition, "/credentialSubject/gtin",
                   "GTIN check digit should be 7, not 8");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/gtin", "7501234000017")),
                   Code::kFailedPrecondition, "/credentialSubject/gtin", "14 digits");
}

TEST_CASE("product lot and serial: character set 82, 1 to 20 characters") {
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/lot", "LOT 42A")),
                   Code::kFailedPrecondition, "/credentialSubject/lot", "character set 82");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/lot", "")),
                   Code::kFailedPrecondition, "/credentialSubject/lot", "1 to 20");
  ExpectFieldError(
      CredentialStatus(With(Pharma(), "/credentialSubject/serial", std::string(21, '1'))),
      Code::kFailedPrecondition, "/credentialSubject/serial", "1 to 20");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/serial", "SN#1")),
                   Code::kFailedPrecondition, "/credentialSubject/serial", "'#'");
}

TEST_CASE("product subject id is the canonical Digital Link URI") {
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/id",
                                         "https://id.gs1.org/01/07501234000017/21/SN000123")),
                   Code::kFailedPrecondition, "/credentialSubject/id",
                   "must be https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123");
  // Percent-encoding of AI values is part of the canonical form.
  Json doc = With(Without(Pharma(), "/credentialSubject/label"), "/credentialSubject/lot", "L/42");
  doc = With(doc, "/credentialSubject/id",
             "https://id.gs1.org/01/07501234000017/10/L%2F42/21/SN000123");
  CHECK(ParseCredential(doc).ok());
  doc = With(doc, "/credentialSubject/id",
             "https://id.gs1.org/01/07501234000017/10/L/42/21/SN000123");
  ExpectFieldError(CredentialStatus(doc), Code::kFailedPrecondition, "/credentialSubject/id");
}

TEST_CASE("product expiry: a real date, after validFrom, not before validUntil") {
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/expiry", "2028-02-30")),
                   Code::kFailedPrecondition, "/credentialSubject/expiry", "not a day");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/expiry", "31/10/2028")),
                   Code::kFailedPrecondition, "/credentialSubject/expiry", "YYYY-MM-DD");
  Json early = Without(Without(Pharma(), "/validUntil"), "/credentialSubject/label");
  early = With(early, "/credentialSubject/expiry", "2026-11-01");
  ExpectFieldError(CredentialStatus(early), Code::kFailedPrecondition, "/credentialSubject/expiry",
                   "before the credential's validFrom");
  // validUntil may reach the last millisecond of the expiry day (UTC), not beyond.
  CHECK(ParseCredential(With(Pharma(), "/validUntil", "2028-10-31T23:59:59.999Z")).ok());
  ExpectFieldError(CredentialStatus(With(Pharma(), "/validUntil", "2028-11-01T00:00:00Z")),
                   Code::kFailedPrecondition, "/validUntil", "end of the expiry day 2028-10-31");
  ExpectFieldError(CredentialStatus(With(Pharma(), "/validUntil", "2028-10-31T20:00:00-06:00")),
                   Code::kFailedPrecondition, "/validUntil");
}

TEST_CASE("product ndc is optional and validated when present") {
  CHECK(ParseCredential(With(Pharma(), "/credentialSubject/ndc", "0002-7597-01")).ok());
  CHECK(ParseCredential(With(Pharma(), "/credentialSubject/ndc", "50090-0347-01")).ok());
  ExpectFieldError(CredentialStatus(With(Pharma(), "/credentialSubject/ndc", "0002759701")),
                   Code::kFailedPrecondition, "/credentialSubject/ndc", "4-4-2, 5-3-2 or 5-4-1");
}

TEST_CASE("product names and sizes: 1 to 200 characters") {
  for (std::string key : {"productName", "strengthDosageForm", "containerSize"}) {
    CAPTURE(key);
    std::string pointer = "/credentialSubject/" + key;
    CHECK(ParseCredential(With(Pharma(), pointer, std::string(200, 'x'))).ok());
    ExpectFieldError(CredentialStatus(With(Pharma(), pointer, std::string(201, 'x'))),
                     Code::kFailedPrecondition, pointer, "1 to 200 characters, not 201");
    ExpectFieldError(CredentialStatus(With(Pharma(), pointer, "")), Code::kFailedPrecondition,
                     pointer, "must not be empty");
    ExpectFieldError(CredentialStatus(Without(Pharma(), pointer)), Code::kInvalidArgument, pointer,
                     "is required");
  }
}

TEST_CASE("product manufacturer: did:key, name, GLN, ISO 3166 country of origin") {
  const std::string m = "/credentialSubject/manufacturer";
  ExpectFieldError(CredentialStatus(With(Pharma(), m + "/id", "did:example:123")),
                   Code::kFailedPrecondition, m + "/id", "did:key");
  ExpectFieldError(CredentialStatus(With(Pharma(), m + "/gln", "7501234000018")),
                   Code::kFailedPrecondition, m + "/gln", "GLN check digit should be 7");
  ExpectFieldError(CredentialStatus(With(Pharma(), m + "/countryOfOrigin", "MEX")),
                   Code::kFailedPrecondition, m + "/countryOfOrigin", "ISO 3166-1 alpha-2");
  CHECK(ParseCredential(With(Pharma(), m + "/countryOfOrigin", "IN")).ok());
  ExpectFieldError(CredentialStatus(Without(Pharma(), m + "/name")), Code::kInvalidArgument,
                   m + "/name");
  ExpectFieldError(CredentialStatus(Without(Pharma(), m)), Code::kInvalidArgument, m);
}

TEST_CASE("product label parses and names the subject's item") {
  CHECK(ParseCredential(Without(Pharma(), "/credentialSubject/label")).ok());
  const std::string pointer = "/credentialSubject/label";
  ExpectFieldError(CredentialStatus(With(Pharma(), pointer, "https://verify.example/01/x")),
                   Code::kFailedPrecondition, pointer);
  // The fixture's label (serial SN000123) on a credential for another serial.
  Json other = With(Pharma(), "/credentialSubject/serial", "SN000124");
  other = With(other, "/credentialSubject/id",
               "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000124");
  ExpectFieldError(CredentialStatus(other), Code::kFailedPrecondition, pointer,
                   "serial in the label is \"SN000123\"");
  // And for another expiry day.
  Json later = With(Pharma(), "/credentialSubject/expiry", "2028-11-30");
  ExpectFieldError(CredentialStatus(later), Code::kFailedPrecondition, pointer, "expiry (17=)");
  // A consignment label on a product.
  Json sscc_label =
      With(Pharma(), pointer, Precursor()["credentialSubject"]["label"].get<std::string>());
  ExpectFieldError(CredentialStatus(sscc_label), Code::kFailedPrecondition, pointer, "/01/");
}

// ---------------------------------------------------------------------------
// Precursor subject.

TEST_CASE("precursor sscc: 18 digits with a valid check digit, and the subject id") {
  ExpectFieldError(
      CredentialStatus(With(Precursor(), "/credentialSubject/sscc", "375012345000000014")),
      Code::kFailedPrecondition, "/credentialSubject/sscc", "SSCC check digit should be 3, not 4");
  ExpectFieldError(CredentialStatus(With(Precursor(), "/credentialSubject/id",
                                         "urn:epc:id:sscc:7501234.5000000001")),
                   Code::kFailedPrecondition, "/credentialSubject/id",
                   "must be https://id.gs1.org/00/375012345000000013");
}

TEST_CASE("precursor substance: name, CAS RN checksum, table I or II, HS code") {
  const std::string s = "/credentialSubject/substance";
  ExpectFieldError(CredentialStatus(With(Precursor(), s + "/casRn", "345-78-9")),
                   Code::kFailedPrecondition, s + "/casRn", "CAS RN check digit should be 8");
  ExpectFieldError(CredentialStatus(With(Precursor(), s + "/casRn", "345788")),
                   Code::kFailedPrecondition, s + "/casRn", "N-NN-R");
  ExpectFieldError(CredentialStatus(With(Precursor(), s + "/unTable", "III")),
                   Code::kFailedPrecondition, s + "/unTable", "must be I or II");
  ExpectFieldError(CredentialStatus(With(Precursor(), s + "/hsCode", "2939")),
                   Code::kFailedPrecondition, s + "/hsCode", "HS code");
  CHECK(ParseCredential(With(Precursor(), s + "/hsCode", "2939.42.00")).ok());
  ExpectFieldError(CredentialStatus(With(Precursor(), s + "/name", "")), Code::kFailedPrecondition,
                   s + "/name", "must not be empty");
}

TEST_CASE("precursor quantity: value > 0 and a Rec 20 unit") {
  const std::string q = "/credentialSubject/quantity";
  CHECK(ParseCredential(With(Precursor(), q + "/value", 0.5)).ok());
  CHECK(ParseCredential(With(Precursor(), q + "/uom", "LTR")).ok());
  ExpectFieldError(CredentialStatus(With(Precursor(), q + "/value", 0)), Code::kFailedPrecondition,
                   q + "/value", "greater than 0");
  ExpectFieldError(CredentialStatus(With(Precursor(), q + "/value", -200)),
                   Code::kFailedPrecondition, q + "/value", "greater than 0");
  ExpectFieldError(CredentialStatus(With(Precursor(), q + "/uom", "XBX")),
                   Code::kFailedPrecondition, q + "/uom", "must be one of KGM, GRM");
  ExpectFieldError(CredentialStatus(With(Precursor(), q + "/uom", "kg")), Code::kFailedPrecondition,
                   q + "/uom", "must be one of");
}

TEST_CASE("precursor parties: did:key, name, ISO 3166 country") {
  for (std::string party : {"exporter", "importer", "consignee"}) {
    CAPTURE(party);
    const std::string p = "/credentialSubject/" + party;
    ExpectFieldError(CredentialStatus(With(Precursor(), p + "/country", "USA")),
                     Code::kFailedPrecondition, p + "/country", "ISO 3166-1");
    ExpectFieldError(CredentialStatus(With(Precursor(), p + "/id", "did:key:abc")),
                     Code::kFailedPrecondition, p + "/id", "did:key");
    ExpectFieldError(CredentialStatus(Without(Precursor(), p)), Code::kInvalidArgument, p);
  }
}

TEST_CASE("precursor point of entry, dispatch date, concentration and permit") {
  const std::string c = "/credentialSubject";
  ExpectFieldError(CredentialStatus(With(Precursor(), c + "/pointOfEntry", "US LRD")),
                   Code::kFailedPrecondition, c + "/pointOfEntry", "UN/LOCODE");
  ExpectFieldError(CredentialStatus(With(Precursor(), c + "/dispatchDate", "2026-11-31")),
                   Code::kFailedPrecondition, c + "/dispatchDate", "not a day");
  CHECK(ParseCredential(Without(Precursor(), c + "/concentration")).ok());
  CHECK(ParseCredential(Without(Precursor(), c + "/importPermit")).ok());
  ExpectFieldError(CredentialStatus(With(Precursor(), c + "/importPermit", "")),
                   Code::kFailedPrecondition, c + "/importPermit", "must not be empty");
  ExpectFieldError(CredentialStatus(With(Precursor(), c + "/concentration", 99.5)),
                   Code::kInvalidArgument, c + "/concentration", "must be a string");
}

TEST_CASE("precursor: Table I across a border needs a pre-export notification") {
  const std::string pen = "/credentialSubject/preExportNotification";
  ExpectFieldError(CredentialStatus(Without(Precursor(), pen)), Code::kFailedPrecondition, pen,
                   "required for a Table I substance exported from MX to US");
  ExpectFieldError(CredentialStatus(With(Precursor(), pen, "")), Code::kFailedPrecondition, pen,
                   "must not be empty");
  // Table II, or a Table I movement within one country, needs none.
  CHECK(
      ParseCredential(With(Without(Precursor(), pen), "/credentialSubject/substance/unTable", "II"))
          .ok());
  CHECK(
      ParseCredential(With(Without(Precursor(), pen), "/credentialSubject/importer/country", "MX"))
          .ok());
}

TEST_CASE("precursor label names the consignment") {
  const std::string pointer = "/credentialSubject/label";
  Json doc = With(Precursor(), "/credentialSubject/sscc", "375012345000000020");
  doc = With(doc, "/credentialSubject/id", "https://id.gs1.org/00/375012345000000020");
  ExpectFieldError(CredentialStatus(doc), Code::kFailedPrecondition, pointer,
                   "SSCC in the label is \"375012345000000013\"");
  ExpectFieldError(
      CredentialStatus(
          With(Precursor(), pointer, Pharma()["credentialSubject"]["label"].get<std::string>())),
      Code::kFailedPrecondition, pointer, "/00/");
}

// ---------------------------------------------------------------------------
// Events (EPCIS 2.0 ObjectEvent).

TEST_CASE("event envelope: @context with EPCIS, ObjectEvent, eventID, times") {
  ExpectFieldError(EventStatus(With(Shipping(), "/@context", {"https://frontera.example/ns/v1"})),
                   Code::kFailedPrecondition, "/@context", "epcis-context.jsonld");
  ExpectFieldError(EventStatus(With(Shipping(), "/type", "AggregationEvent")),
                   Code::kFailedPrecondition, "/type", "must be ObjectEvent");
  ExpectFieldError(EventStatus(With(Shipping(), "/eventID", "event 1")), Code::kFailedPrecondition,
                   "/eventID", "absolute URI");
  ExpectFieldError(EventStatus(With(Shipping(), "/eventTime", "2026-11-03T09:30:00.000")),
                   Code::kFailedPrecondition, "/eventTime", "offset");
  ExpectFieldError(EventStatus(With(Shipping(), "/eventTimeZoneOffset", "-0600")),
                   Code::kFailedPrecondition, "/eventTimeZoneOffset", "+hh:mm or -hh:mm");
  ExpectFieldError(EventStatus(Without(Shipping(), "/eventTimeZoneOffset")), Code::kInvalidArgument,
                   "/eventTimeZoneOffset", "is required");
  ExpectFieldError(EventStatus(Without(Shipping(), "/certificationInfo")), Code::kInvalidArgument,
                   "/certificationInfo", "is required");
  ExpectFieldError(EventStatus(With(Shipping(), "/certificationInfo", "")),
                   Code::kFailedPrecondition, "/certificationInfo");
  ExpectFieldError(EventStatus(Without(Shipping(), "/proof")), Code::kInvalidArgument, "/proof");
}

TEST_CASE("event epcList: 1 to 100 URIs") {
  ExpectFieldError(EventStatus(With(Shipping(), "/epcList", Json::array())),
                   Code::kFailedPrecondition, "/epcList", "at least one EPC");
  ExpectFieldError(EventStatus(With(Shipping(), "/epcList/1", 42)), Code::kInvalidArgument,
                   "/epcList/1", "must be a string");
  ExpectFieldError(EventStatus(With(Shipping(), "/epcList/0", "SN000123")),
                   Code::kFailedPrecondition, "/epcList/0", "absolute URI");
  Json many = Json::array();
  for (int i = 0; i < 101; ++i)
    many.push_back("urn:epc:id:sgtin:7501234.000001." + std::to_string(i));
  ExpectFieldError(EventStatus(With(Shipping(), "/epcList", many)), Code::kFailedPrecondition,
                   "/epcList", "at most 100 items");
  many.erase(many.size() - 1);
  Result<Event> e = ParseEvent(With(Shipping(), "/epcList", many));
  REQUIRE(e.ok());
  CHECK(e->epc_list.size() == 100);
}

TEST_CASE("event action: OBSERVE, ADD or DELETE") {
  CHECK(ParseEvent(With(Shipping(), "/action", "ADD")).ok());
  ExpectFieldError(EventStatus(With(Shipping(), "/action", "observe")), Code::kFailedPrecondition,
                   "/action", "OBSERVE, ADD, DELETE");
}

TEST_CASE("event bizStep: CBV words and Frontera customs acts map to EventKind") {
  const std::pair<const char*, EventKind> kinds[] = {
      {"departing", EventKind::kDeparting},
      {"arriving", EventKind::kArriving},
      {"receiving", EventKind::kReceiving},
      {"inspecting", EventKind::kInspecting},
      {"https://frontera.example/ns/v1/bizstep/customs_hold", EventKind::kCustomsHold},
      {"https://frontera.example/ns/v1/bizstep/customs_release", EventKind::kCustomsRelease},
      {"https://frontera.example/ns/v1/bizstep/joint_inspection", EventKind::kJointInspection},
  };
  for (const auto& [biz_step, kind] : kinds) {
    CAPTURE(biz_step);
    Result<Event> e = ParseEvent(With(Shipping(), "/bizStep", biz_step));
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    CHECK(e->kind == kind);
    CHECK(e->biz_step == biz_step);
  }
  ExpectFieldError(
      EventStatus(With(Shipping(), "/bizStep", "https://ref.gs1.org/cbv/BizStep-shipping")),
      Code::kFailedPrecondition, "/bizStep",
      "must be one of shipping, departing, arriving, receiving, inspecting, "
      "https://frontera.example/ns/v1/bizstep/customs_hold");
  ExpectFieldError(EventStatus(With(Shipping(), "/bizStep", "customs_hold")),
                   Code::kFailedPrecondition, "/bizStep", "must be one of");
  ExpectFieldError(EventStatus(Without(Shipping(), "/bizStep")), Code::kInvalidArgument, "/bizStep",
                   "is required");
}

TEST_CASE("event source and destination lists record the possessing parties") {
  // shipping requires a destination possessing_party; receiving does not.
  ExpectFieldError(EventStatus(Without(Shipping(), "/destinationList")), Code::kFailedPrecondition,
                   "/destinationList", "possessing_party");
  Result<Event> received =
      ParseEvent(With(Without(Shipping(), "/destinationList"), "/bizStep", "receiving"));
  REQUIRE(received.ok());
  CHECK(received->destination_party.empty());
  // The CBV 2.0 URI form of the type is the same type.
  Result<Event> uri_form = ParseEvent(
      With(Shipping(), "/destinationList/0/type", "https://ref.gs1.org/cbv/SDT-possessing_party"));
  REQUIRE(uri_form.ok());
  CHECK(uri_form->destination_party == kCarrier);
  // Other types are kept in the signed document but not recorded.
  Json owning =
      With(Shipping(), "/destinationList/1",
           {{"type", "owning_party"}, {"destination", "https://id.gs1.org/417/7509876000013"}});
  Result<Event> with_owner = ParseEvent(owning);
  REQUIRE(with_owner.ok());
  CHECK(with_owner->destination_party == kCarrier);
  ExpectFieldError(EventStatus(With(Shipping(), "/destinationList/0/type", "owning_party")),
                   Code::kFailedPrecondition, "/destinationList", "possessing_party");
  // A possessing party is a did:key.
  ExpectFieldError(EventStatus(With(Shipping(), "/destinationList/0/destination",
                                    "https://id.gs1.org/417/7509876000013")),
                   Code::kFailedPrecondition, "/destinationList/0/destination", "did:key");
  // At most one possessing party per list.
  Json two =
      With(Shipping(), "/sourceList/1", {{"type", "possessing_party"}, {"source", kDistributor}});
  ExpectFieldError(EventStatus(two), Code::kFailedPrecondition, "/sourceList/1",
                   "a second possessing_party");
  ExpectFieldError(EventStatus(With(Shipping(), "/sourceList/0", "x")), Code::kInvalidArgument,
                   "/sourceList/0", "must be an object");
  ExpectFieldError(EventStatus(Without(Shipping(), "/sourceList/0/source")), Code::kInvalidArgument,
                   "/sourceList/0/source", "is required");
  ExpectFieldError(EventStatus(With(Shipping(), "/sourceList/0/type", "")),
                   Code::kFailedPrecondition, "/sourceList/0/type", "must not be empty");
}

TEST_CASE("event readPoint and bizLocation carry an id URI") {
  Result<Event> e = ParseEvent(
      With(Shipping(), "/bizLocation", {{"id", "https://id.gs1.org/414/0031234500004"}}));
  REQUIRE(e.ok());
  CHECK(e->biz_location == "https://id.gs1.org/414/0031234500004");
  ExpectFieldError(EventStatus(With(Shipping(), "/readPoint", Json::object())),
                   Code::kInvalidArgument, "/readPoint/id", "is required");
  ExpectFieldError(EventStatus(With(Shipping(), "/readPoint/id", "dock 4")),
                   Code::kFailedPrecondition, "/readPoint/id", "absolute URI");
  ExpectFieldError(EventStatus(With(Shipping(), "/bizLocation", "https://x.example")),
                   Code::kInvalidArgument, "/bizLocation", "must be an object");
}

TEST_CASE("event quantityList: epcClass, quantity > 0, Rec 20 uom") {
  const std::string epc_class = "https://id.gs1.org/01/07501234000017/10/LOT42A";
  CHECK(ParseEvent(With(Shipping(), "/quantityList",
                        {{{"epcClass", epc_class}, {"quantity", 200}, {"uom", "KGM"}}}))
            .ok());
  CHECK(ParseEvent(With(Shipping(), "/quantityList", {{{"epcClass", epc_class}, {"quantity", 30}}}))
            .ok());
  ExpectFieldError(EventStatus(With(Shipping(), "/quantityList",
                                    {{{"epcClass", epc_class}, {"quantity", 2.5}}})),
                   Code::kFailedPrecondition, "/quantityList/0/quantity", "whole number");
  ExpectFieldError(EventStatus(With(Shipping(), "/quantityList",
                                    {{{"epcClass", epc_class}, {"quantity", 0}, {"uom", "KGM"}}})),
                   Code::kFailedPrecondition, "/quantityList/0/quantity", "greater than 0");
  ExpectFieldError(EventStatus(With(Shipping(), "/quantityList",
                                    {{{"epcClass", epc_class}, {"quantity", 1}, {"uom", "XBX"}}})),
                   Code::kFailedPrecondition, "/quantityList/0/uom", "Recommendation 21");
  ExpectFieldError(EventStatus(With(Shipping(), "/quantityList", {{{"quantity", 1}}})),
                   Code::kInvalidArgument, "/quantityList/0/epcClass", "is required");
  ExpectFieldError(EventStatus(With(Shipping(), "/quantityList", {7})), Code::kInvalidArgument,
                   "/quantityList/0", "must be an object");
}

// ---------------------------------------------------------------------------
// Revocations.

TEST_CASE("a revocation parses with its values") {
  Result<Revocation> r = ParseRevocation(RevocationDoc());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->id == "urn:uuid:3f1c2a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b");
  CHECK(r->credential_id == "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70");
  CHECK(r->issuer == kManufacturer);
  CHECK(r->reason.starts_with("Lot LOT42A recalled"));
  CHECK(r->proof_verification_method.starts_with(kManufacturer));
}

TEST_CASE("revocation rules") {
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/type", "Revocation")),
                   Code::kFailedPrecondition, "/type", "CredentialRevocation");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/@context",
                                         {"https://www.w3.org/ns/credentials/v2"})),
                   Code::kFailedPrecondition, "/@context", "https://frontera.example/ns/v1");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/id", "urn:uuid:3f1c2a4b")),
                   Code::kFailedPrecondition, "/id", "urn:uuid:");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/id", "https://x.example/r/1")),
                   Code::kFailedPrecondition, "/id", "urn:uuid:");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/credential", "not a uri")),
                   Code::kFailedPrecondition, "/credential", "absolute URI");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/issuer", "did:web:x")),
                   Code::kFailedPrecondition, "/issuer", "did:key");
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/reason", "")),
                   Code::kFailedPrecondition, "/reason", "must not be empty");
  CHECK(ParseRevocation(With(RevocationDoc(), "/reason", std::string(500, 'r'))).ok());
  ExpectFieldError(RevocationStatus(With(RevocationDoc(), "/reason", std::string(501, 'r'))),
                   Code::kFailedPrecondition, "/reason", "1 to 500 characters");
  ExpectFieldError(RevocationStatus(Without(RevocationDoc(), "/credential")),
                   Code::kInvalidArgument, "/credential", "is required");
  ExpectFieldError(RevocationStatus(Without(RevocationDoc(), "/proof")), Code::kInvalidArgument,
                   "/proof", "is required");
}

}  // namespace
}  // namespace frontera::ledger
