// Every refusal branch of the ledger rules (StateMachine::Check), one row
// each: the document, who signs it, the status it gets, the pointer and the
// reason. The e2e suite proves only that the HTTP layer carries them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/label.h"
#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kPharmaA = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";  // the fixture
const std::string kPharmaHeld = "urn:uuid:00000000-0000-4000-8000-0000000000b1";
const std::string kPharmaRevoked = "urn:uuid:00000000-0000-4000-8000-0000000000c1";
const std::string kPharmaBusy = "urn:uuid:00000000-0000-4000-8000-0000000000d1";
const std::string kHold = "https://frontera.example/ns/v1/bizstep/customs_hold";
const std::string kRelease = "https://frontera.example/ns/v1/bizstep/customs_release";

std::string Did(const std::string& party) {
  return Fixture("parties.json")["parties"][party]["did"].get<std::string>();
}

Json SignWith(Json doc, const crypto::KeyPair& key) { return SignedBy(std::move(doc), key); }

Json SignAs(Json doc, const std::string& party) { return SignedBy(std::move(doc), KeyOf(party)); }

// `doc` with a proof set: one proof by each of `parties`, in order.
Json SignSet(Json doc, const std::vector<std::string>& parties) {
  std::vector<crypto::KeyPair> keys;
  for (const std::string& party : parties) keys.push_back(KeyOf(party));
  return SignedBySet(std::move(doc), keys);
}

// A fresh product credential (unsigned) for `serial`, issued by the example
// manufacturer.
Json Pharma(const std::string& id, const std::string& serial) {
  Json doc = Fixture("pharma-credential.json");
  doc["id"] = id;
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
  doc["credentialSubject"].erase("label");
  return doc;
}

std::string ItemOf(const std::string& serial) {
  return "https://id.gs1.org/01/07501234000017/21/" + serial;
}

// An event (unsigned) about certificate `cert` whose item has `serial`.
int event_number = 0;
Json Event(const std::string& cert, const std::string& serial, const std::string& biz_step,
           const std::string& from = "", const std::string& to = "") {
  Json e = Fixture("shipping-event.json");
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-9000-%012d", ++event_number);
  e["eventID"] = id;
  e["certificationInfo"] = cert;
  e["epcList"] = Json::array({ItemOf(serial)});
  e["bizStep"] = biz_step;
  e.erase("disposition");
  e.erase("sourceList");
  e.erase("destinationList");
  if (!from.empty()) e["sourceList"] = {{{"type", "possessing_party"}, {"source", from}}};
  if (!to.empty()) {
    e["destinationList"] = {{{"type", "possessing_party"}, {"destination", to}}};
  }
  return e;
}

Json Revocation(const std::string& cert, const std::string& issuer_party) {
  static int number = 0;
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-a000-%012d", ++number);
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", "CredentialRevocation"},
          {"id", id},
          {"credential", cert},
          {"issuer", Did(issuer_party)},
          {"reason", "recalled"}};
}

// An SSCC with extension digit 3 under `prefix` and a correct check digit.
std::string Sscc(const std::string& prefix, const std::string& serial) {
  std::string body = "3" + prefix + serial;
  body.resize(17, '0');
  return body + gs1::CheckDigit(body);
}

struct Rule {
  std::string name;
  DocumentKind kind;
  std::string certificate;  // the path's certificate, for events and revocations
  Json document;            // signed
  Status::Code code;
  std::string pointer;  // empty: none expected
  std::string reason;   // part of the message
};

