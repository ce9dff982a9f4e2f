#include "node/election_signer.h"

#include <algorithm>
#include <utility>

#include "consensus/codec.h"

namespace frontera::node {

ElectionSigner::ElectionSigner(const crypto::Sha256Digest& network_id, const crypto::KeyPair& key,
                               std::map<consensus::NodeId, crypto::PublicKey> voters)
    : network_id_(network_id), key_(key), voters_(std::move(voters)) {}

std::string ElectionSigner::SignedBytes(const consensus::Statement& statement) const {
  std::string bytes(reinterpret_cast<const char*>(network_id_.data()), network_id_.size());
  bytes += consensus::EncodeStatement(statement);
  return bytes;
}

std::string ElectionSigner::Sign(const consensus::Statement& statement) const {
  const crypto::Signature signature = key_.Sign(SignedBytes(statement));
  return std::string(reinterpret_cast<const char*>(signature.data()), signature.size());
}

bool ElectionSigner::Verify(consensus::NodeId signer, const consensus::Statement& statement,
                            std::string_view signature) const {
  crypto::PublicKey key{};
  {
    MutexLock lock(mu_);
    auto voter = voters_.find(signer);
    if (voter == voters_.end()) return false;
    key = voter->second;
  }
  crypto::Signature parsed{};
  if (signature.size() != parsed.size()) return false;
  std::copy(signature.begin(), signature.end(), parsed.begin());
  return crypto::Verify(key, SignedBytes(statement), parsed);
}

void ElectionSigner::SetKeys(std::map<consensus::NodeId, crypto::PublicKey> keys) {
  MutexLock lock(mu_);
  voters_ = std::move(keys);
}

}  // namespace frontera::node
