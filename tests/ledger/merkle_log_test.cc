#include "ledger/merkle_log.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "storage/keys.h"
#include "storage/kv_store.h"
#include "tests/temp_dir.h"

namespace frontera::ledger {
namespace {

using crypto::Hash;
using storage::Column;
using storage::KvStore;
using storage::WriteBatch;

// A temporary directory with this file's prefix.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("merkle") {}
};

std::unique_ptr<KvStore> MustOpenStore(const std::string& dir) {
  auto store = KvStore::Open(dir, storage::KvOptions{});
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

std::unique_ptr<MerkleLog> MustOpenLog(const KvStore* store) {
  auto log = MerkleLog::Open(store);
  REQUIRE_MESSAGE(log.ok(), log.status().ToString());
  return std::move(log).value();
}

Hash TestLeaf(uint64_t i) { return crypto::LeafHash(AsBytes("document " + std::to_string(i))); }

template <typename T>
T MustGet(Result<T> result) {
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  return std::move(result).value();
}

// Sizes worth checking in a tree of n leaves: the small ones, the powers of
// two and their neighbours, and n itself.
std::vector<uint64_t> InterestingSizes(uint64_t n) {
  std::vector<uint64_t> sizes;
  for (uint64_t s = 1; s <= std::min<uint64_t>(n, 20); ++s) sizes.push_back(s);
  for (uint64_t p = 16; p <= n; p *= 2) {
    for (uint64_t s : {p - 1, p, p + 1}) {
      if (s > 20 && s <= n) sizes.push_back(s);
    }
  }
  for (uint64_t s : {n - 1, n}) {
    if (s > 20) sizes.push_back(s);
  }
  return sizes;
}

TEST_CASE("node keys are level byte then big-endian index") {
  CHECK(MerkleNodeKey(0, 0) == std::string(9, '\0'));
  const std::string key = MerkleNodeKey(3, 0x0102);
  REQUIRE(key.size() == 9);
  CHECK(key[0] == 3);
  CHECK(key.substr(1) == storage::EncodeUint64(0x0102));
  CHECK(MerkleNodeKey(0, 255) < MerkleNodeKey(0, 256));
  CHECK(MerkleNodeKey(0, ~0ull) < MerkleNodeKey(1, 0));
}

TEST_CASE("an empty store gives an empty tree") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  CHECK(log->tree_size() == 0);
  CHECK(log->root() == crypto::EmptyTreeHash());
  CHECK(MustGet(log->RootAt(0)) == crypto::EmptyTreeHash());
  CHECK(log->RootAt(1).status().IsInvalidArgument());
  CHECK(log->LeafHashAt(0).status().IsInvalidArgument());
  CHECK(log->InclusionProof(0, 0).status().IsInvalidArgument());
  CHECK(log->ConsistencyProof(0, 0).status().IsInvalidArgument());
}

TEST_CASE("the fixture leaves give the fixture root") {
  // Leaf hashes and root computed by an independent implementation.
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/leaf-hashes.json");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  // Pull the base64 values out without a JSON library: they follow the
  // "leaf_hash": and "root": keys.
  auto values_after = [&](const std::string& key) {
    std::vector<Hash> out;
    for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
      const size_t open = json.find('"', at + key.size());
      const size_t close = json.find('"', open + 1);
      auto bytes = Base64Decode(json.substr(open + 1, close - open - 1));
      REQUIRE(bytes.ok());
      REQUIRE(bytes->size() == 32);
      Hash h;
      std::copy(bytes->begin(), bytes->end(), h.begin());
      out.push_back(h);
    }
    return out;
  };
  const std::vector<Hash> leaves = values_after("\"leaf_hash\":");
  const std::vector<Hash> roots = values_after("\"root\":");
  REQUIRE(leaves.size() == 3);
  REQUIRE(roots.size() == 1);

  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  WriteBatch batch;
  for (uint64_t i = 0; i < leaves.size(); ++i) CHECK(log->Append(leaves[i], batch) == i);
  REQUIRE(store->Write(batch, true).ok());
  CHECK(log->root() == roots[0]);
  CHECK(MustGet(log->RootAt(3)) == roots[0]);
  for (uint64_t i = 0; i < 3; ++i) {
    CHECK(crypto::VerifyInclusion(leaves[i], i, 3, MustGet(log->InclusionProof(i, 3)), roots[0]));
  }
}