TEST_CASE("every ledger rule refuses with its status, pointer and reason") {
  crypto::InitCrypto();
  TempStore store;
  StateMachineOptions options;
  options.events_per_certificate_max = 2;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), options);
  REQUIRE(sm.ok());
  const std::string mfr = Did("mx-manufacturer");
  const std::string carrier = Did("mx-carrier");
  const std::string distributor = Did("us-distributor");

  // The state the rules are judged against.
  const Json busy_shipping =
      SignAs(Event(kPharmaBusy, "SND1", "shipping", mfr, carrier), "mx-manufacturer");
  const std::vector<ProposedDocument> setup = {
      Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
      Doc(DocumentKind::kCredential, Fixture("precursor-credential.json")),
      Doc(DocumentKind::kCredential, SignAs(Pharma(kPharmaHeld, "SNB1"), "mx-manufacturer")),
      Doc(DocumentKind::kCredential, SignAs(Pharma(kPharmaRevoked, "SNC1"), "mx-manufacturer")),
      Doc(DocumentKind::kCredential, SignAs(Pharma(kPharmaBusy, "SND1"), "mx-manufacturer")),
      Doc(DocumentKind::kEvent, SignAs(Event(kPharmaHeld, "SNB1", kHold), "us-cbp"), kPharmaHeld),
      Doc(DocumentKind::kRevocation,
          SignAs(Revocation(kPharmaRevoked, "mx-manufacturer"), "mx-manufacturer"), kPharmaRevoked),
      Doc(DocumentKind::kEvent, busy_shipping, kPharmaBusy),
      Doc(DocumentKind::kEvent, SignAs(Event(kPharmaBusy, "SND1", "arriving"), "mx-carrier"),
          kPharmaBusy),
  };
  const Block block = ApplyAndWrite(**sm, store.get(), 1, Proposal{kNov30, setup});
  for (size_t i = 0; i < block.outcomes.size(); ++i) {
    REQUIRE_MESSAGE(block.outcomes[i].status.ok(),
                    "setup document " << i << ": " << block.outcomes[i].status.ToString());
  }

  const crypto::KeyPair stranger = crypto::KeyPair::FromSeed(crypto::Seed{});
  Json by_stranger = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e01", "SNE1");
  by_stranger["issuer"] = crypto::DidKeyFromPublicKey(stranger.public_key());
  Json by_carrier = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e02", "SNE2");
  by_carrier["issuer"] = carrier;
  Json expired = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e03", "SNE3");
  expired["validFrom"] = "2025-01-01T00:00:00Z";
  expired["validUntil"] = "2026-01-01T00:00:00Z";
  Json foreign_gtin = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e04", "SNE4");
  foreign_gtin["credentialSubject"]["gtin"] = "00012345678905";
  foreign_gtin["credentialSubject"]["id"] =
      "https://id.gs1.org/01/00012345678905/10/LOT42A/21/SNE4";
  Json expired_product = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e05", "SNE5");
  expired_product["credentialSubject"]["expiry"] = "2026-01-31";
  expired_product["validFrom"] = "2025-01-01T00:00:00Z";
  expired_product.erase("validUntil");  // optional; else the credential expires first
  Json same_serial = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e06", "SN000123");
  // A label naming the new item, with the signature of the fixture's label
  // (made for another serial): well-formed, but it does not verify.
  Json bad_label = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e07", "SNE7");
  std::string label = Fixture("pharma-credential.json")["credentialSubject"]["label"];
  label.replace(label.find("/21/SN000123"), 12, "/21/SNE7");
  bad_label["credentialSubject"]["label"] = label;

  // A label signed by the issuer, but on a host that is not the network's
  // resolver.
  Json other_host = Pharma("urn:uuid:00000000-0000-4000-8000-000000000e08", "SNE8");
  other_host["credentialSubject"]["label"] =
      BuildLabel("evil.example", ParseCredential(SignAs(other_host, "mx-manufacturer")).value(),
                 KeyOf("mx-manufacturer"))
          .value();

  Json precursor = Fixture("precursor-credential.json");
  precursor.erase("proof");
  precursor["credentialSubject"].erase("label");
  Json foreign_sscc = precursor;
  foreign_sscc["id"] = "urn:uuid:00000000-0000-4000-8000-000000000f01";
  foreign_sscc["credentialSubject"]["sscc"] = Sscc("0614141", "1");
  foreign_sscc["credentialSubject"]["id"] =
      "https://id.gs1.org/00/" + foreign_sscc["credentialSubject"]["sscc"].get<std::string>();
  // A new consignment (its own id and SSCC) with `change` made to its subject.
  int consignments = 0;
  auto consignment = [&](auto change) {
    Json doc = precursor;
    ++consignments;
    doc["id"] = "urn:uuid:00000000-0000-4000-8000-0000000010" + std::to_string(10 + consignments);
    doc["credentialSubject"]["sscc"] = Sscc("7501234", std::to_string(70 + consignments));
    doc["credentialSubject"]["id"] =
        "https://id.gs1.org/00/" + doc["credentialSubject"]["sscc"].get<std::string>();
    change(doc["credentialSubject"]);
    return SignAs(doc, "mx-manufacturer");
  };
  const std::string stranger_did = crypto::DidKeyFromPublicKey(stranger.public_key());
  const Json carrier_ref = {
      {"id", carrier}, {"name", "Transportes Frontera Norte S.A. de C.V."}, {"country", "MX"}};
  // A new product of the example manufacturer with `change` made to its
  // manufacturer member.
  int products = 0;
  auto product = [&](auto change) {
    ++products;
    Json doc = Pharma("urn:uuid:00000000-0000-4000-8000-0000000011" + std::to_string(10 + products),
                      "SNM" + std::to_string(products));
    change(doc["credentialSubject"]["manufacturer"]);
    return SignAs(doc, "mx-manufacturer");
  };
  Json same_sscc = precursor;
  same_sscc["id"] = "urn:uuid:00000000-0000-4000-8000-000000000f03";

  Json other_cert_event = Event(kPharmaA, "SN000123", "inspecting");
  other_cert_event["certificationInfo"] = kPharmaHeld;
  Json repeated_event = busy_shipping;

  using C = Status::Code;
  const std::vector<Rule> rules = {
      // Credentials.
      {"signer not registered", DocumentKind::kCredential, "", SignWith(by_stranger, stranger),
       C::kPermissionDenied, "/proof/verificationMethod", "is not a registered party"},
      {"credential id already used", DocumentKind::kCredential, "",
       SignAs(Pharma(kPharmaA, "SNE0"), "mx-manufacturer"), C::kAlreadyExists, "/id",
       "is on the ledger"},
      {"credential not signed by its issuer", DocumentKind::kCredential, "",
       SignAs(Pharma("urn:uuid:00000000-0000-4000-8000-000000000e00", "SNE0"), "mx-carrier"),
       C::kFailedPrecondition, "/proof/verificationMethod", "not signed by its issuer"},
      {"a carrier issues", DocumentKind::kCredential, "", SignAs(by_carrier, "mx-carrier"),
       C::kPermissionDenied, "/issuer", "only a registered manufacturer or shipper"},
      {"credential expired", DocumentKind::kCredential, "", SignAs(expired, "mx-manufacturer"),
       C::kFailedPrecondition, "/validUntil", "the credential has expired"},
      {"GTIN outside the issuer's prefixes", DocumentKind::kCredential, "",
       SignAs(foreign_gtin, "mx-manufacturer"), C::kPermissionDenied, "/credentialSubject/gtin",
       "not under the issuer's GS1 company prefixes"},
      {"product expired", DocumentKind::kCredential, "", SignAs(expired_product, "mx-manufacturer"),
       C::kFailedPrecondition, "/credentialSubject/expiry", "the product has expired"},
      {"GTIN and serial already certified", DocumentKind::kCredential, "",
       SignAs(same_serial, "mx-manufacturer"), C::kAlreadyExists, "/credentialSubject/serial",
       "already has certificate " + kPharmaA},
      {"label signature does not verify", DocumentKind::kCredential, "",
       SignAs(bad_label, "mx-manufacturer"), C::kFailedPrecondition, "/credentialSubject/label",
       "label signature"},
      {"label on another resolver", DocumentKind::kCredential, "",
       SignAs(other_host, "mx-manufacturer"), C::kFailedPrecondition, "/credentialSubject/label",
       "not the network's resolver verify.frontera.example"},
      {"SSCC outside the issuer's prefixes", DocumentKind::kCredential, "",
       SignAs(foreign_sscc, "mx-manufacturer"), C::kPermissionDenied, "/credentialSubject/sscc",
       "not under the issuer's GS1 company prefixes"},
      {"a product whose manufacturer is not its issuer", DocumentKind::kCredential, "",
       product([&](Json& m) { m["id"] = distributor; }), C::kPermissionDenied,
       "/credentialSubject/manufacturer/id", "the product's manufacturer must be its issuer"},
      {"a manufacturer named otherwise than registered", DocumentKind::kCredential, "",
       product([](Json& m) { m["name"] = "Laboratorios Ejemplo"; }), C::kFailedPrecondition,
       "/credentialSubject/manufacturer/name", "is not its registered name"},
      {"a manufacturer's GLN not as registered", DocumentKind::kCredential, "",
       product([](Json& m) { m["gln"] = "0031234500004"; }), C::kFailedPrecondition,
       "/credentialSubject/manufacturer/gln", "is not its registered GLN"},
      {"an exporter that is not the issuer", DocumentKind::kCredential, "",
       consignment([&](Json& s) { s["exporter"]["id"] = stranger_did; }), C::kPermissionDenied,
       "/credentialSubject/exporter/id", "the consignment's exporter must be its issuer"},
      {"an exporter's country not as registered", DocumentKind::kCredential, "",
       consignment([](Json& s) { s["exporter"]["country"] = "US"; }), C::kFailedPrecondition,
       "/credentialSubject/exporter/country", "is not its registered country"},
      {"an unregistered importer", DocumentKind::kCredential, "",
       consignment([&](Json& s) { s["importer"]["id"] = stranger_did; }), C::kPermissionDenied,
       "/credentialSubject/importer/id", "is not a registered party"},
      {"a carrier as importer", DocumentKind::kCredential, "",
       consignment([&](Json& s) { s["importer"] = carrier_ref; }), C::kPermissionDenied,
       "/credentialSubject/importer/id", "must be a registered importer, distributor"},
      {"a carrier as consignee", DocumentKind::kCredential, "",
       consignment([&](Json& s) { s["consignee"] = carrier_ref; }), C::kPermissionDenied,
       "/credentialSubject/consignee/id", "must be a registered importer, distributor"},
      {"an exporter without a licence for the substance", DocumentKind::kCredential, "",
       consignment([](Json& s) { s["substance"]["casRn"] = "299-42-3"; }), C::kPermissionDenied,
       "/credentialSubject/exporter/id", "holds no licence for substance 299-42-3"},
      {"an importer whose licence ended before the dispatch date", DocumentKind::kCredential, "",
       consignment([](Json& s) { s["dispatchDate"] = "2027-09-01"; }), C::kPermissionDenied,
       "/credentialSubject/importer/id",
       "holds no licence for substance 345-78-8 valid on the dispatch date 2027-09-01"},
      {"a consignee named otherwise than registered", DocumentKind::kCredential, "",
       consignment([](Json& s) { s["consignee"]["name"] = "Example Pharma"; }),
       C::kFailedPrecondition, "/credentialSubject/consignee/name", "is not its registered name"},
      {"SSCC already certified", DocumentKind::kCredential, "",
       SignAs(same_sscc, "mx-manufacturer"), C::kAlreadyExists, "/credentialSubject/sscc",
       "already has certificate"},
      // Events.
      {"event on an unknown certificate", DocumentKind::kEvent, "urn:uuid:unknown",
       SignAs(Event("urn:uuid:unknown", "SN000123", "inspecting"), "us-cbp"), C::kNotFound, "",
       "urn:uuid:unknown"},
      {"event about another certificate", DocumentKind::kEvent, kPharmaA,
       SignAs(other_cert_event, "us-cbp"), C::kFailedPrecondition, "/certificationInfo",
       "about another certificate"},
      {"eventID already used", DocumentKind::kEvent, kPharmaBusy, repeated_event, C::kAlreadyExists,
       "/eventID", "is on the ledger"},
      {"event does not name the item", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN999", "inspecting"), "us-cbp"), C::kFailedPrecondition, "/epcList",
       "does not name the certified item"},
      {"events per certificate at the limit", DocumentKind::kEvent, kPharmaBusy,
       SignAs(Event(kPharmaBusy, "SND1", "inspecting"), "us-cbp"), C::kResourceExhausted, "",
       "limit of 2 events"},
      {"customs hold by a manufacturer", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", kHold), "mx-manufacturer"), C::kPermissionDenied,
       "/proof/verificationMethod", "only a customs agency"},
      {"customs hold when held", DocumentKind::kEvent, kPharmaHeld,
       SignAs(Event(kPharmaHeld, "SNB1", kHold), "mx-anam"), C::kFailedPrecondition, "/bizStep",
       "already under customs hold"},
      {"customs release by an agency that did not place the hold", DocumentKind::kEvent,
       kPharmaHeld, SignAs(Event(kPharmaHeld, "SNB1", kRelease), "mx-anam"), C::kPermissionDenied,
       "/proof/verificationMethod",
       "only the agency that placed the hold releases it: U.S. Customs and Border Protection"},
      {"customs release when not held", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", kRelease), "us-cbp"), C::kFailedPrecondition, "/bizStep",
       "not under customs hold"},
      {"inspection by a party that neither holds it nor is an agency", DocumentKind::kEvent,
       kPharmaA, SignAs(Event(kPharmaA, "SN000123", "inspecting"), "mx-carrier"),
       C::kPermissionDenied, "/proof/verificationMethod", "only an agency or the party holding"},
      {"a revoked certificate cannot move", DocumentKind::kEvent, kPharmaRevoked,
       SignAs(Event(kPharmaRevoked, "SNC1", "shipping", mfr, carrier), "mx-manufacturer"),
       C::kFailedPrecondition, "/bizStep", "is revoked: it cannot move"},
      {"a held item cannot move", DocumentKind::kEvent, kPharmaHeld,
       SignAs(Event(kPharmaHeld, "SNB1", "shipping", mfr, carrier), "mx-manufacturer"),
       C::kFailedPrecondition, "/bizStep", "under customs hold"},
      {"shipping by a party that does not hold it", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "shipping", carrier, distributor), "mx-carrier"),
       C::kPermissionDenied, "/proof/verificationMethod", "only the party holding the item"},
      {"shipping source is not the signer", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "shipping", carrier, distributor), "mx-manufacturer"),
       C::kFailedPrecondition, "/sourceList", "the shipping source must be the signer"},
      {"shipping to an unregistered party", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "shipping", mfr,
                    crypto::DidKeyFromPublicKey(stranger.public_key())),
              "mx-manufacturer"),
       C::kFailedPrecondition, "/destinationList", "must be a registered party"},
      {"shipping to oneself", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "shipping", mfr, mfr), "mx-manufacturer"),
       C::kFailedPrecondition, "/destinationList", "must name another custodian"},
      {"departing by a party that does not hold it", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "departing"), "mx-carrier"), C::kPermissionDenied,
       "/proof/verificationMethod", "only the party holding the item"},
      {"receiving an item not in transit", DocumentKind::kEvent, kPharmaA,
       SignAs(Event(kPharmaA, "SN000123", "receiving"), "us-distributor"), C::kPermissionDenied,
       "/proof/verificationMethod", "it is not in transit"},
      // Revocations.
      {"revocation about another certificate", DocumentKind::kRevocation, kPharmaA,
       SignAs(Revocation(kPharmaHeld, "mx-manufacturer"), "mx-manufacturer"),
       C::kFailedPrecondition, "/credential", "about another certificate"},
      {"revocation not signed by its issuer", DocumentKind::kRevocation, kPharmaA,
       SignAs(Revocation(kPharmaA, "mx-manufacturer"), "us-cbp"), C::kFailedPrecondition,
       "/proof/verificationMethod", "not signed by its issuer"},
      {"revocation by a carrier", DocumentKind::kRevocation, kPharmaA,
       SignAs(Revocation(kPharmaA, "mx-carrier"), "mx-carrier"), C::kPermissionDenied,
       "/proof/verificationMethod",
       "only the certificate's issuer revokes it, or a majority of the agencies (2 of 3)"},
      {"revocation by one agency", DocumentKind::kRevocation, kPharmaA,
       SignAs(Revocation(kPharmaA, "us-cbp"), "us-cbp"), C::kPermissionDenied, "/proof",
       "a majority of the agencies (2 of 3), one proof each; signed by 1"},
      {"a proof set with a party that is not an agency", DocumentKind::kRevocation, kPharmaA,
       SignSet(Revocation(kPharmaA, "us-cbp"), {"us-cbp", "mx-carrier"}), C::kPermissionDenied,
       "/proof/1/verificationMethod", "is not an agency in good standing"},
      {"a proof set in which one agency signs twice", DocumentKind::kRevocation, kPharmaA,
       SignSet(Revocation(kPharmaA, "us-cbp"), {"us-cbp", "us-cbp"}), C::kFailedPrecondition,
       "/proof/1/verificationMethod", "signed twice"},
      {"a proof set whose first proof is not the revocation's issuer", DocumentKind::kRevocation,
       kPharmaA, SignSet(Revocation(kPharmaA, "us-cbp"), {"mx-anam", "us-cbp"}),
       C::kFailedPrecondition, "/proof/0/verificationMethod", "not signed by its issuer"},
      {"revoking a revoked certificate", DocumentKind::kRevocation, kPharmaRevoked,
       SignAs(Revocation(kPharmaRevoked, "mx-manufacturer"), "mx-manufacturer"), C::kAlreadyExists,
       "/credential", "already revoked"},
  };
  for (const Rule& rule : rules) {
    CAPTURE(rule.name);
    auto admitted = (*sm)->Admit(rule.kind, rule.certificate, rule.document, kNov30);
    REQUIRE_FALSE(admitted.ok());
    const Status& s = admitted.status();
    CHECK_MESSAGE(s.code() == rule.code, s.ToString());
    CHECK_MESSAGE(s.message().find(rule.reason) != std::string::npos, s.ToString());
    if (!rule.pointer.empty()) {
      REQUIRE_MESSAGE(!s.field_errors().empty(), s.ToString());
      CHECK(s.field_errors()[0].pointer == rule.pointer);
    }
  }
  // The same rules hold at apply: a block of all of them accepts none.
  std::vector<ProposedDocument> all;
  for (const Rule& rule : rules) all.push_back(Doc(rule.kind, rule.document, rule.certificate));
  const Block refused = ApplyAndWrite(**sm, store.get(), 2, Proposal{kNov30 + 1000, all});
  for (size_t i = 0; i < refused.outcomes.size(); ++i) {
    CAPTURE(rules[i].name);
    CHECK_FALSE(refused.outcomes[i].status.ok());
  }
  CHECK(refused.tree_size == block.tree_size);
}

