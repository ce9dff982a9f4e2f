// The validators' Ed25519 signer of election statements: a signature binds
// the network, the signer and every field of the statement.
#include "node/election_signer.h"

#include <doctest/doctest.h>

#include <string>

namespace frontera::node {
namespace {

using consensus::Statement;
using consensus::StatementKind;

crypto::KeyPair Key(uint8_t n) {
  crypto::Seed seed{};
  seed[0] = n;
  return crypto::KeyPair::FromSeed(seed);
}

TEST_CASE("an election statement verifies only for its signer, network and fields") {
  crypto::InitCrypto();
  const crypto::KeyPair k1 = Key(1);
  const crypto::KeyPair k2 = Key(2);
  const std::map<consensus::NodeId, crypto::PublicKey> voters = {{1, k1.public_key()},
                                                                 {2, k2.public_key()}};
  crypto::Sha256Digest network{};
  network[0] = 7;
  const ElectionSigner one(network, k1, voters);
  const ElectionSigner two(network, k2, voters);
  const Statement vote{StatementKind::kVote, 9, 2};
  const std::string signature = one.Sign(vote);
  CHECK(signature.size() == 64);
  CHECK(two.Verify(1, vote, signature));
  CHECK(one.Verify(1, vote, signature));
  CHECK_FALSE(two.Verify(2, vote, signature));  // not node 2's
  CHECK_FALSE(two.Verify(3, vote, signature));  // not a voter
  CHECK_FALSE(two.Verify(1, Statement{StatementKind::kTransfer, 9, 2}, signature));
  CHECK_FALSE(two.Verify(1, Statement{StatementKind::kVote, 10, 2}, signature));
  CHECK_FALSE(two.Verify(1, Statement{StatementKind::kVote, 9, 1}, signature));
  CHECK_FALSE(two.Verify(1, vote, signature.substr(0, 63)));
  CHECK_FALSE(two.Verify(1, vote, signature + "x"));
  std::string flipped = signature;
  flipped[5] = static_cast<char>(flipped[5] ^ 1);
  CHECK_FALSE(two.Verify(1, vote, flipped));
  crypto::Sha256Digest other_network = network;
  other_network[0] = 8;
  const ElectionSigner elsewhere(other_network, k2, voters);
  CHECK_FALSE(elsewhere.Verify(1, vote, signature));
}

}  // namespace
}  // namespace frontera::node
