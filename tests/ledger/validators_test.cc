// The validators on the ledger (docs/ledger.md#validators): a majority of the
// agencies adds a validator or an observer, promotes an observer, removes a
// validator; every refusal names its field; the set survives a restart.
#include "ledger/validators.h"

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

int serial = 0;
Json Base(const std::string& type) {
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-b000-%012d", 500 + ++serial);
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", type},
          {"id", id}};
}

// Signed by each agency in order (one proof, or a proof set).
Json Signed(Json doc, const std::vector<std::string>& agencies) {
  std::vector<crypto::KeyPair> keys;
  for (const std::string& a : agencies) keys.push_back(KeyOf(a));
  doc["issuer"] = DidOfKey(keys.front());
  return keys.size() == 1 ? SignedBy(doc, keys.front()) : SignedBySet(doc, keys);
}

Json Addition(const std::string& did, const std::string& name, const std::string& role) {
  Json doc = Base("ValidatorAddition");
  doc["validator"] = {{"did", did},
                      {"name", name},
                      {"role", role},
                      {"peer", "10.0.0.4:7100"},
                      {"api", "https://" + name + ".example"}};
  return doc;
}

Json Change(const std::string& type, const std::string& did, const std::string& reason = "") {
  Json doc = Base(type);
  doc["validator"] = did;
  if (!reason.empty()) doc["reason"] = reason;
  return doc;
}

const std::vector<std::string> kMajority = {"us-cbp", "ca-cbsa"};

struct Ledger : PostingLedger {
  using PostingLedger::PostingLedger;
  Status Post(const Json& doc) { return PostingLedger::Post(doc, DocumentKind::kParty); }
  const ValidatorRecord* Find(const std::string& did) {
    auto set = sm->Validators();
    REQUIRE(set.ok());
    set_ = std::move(set).value();
    for (const ValidatorRecord& r : set_) {
      if (r.did == did) return &r;
    }
    return nullptr;
  }
  std::vector<ValidatorRecord> set_;
};

void CheckField(const Status& s, const std::string& pointer, const std::string& reason) {
  CHECK_FALSE(s.ok());
  REQUIRE_MESSAGE(!s.field_errors().empty(), s.ToString());
  CHECK_MESSAGE(s.field_errors()[0].pointer == pointer, s.ToString());
  CHECK_MESSAGE(s.ToString().find(reason) != std::string::npos, s.ToString());
}

TEST_CASE("the genesis validators are the set until a majority of the agencies changes it") {
  Ledger l;
  auto set = l.sm->Validators();
  REQUIRE(set.ok());
  REQUIRE(set->size() == ExampleGenesis().validators.size());
  for (size_t i = 0; i < set->size(); ++i) {
    CHECK((*set)[i].raft_id == i + 1);
    CHECK((*set)[i].role == ValidatorRole::kVoter);
    CHECK((*set)[i].status == ValidatorStatus::kActive);
  }
}

TEST_CASE("a majority adds an observer, promotes it and removes a validator; one agency cannot") {
  Ledger l;
  const std::string did = DidOfKey(NewKey(0x51));

  Status alone = l.Post(Signed(Addition(did, "us-cbp-2", "observer"), {"us-cbp"}));
  CHECK(alone.IsPermissionDenied());
  CheckField(alone, "/proof", "a majority of the agencies");
  CHECK(l.Find(did) == nullptr);

  Status added = l.Post(Signed(Addition(did, "us-cbp-2", "observer"), kMajority));
  REQUIRE_MESSAGE(added.ok(), added.ToString());
  const ValidatorRecord* v = l.Find(did);
  REQUIRE(v != nullptr);
  CHECK(v->name == "us-cbp-2");
  CHECK(v->role == ValidatorRole::kObserver);
  CHECK(v->raft_id == RaftIdForDid(did));
  CHECK(v->raft_id > (uint64_t{1} << 32));
  CHECK(v->peer == "10.0.0.4:7100");
  CHECK(v->history.size() == 1);

  CHECK(l.Post(Signed(Change("ValidatorPromotion", did), {"mx-anam"})).IsPermissionDenied());
  REQUIRE(l.Post(Signed(Change("ValidatorPromotion", did), {"mx-anam", "ca-cbsa"})).ok());
  CHECK(l.Find(did)->role == ValidatorRole::kVoter);
  CheckField(l.Post(Signed(Change("ValidatorPromotion", did), kMajority)), "/validator",
             "already a voter");

  // Removal needs a reason; the removed key and name are never used again.
  const std::string first = ExampleGenesis().validators[0].did;
  CheckField(l.Post(Signed(Change("ValidatorRemoval", first), kMajority)), "/reason",
             "is required");
  REQUIRE(l.Post(Signed(Change("ValidatorRemoval", first, "hardware retired"), kMajority)).ok());
  CHECK(l.Find(first)->status == ValidatorStatus::kRemoved);
  CheckField(l.Post(Signed(Change("ValidatorRemoval", first, "again"), kMajority)), "/validator",
             "removed");
  CheckField(l.Post(Signed(Addition(first, "us-cbp-3", "voter"), kMajority)), "/validator/did",
             "already a validator");
  CheckField(
      l.Post(Signed(Addition(DidOfKey(NewKey(0x52)), ExampleGenesis().validators[0].name, "voter"),
                    kMajority)),
      "/validator/name", "already used");

  // The set is state: a restart reads it back.
  l.Reopen();
  CHECK(l.Find(first)->status == ValidatorStatus::kRemoved);
  CHECK(l.Find(did)->role == ValidatorRole::kVoter);
}

