// ElectionSigner: the validators' Ed25519 genesis keys sign and check the
// statements of Raft's election proofs (consensus/election_authority.h).
//
// A signature covers the network id (the genesis hash) followed by
// consensus::EncodeStatement(statement), so a vote of one network is
// worthless in another and a statement has exactly one signed form.
//
// Thread-safety: safe from any thread; SetKeys replaces the keys under a
// lock, as the validators change on the ledger.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/mutex.h"
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
  // The keys of every validator by Raft id (the ledger's validators: the
  // core counts only the voters of its membership).
  void SetKeys(std::map<consensus::NodeId, crypto::PublicKey> keys);

 private:
  std::string SignedBytes(const consensus::Statement& statement) const;

  crypto::Sha256Digest network_id_;
  const crypto::KeyPair& key_;
  mutable Mutex mu_;
  std::map<consensus::NodeId, crypto::PublicKey> voters_ GUARDED_BY(mu_);
};

}  // namespace frontera::node
