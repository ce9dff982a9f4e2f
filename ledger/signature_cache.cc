#include "ledger/signature_cache.h"

namespace frontera::ledger {

void SignatureCache::Insert(const crypto::Hash& leaf_hash, const crypto::VerifiedProof& proof) {
  if (capacity_ == 0) return;
  MutexLock lock(mu_);
  if (!entries_.emplace(leaf_hash, proof).second) return;
  order_.push_back(leaf_hash);
  while (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<crypto::VerifiedProof> SignatureCache::Find(const crypto::Hash& leaf_hash) const {
  MutexLock lock(mu_);
  auto it = entries_.find(leaf_hash);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

size_t SignatureCache::size() const {
  MutexLock lock(mu_);
  return entries_.size();
}

}  // namespace frontera::ledger
