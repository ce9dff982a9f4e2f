// LtHash16: known answers from an independent implementation, and the
// properties the ledger's state root relies on (order independence, removal
// undoes addition, serialization round trip).
#include "crypto/lthash.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/sha256.h"

namespace frontera::crypto {
namespace {

std::string Sha256Hex(const LtHash16& h) { return HexEncode(Sha256(h.ToBytes())); }

// Computed with Python (hashlib.blake2b with person=, and the ChaCha20 of the
// "cryptography" package with a zero 16-byte counter-and-nonce) following the
// construction in lthash.h, lanes summed in Python integers mod 2^16.
TEST_CASE("LtHash16 known answers") {
  LtHash16 abc;
  abc.Add("abc");
  CHECK(HexEncode(AsBytes(abc.ToBytes().substr(0, 8))) == "34c759d4d7161018");
  CHECK(Sha256Hex(abc) == "7caf91f6259b74babf3059e8b4e35fca79871f2bd19fae83715c6018d352d4ac");
  LtHash16 three;
  three.Add("frontera");
  three.Add("");
  three.Add("abc");
  CHECK(Sha256Hex(three) == "d8d2529e63064077308c9671c3b30a4c2e87d8d7512ba68743e97f5adac43d9c");
}

TEST_CASE("the empty multiset hashes to zero, and removal undoes addition") {
  LtHash16 h;
  CHECK(h.IsZero());
  h.Add("x");
  CHECK(!h.IsZero());
  h.Remove("x");
  CHECK(h.IsZero());
  // Removing first and adding later meets at the same value.
  LtHash16 g;
  g.Remove("y");
  g.Add("y");
  CHECK(g.IsZero());
}

TEST_CASE("permuted histories reaching the same set hash the same") {
  std::vector<std::string> elements;
  for (int i = 0; i < 64; ++i) elements.push_back("element " + std::to_string(i));
  // Direct: add the final set (the even-numbered elements) in order.
  LtHash16 direct;
  for (size_t i = 0; i < elements.size(); i += 2) direct.Add(elements[i]);
  for (uint32_t seed = 1; seed <= 10; ++seed) {
    // Another history: add everything in a shuffled order, then remove the
    // odd ones in another shuffled order, interleaving a few add/remove
    // pairs of an element that ends up absent.
    std::mt19937 rng(seed);
    std::vector<size_t> order(elements.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    LtHash16 history;
    for (size_t i : order) {
      history.Add(elements[i]);
      if (i % 7 == 0) {
        history.Add("transient");
        history.Remove("transient");
      }
    }
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      if (i % 2 == 1) history.Remove(elements[i]);
    }
    CHECK(history == direct);
  }
  // Union of two halves equals the whole; difference takes a half back out.
  LtHash16 low, high;
  for (size_t i = 0; i < elements.size(); i += 2) (i < 32 ? low : high).Add(elements[i]);
  LtHash16 sum = low;
  sum.Add(high);
  CHECK(sum == direct);
  sum.Subtract(high);
  CHECK(sum == low);
}

TEST_CASE("the hash depends on every element and on multiplicity") {
  LtHash16 a, b;
  a.Add("k=1");
  b.Add("k=2");
  CHECK(a != b);
  LtHash16 twice;
  twice.Add("k=1");
  twice.Add("k=1");
  CHECK(twice != a);
}

TEST_CASE("LtHash16 round-trips through its 2048 bytes and refuses other sizes") {
  LtHash16 h;
  h.Add("one");
  h.Remove("two");
  const std::string bytes = h.ToBytes();
  CHECK(bytes.size() == LtHash16::kBytes);
  auto back = LtHash16::FromBytes(bytes);
  REQUIRE(back.ok());
  CHECK(*back == h);
  CHECK(LtHash16::FromBytes(bytes.substr(1)).status().IsCorruption());
  CHECK(LtHash16::FromBytes(bytes + "x").status().IsCorruption());
}

}  // namespace
}  // namespace frontera::crypto