TEST_CASE("a network keeps one voter; a validator's key is its own; the set is bounded") {
  StateMachineOptions options;
  options.validators_max = 3;
  Ledger l(options);
  const auto& genesis = ExampleGenesis().validators;
  REQUIRE(genesis.size() == 1);
  CheckField(l.Post(Signed(Change("ValidatorRemoval", genesis[0].did, "r"), kMajority)),
             "/validator", "the last voter");
  // An observer does not count: it must be promoted first.
  const std::string next = DidOfKey(NewKey(0x60));
  REQUIRE(l.Post(Signed(Addition(next, "next", "observer"), kMajority)).ok());
  CheckField(l.Post(Signed(Change("ValidatorRemoval", genesis[0].did, "r"), kMajority)),
             "/validator", "the last voter");
  REQUIRE(l.Post(Signed(Change("ValidatorPromotion", next), kMajority)).ok());
  REQUIRE(l.Post(Signed(Change("ValidatorRemoval", genesis[0].did, "r"), kMajority)).ok());

  CheckField(l.Post(Signed(Addition(DidOf("mx-carrier"), "carrier-node", "observer"), kMajority)),
             "/validator/did", "a party's key");
  REQUIRE(l.Post(Signed(Addition(DidOfKey(NewKey(0x61)), "obs-1", "observer"), kMajority)).ok());
  Status full = l.Post(Signed(Addition(DidOfKey(NewKey(0x62)), "obs-2", "observer"), kMajority));
  CHECK(full.IsResourceExhausted());
  CheckField(full, "/validator", "validators_max");
}

TEST_CASE("a validator document is checked for its shape, field by field") {
  Ledger l;
  const std::string did = DidOfKey(NewKey(0x71));
  Json bad = Addition(did, "Node One", "arbiter");
  bad["validator"]["peer"] = "10.0.0.4";
  bad["validator"]["api"] = "ftp://x";
  Status s = l.Post(Signed(bad, kMajority));
  CHECK(s.IsFailedPrecondition());
  std::vector<std::string> pointers;
  for (const FieldError& e : s.field_errors()) pointers.push_back(e.pointer);
  CHECK(pointers == std::vector<std::string>{"/validator/name", "/validator/role",
                                             "/validator/peer", "/validator/api"});
  Json extra = Addition(did, "node-1", "voter");
  extra["validator"]["weight"] = 2;
  extra["party"] = did;
  s = l.Post(Signed(extra, kMajority));
  CHECK(s.IsInvalidArgument());
  CHECK(s.ToString().find("/validator/weight") != std::string::npos);
  CHECK(s.ToString().find("/party") != std::string::npos);
  CHECK(CheckPeerAddress("[::1]:7100").ok());
  CHECK(CheckPeerAddress("host:0").IsInvalidArgument());
  CHECK(CheckPeerAddress("::1:7100").IsInvalidArgument());
  CHECK(CheckPeerAddress("host:65536").IsInvalidArgument());
}

}  // namespace
}  // namespace frontera::ledger
