// SignatureCache: remembers documents whose Data Integrity proof this node has
// already verified, so that a document checked at admission is not verified
// again when its block is applied. Keyed by the document's leaf hash
// (SHA-256 over its canonical text), so a hit means the very same bytes.
//
// Bounded: holds at most `capacity` entries, evicting the oldest first.
// Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/mutex.h"
#include "crypto/data_integrity.h"
#include "crypto/merkle.h"

namespace frontera::ledger {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity) : capacity_(capacity) {}

  void Insert(const crypto::Hash& leaf_hash, const crypto::VerifiedProof& proof);
  std::optional<crypto::VerifiedProof> Find(const crypto::Hash& leaf_hash) const;
  size_t size() const;

 private:
  struct HashOfHash {
    size_t operator()(const crypto::Hash& h) const {
      size_t v;
      static_assert(sizeof v <= sizeof h);
      __builtin_memcpy(&v, h.data(), sizeof v);
      return v;
    }
  };
  const size_t capacity_;
  mutable Mutex mu_;
  std::unordered_map<crypto::Hash, crypto::VerifiedProof, HashOfHash> entries_ GUARDED_BY(mu_);
  std::deque<crypto::Hash> order_ GUARDED_BY(mu_);  // insertion order
};

}  // namespace frontera::ledger