TEST_CASE("a majority of the agencies revokes with one proof each; the issuer alone suffices") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), StateMachineOptions{});
  REQUIRE(sm.ok());
  ApplyAndWrite(**sm, store.get(), 1,
                Proposal{kNov30,
                         {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
                          Doc(DocumentKind::kCredential,
                              SignAs(Pharma(kPharmaHeld, "SNB1"), "mx-manufacturer"))}});
  const Json by_two = SignSet(Revocation(kPharmaA, "us-cbp"), {"us-cbp", "mx-anam"});
  auto admitted = (*sm)->Admit(DocumentKind::kRevocation, kPharmaA, by_two, kNov30);
  REQUIRE_MESSAGE(admitted.ok(), admitted.status().ToString());
  CHECK(admitted->parsed->signers == std::vector<std::string>{Did("us-cbp"), Did("mx-anam")});
  const Json by_issuer = SignAs(Revocation(kPharmaHeld, "mx-manufacturer"), "mx-manufacturer");
  const Block block =
      ApplyAndWrite(**sm, store.get(), 2,
                    Proposal{kNov30 + 1000,
                             {Doc(DocumentKind::kRevocation, by_two, kPharmaA),
                              Doc(DocumentKind::kRevocation, by_issuer, kPharmaHeld)}});
  for (const DocumentOutcome& o : block.outcomes) {
    CHECK_MESSAGE(o.status.ok(), o.status.ToString());
    CHECK(o.certificate_status == "revoked");
  }
}

