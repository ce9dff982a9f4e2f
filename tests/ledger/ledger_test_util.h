// Helpers shared by the ledger's state machine tests: the example parties'
// genesis, fixture documents, a store in a fresh directory, and applying a
// proposal the way a validator does (stage, write, publish).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/key_file.h"
#include "ledger/state_machine.h"
#include "storage/kv_store.h"
#include "tests/example_party.h"
#include "tests/temp_dir.h"

namespace frontera::ledger {

using crypto::Json;

inline Json Fixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// A key made from one repeated byte (a party or validator of a test).
inline crypto::KeyPair NewKey(uint8_t fill) {
  crypto::Seed seed{};
  seed.fill(fill);
  return crypto::KeyPair::FromSeed(seed);
}

inline std::string DidOfKey(const crypto::KeyPair& key) {
  return crypto::DidKeyFromPublicKey(key.public_key());
}

inline crypto::KeyPair KeyOf(const std::string& party) {
  auto seed = crypto::ParseSeedHex(
      Fixture("parties.json")["parties"][party]["testSeedHex"].get<std::string>());
  REQUIRE(seed.ok());
  return crypto::KeyPair::FromSeed(*seed);
}

inline Genesis ExampleGenesis() {
  Json parties = Json::array();
  const Json fixture = Fixture("parties.json");  // outlives the loop over its items
  for (const auto& [name, p] : fixture["parties"].items()) {
    parties.push_back(testing::ExampleGenesisParty(name, p));
  }
  auto g = ParseGenesis(
      {{"network", "frontera.example/north-america-1"},
       {"created", "2026-11-01T00:00:00Z"},
       {"resolver", "verify.frontera.example"},
       {"validators",
        {{{"name", "us-cbp"}, {"did", Fixture("parties.json")["parties"]["us-cbp"]["did"]}}}},
       {"parties", parties}});
  REQUIRE_MESSAGE(g.ok(), g.status().ToString());
  return *g;
}

// A KvStore in a fresh temporary directory (tests/temp_dir.h).
class TempStore {
 public:
  TempStore() : dir_("sm") { Open(); }
  ~TempStore() { store_.reset(); }
  void Open() {
    store_.reset();
    auto s = storage::KvStore::Open(dir_.Sub("db"), storage::KvOptions{});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s).value();
  }
  storage::KvStore* get() { return store_.get(); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<storage::KvStore> store_;
};

inline ProposedDocument Doc(DocumentKind kind, const Json& doc, const std::string& cert = "") {
  auto canonical = crypto::Canonicalize(doc);
  REQUIRE(canonical.ok());
  return {kind, cert, *canonical};
}

// `doc` with its proof replaced by one of `key`, created 2026-11-30T10:00:00Z.
inline Json SignedBy(Json doc, const crypto::KeyPair& key) {
  doc.erase("proof");
  crypto::ProofOptions options;
  options.created = "2026-11-30T10:00:00Z";
  options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
  auto signed_doc = crypto::CreateProof(doc, options, key);
  REQUIRE_MESSAGE(signed_doc.ok(), signed_doc.status().ToString());
  return *signed_doc;
}

// `doc` with a proof set: one proof by each of `keys`, in order, each created
// 2026-11-30T10:00:00Z (a document a majority of the agencies signs).
inline Json SignedBySet(Json doc, const std::vector<crypto::KeyPair>& keys) {
  doc.erase("proof");
  for (const crypto::KeyPair& key : keys) {
    crypto::ProofOptions options;
    options.created = "2026-11-30T10:00:00Z";
    options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
    auto signed_doc = crypto::AddProof(doc, options, key);
    REQUIRE_MESSAGE(signed_doc.ok(), signed_doc.status().ToString());
    doc = *signed_doc;
  }
  return doc;
}

inline Json PharmaWithSerial(const std::string& id, const std::string& serial) {
  Json doc = Fixture("pharma-credential.json");
  doc["id"] = id;
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
  doc["credentialSubject"].erase("label");
  return SignedBy(doc, KeyOf("mx-manufacturer"));
}

inline constexpr int64_t kNov30 = 1796032800000;  // 2026-11-30T10:00:00Z

inline Block ApplyAndWrite(StateMachine& sm, storage::KvStore* store, uint64_t index,
                           const Proposal& p) {
  storage::WriteBatch batch;
  Block block = sm.Apply(index, p, nullptr, batch);
  sm.StageCheckpoint(block.tree_size, "note " + std::to_string(index) + "\n", "revocations\n",
                     batch);
  REQUIRE(store->Write(batch, true).ok());
  sm.Publish();
  sm.PublishCheckpoint(block.tree_size, "note " + std::to_string(index) + "\n", "revocations\n");
  return block;
}

// A state machine over the example genesis in a temporary store, to which
// documents are posted as a validator posts them: admitted, then what
// admission proposes applied alone in the next block.
struct PostingLedger {
  TempStore store;
  std::unique_ptr<StateMachine> sm;
  uint64_t index = 0;

  StateMachineOptions options;

  explicit PostingLedger(StateMachineOptions opts = {}) : options(opts) {
    crypto::InitCrypto();
    auto opened = StateMachine::Open(store.get(), ExampleGenesis(), options);
    REQUIRE(opened.ok());
    sm = std::move(opened).value();
  }
  // Closes the state machine and the store and opens both again (what a
  // validator's restart does).
  void Reopen() {
    sm.reset();
    store.Open();
    auto opened = StateMachine::Open(store.get(), ExampleGenesis(), options);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    sm = std::move(opened).value();
  }
  // The status at admission, else at apply.
  Status Post(const Json& doc, DocumentKind kind, const std::string& cert = "") {
    auto admitted = sm->Admit(kind, cert, doc, kNov30);
    if (!admitted.ok()) return admitted.status();
    Block b =
        ApplyAndWrite(*sm, store.get(), ++index,
                      Proposal{kNov30 + static_cast<int64_t>(index) * 1000, {admitted->proposed}});
    return b.outcomes[0].status;
  }
};

}  // namespace frontera::ledger
