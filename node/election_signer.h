// ElectionSigner: the validators' Ed25519 genesis keys sign and check the
// statements of Raft's election proofs (consensus/election_authority.h).
//
// A signature covers the network id (the genesis hash) followed by
// consensus::EncodeStatement(statement), so a vote of one network is
// worthless in another and a statement has exactly one signed form.
//
// Thread-safety: immutable after construction; safe from any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "consensus/election_authority.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace frontera::node {

class ElectionSigner final : public consensus::ElectionAuthority {
 public:
  // `key` signs for `self` and must outlive the signer; `voters` holds the
  // public key of every voter (self included) by Raft id.
  ElectionSigner(const crypto::Sha256Digest& network_id, const crypto::KeyPair& key,
                 std::map<consensus::NodeId, crypto::PublicKey> voters);

  std::string Sign(const consensus::Statement& statement) const override;
  bool Verify(consensus::NodeId signer, const consensus::Statement& statement,
              std::string_view signature) const override;

 private:
  std::string SignedBytes(const consensus::Statement& statement) const;

  crypto::Sha256Digest network_id_;
  const crypto::KeyPair& key_;
  std::map<consensus::NodeId, crypto::PublicKey> voters_;
};

}  // namespace frontera::node
