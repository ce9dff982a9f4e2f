#include "crypto/merkle.h"

#include <doctest/doctest.h>

#include <bit>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/encoding.h"
#include "crypto/ed25519.h"
#include "crypto/jcs.h"
#include "crypto/json.h"

namespace frontera::crypto {
namespace {

[[maybe_unused]] const bool kCryptoReady = (InitCrypto(), true);

Hash HashFromHex(std::string_view hex) {
  Bytes bytes = HexDecode(hex).value();
  REQUIRE(bytes.size() == 32);
  Hash h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

// The RFC 6962 / Certificate Transparency test tree: eight leaves and the
// published roots of its prefixes of size 1..8 (CT merkle_test, trillian).
const char* const kLeafInputsHex[] = {"",
                                      "00",
                                      "10",
                                      "2021",
                                      "3031",
                                      "40414243",
                                      "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f"};
const char* const kRootsHex[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> TestLeafHashes() {
  std::vector<Hash> leaves;
  for (const char* hex : kLeafInputsHex) leaves.push_back(LeafHash(HexDecode(hex).value()));
  return leaves;
}

// A subtree source over the first `tree_size` of `leaves` that refuses
// anything outside that tree, so a proof that peeks beyond it fails loudly.
PerfectSubtreeFn SourceOver(const std::vector<Hash>& leaves, uint64_t tree_size, int* calls) {
  return [&leaves, tree_size, calls](int level, uint64_t index) -> Result<Hash> {
    if (calls != nullptr) ++*calls;
    uint64_t begin = index << level;
    uint64_t end = (index + 1) << level;
    if (end > tree_size) return Status::NotFound("subtree beyond the tree");
    std::vector<Hash> slice(leaves.begin() + begin, leaves.begin() + end);
    return RootFromLeafHashes(slice);
  };
}

std::vector<Hash> Prefix(const std::vector<Hash>& leaves, size_t n) {
  return std::vector<Hash>(leaves.begin(), leaves.begin() + n);
}

TEST_CASE("RFC 9162 §2.1.1: leaf, node and empty-tree hashes") {
  CHECK(HexEncode(EmptyTreeHash()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(LeafHash(Bytes{})) == kRootsHex[0]);
  CHECK(HexEncode(LeafHash(Bytes{0x00})) ==
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  std::vector<Hash> leaves = TestLeafHashes();
  CHECK(NodeHash(leaves[0], leaves[1]) == HashFromHex(kRootsHex[1]));
  CHECK(RootFromLeafHashes({}) == EmptyTreeHash());
}

TEST_CASE("RFC 6962 test tree: roots of sizes 1..8 match the published values") {
  std::vector<Hash> leaves = TestLeafHashes();
  for (size_t n = 1; n <= 8; ++n) {
    CAPTURE(n);
    CHECK(HexEncode(RootFromLeafHashes(Prefix(leaves, n))) == kRootsHex[n - 1]);
    Result<Hash> subtree = SubtreeHash(0, n, SourceOver(leaves, n, nullptr));
    REQUIRE(subtree.ok());
    CHECK(HexEncode(*subtree) == kRootsHex[n - 1]);
  }
}

TEST_CASE("SubtreeHash combines an incomplete right edge right-to-left") {
  std::vector<Hash> leaves = TestLeafHashes();
  auto source = SourceOver(leaves, 8, nullptr);
  // [4, 7) = MTH(D[4:6]) combined with D[6].
  Result<Hash> h = SubtreeHash(4, 7, source);
  REQUIRE(h.ok());
  CHECK(*h == NodeHash(NodeHash(leaves[4], leaves[5]), leaves[6]));
  // An unaligned range is still its MTH, computed from smaller pieces.
  Result<Hash> unaligned = SubtreeHash(1, 4, source);
  REQUIRE(unaligned.ok());
  CHECK(*unaligned == NodeHash(NodeHash(leaves[1], leaves[2]), leaves[3]));
  // Errors of the source are returned, not swallowed.
  CHECK(SubtreeHash(0, 8, SourceOver(leaves, 4, nullptr)).status().IsNotFound());
}

TEST_CASE("SubtreeHash reads O(log n) perfect subtrees") {
  std::vector<Hash> leaves(1000);
  for (size_t i = 0; i < leaves.size(); ++i) leaves[i] = LeafHash(AsBytes(std::to_string(i)));
  int calls = 0;
  Result<Hash> root = SubtreeHash(0, 1000, SourceOver(leaves, 1000, &calls));
  REQUIRE(root.ok());
  CHECK(*root == RootFromLeafHashes(leaves));
  CHECK(calls == 6);  // 1000 = 512 + 256 + 128 + 64 + 32 + 8
}

TEST_CASE("RFC 9162 §2.1.3: known inclusion proofs of the test tree") {
  std::vector<Hash> leaves = TestLeafHashes();
  auto proof0 = InclusionProof(0, 8, SourceOver(leaves, 8, nullptr));
  REQUIRE(proof0.ok());
  REQUIRE(proof0->size() == 3);
  CHECK(HexEncode((*proof0)[0]) ==
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  CHECK(HexEncode((*proof0)[1]) ==
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e");
  CHECK(HexEncode((*proof0)[2]) ==
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  auto proof5 = InclusionProof(5, 8, SourceOver(leaves, 8, nullptr));
  REQUIRE(proof5.ok());
  REQUIRE(proof5->size() == 3);
  CHECK(HexEncode((*proof5)[0]) ==
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
  CHECK(HexEncode((*proof5)[1]) ==
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0");
  CHECK(HexEncode((*proof5)[2]) == kRootsHex[3]);
  auto single = InclusionProof(0, 1, SourceOver(leaves, 1, nullptr));
  REQUIRE(single.ok());
  CHECK(single->empty());
}

TEST_CASE("RFC 9162 §2.1.4: known consistency proofs of the test tree") {
  std::vector<Hash> leaves = TestLeafHashes();
  auto hexes = [](const std::vector<Hash>& proof) {
    std::vector<std::string> out;
    for (const Hash& h : proof) out.push_back(HexEncode(h));
    return out;
  };
  auto p18 = ConsistencyProof(1, 8, SourceOver(leaves, 8, nullptr));
  REQUIRE(p18.ok());
  CHECK(hexes(*p18) == std::vector<std::string>{
                           "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  auto p38 = ConsistencyProof(3, 8, SourceOver(leaves, 8, nullptr));
  REQUIRE(p38.ok());
  CHECK(hexes(*p38) == std::vector<std::string>{
                           "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                           "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                           kRootsHex[1],
                           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  auto p68 = ConsistencyProof(6, 8, SourceOver(leaves, 8, nullptr));
  REQUIRE(p68.ok());
  CHECK(hexes(*p68) ==
        std::vector<std::string>{"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                                 kRootsHex[3]});
  auto p25 = ConsistencyProof(2, 5, SourceOver(leaves, 5, nullptr));
  REQUIRE(p25.ok());
  CHECK(hexes(*p25) == std::vector<std::string>{
                           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"});
  auto same = ConsistencyProof(5, 5, SourceOver(leaves, 5, nullptr));
  REQUIRE(same.ok());
  CHECK(same->empty());
}

TEST_CASE("every inclusion proof of the test tree verifies, and every change is rejected") {
  std::vector<Hash> leaves = TestLeafHashes();
  for (uint64_t size = 1; size <= 8; ++size) {
    Hash root = RootFromLeafHashes(Prefix(leaves, size));
    for (uint64_t index = 0; index < size; ++index) {
      CAPTURE(size);
      CAPTURE(index);
      auto proof = InclusionProof(index, size, SourceOver(leaves, size, nullptr));
      REQUIRE(proof.ok());
      REQUIRE(VerifyInclusion(leaves[index], index, size, *proof, root));

      for (size_t e = 0; e < proof->size(); ++e) {
        for (size_t b = 0; b < 32; ++b) {
          std::vector<Hash> bad = *proof;
          bad[e][b] ^= 0x01;
          CHECK_FALSE(VerifyInclusion(leaves[index], index, size, bad, root));
        }
      }
      for (size_t b = 0; b < 32; ++b) {
        Hash bad_root = root;
        bad_root[b] ^= 0x01;
        CHECK_FALSE(VerifyInclusion(leaves[index], index, size, *proof, bad_root));
        Hash bad_leaf = leaves[index];
        bad_leaf[b] ^= 0x01;
        CHECK_FALSE(VerifyInclusion(bad_leaf, index, size, *proof, root));
      }
      CHECK_FALSE(VerifyInclusion(leaves[index], index + 1, size, *proof, root));
      if (index > 0) CHECK_FALSE(VerifyInclusion(leaves[index], index - 1, size, *proof, root));
      // A proof is bound to its tree: it does not verify in the tree one leaf
      // larger or smaller (against that tree's root).
      if (size < 8) {
        Hash larger_root = RootFromLeafHashes(Prefix(leaves, size + 1));
        CHECK_FALSE(VerifyInclusion(leaves[index], index, size + 1, *proof, larger_root));
      }
      if (index < size - 1) {
        Hash smaller_root = RootFromLeafHashes(Prefix(leaves, size - 1));
        CHECK_FALSE(VerifyInclusion(leaves[index], index, size - 1, *proof, smaller_root));
      }
      // Truncated and extended proofs are rejected.
      if (!proof->empty()) {
        std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
        CHECK_FALSE(VerifyInclusion(leaves[index], index, size, shorter, root));
      }
      std::vector<Hash> longer = *proof;
      longer.push_back(root);
      CHECK_FALSE(VerifyInclusion(leaves[index], index, size, longer, root));
    }
    CHECK_FALSE(VerifyInclusion(leaves[0], size, size, {}, root));
  }
}

TEST_CASE("every consistency proof of the test tree verifies, and every change is rejected") {
  std::vector<Hash> leaves = TestLeafHashes();
  for (uint64_t second = 1; second <= 8; ++second) {
    Hash second_root = RootFromLeafHashes(Prefix(leaves, second));
    for (uint64_t first = 1; first <= second; ++first) {
      CAPTURE(first);
      CAPTURE(second);
      Hash first_root = RootFromLeafHashes(Prefix(leaves, first));
      auto proof = ConsistencyProof(first, second, SourceOver(leaves, second, nullptr));
      REQUIRE(proof.ok());
      REQUIRE(VerifyConsistency(first, second, first_root, second_root, *proof));

      for (size_t e = 0; e < proof->size(); ++e) {
        for (size_t b = 0; b < 32; ++b) {
          std::vector<Hash> bad = *proof;
          bad[e][b] ^= 0x01;
          CHECK_FALSE(VerifyConsistency(first, second, first_root, second_root, bad));
        }
      }
      for (size_t b = 0; b < 32; ++b) {
        Hash bad_first = first_root;
        bad_first[b] ^= 0x01;
        CHECK_FALSE(VerifyConsistency(first, second, bad_first, second_root, *proof));
        Hash bad_second = second_root;
        bad_second[b] ^= 0x01;
        CHECK_FALSE(VerifyConsistency(first, second, first_root, bad_second, *proof));
      }
      // Sizes one off, each with the root of that size.
      if (first + 1 <= second) {
        Hash r = RootFromLeafHashes(Prefix(leaves, first + 1));
        CHECK_FALSE(VerifyConsistency(first + 1, second, r, second_root, *proof));
      }
      if (first > 1) {
        Hash r = RootFromLeafHashes(Prefix(leaves, first - 1));
        CHECK_FALSE(VerifyConsistency(first - 1, second, r, second_root, *proof));
      }
      if (second < 8) {
        Hash r = RootFromLeafHashes(Prefix(leaves, second + 1));
        CHECK_FALSE(VerifyConsistency(first, second + 1, first_root, r, *proof));
      }
      if (second - 1 >= first && second > 1) {
        Hash r = RootFromLeafHashes(Prefix(leaves, second - 1));
        CHECK_FALSE(VerifyConsistency(first, second - 1, first_root, r, *proof));
      }
      if (!proof->empty()) {
        std::vector<Hash> shorter(proof->begin(), proof->end() - 1);
        CHECK_FALSE(VerifyConsistency(first, second, first_root, second_root, shorter));
      }
      std::vector<Hash> longer = *proof;
      longer.push_back(second_root);
      CHECK_FALSE(VerifyConsistency(first, second, first_root, second_root, longer));
    }
  }
  Hash root = RootFromLeafHashes(Prefix(leaves, 4));
  CHECK_FALSE(VerifyConsistency(0, 4, EmptyTreeHash(), root, {}));
  CHECK_FALSE(VerifyConsistency(5, 4, root, root, {}));
}

TEST_CASE("proofs over a larger tree verify for every index and size pair up to 70") {
  std::vector<Hash> leaves(70);
  for (size_t i = 0; i < leaves.size(); ++i)
    leaves[i] = LeafHash(AsBytes("leaf " + std::to_string(i)));
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    Hash root = RootFromLeafHashes(Prefix(leaves, size));
    auto source = SourceOver(leaves, size, nullptr);
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = InclusionProof(i, size, source);
      REQUIRE(proof.ok());
      CHECK(VerifyInclusion(leaves[i], i, size, *proof, root));
    }
    for (uint64_t first = 1; first <= size; ++first) {
      auto proof = ConsistencyProof(first, size, source);
      REQUIRE(proof.ok());
      CHECK(
          VerifyConsistency(first, size, RootFromLeafHashes(Prefix(leaves, first)), root, *proof));
    }
  }
}

TEST_CASE(
    "MerkleFrontier: appending 1..100 leaves tracks RootFromLeafHashes, and Load rebuilds it") {
  std::map<std::pair<int, uint64_t>, Hash> store;
  PerfectSubtreeFn stored = [&store](int level, uint64_t index) -> Result<Hash> {
    auto it = store.find({level, index});
    if (it == store.end()) return Status::NotFound("not stored");
    return it->second;
  };
  MerkleFrontier frontier;
  CHECK(frontier.Root() == EmptyTreeHash());
  std::vector<Hash> leaves;
  for (int i = 0; i < 100; ++i) {
    CAPTURE(i);
    Hash leaf = LeafHash(AsBytes("entry " + std::to_string(i)));
    leaves.push_back(leaf);
    std::vector<MerkleFrontier::Node> completed;
    frontier.Append(leaf, completed);
    REQUIRE(!completed.empty());
    CHECK(completed[0].level == 0);
    CHECK(completed[0].index == static_cast<uint64_t>(i));
    CHECK(completed[0].hash == leaf);
    // Leaf i completes one subtree per trailing one bit of i, plus the leaf.
    CHECK(completed.size() == static_cast<size_t>(std::countr_one(static_cast<uint64_t>(i))) + 1);
    for (const auto& node : completed) {
      uint64_t begin = node.index << node.level;
      uint64_t end = (node.index + 1) << node.level;
      CHECK(node.hash ==
            RootFromLeafHashes(std::vector<Hash>(leaves.begin() + begin, leaves.begin() + end)));
      store[{node.level, node.index}] = node.hash;
    }
    CHECK(frontier.tree_size() == leaves.size());
    CHECK(frontier.Root() == RootFromLeafHashes(leaves));

    Result<MerkleFrontier> loaded = MerkleFrontier::Load(leaves.size(), stored);
    REQUIRE(loaded.ok());
    CHECK(loaded->tree_size() == leaves.size());
    CHECK(loaded->Root() == frontier.Root());
    // The store answers proofs for the tree built so far.
    auto proof = InclusionProof(0, leaves.size(), stored);
    REQUIRE(proof.ok());
    CHECK(VerifyInclusion(leaves[0], 0, leaves.size(), *proof, frontier.Root()));
  }
  // A loaded frontier keeps growing like the original.
  MerkleFrontier loaded = MerkleFrontier::Load(37, stored).value();
  std::vector<MerkleFrontier::Node> completed;
  for (size_t i = 37; i < 100; ++i) loaded.Append(leaves[i], completed);
  CHECK(loaded.Root() == frontier.Root());
  CHECK(MerkleFrontier::Load(101, stored).status().IsNotFound());
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("fixtures: leaf hashes are SHA-256(0x00 || JCS(document)) and the 3-leaf root matches") {
  Json expected = ParseJson(ReadFixture("leaf-hashes.json")).value();
  std::vector<Hash> leaves;
  for (const Json& leaf : expected["leaves"]) {
    CAPTURE(leaf["document"].get<std::string>());
    Json document = ParseJson(ReadFixture(leaf["document"].get<std::string>())).value();
    std::string canonical = Canonicalize(document).value();
    CHECK(HexEncode(Sha256(canonical)) == leaf["jcs_sha256"].get<std::string>());
    Hash leaf_hash = LeafHash(AsBytes(canonical));
    CHECK(Base64Encode(leaf_hash) == leaf["leaf_hash"].get<std::string>());
    CHECK(leaf["leaf_index"].get<size_t>() == leaves.size());
    leaves.push_back(leaf_hash);
  }
  REQUIRE(leaves.size() == 3);
  CHECK(expected["tree_size"].get<size_t>() == 3);
  CHECK(Base64Encode(RootFromLeafHashes(leaves)) == expected["root"].get<std::string>());
}

}  // namespace
}  // namespace frontera::crypto
