// The ledger's roots (ledger/state_root.h): the running state root equals a
// recomputation from the store, any change to a stored byte the roots cover
// is found and named, and the state root depends on the state, not on the
// history that reached it.
#include "ledger/state_root.h"

#include <doctest/doctest.h>

#include <string>

#include "common/encoding.h"
#include "crypto/sha256.h"
#include "ledger/merkle_log.h"
#include "storage/keys.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/temp_dir.h"

namespace frontera::ledger {
namespace {

using storage::Column;

const std::string kPharmaId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

// Three blocks: two credentials, a shipping event that rewrites the first
// credential's record (a Put over an existing key), and a block whose only
// document is refused (no state change).
std::vector<Proposal> ThreeBlocks() {
  return {
      Proposal{kNov30,
               {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
                Doc(DocumentKind::kCredential, Fixture("precursor-credential.json"))}},
      Proposal{kNov30 + 1000,
               {Doc(DocumentKind::kEvent, Fixture("shipping-event.json"), kPharmaId)}},
      Proposal{kNov30 + 2000, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}}};
}

std::string Message(const Result<LedgerRoots>& r) { return r.status().message(); }

void Put(storage::KvStore* store, Column column, const std::string& key, const std::string& v) {
  storage::WriteBatch batch;
  batch.Put(column, key, v);
  REQUIRE(store->Write(batch, true).ok());
}

std::string Get(storage::KvStore* store, Column column, const std::string& key) {
  auto v = store->Get(column, key);
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  return **v;
}

TEST_CASE("after every block the running roots equal a recomputation from the store") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  auto empty = RecomputeRoots(*store.get());
  REQUIRE_MESSAGE(empty.ok(), Message(empty));
  CHECK(empty->block_height == 0);
  CHECK(empty->log_root == crypto::EmptyTreeHash());
  CHECK(empty->state_root == StateRoot(crypto::LtHash16()));
  CHECK(*empty == *(*sm)->Roots());

  uint64_t index = 0;
  crypto::Hash previous_state_root = empty->state_root;
  for (const Proposal& p : ThreeBlocks()) {
    Block block = ApplyAndWrite(**sm, store.get(), ++index, p);
    auto recomputed = RecomputeRoots(*store.get());
    REQUIRE_MESSAGE(recomputed.ok(), Message(recomputed));
    auto running = (*sm)->Roots();
    REQUIRE(running.ok());
    CHECK(*recomputed == *running);
    CHECK(recomputed->block_height == block.height);
    CHECK(recomputed->block_hash == block.ComputeHash());
    CHECK(recomputed->state_root == block.state_root);
    CHECK(recomputed->log_root == block.root);
    CHECK((*sm)->Summary().state_root == block.state_root);
    // The block JSON shows it.
    auto json = (*sm)->BlockJson(block.height);
    REQUIRE(json.ok());
    CHECK((*json)["state_root"] == Base64Encode(block.state_root));
    if (index < 3) CHECK(block.state_root != previous_state_root);
    if (index == 3) CHECK(block.state_root == previous_state_root);  // all refused
    previous_state_root = block.state_root;
  }
  // A reopened state machine resumes from the persisted running value.
  const LedgerRoots before = *(*sm)->Roots();
  sm = Result<std::unique_ptr<StateMachine>>(Status::Internal("closed"));
  store.Open();
  auto reopened = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(reopened.ok());
  CHECK(*(*reopened)->Roots() == before);
}

TEST_CASE("a changed byte of the store is a mismatch that names what disagrees") {
  crypto::InitCrypto();
  TempStore store;
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    uint64_t index = 0;
    for (const Proposal& p : ThreeBlocks()) ApplyAndWrite(**sm, store.get(), ++index, p);
  }
  REQUIRE(RecomputeRoots(*store.get()).ok());
  const std::string record_key = "c/" + kPharmaId;

  SUBCASE("a state value") {
    std::string record = Get(store.get(), Column::kState, record_key);
    record[record.size() / 2] ^= 1;
    Put(store.get(), Column::kState, record_key, record);
    auto r = RecomputeRoots(*store.get());
    CHECK(r.status().IsCorruption());
    CHECK_MESSAGE(Message(r).find("state root mismatch") != std::string::npos, Message(r));
  }
  SUBCASE("a state value and the running hash rewritten to match it") {
    std::string record = Get(store.get(), Column::kState, record_key);
    record[record.size() / 2] ^= 1;
    Put(store.get(), Column::kState, record_key, record);
    auto lthash = ScanStateLtHash(*store.get());
    REQUIRE(lthash.ok());
    Put(store.get(), Column::kMeta, std::string(kMetaStateLtHashKey), lthash->ToBytes());
    auto r = RecomputeRoots(*store.get());
    CHECK(r.status().IsCorruption());
    // The last block still says what the state was.
    CHECK_MESSAGE(Message(r).find("state root mismatch") != std::string::npos, Message(r));
    CHECK_MESSAGE(Message(r).find("block 3") != std::string::npos, Message(r));
  }
  SUBCASE("an index entry added") {
    Put(store.get(), Column::kIndex, "gtin/07501234000017/forged", kPharmaId);
    CHECK(RecomputeRoots(*store.get()).status().IsCorruption());
  }
  SUBCASE("a leaf hash") {
    std::string leaf = Get(store.get(), Column::kMerkle, MerkleNodeKey(0, 2));
    leaf[0] ^= 1;
    Put(store.get(), Column::kMerkle, MerkleNodeKey(0, 2), leaf);
    auto r = RecomputeRoots(*store.get());
    CHECK(r.status().IsCorruption());
    CHECK_MESSAGE(Message(r).find("log root mismatch") != std::string::npos, Message(r));
  }
  SUBCASE("an interior Merkle node that proofs would be served from") {
    std::string node = Get(store.get(), Column::kMerkle, MerkleNodeKey(1, 0));
    node[0] ^= 1;
    Put(store.get(), Column::kMerkle, MerkleNodeKey(1, 0), node);
    auto r = RecomputeRoots(*store.get());
    CHECK(r.status().IsCorruption());
    CHECK_MESSAGE(Message(r).find("level 1, index 0") != std::string::npos, Message(r));
  }
  SUBCASE("an earlier block") {
    std::string block = Get(store.get(), Column::kBlocks, storage::EncodeUint64(1));
    block.replace(block.find("\"time_unix_ms\":"), 15, "\"time_unix_ms\":1");
    Put(store.get(), Column::kBlocks, storage::EncodeUint64(1), block);
    auto r = RecomputeRoots(*store.get());
    CHECK(r.status().IsCorruption());
    CHECK_MESSAGE(Message(r).find("block 2 does not chain") != std::string::npos, Message(r));
  }
  SUBCASE("a block that does not parse") {
    Put(store.get(), Column::kBlocks, storage::EncodeUint64(2), "{\"height\":");
    CHECK(RecomputeRoots(*store.get()).status().IsCorruption());
  }
  SUBCASE("the summary") {
    Put(store.get(), Column::kMeta, std::string(kMetaSummaryKey), "[1,2]");
    CHECK(RecomputeRoots(*store.get()).status().IsCorruption());
  }
}

