// The party registry on the ledger (docs/ledger.md#registry): agencies
// register parties of their country, suspend and reinstate them, replace a
// lost key; a party replaces its own key; a majority of the agencies governs
// the agencies. Each rule is checked at admission and again at apply, and
// what the registry held at a height is what judged the documents then.
#include "ledger/registry.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/did_key.h"
#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

std::string DidOf(const std::string& party) {
  return Fixture("parties.json")["parties"][party]["did"].get<std::string>();
}

// `doc` signed by each key in order (one proof, or a proof set).
Json Signed(Json doc, const std::vector<crypto::KeyPair>& keys) {
  doc["issuer"] = DidOfKey(keys.front());
  return keys.size() == 1 ? SignedBy(doc, keys.front()) : SignedBySet(doc, keys);
}

int serial = 0;
std::string NextId() {
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-b000-%012d", ++serial);
  return id;
}

Json Base(const std::string& type) {
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", type},
          {"id", NextId()}};
}

Json Registration(const Json& party) {
  Json doc = Base("PartyRegistration");
  doc["party"] = party;
  return doc;
}

Json Change(const std::string& type, const std::string& did, const std::string& reason) {
  Json doc = Base(type);
  doc["party"] = did;
  if (!reason.empty()) doc["reason"] = reason;
  return doc;
}

Json Rotation(const std::string& did, const std::string& new_did) {
  Json doc = Base("PartyKeyRotation");
  doc["party"] = did;
  doc["newKey"] = new_did;
  return doc;
}

Json Pharmacy(const std::string& did) {
  return {{"did", did},
          {"name", "Pharmacie du Port"},
          {"role", "pharmacy"},
          {"country", "CA"},
          {"gln", "0061414000017"}};
}

struct Ledger : PostingLedger {
  Status Post(const Json& doc, DocumentKind kind = DocumentKind::kParty,
              const std::string& cert = "") {
    return PostingLedger::Post(doc, kind, cert);
  }
  Json Party(const std::string& did) {
    auto j = sm->PartyJson(did);
    REQUIRE_MESSAGE(j.ok(), j.status().ToString());
    return *j;
  }
};

TEST_CASE("an agency registers a party of its own country, and only of it") {
  Ledger l;
  const crypto::KeyPair pharmacy = NewKey(0x31);
  const std::string did = DidOfKey(pharmacy);

  // CBP may not register a Canadian party; a carrier registers no one.
  Status by_cbp = l.Post(Signed(Registration(Pharmacy(did)), {KeyOf("us-cbp")}));
  CHECK(by_cbp.IsPermissionDenied());
  REQUIRE(by_cbp.field_errors().size() == 1);
  CHECK(by_cbp.field_errors()[0].pointer == "/party/country");
  Status by_carrier = l.Post(Signed(Registration(Pharmacy(did)), {KeyOf("mx-carrier")}));
  CHECK(by_carrier.IsPermissionDenied());
  CHECK(by_carrier.message().find("is a carrier") != std::string::npos);

  Status by_cbsa = l.Post(Signed(Registration(Pharmacy(did)), {KeyOf("ca-cbsa")}));
  REQUIRE_MESSAGE(by_cbsa.ok(), by_cbsa.ToString());
  const Json party = l.Party(did);
  CHECK(party["name"] == "Pharmacie du Port");
  CHECK(party["status"] == "active");
  CHECK(party["registered_by"] == DidOf("ca-cbsa"));
  REQUIRE(party["history"].size() == 1);
  CHECK(party["history"][0]["action"] == "PartyRegistration");
  CHECK(party["history"][0]["by"] == Json::array({DidOf("ca-cbsa")}));
  CHECK(l.sm->PartiesJson("pharmacy", "CA", "", 10)["parties"].size() == 1);

  // Twice is a conflict, at admission and at apply.
  Json again = Signed(Registration(Pharmacy(did)), {KeyOf("ca-cbsa")});
  CHECK(l.Post(again).IsAlreadyExists());
  Block b = ApplyAndWrite(*l.sm, l.store.get(), ++l.index,
                          Proposal{kNov30 + 99000, {Doc(DocumentKind::kParty, again)}});
  CHECK(b.outcomes[0].status.IsAlreadyExists());
}