TEST_CASE("append 1..300 leaves: roots, leaves and proofs match the reference") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  const uint64_t n = 300;
  std::vector<Hash> leaves;
  std::vector<Hash> roots = {crypto::EmptyTreeHash()};  // roots[s] = MTH of s leaves
  for (uint64_t i = 0; i < n; ++i) {
    // Batches of varying size: 1, 2, 3, ... leaves per written batch.
    WriteBatch batch;
    const Hash leaf = TestLeaf(i);
    CHECK(log->Append(leaf, batch) == i);
    leaves.push_back(leaf);
    roots.push_back(crypto::RootFromLeafHashes(leaves));
    CHECK(log->tree_size() == i + 1);
    CHECK(log->root() == roots.back());
    REQUIRE(store->Write(batch, true).ok());
  }

  for (uint64_t s = 0; s <= n; ++s) CHECK(MustGet(log->RootAt(s)) == roots[s]);
  for (uint64_t i = 0; i < n; ++i) CHECK(MustGet(log->LeafHashAt(i)) == leaves[i]);

  const std::vector<uint64_t> sizes = InterestingSizes(n);
  for (uint64_t size : sizes) {
    for (uint64_t index = 0; index < size; index += (size < 40 ? 1 : 7)) {
      auto proof = MustGet(log->InclusionProof(index, size));
      CHECK_MESSAGE(crypto::VerifyInclusion(leaves[index], index, size, proof, roots[size]),
                    "inclusion of " << index << " in " << size);
      // The proof is for that leaf and that root only.
      CHECK_FALSE(
          crypto::VerifyInclusion(leaves[(index + 1) % n], index, size, proof, roots[size]));
    }
    for (uint64_t first : sizes) {
      if (first > size) continue;
      auto proof = MustGet(log->ConsistencyProof(first, size));
      CHECK_MESSAGE(crypto::VerifyConsistency(first, size, roots[first], roots[size], proof),
                    "consistency " << first << " → " << size);
      if (first < size)
        CHECK_FALSE(crypto::VerifyConsistency(first, size, roots[first], roots[size - 1], proof));
    }
  }
  // Every (first, second) pair near the start, exhaustively.
  for (uint64_t second = 1; second <= 40; ++second) {
    for (uint64_t first = 1; first <= second; ++first) {
      CHECK(crypto::VerifyConsistency(first, second, roots[first], roots[second],
                                      MustGet(log->ConsistencyProof(first, second))));
    }
  }

  // Fewer than 2n nodes are stored: each perfect subtree exactly once.
  size_t nodes = 0;
  REQUIRE(store
              ->Scan(Column::kMerkle, "", "", KvStore::kNoLimit,
                     [&](std::string_view, std::string_view value) {
                       CHECK(value.size() == 32);
                       ++nodes;
                       return true;
                     })
              .ok());
  CHECK(nodes == 2 * n - static_cast<size_t>(__builtin_popcountll(n)));
}

TEST_CASE("invalid arguments are rejected") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  WriteBatch batch;
  for (uint64_t i = 0; i < 10; ++i) log->Append(TestLeaf(i), batch);
  REQUIRE(store->Write(batch, true).ok());

  CHECK(log->RootAt(11).status().IsInvalidArgument());
  CHECK(log->LeafHashAt(10).status().IsInvalidArgument());
  CHECK(log->InclusionProof(10, 10).status().IsInvalidArgument());
  CHECK(log->InclusionProof(3, 2).status().IsInvalidArgument());
  CHECK(log->InclusionProof(0, 11).status().IsInvalidArgument());
  CHECK(log->ConsistencyProof(0, 5).status().IsInvalidArgument());
  CHECK(log->ConsistencyProof(6, 5).status().IsInvalidArgument());
  CHECK(log->ConsistencyProof(5, 11).status().IsInvalidArgument());
  CHECK(MustGet(log->ConsistencyProof(10, 10)).empty());
  CHECK(log->RootAt(11).status().message().find("larger than the log") != std::string::npos);
}

