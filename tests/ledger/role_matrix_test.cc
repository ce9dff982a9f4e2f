// Who may do what, role by role (docs/ledger.md#rules): one party of each of
// the seven roles tries every act that depends on the role alone, on items
// it neither issued nor holds, and the registry documents (a party of its
// own country registered, the US importer suspended: the agency is CBP). Each role is allowed
// exactly the acts of the expected table; every other act is refused 403 with a reason. The items:
// a unit the manufacturer issued and holds, and a consignment the shipper
// issued and holds; the manufacturer acts on the consignment, every other
// role on the unit.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "crypto/did_key.h"
#include "ledger/gs1.h"
#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kHold = "https://frontera.example/ns/v1/bizstep/customs_hold";

// The parties: the examples' manufacturer, carrier, distributor and CBP, and
// a shipper (a chemical trader), a pharmacy and an importer made here.
struct Cast {
  std::map<std::string, crypto::KeyPair> keys;  // by role name
  std::map<std::string, std::string> dids;
  Json genesis_parties = Json::array();
};

Cast MakeCast() {
  Cast cast;
  const Json fixture = Fixture("parties.json")["parties"];
  for (const auto& [name, p] : fixture.items()) {
    cast.genesis_parties.push_back(testing::ExampleGenesisParty(name, p));
  }
  const std::map<std::string, std::string> example = {{"manufacturer", "mx-manufacturer"},
                                                      {"carrier", "mx-carrier"},
                                                      {"distributor", "us-distributor"},
                                                      {"agency", "us-cbp"}};
  for (const auto& [role, name] : example) {
    cast.keys.emplace(role, KeyOf(name));
    cast.dids[role] = fixture[name]["did"].get<std::string>();
  }
  const Json licence = {{"casRn", "345-78-8"},
                        {"number", "L-1"},
                        {"validFrom", "2026-01-01"},
                        {"validUntil", "2027-12-31"}};
  const std::vector<std::tuple<std::string, std::string, std::string>> made = {
      {"shipper", "Quimica Comercial del Norte", "MX"},
      {"pharmacy", "Pharmacie du Port", "CA"},
      {"importer", "Chemical Imports Inc.", "US"}};
  uint8_t seed_byte = 0xA0;
  for (const auto& [role, name, country] : made) {
    crypto::Seed seed{};
    seed.fill(++seed_byte);
    const crypto::KeyPair key = crypto::KeyPair::FromSeed(seed);
    const std::string did = crypto::DidKeyFromPublicKey(key.public_key());
    Json party = {{"did", did}, {"name", name}, {"role", role}, {"country", country}};
    if (role == "shipper") party["prefixes"] = {"0614141"};
    if (role != "pharmacy") party["licences"] = Json::array({licence});
    cast.genesis_parties.push_back(party);
    cast.keys.emplace(role, key);
    cast.dids[role] = did;
  }
  return cast;
}

std::string CheckDigitted(std::string body) { return body + gs1::CheckDigit(body); }