TEST_CASE("GS1 company prefixes may not equal, contain or lie inside another party's") {
  Ledger l;
  auto manufacturer = [&](uint8_t fill, const std::string& prefix) {
    return Signed(Registration({{"did", DidOfKey(NewKey(fill))},
                                {"name", "Laboratorios " + prefix},
                                {"role", "manufacturer"},
                                {"country", "MX"},
                                {"prefixes", {prefix}}}),
                  {KeyOf("mx-anam")});
  };
  // The genesis manufacturer holds 7501234.
  for (const std::string prefix : {"7501234", "75012345", "750123"}) {
    CAPTURE(prefix);
    Status s = l.Post(manufacturer(0x41, prefix));
    CHECK(s.IsAlreadyExists());
    REQUIRE(s.field_errors().size() == 1);
    CHECK(s.field_errors()[0].pointer == "/party/prefixes/0");
  }
  REQUIRE(l.Post(manufacturer(0x42, "7509999")).ok());
  // And a registered one's, both ways.
  CHECK(l.Post(manufacturer(0x43, "75099991")).IsAlreadyExists());
  CHECK(l.Post(manufacturer(0x44, "750999")).IsAlreadyExists());
  CHECK(l.Post(manufacturer(0x45, "7509998")).ok());
}

TEST_CASE("a suspended party's new documents are refused; its old ones stand") {
  Ledger l;
  const std::string cert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  REQUIRE(l.Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
  // The manufacturer ships to the carrier before its suspension.
  REQUIRE(l.Post(Fixture("shipping-event.json"), DocumentKind::kEvent, cert).ok());

  // Only an agency of the carrier's country (Mexico) or a majority suspends it.
  const std::string carrier = DidOf("mx-carrier");
  CHECK(l.Post(Signed(Change("PartySuspension", carrier, "stolen trucks"), {KeyOf("us-cbp")}))
            .IsPermissionDenied());
  Status no_reason = l.Post(Signed(Change("PartySuspension", carrier, ""), {KeyOf("mx-anam")}));
  CHECK(no_reason.IsInvalidArgument());
  REQUIRE(
      l.Post(Signed(Change("PartySuspension", carrier, "stolen trucks"), {KeyOf("mx-anam")})).ok());
  CHECK(l.Party(carrier)["status"] == "suspended");
  CHECK(l.Post(Signed(Change("PartySuspension", carrier, "again"), {KeyOf("mx-anam")}))
            .IsAlreadyExists());

  // Its next event is refused; the certificate keeps its history.
  Json arriving = Fixture("shipping-event.json");
  arriving["eventID"] = NextId();
  arriving["bizStep"] = "receiving";
  arriving.erase("sourceList");
  arriving.erase("destinationList");
  arriving.erase("disposition");
  Status refused = l.Post(SignedBy(arriving, KeyOf("mx-carrier")), DocumentKind::kEvent, cert);
  CHECK(refused.IsPermissionDenied());
  CHECK(refused.message().find("is suspended") != std::string::npos);
  auto view = l.sm->CertificateView(cert);
  REQUIRE(view.ok());
  CHECK((*view)["events"].size() == 1);
  // Nor may anyone ship to it.
  // Reinstated by the agency that suspended it (of its country), it receives.
  REQUIRE(
      l.Post(Signed(Change("PartyReinstatement", carrier, "trucks recovered"), {KeyOf("mx-anam")}))
          .ok());
  arriving["eventID"] = NextId();
  CHECK(l.Post(SignedBy(arriving, KeyOf("mx-carrier")), DocumentKind::kEvent, cert).ok());
  const Json history = l.Party(carrier)["history"];
  REQUIRE(history.size() == 2);
  CHECK(history[0]["reason"] == "stolen trucks");
  CHECK(history[1]["action"] == "PartyReinstatement");
}

TEST_CASE("the agencies are governed by a majority of them, one proof each") {
  Ledger l;
  const crypto::KeyPair agency = NewKey(0x51);
  const Json newcomer = {
      {"did", DidOfKey(agency)}, {"name", "Port Authority"}, {"role", "agency"}, {"country", "US"}};
  Status one = l.Post(Signed(Registration(newcomer), {KeyOf("us-cbp")}));
  CHECK(one.IsPermissionDenied());
  REQUIRE(one.field_errors().size() == 1);
  CHECK(one.field_errors()[0].pointer == "/proof");
  // A proof set with a party that is not an agency.
  Status mixed = l.Post(Signed(Registration(newcomer), {KeyOf("us-cbp"), KeyOf("mx-carrier")}));
  CHECK(mixed.IsPermissionDenied());
  CHECK(mixed.field_errors()[0].pointer == "/proof/1/verificationMethod");
  REQUIRE(l.Post(Signed(Registration(newcomer), {KeyOf("us-cbp"), KeyOf("mx-anam")})).ok());

  // Four agencies now: a majority is three.
  const std::string anam = DidOf("mx-anam");
  Status two = l.Post(Signed(Change("PartySuspension", anam, "compromised key"),
                             {KeyOf("us-cbp"), KeyOf("ca-cbsa")}));
  CHECK(two.IsPermissionDenied());
  CHECK(two.message().find("3 of 4") != std::string::npos);
  REQUIRE(l.Post(Signed(Change("PartySuspension", anam, "compromised key"),
                        {KeyOf("us-cbp"), KeyOf("ca-cbsa"), agency}))
              .ok());
  // Suspended, ANAM no longer counts nor signs: three agencies, two decide.
  Status by_anam =
      l.Post(Signed(Change("PartySuspension", DidOf("mx-carrier"), "x"), {KeyOf("mx-anam")}));
  CHECK(by_anam.IsPermissionDenied());
  // A suspension a majority decided is lifted by a majority only.
  const crypto::KeyPair anam_new = NewKey(0x52);
  REQUIRE(
      l.Post(Signed(Rotation(anam, DidOfKey(anam_new)), {KeyOf("us-cbp"), KeyOf("ca-cbsa")})).ok());
  const std::string anam_now = DidOfKey(anam_new);
  CHECK(l.Party(anam)["status"] == "retired");
  CHECK(l.Party(anam_now)["status"] == "suspended");
  REQUIRE(l.Post(Signed(Change("PartyReinstatement", anam_now, "new key issued"),
                        {KeyOf("us-cbp"), KeyOf("ca-cbsa")}))
              .ok());
  // The new key signs for Mexico; the old one signs nothing.
  const Json mx_party = {{"did", DidOfKey(NewKey(0x53))},
                         {"name", "Farmacia Central"},
                         {"role", "pharmacy"},
                         {"country", "MX"}};
  Status old_key = l.Post(Signed(Registration(mx_party), {KeyOf("mx-anam")}));
  CHECK(old_key.IsPermissionDenied());
  CHECK(old_key.message().find("replaced") != std::string::npos);
  CHECK(l.Post(Signed(Registration(mx_party), {anam_new})).ok());
}

TEST_CASE("a party replaces its key; what its old key signed still counts") {
  Ledger l;
  const std::string cert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  REQUIRE(l.Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
  REQUIRE(l.Post(Fixture("shipping-event.json"), DocumentKind::kEvent, cert).ok());
  // The carrier, in transit, replaces its key; then receives with the new
  // one: the shipment was addressed to its old key, the same party.
  const std::string carrier = DidOf("mx-carrier");
  const crypto::KeyPair next = NewKey(0x61);
  // Someone else's key cannot do it, nor can another country's agency.
  CHECK(l.Post(Signed(Rotation(carrier, DidOfKey(next)), {KeyOf("us-distributor")}))
            .IsPermissionDenied());
  CHECK(l.Post(Signed(Rotation(carrier, DidOfKey(next)), {KeyOf("us-cbp")})).IsPermissionDenied());
  CHECK(l.Post(Signed(Rotation(carrier, DidOf("us-distributor")), {KeyOf("mx-carrier")}))
            .IsAlreadyExists());
  REQUIRE(l.Post(Signed(Rotation(carrier, DidOfKey(next)), {KeyOf("mx-carrier")})).ok());

  Json receiving = Fixture("shipping-event.json");
  receiving["bizStep"] = "receiving";
  receiving.erase("sourceList");
  receiving.erase("destinationList");
  receiving.erase("disposition");
  receiving["eventID"] = NextId();
  Status old_key = l.Post(SignedBy(receiving, KeyOf("mx-carrier")), DocumentKind::kEvent, cert);
  CHECK(old_key.IsPermissionDenied());
  CHECK(old_key.message().find("replaced with " + DidOfKey(next)) != std::string::npos);
  CHECK(l.Post(SignedBy(receiving, next), DocumentKind::kEvent, cert).ok());
  // The old key's history is the party's: GET either DID shows it.
  const Json old_view = l.Party(carrier);
  CHECK(old_view["status"] == "retired");
  CHECK(old_view["successor"] == DidOfKey(next));
  const Json new_view = l.Party(DidOfKey(next));
  CHECK(new_view["origin"] == carrier);
  CHECK(new_view["history"].size() == 1);

  // A lost key is replaced by the party's agency (of its country).
  const crypto::KeyPair third = NewKey(0x62);
  REQUIRE(l.Post(Signed(Rotation(DidOfKey(next), DidOfKey(third)), {KeyOf("mx-anam")})).ok());
  CHECK(l.Party(DidOfKey(third))["status"] == "active");

  // The registry is the ledger's: a reopened state machine has it, and the
  // revocations note covers it (each DID the registry changed).
  const std::string body = l.sm->RevocationsBody();
  l.Reopen();
  CHECK(l.sm->RevocationsBody() == body);
  CHECK(body.find("\n3\n") != std::string::npos);  // three DIDs of the carrier
  const StateMachine::Revocations published = l.sm->LatestRevocations();
  REQUIRE(published.registry.size() == 3);
  for (const RegistryEntry& e : published.registry) {
    CHECK(e.status == (e.did == DidOfKey(third) ? "active" : "retired"));
  }
}

TEST_CASE("registry documents are checked field by field before any rule") {
  Json doc = Signed(Registration(Pharmacy(DidOfKey(NewKey(0x71)))), {KeyOf("ca-cbsa")});
  CHECK(ParseRegistryDocument(doc).ok());
  Json bad = doc;
  bad["party"]["gln"] = "0061414000018";  // check digit
  auto parsed = ParseRegistryDocument(bad);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().field_errors()[0].pointer == "/party/gln");
  bad = doc;
  bad["type"] = "PartyDeletion";
  CHECK(ParseRegistryDocument(bad).status().field_errors()[0].pointer == "/type");
  bad = doc;
  bad["party"]["suspended"] = true;
  CHECK(ParseRegistryDocument(bad).status().field_errors()[0].pointer == "/party/suspended");
  Json rotation = Rotation(DidOf("mx-carrier"), DidOf("mx-carrier"));
  rotation["issuer"] = DidOf("mx-carrier");
  rotation["proof"] = doc["proof"];
  CHECK(ParseRegistryDocument(rotation).status().field_errors()[0].pointer == "/newKey");
}

}  // namespace
}  // namespace frontera::ledger