TEST_CASE("several appends staged in one batch; proofs wait for the write") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  std::vector<Hash> leaves;
  WriteBatch first;
  for (uint64_t i = 0; i < 5; ++i) {
    leaves.push_back(TestLeaf(i));
    log->Append(leaves.back(), first);
  }
  REQUIRE(store->Write(first, true).ok());

  // A block of 7 documents: all staged in one batch before it is written.
  WriteBatch block;
  for (uint64_t i = 5; i < 12; ++i) {
    leaves.push_back(TestLeaf(i));
    CHECK(log->Append(leaves.back(), block) == i);
  }
  CHECK(log->tree_size() == 12);
  CHECK(log->root() == crypto::RootFromLeafHashes(leaves));

  // The store still holds size 5: written sizes answer, staged ones do not.
  CHECK(MustGet(log->RootAt(5)) ==
        crypto::RootFromLeafHashes({leaves.begin(), leaves.begin() + 5}));
  Status pending = log->RootAt(12).status();
  CHECK(pending.IsFailedPrecondition());
  CHECK(pending.message().find("not written") != std::string::npos);
  CHECK(log->LeafHashAt(7).status().IsFailedPrecondition());
  CHECK(log->InclusionProof(0, 6).status().IsFailedPrecondition());
  CHECK(log->ConsistencyProof(5, 12).status().IsFailedPrecondition());

  REQUIRE(store->Write(block, true).ok());
  const Hash root = crypto::RootFromLeafHashes(leaves);
  CHECK(MustGet(log->RootAt(12)) == root);
  CHECK(MustGet(log->LeafHashAt(7)) == leaves[7]);
  CHECK(crypto::VerifyInclusion(leaves[9], 9, 12, MustGet(log->InclusionProof(9, 12)), root));
  CHECK(crypto::VerifyConsistency(5, 12,
                                  crypto::RootFromLeafHashes({leaves.begin(), leaves.begin() + 5}),
                                  root, MustGet(log->ConsistencyProof(5, 12))));
}

TEST_CASE("reopening the store restores the same root and proofs") {
  TempDir tmp;
  std::vector<Hash> leaves;
  Hash root_before;
  std::vector<Hash> proof_before;
  {
    auto store = MustOpenStore(tmp.Sub("db"));
    auto log = MustOpenLog(store.get());
    for (uint64_t b = 0; b < 10; ++b) {
      WriteBatch batch;
      for (uint64_t i = 0; i < 13; ++i) {
        leaves.push_back(TestLeaf(leaves.size()));
        log->Append(leaves.back(), batch);
      }
      REQUIRE(store->Write(batch, true).ok());
    }
    root_before = log->root();
    proof_before = MustGet(log->InclusionProof(77, 130));
    // Staged but never written: lost on reopen, as the applier expects.
    WriteBatch dropped;
    log->Append(TestLeaf(9999), dropped);
  }
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  CHECK(log->tree_size() == 130);
  CHECK(log->root() == root_before);
  CHECK(root_before == crypto::RootFromLeafHashes(leaves));
  CHECK(MustGet(log->RootAt(130)) == root_before);
  CHECK(MustGet(log->InclusionProof(77, 130)) == proof_before);

  // Appending after reopen continues the same tree.
  WriteBatch more;
  leaves.push_back(TestLeaf(130));
  CHECK(log->Append(leaves.back(), more) == 130);
  REQUIRE(store->Write(more, true).ok());
  const Hash root = crypto::RootFromLeafHashes(leaves);
  CHECK(log->root() == root);
  CHECK(crypto::VerifyConsistency(130, 131, root_before, root,
                                  MustGet(log->ConsistencyProof(130, 131))));
  CHECK(
      crypto::VerifyInclusion(leaves[130], 130, 131, MustGet(log->InclusionProof(130, 131)), root));
}

