// The ledger state machine on its own: determinism, rules inside one block,
// time taken from the proposal only, recovery of its summary.
#include "ledger/state_machine.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/key_file.h"

namespace frontera::ledger {
namespace {

using crypto::Json;

Json Fixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

crypto::KeyPair KeyOf(const std::string& party) {
  auto seed = crypto::ParseSeedHex(
      Fixture("parties.json")["parties"][party]["testSeedHex"].get<std::string>());
  REQUIRE(seed.ok());
  return crypto::KeyPair::FromSeed(*seed);
}

Genesis ExampleGenesis() {
  Json parties = Json::array();
  const Json fixture = Fixture("parties.json");  // outlives the loop over its items
  for (const auto& [name, p] : fixture["parties"].items()) {
    Json party = {
        {"did", p["did"]}, {"name", p["name"]}, {"role", p["role"]}, {"country", p["country"]}};
    if (p.contains("gln")) party["gln"] = p["gln"];
    if (p.contains("prefixes")) party["prefixes"] = p["prefixes"];
    parties.push_back(party);
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

class TempStore {
 public:
  TempStore() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "frontera-sm-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    Open();
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto s = storage::KvStore::Open(dir_ + "/db", storage::KvOptions{});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store_ = std::move(s).value();
  }
  storage::KvStore* get() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<storage::KvStore> store_;
};

ProposedDocument Doc(DocumentKind kind, const Json& doc, const std::string& cert = "") {
  auto canonical = crypto::Canonicalize(doc);
  REQUIRE(canonical.ok());
  return {kind, cert, *canonical};
}

Json PharmaWithSerial(const std::string& id, const std::string& serial) {
  Json doc = Fixture("pharma-credential.json");
  doc.erase("proof");
  doc["id"] = id;
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
  doc["credentialSubject"].erase("label");
  crypto::ProofOptions options;
  options.created = "2026-11-30T10:00:00Z";
  crypto::KeyPair key = KeyOf("mx-manufacturer");
  options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
  auto signed_doc = crypto::CreateProof(doc, options, key);
  REQUIRE(signed_doc.ok());
  return *signed_doc;
}

constexpr int64_t kNov30 = 1796032800000;  // 2026-11-30T10:00:00Z

Block ApplyAndWrite(StateMachine& sm, storage::KvStore* store, uint64_t index, const Proposal& p) {
  storage::WriteBatch batch;
  Block block = sm.Apply(index, p, nullptr, batch);
  sm.StageCheckpoint(block.tree_size, "note " + std::to_string(index) + "\n", "revocations\n",
                     batch);
  REQUIRE(store->Write(batch, true).ok());
  sm.Publish();
  sm.PublishCheckpoint(block.tree_size, "note " + std::to_string(index) + "\n", "revocations\n");
  return block;
}

TEST_CASE("two validators applying the same proposals reach the same blocks and root") {
  crypto::InitCrypto();
  Proposal p1{kNov30,
              {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
               Doc(DocumentKind::kCredential, Fixture("precursor-credential.json"))}};
  Proposal p2{kNov30 + 1000,
              {Doc(DocumentKind::kEvent, Fixture("shipping-event.json"),
                   "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70")}};
  std::vector<crypto::Hash> block_hashes;
  std::vector<crypto::Hash> roots;
  for (int node = 0; node < 2; ++node) {
    TempStore store;
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    Block b1 = ApplyAndWrite(**sm, store.get(), 1, p1);
    Block b2 = ApplyAndWrite(**sm, store.get(), 2, p2);
    CHECK(b1.outcomes.size() == 2);
    CHECK_MESSAGE(b1.outcomes[0].status.ok(), b1.outcomes[0].status.ToString());
    CHECK(b2.outcomes[0].status.ok());
    CHECK(b2.previous_hash == b1.ComputeHash());
    CHECK(b2.tree_size == 3);
    block_hashes.push_back(b2.ComputeHash());
    roots.push_back(b2.root);
  }
  CHECK(block_hashes[0] == block_hashes[1]);
  CHECK(roots[0] == roots[1]);
  // The independent implementation's root of the same three documents.
  CHECK(Base64Encode(roots[0]) == Fixture("leaf-hashes.json")["root"].get<std::string>());
}

TEST_CASE("the second certificate for one serial in the same block is rejected, alone") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  Proposal p{kNov30,
             {Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000001", "S1")),
              Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000002", "S1")),
              Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000003", "S2"))}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, p);
  REQUIRE(b.outcomes.size() == 3);
  CHECK(b.outcomes[0].status.ok());
  CHECK(b.outcomes[1].status.IsAlreadyExists());
  CHECK(b.outcomes[2].status.ok());
  CHECK(b.outcomes[2].leaf_index == 1);
  CHECK(b.tree_size == 2);
  CHECK((*sm)->Summary().documents_rejected == 1);
}

TEST_CASE("validity is judged at the proposal's time, not the local clock") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  // validUntil of the fixture is 2028-10-31T23:59:59Z: a block dated 2029
  // rejects it whatever today's date is.
  const int64_t kYear2029 = 1861920000000;
  Proposal late{kYear2029, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, late);
  CHECK(b.outcomes[0].status.IsFailedPrecondition());
  CHECK(b.tree_size == 0);
}

TEST_CASE("a document that is not its own canonical text is rejected at apply") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  Proposal p{kNov30, {{DocumentKind::kCredential, "", Fixture("pharma-credential.json").dump(2)}}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, p);
  CHECK(b.outcomes[0].status.IsInvalidArgument());
  CHECK(b.tree_size == 0);
}

TEST_CASE("the summary and checkpoint survive a reopen") {
  crypto::InitCrypto();
  TempStore store;
  crypto::Hash root;
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    Proposal p{kNov30, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}};
    root = ApplyAndWrite(**sm, store.get(), 7, p).root;
  }
  store.Open();
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  CHECK((*sm)->applied_index() == 7);
  CHECK((*sm)->Summary().root == root);
  CHECK((*sm)->Summary().certificates == 1);
  CHECK((*sm)->LatestCheckpoint() == "note 7\n");
  auto view = (*sm)->CertificateView("urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70");
  REQUIRE(view.ok());
  CHECK((*view)["credential"] == Fixture("pharma-credential.json"));
}

}  // namespace
}  // namespace frontera::ledger
