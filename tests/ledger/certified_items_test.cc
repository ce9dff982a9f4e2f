// The certified-item filter of a ledger (StateMachine::CertifiedItemFilter):
// exactly the items of the credentials accepted in the first tree_size
// leaves, the same bytes on every validator.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/item_filter.h"
#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

using crypto::Json;

std::string Serial(int i) { return "SNF" + std::to_string(1000 + i); }
std::string CertId(int i) {
  return "urn:uuid:5a0c1f00-0000-4000-8000-" + std::to_string(100000000000 + i);
}

// A product of lot LOT42A whose serial is `serial` but whose lot is `lot`.
Json PharmaWithLot(const std::string& id, const std::string& serial, const std::string& lot) {
  Json doc = Fixture("pharma-credential.json");
  doc["id"] = id;
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["lot"] = lot;
  doc["credentialSubject"]["id"] = gs1::ProductSubjectId("07501234000017", lot, serial);
  doc["credentialSubject"].erase("label");
  return SignedBy(doc, KeyOf("mx-manufacturer"));
}

uint64_t ProductKey(const std::string& serial, const std::string& lot = "LOT42A") {
  return ItemKey(gs1::ProductSubjectId("07501234000017", lot, serial));
}

}  // namespace

TEST_CASE("the certified-item filter holds exactly the accepted items, the same on two nodes") {
  crypto::InitCrypto();
  constexpr int kFirst = 12;
  constexpr int kSecond = 9;
  // Block 1: the example product, kFirst more and a precursor consignment.
  Proposal p1{kNov30, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}};
  for (int i = 0; i < kFirst; ++i) {
    p1.documents.push_back(Doc(DocumentKind::kCredential, PharmaWithSerial(CertId(i), Serial(i))));
  }
  p1.documents.push_back(Doc(DocumentKind::kCredential, Fixture("precursor-credential.json")));
  // Block 2: kSecond more products, an event, and a credential the ledger
  // refuses (a serial already certified, under another lot): its item is
  // not certified.
  Proposal p2{kNov30 + 1000, {}};
  for (int i = kFirst; i < kFirst + kSecond; ++i) {
    p2.documents.push_back(Doc(DocumentKind::kCredential, PharmaWithSerial(CertId(i), Serial(i))));
  }
  p2.documents.push_back(Doc(DocumentKind::kEvent, Fixture("shipping-event.json"),
                             "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70"));
  p2.documents.push_back(
      Doc(DocumentKind::kCredential, PharmaWithLot(CertId(999), Serial(0), "LOT99")));

  std::vector<uint64_t> first_keys = {ProductKey("SN000123")};
  for (int i = 0; i < kFirst; ++i) first_keys.push_back(ProductKey(Serial(i)));
  first_keys.push_back(ItemKey("https://id.gs1.org/00/375012345000000013"));
  std::vector<uint64_t> all_keys = first_keys;
  for (int i = kFirst; i < kFirst + kSecond; ++i) all_keys.push_back(ProductKey(Serial(i)));

  std::vector<std::string> encodings;
  for (int node = 0; node < 2; ++node) {
    CAPTURE(node);
    TempStore store;
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    CHECK((*sm)->CertifiedItemFilter(0)->item_count() == 0);
    Block b1 = ApplyAndWrite(**sm, store.get(), 1, p1);
    for (const DocumentOutcome& o : b1.outcomes) CHECK_MESSAGE(o.status.ok(), o.status.ToString());
    Block b2 = ApplyAndWrite(**sm, store.get(), 2, p2);
    for (size_t i = 0; i + 1 < b2.outcomes.size(); ++i) {
      CHECK_MESSAGE(b2.outcomes[i].status.ok(), b2.outcomes[i].status.ToString());
    }
    CHECK(b2.outcomes.back().status.IsAlreadyExists());

    auto all = (*sm)->CertifiedItemFilter(b2.tree_size);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    CHECK(all->item_count() == all_keys.size());
    for (uint64_t k : all_keys) CHECK(all->Contains(k));
    // Exactly these items: the filter of this set, byte for byte (the
    // refused credential's item would make another set).
    CHECK(all->Encode() == ItemFilter::Build(all_keys)->Encode());
    CHECK(all->Encode() != ItemFilter::Build([&] {
                             std::vector<uint64_t> more = all_keys;
                             more.push_back(ProductKey(Serial(0), "LOT99"));
                             return more;
                           }())
                               ->Encode());
    encodings.push_back(all->Encode());

    // As of the first block's tree, though the store has moved on.
    auto first = (*sm)->CertifiedItemFilter(b1.tree_size);
    REQUIRE(first.ok());
    CHECK(first->item_count() == first_keys.size());
    CHECK(first->Encode() == ItemFilter::Build(first_keys)->Encode());
    // The same from the store alone.
    CHECK(BuildCertifiedItemFilter(*store.get(), b1.tree_size)->Encode() == first->Encode());

    // Not beyond the ledger.
    CHECK((*sm)->CertifiedItemFilter(b2.tree_size + 1).status().IsFailedPrecondition());
  }
  CHECK(encodings[0] == encodings[1]);
}

TEST_CASE("a revoked credential's item stays certified; a posted one joins the filter") {
  PostingLedger ledger;
  REQUIRE(ledger.Post(PharmaWithSerial(CertId(1), Serial(1)), DocumentKind::kCredential).ok());
  REQUIRE(ledger.Post(PharmaWithSerial(CertId(2), Serial(2)), DocumentKind::kCredential).ok());
  const uint64_t size = ledger.sm->Summary().tree_size;
  auto before = ledger.sm->CertifiedItemFilter(size);
  REQUIRE(before.ok());
  CHECK(before->item_count() == 2);
  CHECK(before->Contains(ProductKey(Serial(1))));
  CHECK(before->Contains(ProductKey(Serial(2))));

  Json revocation = {{"@context", Json::array({"https://www.w3.org/ns/credentials/v2",
                                               "https://frontera.example/ns/v1"})},
                     {"id", "urn:uuid:9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a"},
                     {"type", "CredentialRevocation"},
                     {"credential", CertId(1)},
                     {"issuer", DidOfKey(KeyOf("mx-manufacturer"))},
                     {"reason", "recalled"}};
  Status revoked = ledger.Post(SignedBy(revocation, KeyOf("mx-manufacturer")),
                               DocumentKind::kRevocation, CertId(1));
  REQUIRE_MESSAGE(revoked.ok(), revoked.ToString());
  auto after = ledger.sm->CertifiedItemFilter(ledger.sm->Summary().tree_size);
  REQUIRE(after.ok());
  // A revocation adds a leaf, not an item: the set, and so the bytes, stay.
  CHECK(after->Encode() == before->Encode());
}

}  // namespace frontera::ledger