TEST_CASE("each role is allowed exactly its acts and refused the rest with 403") {
  crypto::InitCrypto();
  const Cast cast = MakeCast();
  auto genesis =
      ParseGenesis({{"network", "frontera.example/roles"},
                    {"created", "2026-11-01T00:00:00Z"},
                    {"resolver", "verify.frontera.example"},
                    {"validators", {{{"name", "us-cbp"}, {"did", cast.dids.at("agency")}}}},
                    {"parties", cast.genesis_parties}});
  REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
  TempStore store;
  auto sm = StateMachine::Open(store.get(), *genesis, StateMachineOptions{});
  REQUIRE(sm.ok());
  const std::string unit = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  const std::string unit_epc = "https://id.gs1.org/01/07501234000017/21/SN000123";
  const std::string consignment = "urn:uuid:00000000-0000-4000-8000-000000003001";
  const std::string consignment_sscc = CheckDigitted("30614141000000001");
  Json shipped = Fixture("precursor-credential.json");
  shipped["id"] = consignment;
  shipped["issuer"] = cast.dids.at("shipper");
  shipped["credentialSubject"]["sscc"] = consignment_sscc;
  shipped["credentialSubject"]["id"] = "https://id.gs1.org/00/" + consignment_sscc;
  shipped["credentialSubject"].erase("label");
  shipped["credentialSubject"]["exporter"] = {
      {"id", cast.dids.at("shipper")}, {"name", "Quimica Comercial del Norte"}, {"country", "MX"}};
  const Block setup = ApplyAndWrite(
      **sm, store.get(), 1,
      Proposal{kNov30,
               {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
                Doc(DocumentKind::kCredential, SignedBy(shipped, cast.keys.at("shipper")))}});
  for (const DocumentOutcome& o : setup.outcomes)
    REQUIRE_MESSAGE(o.status.ok(), o.status.ToString());
  // The certificate and item a role acts on: not its own.
  auto cert_for = [&](const std::string& role) {
    return role == "manufacturer" ? consignment : unit;
  };
  auto epc_for = [&](const std::string& role) {
    return role == "manufacturer" ? "https://id.gs1.org/00/" + consignment_sscc : unit_epc;
  };

  const std::vector<std::string> roles = {"manufacturer", "shipper",  "carrier", "distributor",
                                          "pharmacy",     "importer", "agency"};
  int serial = 0;  // makes each document's ids and item new
  // An event of `biz_step` that `role` signs about the item it acts on.
  auto event_by = [&](const std::string& role, const std::string& biz_step) {
    Json e = Fixture("shipping-event.json");
    e["eventID"] = "urn:uuid:00000000-0000-4000-9000-0000000040" + std::to_string(10 + ++serial);
    e["certificationInfo"] = cert_for(role);
    e["epcList"] = Json::array({epc_for(role)});
    e["bizStep"] = biz_step;
    e.erase("disposition");
    e.erase("sourceList");
    e.erase("destinationList");
    return Doc(DocumentKind::kEvent, SignedBy(e, cast.keys.at(role)), cert_for(role));
  };
  // The acts, each a document `role` signs about things it neither issued nor holds.
  using MakeDoc = std::function<ProposedDocument(const std::string& role)>;
  const std::vector<std::pair<std::string, MakeDoc>> acts = {
      {"issue a product certificate",
       [&](const std::string& role) {
         Json doc = Fixture("pharma-credential.json");
         const std::string sn = "SNR" + std::to_string(++serial);
         doc["id"] = "urn:uuid:00000000-0000-4000-8000-0000000020" + std::to_string(10 + serial);
         doc["issuer"] = cast.dids.at(role);
         doc["credentialSubject"]["serial"] = sn;
         doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + sn;
         doc["credentialSubject"].erase("label");
         return Doc(DocumentKind::kCredential, SignedBy(doc, cast.keys.at(role)));
       }},
      {"issue a precursor consignment",
       [&](const std::string& role) {
         Json doc = Fixture("precursor-credential.json");
         ++serial;
         // Under the signer's own prefix when it has one.
         const std::string prefix = role == "shipper" ? "0614141" : "7501234";
         const std::string sscc =
             CheckDigitted("3" + prefix + std::string(9 - 2, '0') + std::to_string(10 + serial));
         doc["id"] = "urn:uuid:00000000-0000-4000-8000-0000000030" + std::to_string(10 + serial);
         doc["issuer"] = cast.dids.at(role);
         Json& s = doc["credentialSubject"];
         s["sscc"] = sscc;
         s["id"] = "https://id.gs1.org/00/" + sscc;
         s.erase("label");
         for (const auto& p : cast.genesis_parties) {
           if (p["did"] == cast.dids.at(role)) {
             s["exporter"] = {{"id", p["did"]}, {"name", p["name"]}, {"country", p["country"]}};
           }
         }
         return Doc(DocumentKind::kCredential, SignedBy(doc, cast.keys.at(role)));
       }},
      {"place a customs hold", [&](const std::string& role) { return event_by(role, kHold); }},
      {"inspect an item it does not hold",
       [&](const std::string& role) { return event_by(role, "inspecting"); }},
      {"revoke alone a certificate it did not issue",
       [&](const std::string& role) {
         Json r = {
             {"@context",
              {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
             {"type", "CredentialRevocation"},
             {"id", "urn:uuid:00000000-0000-4000-a000-0000000060" + std::to_string(10 + ++serial)},
             {"credential", cert_for(role)},
             {"issuer", cast.dids.at(role)},
             {"reason", "not mine"}};
         return Doc(DocumentKind::kRevocation, SignedBy(r, cast.keys.at(role)), cert_for(role));
       }},
      // Registry documents about a party of the signer's own country.
      {"register a party",
       [&](const std::string& role) {
         crypto::Seed seed{};
         seed.fill(static_cast<uint8_t>(++serial));
         std::string country;
         for (const auto& p : cast.genesis_parties) {
           if (p["did"] == cast.dids.at(role)) country = p["country"];
         }
         Json r = {
             {"@context",
              {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
             {"type", "PartyRegistration"},
             {"id", "urn:uuid:00000000-0000-4000-a000-0000000070" + std::to_string(10 + serial)},
             {"issuer", cast.dids.at(role)},
             {"party",
              {{"did", crypto::DidKeyFromPublicKey(crypto::KeyPair::FromSeed(seed).public_key())},
               {"name", "Newcomer"},
               {"role", "pharmacy"},
               {"country", country}}}};
         return Doc(DocumentKind::kParty, SignedBy(r, cast.keys.at(role)));
       }},
      {"suspend the importer (US)",
       [&](const std::string& role) {
         Json r = {
             {"@context",
              {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
             {"type", "PartySuspension"},
             {"id", "urn:uuid:00000000-0000-4000-a000-0000000080" + std::to_string(10 + ++serial)},
             {"issuer", cast.dids.at(role)},
             {"party", cast.dids.at("importer")},
             {"reason", "licence lapsed"}};
         return Doc(DocumentKind::kParty, SignedBy(r, cast.keys.at(role)));
       }},
  };
  // What each role may do: the rest is refused.
  const std::map<std::string, std::vector<std::string>> allowed = {
      {"issue a product certificate", {"manufacturer"}},
      {"issue a precursor consignment", {"manufacturer", "shipper"}},
      {"place a customs hold", {"agency"}},
      {"inspect an item it does not hold", {"agency"}},
      {"revoke alone a certificate it did not issue", {}},
      {"register a party", {"agency"}},
      {"suspend the importer (US)", {"agency"}},
  };
  for (const auto& [act, make] : acts) {
    for (const std::string& role : roles) {
      CAPTURE(act);
      CAPTURE(role);
      const ProposedDocument d = make(role);
      auto admitted = (*sm)->Admit(d.kind, d.certificate_id, Json::parse(d.canonical), kNov30);
      const auto& may = allowed.at(act);
      if (std::find(may.begin(), may.end(), role) != may.end()) {
        CHECK_MESSAGE(admitted.ok(), admitted.status().ToString());
      } else {
        REQUIRE_FALSE(admitted.ok());
        CHECK_MESSAGE(admitted.status().IsPermissionDenied(), admitted.status().ToString());
        CHECK_FALSE(admitted.status().message().empty());
        CHECK_FALSE(admitted.status().field_errors().empty());
      }
    }
  }
}

}  // namespace
}  // namespace frontera::ledger
