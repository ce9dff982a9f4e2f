#include "tests/sim/sim_documents.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "crypto/ed25519.h"
#include "crypto/jcs.h"
#include "crypto/json.h"
#include "crypto/key_file.h"
#include "ledger/documents.h"
#include "tests/example_party.h"
#include "tools/builders.h"

namespace frontera::sim {
namespace {

using crypto::Json;

Json FixtureJson(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::ostringstream text;
  text << in.rdbuf();
  auto json = crypto::ParseJson(text.str());
  REQUIRE_MESSAGE(json.ok(), json.status().ToString());
  return *json;
}

// Distinct, valid RFC 9562 URNs; `kind` keeps credential and event ids apart.
std::string Uuid(unsigned kind, unsigned n) {
  char text[64];
  std::snprintf(text, sizeof(text), "urn:uuid:00000000-0000-4000-8%03x-%012x", kind, n);
  return text;
}

class PoolBuilder {
 public:
  PoolBuilder() : parties_(FixtureJson("parties.json")["parties"]) {}

  ledger::Genesis Genesis() const {
    Json parties = Json::array();
    for (const auto& [name, p] : parties_.items()) {
      parties.push_back(testing::ExampleGenesisParty(name, p));
    }
    Json validators = Json::array();
    for (const char* name : {"us-cbp", "mx-anam", "ca-cbsa"}) {
      validators.push_back({{"name", name}, {"did", Did(name)}});
    }
    auto genesis = ledger::ParseGenesis({{"network", "frontera.example/sim"},
                                         {"created", "2026-11-01T00:00:00Z"},
                                         {"resolver", "verify.frontera.example"},
                                         {"validators", validators},
                                         {"parties", parties}});
    REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
    return *genesis;
  }

  std::string Did(const std::string& party) const {
    return parties_[party]["did"].get<std::string>();
  }

  crypto::KeyPair Key(const std::string& party) const {
    auto seed = crypto::ParseSeedHex(parties_[party]["testSeedHex"].get<std::string>());
    REQUIRE(seed.ok());
    return crypto::KeyPair::FromSeed(*seed);
  }

  // A signed product credential; returns its id and item EPC.
  void AddProduct(SimDocumentPool& pool, unsigned n, const std::string& lot,
                  const std::string& serial, std::string* id, std::string* epc) {
    tools::ProductFields f;
    f.id = Uuid(1, n);
    f.valid_from = "2026-11-02T14:05:00Z";
    f.gtin = "07501234000017";
    f.lot = lot;
    f.serial = serial;
    f.expiry = "2028-10-31";
    f.product_name = "Amoxicillin 500 mg capsules";
    f.strength_dosage_form = "500 mg, capsule";
    f.container_size = "30 capsules";
    f.manufacturer = {Did("mx-manufacturer"), "Laboratorios Ejemplo S.A. de C.V.", "MX",
                      "7501234000017"};
    auto secured = tools::SignDocument(tools::BuildProductCredential(f), Key("mx-manufacturer"),
                                       "2026-11-02T14:05:00Z");
    REQUIRE_MESSAGE(secured.ok(), secured.status().ToString());
    auto parsed = ledger::ParseCredential(*secured);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    *id = f.id;
    *epc = ledger::ItemEpc(*parsed);
    pool.product_key[f.id] = f.gtin + "/" + f.serial;
    pool.credential_at[pool.documents.size()] = f.id;
    Add(pool, ledger::DocumentKind::kCredential, "", *secured);
  }

  void AddEvent(SimDocumentPool& pool, ledger::EventKind kind, const std::string& certificate_id,
                const std::string& epc, const std::string& signer) {
    tools::EventFields f;
    f.kind = kind;
    f.event_id = Uuid(2, ++events_);
    f.event_time = "2026-11-30T10:00:00.000Z";
    f.certificate_id = certificate_id;
    f.epc = epc;
    f.signer_did = Did(signer);
    if (kind == ledger::EventKind::kShipping) f.destination_party = Did("mx-carrier");
    f.biz_location = "https://id.gs1.org/414/7501234000017";
    auto event = tools::BuildEvent(f);
    REQUIRE_MESSAGE(event.ok(), event.status().ToString());
    auto secured = tools::SignDocument(*event, Key(signer), "2026-11-30T10:00:00Z");
    REQUIRE_MESSAGE(secured.ok(), secured.status().ToString());
    Add(pool, ledger::DocumentKind::kEvent, certificate_id, *secured);
  }

 private:
  static void Add(SimDocumentPool& pool, ledger::DocumentKind kind,
                  const std::string& certificate_id, const Json& document) {
    auto canonical = crypto::Canonicalize(document);
    REQUIRE(canonical.ok());
    pool.documents.push_back({kind, certificate_id, *canonical});
  }

  Json parties_;
  unsigned events_ = 0;
};

SimDocumentPool BuildPool() {
  crypto::InitCrypto();
  PoolBuilder builder;
  SimDocumentPool pool;
  pool.genesis = builder.Genesis();
  constexpr unsigned kSerials = 12;
  constexpr unsigned kDuplicates = 4;  // serials 0..3 certified twice, under other ids
  for (unsigned n = 0; n < kSerials + kDuplicates; ++n) {
    const unsigned serial = n % kSerials;
    std::string id;
    std::string epc;
    builder.AddProduct(pool, n, n < kSerials ? "LOT42A" : "LOT42B",
                       "SIM" + std::to_string(1000 + serial), &id, &epc);
    // Events whose verdicts depend on what the log applied before them: a
    // shipping needs the certificate and its custodian; a release needs a
    // hold; events about a duplicate exist only if that duplicate won.
    if (n % 2 == 0 || n >= kSerials) {
      builder.AddEvent(pool, ledger::EventKind::kShipping, id, epc, "mx-manufacturer");
    }
    if (n % 3 == 0) {
      builder.AddEvent(pool, ledger::EventKind::kCustomsHold, id, epc, "us-cbp");
      builder.AddEvent(pool, ledger::EventKind::kCustomsRelease, id, epc, "us-cbp");
    }
    if (n % 4 == 1) builder.AddEvent(pool, ledger::EventKind::kInspecting, id, epc, "ca-cbsa");
  }
  std::set<std::string> distinct;
  for (const auto& [id, key] : pool.product_key) distinct.insert(key);
  pool.distinct_products = distinct.size();
  return pool;
}

}  // namespace

const SimDocumentPool& SimDocuments() {
  static const SimDocumentPool pool = BuildPool();
  return pool;
}

}  // namespace frontera::sim