TEST_CASE("a customs hold names its agency, which alone releases it") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), StateMachineOptions{});
  REQUIRE(sm.ok());
  const std::string cbp = Did("us-cbp");
  ApplyAndWrite(**sm, store.get(), 1,
                Proposal{kNov30,
                         {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
                          Doc(DocumentKind::kEvent,
                              SignAs(Event(kPharmaA, "SN000123", kHold), "us-cbp"), kPharmaA)}});
  auto held = (*sm)->CertificateView(kPharmaA);
  REQUIRE(held.ok());
  CHECK((*held)["flags"] == Json::array({"customs_hold"}));
  CHECK((*held)["held_by"] == cbp);

  // Another agency's release is refused; the one that held it releases.
  const Json by_anam = SignAs(Event(kPharmaA, "SN000123", kRelease), "mx-anam");
  CHECK(
      (*sm)->Admit(DocumentKind::kEvent, kPharmaA, by_anam, kNov30).status().IsPermissionDenied());
  const Json by_cbp = SignAs(Event(kPharmaA, "SN000123", kRelease), "us-cbp");
  const Block released = ApplyAndWrite(**sm, store.get(), 2,
                                       Proposal{kNov30 + 1000,
                                                {Doc(DocumentKind::kEvent, by_anam, kPharmaA),
                                                 Doc(DocumentKind::kEvent, by_cbp, kPharmaA)}});
  REQUIRE(released.outcomes.size() == 2);
  CHECK(released.outcomes[0].status.IsPermissionDenied());
  CHECK_MESSAGE(released.outcomes[1].status.ok(), released.outcomes[1].status.ToString());
  auto free = (*sm)->CertificateView(kPharmaA);
  REQUIRE(free.ok());
  CHECK((*free)["flags"] == Json::array());
  CHECK((*free)["held_by"].is_null());
}

}  // namespace
}  // namespace frontera::ledger