// Applies `batches` to a fresh store, folding each into a running LtHash16
// as the state machine does, and returns the final running value after
// checking it against a full scan.
crypto::LtHash16 FoldHistory(const std::vector<storage::WriteBatch>& batches) {
  testing::TempDir dir("state-root");
  auto store = storage::KvStore::Open(dir.Sub("db"), storage::KvOptions{});
  REQUIRE(store.ok());
  crypto::LtHash16 running;
  for (const storage::WriteBatch& batch : batches) {
    REQUIRE(FoldStateWrites(**store, batch, 0, running).ok());
    REQUIRE((*store)->Write(batch, false).ok());
    auto scanned = ScanStateLtHash(**store);
    REQUIRE(scanned.ok());
    CHECK(*scanned == running);
  }
  return running;
}

TEST_CASE("the state root depends on the state, not on the history that reached it") {
  crypto::InitCrypto();
  // History A: three keys, then one deleted and one overwritten.
  std::vector<storage::WriteBatch> a(2);
  a[0].Put(Column::kState, "c/1", "one");
  a[0].Put(Column::kState, "c/2", "two");
  a[0].Put(Column::kIndex, "id/x", "1");
  a[0].Put(Column::kMeta, "ignored", "not state");
  a[1].Delete(Column::kState, "c/1");
  a[1].Put(Column::kIndex, "id/x", "2");
  // History B: other order, several operations on one key in one batch, a
  // delete of a key that never existed, a put of the same value twice.
  std::vector<storage::WriteBatch> b(3);
  b[0].Put(Column::kIndex, "id/x", "0");
  b[0].Put(Column::kIndex, "id/x", "2");
  b[0].Delete(Column::kState, "c/9");
  b[1].Put(Column::kState, "c/2", "draft");
  b[1].Delete(Column::kState, "c/2");
  b[1].Put(Column::kState, "c/2", "two");
  b[2].Put(Column::kState, "c/2", "two");
  const crypto::LtHash16 ha = FoldHistory(a);
  const crypto::LtHash16 hb = FoldHistory(b);
  CHECK(ha == hb);
  CHECK(StateRoot(ha) == StateRoot(hb));
  // The column is part of an element: the same key and value in kIndex is
  // another state.
  std::vector<storage::WriteBatch> c(1);
  c[0].Put(Column::kIndex, "c/2", "two");
  c[0].Put(Column::kIndex, "id/x", "2");
  CHECK(!(FoldHistory(c) == ha));
}

TEST_CASE("the state root is SHA-256 of its domain and the LtHash16 bytes") {
  crypto::LtHash16 h;
  h.Add(StateElement(Column::kState, "k", "v"));
  CHECK(StateRoot(h) == crypto::Sha256(std::string("frontera-state-v2") + h.ToBytes()));
  // column byte 1 (kState), u32le key length, key, value
  CHECK(StateElement(Column::kState, "k", "v") == std::string("\x01\x00\x00\x00\x01kv", 7));
  CHECK(StateElement(Column::kIndex, "", "") == std::string("\x02\x00\x00\x00\x00", 5));
}

TEST_CASE("a ledger written before state roots gets its running hash by a scan at open") {
  crypto::InitCrypto();
  TempStore store;
  LedgerRoots roots;
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    ApplyAndWrite(**sm, store.get(), 1, ThreeBlocks()[0]);
    roots = *(*sm)->Roots();
  }
  // What such a ledger looked like: no running hash, no state root in the
  // summary.
  auto summary = DecodeSummary(Get(store.get(), Column::kMeta, std::string(kMetaSummaryKey)));
  REQUIRE(summary.ok());
  Json old = Json::parse(EncodeSummary(*summary));
  old.erase("state_root");
  storage::WriteBatch batch;
  batch.Put(Column::kMeta, kMetaSummaryKey, old.dump());
  batch.Delete(Column::kMeta, kMetaStateLtHashKey);
  REQUIRE(store.get()->Write(batch, true).ok());
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE_MESSAGE(sm.ok(), sm.status().ToString());
  CHECK((*sm)->Roots()->state_root == roots.state_root);
}

}  // namespace
}  // namespace frontera::ledger