TEST_CASE("a missing or damaged node is reported as corruption") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  {
    auto log = MustOpenLog(store.get());
    WriteBatch batch;
    for (uint64_t i = 0; i < 6; ++i) log->Append(TestLeaf(i), batch);  // frontier: 4 + 2
    REQUIRE(store->Write(batch, true).ok());
  }
  WriteBatch damage;
  damage.Delete(Column::kMerkle, MerkleNodeKey(1, 2));  // leaves 4..5, part of the frontier
  damage.Put(Column::kMerkle, MerkleNodeKey(0, 1), "short");
  REQUIRE(store->Write(damage, true).ok());

  auto reopened = MerkleLog::Open(store.get());
  CHECK(reopened.status().IsCorruption());
  CHECK(reopened.status().message().find("level 1, index 2") != std::string::npos);

  WriteBatch bad_size;
  bad_size.Put(Column::kMeta, kMerkleTreeSizeKey, "x");
  REQUIRE(store->Write(bad_size, true).ok());
  CHECK(MerkleLog::Open(store.get()).status().IsCorruption());

  // With the frontier intact, a damaged inner node surfaces on read.
  WriteBatch repair;
  repair.Put(Column::kMeta, kMerkleTreeSizeKey, storage::EncodeUint64(4));
  REQUIRE(store->Write(repair, true).ok());
  auto log = MustOpenLog(store.get());
  CHECK(log->LeafHashAt(1).status().IsCorruption());
  CHECK(log->LeafHashAt(1).status().message().find("expected 32") != std::string::npos);
  CHECK(MustGet(log->LeafHashAt(2)) == TestLeaf(2));
}

TEST_CASE("a proof at size 100,000 takes O(log n) reads") {
  TempDir tmp;
  auto store = MustOpenStore(tmp.Sub("db"));
  auto log = MustOpenLog(store.get());
  const uint64_t n = 100'000;
  WriteBatch batch;
  for (uint64_t i = 0; i < n; ++i) {
    log->Append(TestLeaf(i), batch);
    if ((i + 1) % 1000 == 0) {
      REQUIRE(store->Write(batch, false).ok());
      batch.Clear();
    }
  }
  const Hash root = log->root();
  // A reference root from the leaves, independent of the stored nodes.
  std::vector<Hash> leaves;
  leaves.reserve(n);
  for (uint64_t i = 0; i < n; ++i) leaves.push_back(TestLeaf(i));
  REQUIRE(root == crypto::RootFromLeafHashes(leaves));

  auto reads = [&] { return store->stats().gets; };
  for (uint64_t index : {uint64_t{0}, uint64_t{12345}, uint64_t{65535}, uint64_t{99'999}}) {
    const uint64_t before = reads();
    auto proof = MustGet(log->InclusionProof(index, n));
    const uint64_t used = reads() - before;
    CHECK_MESSAGE(used < 200, "inclusion proof of " << index << " took " << used << " reads");
    CHECK(crypto::VerifyInclusion(leaves[index], index, n, proof, root));
  }
  for (uint64_t first : {uint64_t{1}, uint64_t{777}, uint64_t{65536}, uint64_t{99'998}}) {
    const uint64_t before = reads();
    auto proof = MustGet(log->ConsistencyProof(first, n));
    const uint64_t used = reads() - before;
    CHECK_MESSAGE(used < 200, "consistency proof from " << first << " took " << used << " reads");
    const Hash first_root = MustGet(log->RootAt(first));
    CHECK(first_root ==
          crypto::RootFromLeafHashes({leaves.begin(), leaves.begin() + static_cast<long>(first)}));
    CHECK(crypto::VerifyConsistency(first, n, first_root, root, proof));
  }
  const uint64_t before = reads();
  CHECK(MustGet(log->RootAt(n)) == root);
  CHECK(reads() - before < 40);

  // Reopening reads only the frontier (one node per one-bit of n) and the size.
  const uint64_t before_open = reads();
  auto reopened = MustOpenLog(store.get());
  CHECK(reads() - before_open == 1 + static_cast<uint64_t>(__builtin_popcountll(n)));
  CHECK(reopened->root() == root);
}

}  // namespace
}  // namespace frontera::ledger
