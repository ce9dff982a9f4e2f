#include "node/gln_directory.h"

#include <set>

namespace frontera::node {

namespace {
// Parties read per page while the map is built.
constexpr size_t kPageParties = 1000;
}  // namespace

void GlnDirectory::Rebuild(const ledger::StateMachine& sm) {
  dids_.clear();
  built_from_ = &sm;
  built_at_tree_size_ = sm.Summary().tree_size;
  std::string after;
  while (true) {
    const crypto::Json page = sm.PartiesJson("", "", after, kPageParties);
    for (const crypto::Json& party : page["parties"]) {
      if (party.value("status", std::string()) == "retired") continue;
      const std::string gln = party.value("gln", std::string());
      if (!gln.empty()) dids_[gln].push_back(party["did"].get<std::string>());
    }
    if (!page["next"].is_string()) break;
    after = page["next"].get<std::string>();
  }
}

std::vector<ledger::PartyRecord> GlnDirectory::Find(const ledger::StateMachine& sm,
                                                    const std::string& gln) {
  MutexLock lock(mu_);
  if (built_from_ != &sm) Rebuild(sm);
  auto it = dids_.find(gln);
  if (it == dids_.end() && sm.Summary().tree_size != built_at_tree_size_) {
    Rebuild(sm);
    it = dids_.find(gln);
  }
  if (it == dids_.end()) return {};
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<ledger::PartyRecord> out;
    std::set<std::string> origins;
    bool stale = false;
    for (const std::string& did : it->second) {
      std::optional<ledger::PartyRecord> record = sm.FindParty(did);
      if (!record) continue;
      if (record->status == ledger::PartyStatus::kRetired) {
        stale = true;
        continue;
      }
      if (origins.insert(record->origin).second) out.push_back(std::move(*record));
    }
    if (!stale || attempt == 1) return out;
    // A key was changed since the map was built: the party's current DID is
    // not in it yet.
    Rebuild(sm);
    it = dids_.find(gln);
    if (it == dids_.end()) return {};
  }
  return {};
}

}  // namespace frontera::node
