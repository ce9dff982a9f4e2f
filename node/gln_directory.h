// GlnDirectory: the parties of a GLN, for DSCSA verification requests that
// name their requestor by reqGLN (docs/api.md#vrs). The registry is keyed by
// DID; this keeps a map GLN → DIDs built from it, rebuilt when a GLN is not
// found and the ledger grew since the last build (a party registered since),
// or when a DID it holds was retired (a key change). An unknown GLN asked
// again costs a hash lookup, not a scan.
//
// Thread-safety: Find may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/mutex.h"
#include "ledger/registry.h"
#include "ledger/state_machine.h"

namespace frontera::node {

class GlnDirectory {
 public:
  // The current record of each party whose GLN is `gln`, as of `sm`'s last
  // published block: one per party (a party that changed its key is found
  // under its current DID). Empty when no party lists it.
  std::vector<ledger::PartyRecord> Find(const ledger::StateMachine& sm, const std::string& gln)
      EXCLUDES(mu_);

 private:
  void Rebuild(const ledger::StateMachine& sm) REQUIRES(mu_);

  Mutex mu_;
  // What the map was built from: the state machine (replaced whole by a
  // snapshot install) and its tree size then.
  const ledger::StateMachine* built_from_ GUARDED_BY(mu_) = nullptr;
  uint64_t built_at_tree_size_ GUARDED_BY(mu_) = 0;
  // GLN → the DIDs listing it that were not retired when built.
  std::unordered_map<std::string, std::vector<std::string>> dids_ GUARDED_BY(mu_);
};

}  // namespace frontera::node
